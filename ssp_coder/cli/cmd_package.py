"""``ssp-coder package export|import|return|info|list`` and ``ssp-coder open PACKAGE``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ssp_coder.cli.common import TerminalProgress, add_project_arg, open_project, print_json

# Exit code of 'package import' when conflicts were left for a decision (the rest was merged).
CONFLICTS_EXIT = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("package", help="blinded coder packages: export, return, import")
    psub = p.add_subparsers(dest="package_command", metavar="ACTION", required=True)

    e = psub.add_parser("export", help="write a blinded package for one coder")
    add_project_arg(e)
    e.add_argument("--coder", required=True, metavar="NAME")
    e.add_argument("--sessions", nargs="+", metavar="CODE",
                   help="blinded session codes (default: all of the coder's assignments, reliability included)")
    e.add_argument("--with-videos", action="store_true", help="copy the videos into the package, renamed to codes")
    e.add_argument("-o", "--output", required=True, metavar="FILE", help="package file to write (*.sspkg)")
    e.set_defaults(func=_export)

    i = psub.add_parser("import", help="merge a returned package into the project")
    add_project_arg(i)
    i.add_argument("file", help="returned package (*.sspkg)")
    i.add_argument("--prefer", choices=("package", "project"),
                   help="settle conflicts (codings changed on both sides since export) in favour of one side")
    i.add_argument("--dry-run", action="store_true", help="check and report the merge without changing anything")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_import)

    r = psub.add_parser("return", help="(coder) write the work done in a package into one file to send back")
    r.add_argument("file", help="the package that was opened for coding (*.sspkg)")
    r.add_argument("-o", "--output", metavar="FILE", help="default: NAME-returned.sspkg beside the package")
    r.set_defaults(func=_return)

    n = psub.add_parser("info", help="show a package's manifest")
    n.add_argument("file")
    n.add_argument("--json", action="store_true")
    n.set_defaults(func=_info)

    ls = psub.add_parser("list", help="list the packages issued from a project")
    add_project_arg(ls)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)

    o = sub.add_parser("open", help="(coder) open a coder package in the coding window")
    o.add_argument("package", help="package file (*.sspkg)")
    o.add_argument("--video-dir", action="append", default=[], metavar="DIR",
                   help="folder to search for the videos by their SHA-256 (any file names)")
    o.set_defaults(func=_open)


def _export(args: argparse.Namespace) -> int:
    from ssp_coder.packages import export_package
    progress = TerminalProgress("Copying videos")
    with open_project(args.project) as project:
        info = export_package(project, args.coder, session_codes=args.sessions, with_videos=args.with_videos,
                              out_path=Path(args.output), progress=progress)
    videos = ", with videos" if info.with_videos else ", without videos"
    print(f"Wrote {info.path} for {info.coder}: {len(info.session_codes)} session(s), {info.codings} coding(s)"
          f"{videos} ({info.size / 1e6:.1f} MB). Package id {info.package_id}.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ssp_coder.packages import import_package
    with open_project(args.project) as project:
        report = import_package(project, Path(args.file), prefer=args.prefer, dry_run=args.dry_run,
                                progress=TerminalProgress("Checking package"))
    if args.json:
        print_json({"package_id": report.package_id, "coder": report.coder, "dry_run": report.dry_run,
                    "merged": [m.__dict__ for m in report.merged],
                    "kept_project": [m.__dict__ for m in report.kept_project],
                    "conflicts": [c.__dict__ for c in report.conflicts], "unchanged": report.unchanged,
                    "older": [o.__dict__ for o in report.older]})
    else:
        print(report.summary())
    return CONFLICTS_EXIT if report.conflicts else 0


def _return(args: argparse.Namespace) -> int:
    from ssp_coder.packages import return_package
    out = return_package(Path(args.file), args.output)
    print(f"Wrote {out}. Send this one file back to the coordinator.")
    return 0


def _info(args: argparse.Namespace) -> int:
    from ssp_coder.packages import read_package
    pkg = read_package(Path(args.file), progress=TerminalProgress("Checking package"))
    if args.json:
        print_json(pkg.manifest)
        return 0
    m, issued = pkg.manifest, pkg.issued
    print(f"Package {pkg.package_id} ({m.get('state')}), coder {pkg.coder}")
    print(f"  project id {issued['project_id']}, scheme {issued.get('scheme_id')} v{issued.get('scheme_version')}, "
          f"made {issued.get('created_at')}, written {m.get('written_at')}")
    print(f"  {len(issued['sessions'])} session(s): " + ", ".join(s["code"] for s in issued["sessions"]))
    print(f"  {len(issued['codings'])} coding(s); videos inside: {len(pkg.view_members)}")
    print("  every member matches its checksum")
    return 0


def _list(args: argparse.Namespace) -> int:
    from ssp_coder.store.package_sql import list_packages
    with open_project(args.project, write=False) as project:
        names = {int(c.id): c.name for c in project.coders()}
        rows = [{"package_id": r.id, "coder": names.get(r.coder_id, "?"), "exported_at": r.exported_at,
                 "sessions": len(r.record["issued"]["sessions"]), "imported_at": r.imported_at}
                for r in list_packages(project.conn)]
    if args.json:
        print_json(rows)
    elif not rows:
        print("No packages were exported from this project yet.")
    for r in rows if not args.json else []:
        imported = f"last merged {r['imported_at']}" if r["imported_at"] else "not merged yet"
        print(f"{r['package_id']}  {r['coder']:<20} {r['sessions']:>3} session(s)  exported {r['exported_at']}  "
              f"{imported}")
    return 0


def _open(args: argparse.Namespace) -> int:
    from ssp_coder.cli.cmd_gui import run_gui
    from ssp_coder.packages import open_package
    # Open once here: extracts the package (with a progress bar) and remembers relinked videos in the work
    # folder, so that the window finds them; then the window opens the package itself.
    opened = open_package(Path(args.package), video_dirs=args.video_dir, progress=TerminalProgress("Unpacking"))
    missing = opened.missing_videos()
    opened.close(write_return=False)
    if missing:
        print(f"Videos not found yet for: {', '.join(missing)}. Put them next to the package named by their code, "
              "or pass --video-dir FOLDER (files are matched by content, whatever their names).")
    return run_gui(argparse.Namespace(project=str(args.package)))
