"""``ssp-coder sessions PROJECT``: the session list (blinded code, participant, timepoint, arm, coders, consensus)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ssp_coder.cli.common import add_project_arg, open_project, print_json
from ssp_coder.errors import KnownError

STATUS_CHOICES = ("unassigned", "assigned", "in-progress", "complete")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sessions", help="list the sessions: blinded code, participant, timepoint, arm, site, coders, consensus",
        description="The session list maps each blinded code to its participant, timepoint, arm and site, with "
                    "every assigned coder's purpose and progress (assigned: nothing entered yet; in progress; "
                    "complete) and the consensus state (needed: two complete codings classify differently; "
                    "draft; complete). With --coder NAME only that person's sessions are listed; for a person "
                    "with the role coder the list is blinded (code, purpose and progress only), so it can be "
                    "given to them.")
    add_project_arg(p)
    p.add_argument("--coder", metavar="NAME", help="only the sessions assigned to this person")
    p.add_argument("--status", nargs="+", choices=STATUS_CHOICES, metavar="STATUS",
                   help="only these statuses: " + ", ".join(STATUS_CHOICES)
                        + " (with --coder: the status of that person's coding)")
    p.add_argument("--blinded", action="store_true",
                   help="blinded columns only, whoever the list is for")
    p.add_argument("--json", action="store_true")
    p.add_argument("-o", "--output", metavar="FILE", help="also write the list to a .csv or .xlsx file")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ssp_coder.atomic import check_target
    from ssp_coder.session_list import session_list

    out = Path(args.output) if args.output else None
    if out is not None:
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise KnownError(f"{out}: the session list is written as .csv or .xlsx; give one of those names.")
        check_target(out)
    statuses = [s.replace("-", " ") for s in args.status or []]
    with open_project(args.project, write=False) as project:
        listing = session_list(project, coder=args.coder, statuses=statuses, blinded=True if args.blinded else None)
    if out is not None:
        from ssp_coder.export.writers import write_csv, write_xlsx
        frame = listing.to_frame()
        if out.suffix.lower() == ".csv":
            write_csv(out, frame)
        else:
            write_xlsx(out, [("sessions", frame)], title="Sessions")
    if args.json:
        print_json({"coder": listing.for_coder, "blinded": listing.blinded, "sessions": listing.rows})
    else:
        _print(listing)
    if out is not None:
        print(f"Wrote {out}")
    return 0


def _print(listing) -> None:
    whose = f" of {listing.for_coder}" if listing.for_coder else ""
    print(f"{len(listing.rows)} session(s){whose}" + (" (blinded)" if listing.blinded else "") + ".")
    if listing.blinded:
        for r in listing.rows:
            print(f"  {r['blinded_code']:<12} {r['purpose']:<12} {r['status']}")
        return
    table = [["code", "participant", "time", "arm", "site", "status", "consensus", "coders"]]
    for r in listing.rows:
        coders = "; ".join(f"{c['coder']} ({c['purpose']}, {c['status']})" for c in r["coders"]) or "-"
        table.append([r["blinded_code"], str(r["participant_id"]), r["timepoint"], r["arm"], r["site"] or "-",
                      r["status"], r["consensus"] or "-", coders])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
