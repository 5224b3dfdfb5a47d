"""Entry point: builds the parser from the ``cmd_*`` modules and turns errors into exit codes.

Known errors print one clear message and exit 2; anything else is a bug: a
short apology, the log file's path, exit 1. The traceback goes to the log.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from typing import Sequence

from ssp_coder import __version__
from ssp_coder.errors import KnownError
from ssp_coder.logs import log_file, setup_logging

log = logging.getLogger("ssp_coder.cli")

# Explicit list (not only discovery) so frozen builds find every command.
COMMAND_MODULES = (
    "cmd_project", "cmd_roster", "cmd_coders", "cmd_demo", "cmd_gui", "cmd_package", "cmd_irr",
    "cmd_score", "cmd_legacy", "cmd_interchange", "cmd_export", "cmd_sessions",
    "cmd_views",
)


def _command_modules() -> list[str]:
    names = list(COMMAND_MODULES)
    import ssp_coder.cli as pkg
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("cmd_") and info.name not in names:
            names.append(info.name)
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssp-coder",
        description="Code Strange Situation Procedure videos: annotate, score, check reliability and export.",
    )
    parser.add_argument("--version", action="version", version=f"ssp-coder {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full error details on the terminal")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        try:
            module = importlib.import_module(f"ssp_coder.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"ssp_coder.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:  # answered before the commands (and pandas, scipy) are imported
        print(f"ssp-coder {__version__}")
        return 0
    setup_logging()
    parser = build_parser()
    if not argv:
        argv = ["gui"]
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        result = args.func(args)
        return int(result or 0)
    except KnownError as exc:
        log.info("known error: %s", exc)
        print(f"ssp-coder: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        print("ssp-coder: interrupted; nothing was left half-written.", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in %s", " ".join(argv))
        if getattr(args, "debug", False):
            raise
        print("ssp-coder: sorry, something went wrong that should not have. Your project file is safe: every "
              f"change already made was saved.\nThe details are in {log_file()}; please send that file to "
              "the ssp-coder developers.", file=sys.stderr)
        return 1


def gui_main() -> int:
    """Entry point for the double-clickable launcher: always opens the window."""
    return main(sys.argv[1:] or ["gui"])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
