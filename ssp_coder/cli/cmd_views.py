"""``ssp-coder views PROJECT`` and ``ssp-coder sync-views PROJECT``: sessions filmed by several cameras."""

from __future__ import annotations

import argparse
from pathlib import Path

from ssp_coder.cli.common import TerminalProgress, add_project_arg, open_project, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("views", help="the camera views of each session filmed by several cameras, with offsets")
    add_project_arg(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_list)

    s = sub.add_parser("sync-views", help="find each further view's offset from a clap both cameras heard, "
                                          "and save it (audited; undo in the window)")
    add_project_arg(s)
    s.add_argument("--sessions", nargs="+", metavar="CODE", help="only these sessions (default: every session "
                                                                 "with several views)")
    s.add_argument("--only-unset", action="store_true", help="skip views whose offset is already set (not 0)")
    s.add_argument("--dry-run", action="store_true", help="find and report the offsets, save nothing")
    s.set_defaults(func=_sync)


def _multi_view_sessions(project, codes: list[str] | None) -> list:
    sessions = [project.session_by_code(c) for c in dict.fromkeys(codes)] if codes else project.sessions()
    return [(s, project.views(int(s.id))) for s in sessions if codes or len(project.views(int(s.id))) > 1]


def _file(project, path: str | None) -> Path | None:
    if not path:
        return None
    p = Path(path)
    return p if p.is_absolute() else project.path.parent / p


def _list(args: argparse.Namespace) -> int:
    with open_project(args.project, write=False) as project:
        rows = [{"session": s.blinded_code, "view": v.number, "name": v.label, "video": v.video_path,
                 "offset_ms": v.offset_ms, "found": bool(_file(project, v.video_path)
                                                         and _file(project, v.video_path).is_file())}
                for s, views in _multi_view_sessions(project, None) for v in views]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No session of this project has more than one camera view.")
        return 0
    for r in rows:
        where = r["video"] or "(no video)"
        missing = "" if r["found"] else "  [video not found]"
        offset = "main view" if r["view"] == 1 else f"offset {r['offset_ms'] / 1000:+.3f} s"
        print(f"{r['session']}  view {r['view']} ({r['name']}): {offset}  {where}{missing}")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from ssp_coder.domain.commands import SetViewOffset
    from ssp_coder.errors import DomainError, KnownError
    from ssp_coder.media.sync import find_offset

    with open_project(args.project) as project:
        plan = []
        for s, views in _multi_view_sessions(project, args.sessions):
            if len(views) < 2:
                print(f"{s.blinded_code}: one camera view only; nothing to synchronise.")
                continue
            main = _file(project, views[0].video_path)
            for v in views[1:]:
                label = f"{s.blinded_code} view {v.number} ({v.label})"
                if args.only_unset and v.offset_ms != 0:
                    print(f"{label}: offset already set ({v.offset_ms / 1000:+.3f} s), skipped")
                    continue
                other = _file(project, v.video_path)
                if main is None or not main.is_file() or other is None or not other.is_file():
                    print(f"{label}: a video is missing; relink it, then run this again.")
                    continue
                try:
                    progress = TerminalProgress(f"Listening to {s.blinded_code}")
                    found = find_offset(main, other, progress=lambda f, p=progress: p(f, 1.0))
                except KnownError as exc:
                    print(f"{label}: not found. {exc}")
                    continue
                print(f"{label}: {found.offset_ms / 1000:+.3f} s (the clap at {found.main_ms / 1000:.3f} s in the "
                      f"main view, {found.view_ms / 1000:.3f} s in this one; was {v.offset_ms / 1000:+.3f} s)")
                if found.offset_ms != v.offset_ms:
                    plan.append(SetViewOffset(int(s.id), v.number, found.offset_ms))
        # A dry run makes every change and rolls it back, so it reports exactly what the real run does.
        done = 0
        with project.bulk(origin="sync-views", rehearse=args.dry_run) as w:
            for cmd in plan:
                try:
                    w.execute(cmd)
                    done += 1
                except DomainError as exc:
                    print(f"{project.session(cmd.session_id).blinded_code} view {cmd.view}: not set. {exc}")
        if args.dry_run:
            print(f"Would set {done} offset(s); nothing was changed (dry run).")
        else:
            print(f"Set {done} offset(s). Check them in the window (View ▸ Synchronise views…).")
    return 0
