"""``ssp-coder server init|push|pull|add-user|...``: a shared project on a PostgreSQL server (people: ``server_people``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ssp_coder.cli.common import TerminalProgress
from ssp_coder.cli.server_people import register_people
from ssp_coder.domain.model import ROLES
from ssp_coder.errors import StoreError
from ssp_coder.store.pg_conn import is_server_url, redact


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("server", help="a shared project on a PostgreSQL server (init, push, pull, people: add-user, users, "
                                          "remove-user, set-password, set-role)")
    ssub = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)

    i = ssub.add_parser("init", help="prepare a PostgreSQL database for a project (or upgrade it)")
    i.add_argument("url", help="postgresql://USER@HOST/DATABASE")
    i.set_defaults(func=_init)

    u = ssub.add_parser("push", help="copy a project file into an empty server database (all or nothing)")
    u.add_argument("project", help="project file (*.sspc)")
    u.add_argument("url", help="postgresql://USER@HOST/DATABASE")
    u.set_defaults(func=_push)

    d = ssub.add_parser("pull", help="copy the project on a server into a project file")
    d.add_argument("url", help="postgresql://USER@HOST/DATABASE")
    d.add_argument("-o", "--output", required=True, help="the project file to write (*.sspc)")
    d.add_argument("--replace", action="store_true", help="replace OUTPUT if it exists")
    d.set_defaults(func=_pull)

    a = ssub.add_parser("add-user", help="give a person a database login with their role's rights")
    a.add_argument("url", help="postgresql://USER@HOST/DATABASE")
    a.add_argument("name", help="the person's name as the project knows it (added as a coder if new)")
    a.add_argument("--role", choices=ROLES, required=True)
    a.add_argument("--login", help="database login name (default: from the name, e.g. 'ann_smith')")
    a.add_argument("--no-password", action="store_true",
                   help="set no password: the server signs people in its own way (Kerberos, certificates, peer)")
    a.set_defaults(func=_add_user)
    register_people(ssub)


def _url(text: str) -> str:
    if not is_server_url(text):
        raise StoreError(f"{text!r} is not a server address. It looks like postgresql://USER@HOST/DATABASE.")
    return text


def _init(args: argparse.Namespace) -> int:
    from ssp_coder.store.server import init_server

    version = init_server(_url(args.url))
    print(f"{redact(args.url)} is ready for an ssp-coder project (format {version}).")
    print(f"Next: ssp-coder server push PROJECT.sspc {redact(args.url)}")
    return 0


def _push(args: argparse.Namespace) -> int:
    from ssp_coder.store.server_copy import push

    report = push(Path(args.project), _url(args.url), progress=TerminalProgress("Copying"))
    print(f"Copied {args.project} to {redact(args.url)}: {report.rows['sessions']} sessions, "
          f"{report.rows['codings']} codings, {report.rows['events']} events, {report.rows['audit']} audit rows.")
    print(f"Next: ssp-coder server add-user {redact(args.url)} NAME --role coder|coordinator|trainer")
    return 0


def _pull(args: argparse.Namespace) -> int:
    from ssp_coder.store.server_copy import pull

    report = pull(_url(args.url), Path(args.output), replace=args.replace, progress=TerminalProgress("Copying"))
    print(f"Wrote {args.output} from {redact(args.url)}: {report.rows['sessions']} sessions, "
          f"{report.rows['codings']} codings, {report.rows['events']} events.")
    return 0


def _add_user(args: argparse.Namespace) -> int:
    from ssp_coder.store.server_users import add_user, describe

    user = add_user(_url(args.url), args.name, args.role, login=args.login, password=not args.no_password)
    print(describe(user, args.url))
    return 0
