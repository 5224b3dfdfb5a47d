"""``ssp-coder import-roster PROJECT FILE``."""

from __future__ import annotations

import argparse

from ssp_coder.cli.common import TerminalProgress, add_project_arg, open_project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-roster", help="add participants, sessions and videos from a CSV or XLSX roster")
    add_project_arg(p)
    p.add_argument("file", help="roster: columns participant_id, timepoint, arm, video (+ site, age_months, sex, "
                                "date_of_visit, any others)")
    p.add_argument("--dry-run", action="store_true", help="check everything, change nothing")
    p.add_argument("--new-timepoint", action="append", default=[], metavar="LABEL",
                   help="accept a timepoint label the project does not have yet")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ssp_coder.roster import import_roster  # PyAV is loaded only when a roster is imported

    with open_project(args.project) as project:
        report = import_roster(project, args.file, dry_run=args.dry_run, new_timepoints=tuple(args.new_timepoint),
                               progress=TerminalProgress("Checking videos"))
    print(report.summary())
    return 0
