"""``ssp-coder export`` (datasets for the statistician) and ``ssp-coder summary`` (the coordinator's first look)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ssp_coder.cli.common import TerminalProgress, add_project_arg, open_project, print_json
# The export stack (pandas, scipy) is imported when a command runs, so the CLI starts quickly.
FORMATS = ("xlsx", "csv", "sav", "dta")
SHAPES = ("long", "wide", "both")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write the trial dataset (long/wide), codebook and summary for the statistician",
                       description="xlsx: one workbook at PATH. csv: PATH is a folder that receives one file per "
                                   "table. Both also hold the events table (one row per event of the final "
                                   "codings, with the camera view it was coded from when recorded). sav/dta: "
                                   "with --shape long or wide, PATH is the data file; with --shape "
                                   "both (the default) PATH names two files, its stem getting _long and _wide, so "
                                   "'-o trial.sav' writes trial_long.sav and trial_wide.sav (never trial.sav), plus "
                                   "the events table as trial_events.sav (variable and value labels from the "
                                   "scheme) and trial_codebook.csv beside them. The names written are printed; "
                                   "--dry-run prints them without writing. Every file is checked before the "
                                   "first is written. The export is unblinded (arm and timepoint are included).")
    add_project_arg(p)
    p.add_argument("--format", choices=FORMATS,
                   help="default: from PATH's ending (.xlsx, .sav, .dta; a folder, or a PATH ending in /, for csv)")
    p.add_argument("--shape", choices=SHAPES, default="both", help="long (one row per session), wide (one row per "
                   "participant) or both (default)")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="where to write (see above: for sav/dta with --shape both, PATH_long and PATH_wide, "
                        "plus PATH_events and PATH_codebook.csv)")
    p.add_argument("--dry-run", action="store_true",
                   help="check everything and list the files the export would write; write nothing")
    _arm_args(p)
    p.set_defaults(func=_export)

    s = sub.add_parser("summary", help="secure / disorganized / ABCD by arm and timepoint, with effect sizes "
                                       "(descriptive)")
    add_project_arg(s)
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.add_argument("--figures", metavar="DIR", help="also write the figures (PNG and SVG) into DIR")
    _arm_args(s)
    s.set_defaults(func=_summary)


def _arm_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--intervention", metavar="ARM", help="the intervention arm (default: told from the arm names)")
    p.add_argument("--control", metavar="ARM", help="the control arm (default: told from the arm names)")


def _prepare(args: argparse.Namespace):
    from ssp_coder.export import prepare_export
    from ssp_coder.export.api import ExportError

    with open_project(args.project, write=False) as project:
        try:
            return prepare_export(project, intervention=args.intervention, control=args.control)
        except ValueError as exc:
            raise ExportError(str(exc)) from None


def export_format(fmt: str | None, output: str) -> str:
    """The format asked for, or the one PATH's ending names (``-o trial.sav`` is an SPSS export)."""
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in ("xlsx", "sav", "dta"):
        return suffix
    if output.endswith(("/", "\\")) or Path(output).is_dir():
        return "csv"                       # csv is a folder of files, one per table
    from ssp_coder.export.api import ExportError

    raise ExportError(f"{output}: which format? Give --format {'|'.join(FORMATS)}, or a PATH ending in "
                      ".xlsx, .sav or .dta (or a folder ending in / for csv files).")


def _export(args: argparse.Namespace) -> int:
    from ssp_coder.export import write_export
    from ssp_coder.export.api import check_export, export_notes

    args.format = export_format(args.format, args.output)
    data = _prepare(args)
    # The same list for the dry run and the real one (csv: the files inside the folder).
    files = check_export(data, args.format, args.output, args.shape)
    s = data.summary
    counts = (f"{len(data.long)} sessions of {data.long['participant_id'].nunique()} participants "
              f"({s.n_complete} with a completed final coding)")
    if args.dry_run:
        print(f"Dry run: nothing was written. Would export {counts} to:")
    else:
        write_export(data, args.format, args.output, shape=args.shape,
                     progress=TerminalProgress(f"export {args.format}"))
        for note in export_notes(data, args.format, args.shape):
            print(f"Note: {note}")
        print(f"Exported {counts}. Wrote:")
    for p in files:
        print(f"  {p}")
    wanted = Path(args.output)
    if args.format in ("sav", "dta") and args.shape == "both" and wanted not in files:
        print(f"(With --shape both the long and the wide data are two files; {wanted.name} itself is not written.)")
    if s.incomplete:
        print(f"{len(s.incomplete)} session(s) have no completed final coding; their rows are in the data with "
              "coding_status and empty scores. See: ssp-coder summary " + str(args.project))
    return 0


def _summary(args: argparse.Namespace) -> int:
    from ssp_coder.export import format_summary

    data = _prepare(args)
    figures = []
    if args.figures:
        from ssp_coder.export.figures import write_figures
        figures = write_figures(data.summary, data.long, args.figures)
    if args.json:
        out = data.summary.to_dict()
        out["figures"] = [str(p) for p in figures]
        print_json(out)
        return 0
    print(format_summary(data.summary))
    if figures:
        print(f"\nFigures written to {args.figures}: " + ", ".join(p.name for p in figures))
    return 0
