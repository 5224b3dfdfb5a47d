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
    t = _template_parser(sub).add_parser("codings", help="an empty legacy coding sheet (XLSX) with an example row")
    t.add_argument("out", metavar="OUT.xlsx")
    t.add_argument("--project", help="use this project's scheme for the scale columns (default: built-in scheme)")
    t.add_argument("--scheme", help="a scheme JSON file for the scale columns")
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
    from ssp_coder.domain.scheme import load_builtin_scheme, load_scheme
    from ssp_coder.legacy import write_codings_template

    if args.project:
        with open_project(args.project, write=False) as project:
            scheme = project.scheme
    else:
        scheme = load_scheme(args.scheme) if args.scheme else load_builtin_scheme()
    path = write_codings_template(args.out, scheme)
    print(f"Wrote {path}. Fill in the sheets and import with: ssp-coder import-codings PROJECT {path.name}")
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
