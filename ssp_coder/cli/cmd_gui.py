"""``ssp-coder gui [PROJECT]``: the coding window (the default command)."""

from __future__ import annotations

import argparse
import os
import sys

from ssp_coder.errors import KnownError


class NoDisplayError(KnownError):
    pass


def display_available() -> bool:
    """Whether a window can be shown here (an offscreen platform counts, for tests)."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the coding window (the default)")
    p.add_argument("project", nargs="?", help="project file (*.sspc) or coder package (*.sspkg) to open")
    p.set_defaults(func=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    if not display_available():
        raise NoDisplayError("No display is available here, so the window cannot open. On a desktop, run "
                             "ssp-coder from a graphical session; on a server, use the command-line tools "
                             "(see 'ssp-coder --help').")
    from ssp_coder.gui.app import run  # imported late: the CLI works without Qt

    return run(getattr(args, "project", None))
