"""``ssp-coder coder add|list`` and ``ssp-coder assign``."""

from __future__ import annotations

import argparse

from ssp_coder.assignments import assign
from ssp_coder.cli.common import add_project_arg, open_project, print_json
from ssp_coder.domain.commands import AddCoder
from ssp_coder.domain.model import PURPOSES, ROLES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("coder", help="add or list the project's coders")
    csub = p.add_subparsers(dest="coder_command", metavar="ACTION", required=True)
    a = csub.add_parser("add", help="add a coder")
    add_project_arg(a)
    a.add_argument("name")
    a.add_argument("--role", choices=ROLES, default="coder")
    a.set_defaults(func=_add)
    ls = csub.add_parser("list", help="list coders and their work")
    add_project_arg(ls)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)

    s = sub.add_parser("assign", help="assign sessions to coders")
    add_project_arg(s)
    s.add_argument("--coder", action="append", required=True, metavar="NAME",
                   help="coder name (repeat to spread sessions over several coders)")
    s.add_argument("--sessions", nargs="+", metavar="CODE", help="blinded session codes (default: all unassigned)")
    s.add_argument("--purpose", choices=[p for p in PURPOSES if p != "consensus"], default="primary")
    s.add_argument("--seed", type=int, default=None, help="seed for the order in which sessions are spread")
    s.set_defaults(func=_assign)


def _add(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        project.execute(AddCoder(name=args.name, role=args.role))
    print(f"Added {args.role} {args.name}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_project(args.project, write=False) as project:
        rows = []
        for c in project.coders():
            codings = project.codings(coder_id=int(c.id))
            rows.append({"name": c.name, "role": c.role, "codings": len(codings),
                         "complete": sum(1 for x in codings if x.is_complete)})
    if args.json:
        print_json(rows)
    else:
        if not rows:
            print("No coders yet. Add one with: ssp-coder coder add PROJECT NAME")
        for r in rows:
            print(f"{r['name']:<24} {r['role']:<12} {r['codings']:>4} codings, {r['complete']:>4} complete")
    return 0


def _assign(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        done = assign(project, args.coder, session_codes=args.sessions, purpose=args.purpose, seed=args.seed)
    if not done:
        print("Nothing to assign: every session already has a coding of this purpose.")
        return 0
    per: dict[str, int] = {}
    for a in done:
        per[a.coder.name] = per.get(a.coder.name, 0) + 1
    print(f"Assigned {len(done)} {args.purpose} coding(s): " + ", ".join(f"{k} {v}" for k, v in per.items()))
    return 0
