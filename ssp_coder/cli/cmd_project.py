"""``ssp-coder init``, ``ssp-coder restore`` and ``ssp-coder status``."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from ssp_coder.cli.common import add_project_arg, open_project, print_json
from ssp_coder.domain.scheme import DEFAULT_SCHEME_ID, load_builtin_scheme, load_scheme
from ssp_coder.errors import StoreError
from ssp_coder.store.pg_conn import is_server_url
from ssp_coder.store.project import Project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a new project file")
    p.add_argument("path", help="project file to create (*.sspc)")
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--scheme", default=DEFAULT_SCHEME_ID,
                   help=f"built-in scheme id or a scheme JSON file (default {DEFAULT_SCHEME_ID})")
    p.set_defaults(func=_init)

    r = sub.add_parser("restore", help="put a backup in place of the project (moves the old file and its "
                                       "-wal/-shm aside)")
    r.add_argument("project", help="project file (*.sspc) to restore")
    r.add_argument("backup", nargs="?", help="backup file (default: the newest in PROJECT.backups/)")
    r.set_defaults(func=_restore)

    s = sub.add_parser("status", help="what the project holds and how far coding has got")
    add_project_arg(s)
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=_status)


def _init(args: argparse.Namespace) -> int:
    scheme = load_scheme(args.scheme) if Path(args.scheme).suffix == ".json" else load_builtin_scheme(args.scheme)
    with Project.create(args.path, name=args.name, scheme=scheme) as project:
        print(f"Created {project.path} (scheme {scheme.id}).")
        print(f"Next: ssp-coder import-roster {project.path} ROSTER.csv")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from ssp_coder.store.restore import restore_backup
    if is_server_url(args.project):
        raise StoreError("A project on a server has no backups folder: it is restored from the server's own "
                         "backups (pg_dump / pg_restore, by the database administrator), or from a file copy made "
                         "with 'ssp-coder server pull' and pushed into a new database. Nothing was changed.")
    result = restore_backup(Path(args.project), Path(args.backup) if args.backup else None)
    print(result.summary())
    return 0


def status_data(project: Project) -> dict:
    counts = project.counts()
    coders = project.coders()
    names = {c.id: c.name for c in coders}
    codings = project.codings()
    by_status = Counter(c.status for c in codings)
    by_purpose = Counter(c.purpose for c in codings)
    by_coder: dict[str, dict[str, int]] = {}
    for c in codings:
        entry = by_coder.setdefault(names[c.coder_id], {"draft": 0, "complete": 0})
        entry[c.status] += 1
    coded_sessions = {c.session_id for c in codings if c.purpose == "primary"}
    return {
        "project": project.name,
        "path": str(project.path),
        "scheme": project.scheme.id,
        "participants": counts["participants"],
        "sessions": counts["sessions"],
        "sessions_unassigned": counts["sessions"] - len(coded_sessions),
        "events": counts["events"],
        "coders": [{"name": c.name, "role": c.role} for c in coders],
        "codings": {
            "total": len(codings),
            "by_status": {k: by_status.get(k, 0) for k in ("draft", "complete")},
            "by_purpose": {k: by_purpose.get(k, 0) for k in ("primary", "reliability", "consensus", "training")},
            "by_coder": by_coder,
        },
    }


def _status(args: argparse.Namespace) -> int:
    with open_project(args.project, write=False) as project:
        data = status_data(project)
    if args.json:
        print_json(data)
        return 0
    print(f"Project {data['project']} ({data['scheme']})")
    print(f"  {data['participants']} participants, {data['sessions']} sessions "
          f"({data['sessions_unassigned']} without a primary coder), {data['events']} events")
    print("  coders: " + (", ".join(f"{c['name']} ({c['role']})" for c in data["coders"]) or "none"))
    cd = data["codings"]
    purposes = ", ".join(f"{k} {v}" for k, v in cd["by_purpose"].items() if v)
    print(f"  codings: {cd['total']} — {cd['by_status']['complete']} complete, {cd['by_status']['draft']} draft"
          + (f"; {purposes}" if purposes else ""))
    for name, st in cd["by_coder"].items():
        print(f"    {name:<20} {st['complete']:>4} complete {st['draft']:>4} draft")
    return 0
