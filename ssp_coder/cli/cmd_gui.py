"""``ssp-coder gui [PROJECT]``: the coding window (the default command)."""

from __future__ import annotations

import argparse

from ssp_coder.cli.window_check import window_problem
from ssp_coder.errors import KnownError


class NoDisplayError(KnownError):
    pass


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the coding window (the default)")
    p.add_argument("project", nargs="?", help="project file (*.sspc) or coder package (*.sspkg) to open")
    p.set_defaults(func=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    problem = window_problem()   # before Qt starts: Qt aborts when no platform plugin can load
    if problem:
        raise NoDisplayError(problem)
    from ssp_coder.gui.app import run  # imported late: the CLI works without Qt

    return run(getattr(args, "project", None))
