"""``ssp-coder import-codings PROJECT FILE`` and ``ssp-coder template codings OUT.xlsx``."""

from __future__ import annotations

import argparse

from ssp_coder.cli.common import add_project_arg, open_project, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-codings", help="import codings kept in a legacy CSV/XLSX coding sheet")
    add_project_arg(p)
    p.add_argument("file", help="CSV (codings only) or XLSX with sheets codings, boundaries, events")
    p.add_argument("--dry-run", action="store_true", help="check everything, change nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_import)
    t = _template_parser(sub).add_parser(
        "codings", help="a legacy coding sheet (XLSX) to fill in: with --project pre-filled with the assigned "
                        "codings, otherwise empty with an example row")
    t.add_argument("out", metavar="OUT.xlsx")
    t.add_argument("--project", help="pre-fill one row per assigned coding still waiting for its values (session, "
                                     "coder, purpose) and list the project's behaviour codes and scale columns")
    t.add_argument("--scheme", help="a scheme JSON file for the scale columns (without --project)")
    t.add_argument("--blinded", action="store_true",
                   help="with --project: name sessions by blinded code only (for a sheet a coder fills in)")
    t.set_defaults(func=_template)


def _template_parser(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``template`` command's sub-commands (another module may have created ``template`` already)."""
    existing = sub.choices.get("template")
    if existing is not None:
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
    t = sub.add_parser("template", help="write an empty template file to fill in")
    ts = t.add_subparsers(dest="template_kind", metavar="KIND", required=True)
    # The output path belongs to each kind, so that other kinds can add their own arguments.
    return ts


def _template(args: argparse.Namespace) -> int:
    from ssp_coder.atomic import check_target
    from ssp_coder.domain.scheme import load_builtin_scheme, load_scheme
    from ssp_coder.errors import KnownError
    from ssp_coder.legacy import write_codings_template
    from ssp_coder.legacy.template import assigned_rows

    if args.project and args.scheme:
        raise KnownError("Give --project or --scheme, not both: a project's template uses the project's scheme.")
    if args.blinded and not args.project:
        raise KnownError("--blinded names the assigned sessions of a project by their codes; give --project too.")
    check_target(args.out)
    rows = None
    if args.project:
        with open_project(args.project, write=False) as project:
            scheme = project.scheme
            rows = assigned_rows(project)
    else:
        scheme = load_scheme(args.scheme) if args.scheme else load_builtin_scheme()
    path = write_codings_template(args.out, scheme, rows, blinded=args.blinded)
    filled = f" with {len(rows)} assigned coding(s) to fill in" if rows is not None else ""
    project = args.project or "PROJECT"
    print(f"Wrote {path}{filled}. Fill in the sheets and import with: ssp-coder import-codings {project} {path.name}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ssp_coder.legacy import import_codings

    with open_project(args.project) as project:
        report = import_codings(project, args.file, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_dict())
    else:
        print(("Checked (dry run): " if args.dry_run else "") + report.summary())
    return 0
