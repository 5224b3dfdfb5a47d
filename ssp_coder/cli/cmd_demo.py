"""``ssp-coder demo``: build a small synthetic trial and open it."""

from __future__ import annotations

import argparse
import sys

from ssp_coder.cli.window_check import window_problem
from ssp_coder.cli.common import TerminalProgress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="build a small synthetic trial (48 sessions) and open it")
    p.add_argument("--no-gui", action="store_true", help="print a summary instead of opening the window")
    p.add_argument("--dir", help="folder for the demo (default: ssp-coder's folder in your user data folder); "
                                 "the demo in it is reused")
    p.add_argument("--fresh", action="store_true",
                   help="build a new demo in place of the existing one (the work done in the old one is discarded)")
    p.add_argument("--seed", type=int, default=7, help="random seed of a newly built demo (default 7)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ssp_coder.demo import build_demo  # video synthesis is loaded only when a demo is built
    from ssp_coder.demo.summary import project_summary
    from ssp_coder.store.project import Project

    result = build_demo(args.dir, seed=args.seed, fresh=args.fresh, progress=TerminalProgress("Making demo videos"))
    if result.note:
        print(result.note, file=sys.stderr)
    if result.reused:
        print(f"Reusing demo project {result.project_path} (to start over: ssp-coder demo --fresh)")
    else:
        print(f"Built in {result.seconds:.1f} s: demo project {result.project_path}")
    show_window = not args.no_gui
    problem = window_problem() if show_window else None   # asked before Qt starts: Qt would abort
    if problem:
        print(f"{problem}\nHere is the project summary instead.", file=sys.stderr)
        show_window = False
    if not show_window:
        with Project.open(result.project_path, read_only=True, backups=False) as project:
            print(project_summary(project))
        print(f"\nOpen it in the coding window with: ssp-coder gui {result.project_path}")
        return 0
    from ssp_coder.gui.app import run  # Qt only when a window is wanted

    return run(str(result.project_path))
