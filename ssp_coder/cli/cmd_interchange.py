"""``import-codings ... --from TOOL`` and ``export-codings --to TOOL``: BORIS, ELAN, Datavyu, The Observer XT.

``import-codings`` belongs to the legacy sheets (cmd_legacy); this module adds
``--from``, ``--map``, ``--coder`` and ``--draft-map`` to it, and hands over to
the sheet import when ``--from`` is not given.
"""

from __future__ import annotations

import argparse

from ssp_coder.cli.common import add_project_arg, open_project, print_json

TOOLS = ("boris", "elan", "datavyu", "observer")


def register(sub: argparse._SubParsersAction) -> None:
    _extend_import(sub)
    p = sub.add_parser("export-codings", help="write codings for BORIS, ELAN, Datavyu or The Observer XT")
    add_project_arg(p)
    p.add_argument("--to", dest="tool", required=True, choices=TOOLS,
                   help="boris: one .boris project; observer: one event log (.txt); elan, datavyu: a folder with one "
                        "file per coding")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="the file (boris, observer) or folder")
    p.add_argument("--sessions", nargs="+", metavar="CODE", help="only these sessions (blinded codes)")
    p.add_argument("--coder", metavar="NAME",
                   help="an export for this coder: only what they may see (their own codings; videos named by "
                        "blinded code)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_export)


def _extend_import(sub: argparse._SubParsersAction) -> None:
    p = sub.choices.get("import-codings")
    if p is None:   # the sheet import is not there (a trimmed build): the tools' import stands alone
        p = sub.add_parser("import-codings", help="import codings from another coding tool")
        add_project_arg(p)
        p.add_argument("file")
        p.add_argument("--dry-run", action="store_true", help="check everything, change nothing")
        p.add_argument("--json", action="store_true")
        sheet_import = None
    else:
        sheet_import = p.get_default("func")
    p.add_argument("--from", dest="tool", choices=TOOLS,
                   help="the file comes from BORIS (.boris), ELAN (.eaf), Datavyu (.opf) or The Observer XT (event "
                        "log, tab-separated); without it FILE is a legacy coding sheet")
    p.add_argument("--map", metavar="MAP.csv", help="which of the file's codes is which behaviour or episode "
                                                    "boundary, which observation which session, who coded it")
    p.add_argument("--coder", metavar="NAME", help="who coded the file, where the file and map do not say")
    p.add_argument("--draft-map", metavar="MAP.csv",
                   help="write a map listing the file's codes (filled in where they match the scheme) to edit, "
                        "and import nothing")
    for action in p._actions:
        if action.dest == "file":
            action.help = (f"{action.help or 'the file'}; with --from: a BORIS project, ELAN .eaf, Datavyu .opf or "
                           "Observer event log")
    p.set_defaults(func=lambda args: _import(args, sheet_import))


def _import(args: argparse.Namespace, sheet_import) -> int:
    from ssp_coder.errors import KnownError

    if args.tool is None:
        if args.map or args.coder or args.draft_map:
            raise KnownError("--map, --coder and --draft-map go with --from boris|elan|datavyu|observer.")
        if sheet_import is None:
            raise KnownError("Say which tool the file comes from: --from boris|elan|datavyu|observer.")
        return sheet_import(args)
    if args.draft_map:
        return _draft_map(args)
    from ssp_coder.interchange import import_coding_file

    with open_project(args.project) as project:
        report = import_coding_file(project, args.file, args.tool, map_path=args.map, coder=args.coder,
                                    dry_run=args.dry_run)
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.summary())
    return 0


def _draft_map(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ssp_coder.errors import InputFileError
    from ssp_coder.interchange import load_map, read_codings, write_map

    if Path(args.draft_map).exists():
        from ssp_coder.errors import KnownError
        raise KnownError(f"{args.draft_map} already exists; give a new file name (nothing was written).")
    with open_project(args.project, write=False) as project:
        cmap = load_map(args.map, project.scheme)
        cf = read_codings(args.file, args.tool)
        if cf.problems and not cf.observations:
            raise InputFileError(args.file, cf.problems)
        codes: dict[str, str] = {}
        for obs in cf.observations:
            for mark in obs.marks:
                if mark.code not in codes:
                    hit = cmap.target(mark.codes)
                    codes[mark.code] = hit[1].describe() if hit else ""
    write_map(args.draft_map, codes)
    todo = sum(1 for v in codes.values() if not v)
    print(f"Wrote {args.draft_map}: {len(codes)} code(s), {todo} still to fill in (a behaviour code, 'episode N', "
          "'episode N start', 'episode N end' or 'ignore'). Then import with --map " + args.draft_map)
    return 0


def _export(args: argparse.Namespace) -> int:
    from ssp_coder.interchange import export_codings

    with open_project(args.project, write=False) as project:
        result = export_codings(project, args.tool, args.output, coder=args.coder, sessions=args.sessions)
    if args.json:
        print_json({"tool": result.tool, "paths": [str(p) for p in result.paths], "codings": result.codings,
                    "events": result.events, "blinded_for": result.blinded_for})
    else:
        print(result.summary())
    return 0
