"""``ssp-coder server users|remove-user|set-password|set-role``: the people of a server project."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ssp_coder.cli.common import print_json
from ssp_coder.domain.model import ROLES
from ssp_coder.errors import StoreError
from ssp_coder.store.pg_conn import is_server_url, redact

URL_HELP = "postgresql://USER@HOST/DATABASE"


def register_people(ssub: argparse._SubParsersAction) -> None:
    ls = ssub.add_parser("users", help="list the people with logins on the project: role, access, last change",
                         description="List the project's logins: the person each is linked to, their role, "
                                     "whether they can sign in now, and the last change made to them.")
    ls.add_argument("url", help=URL_HELP)
    ls.add_argument("--json", action="store_true", help="print the list as JSON")
    ls.set_defaults(func=_users)

    rm = ssub.add_parser("remove-user", help="take a person's access to the project away (their codings stay)",
                         description="Take a person's login out of the project: it can no longer connect to the "
                                     "project's database or read anything of it. The person stays among the "
                                     "project's coders with all their codings, and the audit log keeps everything "
                                     "they did. 'server add-user' gives access again.")
    rm.add_argument("url", help=URL_HELP)
    rm.add_argument("name", help="the person's name or their database login")
    rm.add_argument("--dry-run", action="store_true", help="say exactly what would happen, and change nothing")
    rm.set_defaults(func=_remove)

    pw = ssub.add_parser("set-password", help="give a person's login a new password",
                         description="Set a new password for a person's login: asked twice without showing it, "
                                     "or read from the first line of a file. It is hashed before it is sent, so it "
                                     "never appears in the server's logs or in the audit log.")
    pw.add_argument("url", help=URL_HELP)
    pw.add_argument("name", help="the person's name or their database login")
    pw.add_argument("--password-file", metavar="FILE", help="read the password from the first line of FILE")
    pw.set_defaults(func=_set_password)

    sr = ssub.add_parser("set-role", help="make a person a coder, coordinator or trainer (changes what they see)",
                         description="Change a person's role: their login moves to the rights of the new role "
                                     "(a coder sees only blinded codes and their own codings; coordinators and "
                                     "trainers see the whole project). A coder given a staff role sees unblinded "
                                     "data, so this asks for confirmation unless --yes is given.")
    sr.add_argument("url", help=URL_HELP)
    sr.add_argument("name", help="the person's name or their database login")
    sr.add_argument("--role", choices=ROLES, required=True)
    sr.add_argument("--yes", action="store_true", help="confirm that a coder may now see unblinded data")
    sr.add_argument("--dry-run", action="store_true", help="say exactly what would happen, and change nothing")
    sr.set_defaults(func=_set_role)


def _url(text: str) -> str:
    if not is_server_url(text):
        raise StoreError(f"{text!r} is not a server address. It looks like {URL_HELP}; people are managed only on "
                         "a project on a server.")
    return text


def _users(args: argparse.Namespace) -> int:
    from ssp_coder.store.server_people import list_logins

    logins = list_logins(_url(args.url))
    if args.json:
        print_json([x.as_json() for x in logins])
        return 0
    if not logins:
        print(f"No one has a login on {redact(args.url)} yet. Add people with: "
              f"ssp-coder server add-user {redact(args.url)} NAME --role coder|coordinator|trainer")
        return 0
    header = ("Login", "Person (project coder)", "Role", "Can sign in", "Last change")
    rows = [(x.login, x.person or "(not linked to a coder)", x.role, x.access, str(x.last_change or "—"))
            for x in logins]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for r in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1])
    return 0


def _remove(args: argparse.Namespace) -> int:
    from ssp_coder.store.server_people import describe_change, remove_user

    change = remove_user(_url(args.url), args.name, dry_run=args.dry_run)
    for line in describe_change(change, f"Removed {change.person} (login {change.logins[0]!r}) from "
                                        f"{redact(args.url)}" if not args.dry_run else
                                f"Removing {change.person} (login {change.logins[0]!r}) from {redact(args.url)}"):
        print(line)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_file:
        path = Path(args.password_file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise StoreError(f"{path}: no such file. Give the file holding the password. Nothing was changed.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path}: cannot be read ({exc}). Nothing was changed.") from None
        first = text.splitlines()[0] if text.splitlines() else ""
        if not first:
            raise StoreError(f"{path}: the first line is empty; put the password on it. Nothing was changed.")
        return first
    if not sys.stdin.isatty():
        raise StoreError("There is no terminal to ask for the password on; give it with --password-file FILE. "
                         "Nothing was changed.")
    first = getpass.getpass(f"New password for {args.name}: ")
    second = getpass.getpass("The same password again: ")
    if first != second:
        raise StoreError("The two passwords differ. Nothing was changed; run the command again.")
    return first


def _set_password(args: argparse.Namespace) -> int:
    from ssp_coder.store.server_people import describe_change, set_password

    url = _url(args.url)
    change = set_password(url, args.name, lambda: _read_password(args))
    for line in describe_change(change, f"Set a new password for {change.person} on {redact(url)}"):
        print(line)
    print(f"Send the password to {change.person} privately; ssp-coder does not show or keep it.")
    return 0


def _confirm(args: argparse.Namespace):
    def ask(warning: str) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise StoreError(f"{warning} Add --yes to confirm that this is intended. Nothing was changed.")
        answer = input(f"{warning}\nType 'yes' to go on: ")
        return answer.strip().lower() == "yes"
    return ask


def _set_role(args: argparse.Namespace) -> int:
    from ssp_coder.store.server_people import describe_change, set_role

    url = _url(args.url)
    change = set_role(url, args.name, args.role, dry_run=args.dry_run, confirm=_confirm(args))
    heading = (f"Making {change.person} a {args.role} on {redact(url)}" if args.dry_run
               else f"Made {change.person} a {args.role} on {redact(url)}")
    for line in describe_change(change, heading):
        print(line)
    return 0
