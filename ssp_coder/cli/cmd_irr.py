"""``ssp-coder irr``: inter-rater reliability report, double-coding plan, consensus, certification.

    ssp-coder irr PROJECT [--json] [-o report.xlsx] [--figures DIR]
    ssp-coder irr plan PROJECT [--share 0.25] [--seed N] [--coders A B C] [--dry-run] [--json]
    ssp-coder irr diff PROJECT CODE [--all] [--a ID --b ID] [--json]
    ssp-coder irr consensus PROJECT CODE --decider NAME [--take a|b] [--set FIELD=a|b|VALUE ...] [--reason TEXT]
                            [--replace]
    ssp-coder irr gold PROJECT CODE --coding-of NAME --trainer NAME
    ssp-coder irr certify PROJECT --trainee NAME [--pass-share 0.8] [-o report.pdf|report.xlsx] [--json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ssp_coder.cli.common import open_project, print_json
from ssp_coder.errors import KnownError

ACTIONS = ("report", "plan", "diff", "consensus", "gold", "certify")
_DESCRIPTION = __doc__.split("\n", 2)[2]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("irr", help="inter-rater reliability: report, double-coding plan, consensus, certification",
                       description="Inter-rater reliability.\n\n" + _DESCRIPTION
                       + "\nRun 'ssp-coder irr ACTION -h' for the options of one action.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to an Excel file (.xlsx)")
    p.add_argument("--figures", metavar="DIR", help="write the drift figure (PNG and SVG) into this folder "
                                                    "(created if missing)")
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="PROJECT | ACTION PROJECT ...")
    p.set_defaults(func=_dispatch)


def _inner_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ssp-coder irr")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    r = sub.add_parser("report", help="agreement per variable and coder pair (the default action)")
    r.add_argument("project")
    r.add_argument("--json", action="store_true")
    r.add_argument("-o", "--output", metavar="FILE")
    r.add_argument("--figures", metavar="DIR")

    pl = sub.add_parser("plan", help="draw sessions for blind double coding and assign second coders")
    pl.add_argument("project")
    pl.add_argument("--share", type=float, default=None, help="share of sessions (default: project setting)")
    pl.add_argument("--seed", type=int, default=None, help="seed: the same seed gives the same plan")
    pl.add_argument("--coders", nargs="+", metavar="NAME", help="reliability coders (default: every coder)")
    pl.add_argument("--dry-run", action="store_true", help="show the plan without assigning anything")
    pl.add_argument("--json", action="store_true")

    d = sub.add_parser("diff", help="the two codings of a session side by side")
    d.add_argument("project")
    d.add_argument("code", help="blinded session code")
    d.add_argument("--all", action="store_true", help="list agreeing fields too")
    d.add_argument("--a", type=int, metavar="CODING", help="first coding id (default: the primary coding)")
    d.add_argument("--b", type=int, metavar="CODING", help="second coding id (default: the reliability coding)")
    d.add_argument("--json", action="store_true")

    c = sub.add_parser("consensus", help="create the consensus coding of a session")
    c.add_argument("project")
    c.add_argument("code", help="blinded session code")
    c.add_argument("--decider", required=True, metavar="NAME", help="who decided (coder, coordinator or trainer)")
    c.add_argument("--take", choices=("a", "b"), default="a", help="coding whose values are used unless set")
    c.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="a field's value: a, b, or a value (boundaries as START-END seconds); repeatable")
    c.add_argument("--reason", metavar="TEXT",
                   help="why (recorded with every decided field); required when a value is typed in or differs "
                        "from the primary coding's, and when revising")
    c.add_argument("--replace", action="store_true",
                   help="revise the session's existing consensus: it is rebuilt from these decisions, and the "
                        "previous ones stay in the audit log")
    c.add_argument("--a", type=int, metavar="CODING")
    c.add_argument("--b", type=int, metavar="CODING")

    g = sub.add_parser("gold", help="mark a coding as a session's gold standard for certification")
    g.add_argument("project")
    g.add_argument("code", help="blinded session code")
    g.add_argument("--coding-of", required=True, metavar="NAME", help="the expert whose coding is the gold standard")
    g.add_argument("--trainer", required=True, metavar="NAME", help="the trainer marking it")

    ce = sub.add_parser("certify", help="certification report of a trainee against the gold standards")
    ce.add_argument("project")
    ce.add_argument("--trainee", required=True, metavar="NAME")
    ce.add_argument("--pass-share", type=float, default=None, help="pass mark (default: project setting)")
    ce.add_argument("-o", "--output", metavar="FILE", help="write the report (.pdf or .xlsx)")
    ce.add_argument("--json", action="store_true")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    rest = list(args.rest)
    if not rest:
        raise KnownError("Name the project: ssp-coder irr PROJECT (or 'ssp-coder irr -h' for the actions).")
    if rest[0] not in ACTIONS and rest[0] not in ("-h", "--help"):
        rest = ["report", *rest]
    inner = _inner_parser().parse_args(rest)
    for flag in ("json", "output", "figures"):
        if getattr(args, flag, None) and hasattr(inner, flag) and not getattr(inner, flag):
            setattr(inner, flag, getattr(args, flag))
    return {"report": _report, "plan": _plan, "diff": _diff, "consensus": _consensus, "gold": _gold,
            "certify": _certify}[inner.action](inner)


def _report(args: argparse.Namespace) -> int:
    from ssp_coder.reliability.export import check_outputs, summary_lines, write_figures, write_report_xlsx
    from ssp_coder.reliability.report import reliability_report

    check_outputs(args.output, args.figures)
    with open_project(args.project, write=False) as project:
        report = reliability_report(project)
    if args.output:
        write_report_xlsx(report, args.output)
    written = write_figures(report, args.figures) if args.figures else []
    if args.json:
        print_json(report.to_json())
    else:
        print("\n".join(summary_lines(report)))
        if len(report.pending):
            print(f"Pending (a coding still in draft): {', '.join(report.pending['blinded_code'])}")
        for path in ([Path(args.output)] if args.output else []) + written:
            print(f"Wrote {path}")
    return 0


def _plan(args: argparse.Namespace) -> int:
    from ssp_coder.reliability.plan import apply_plan, plan_double_coding

    with open_project(args.project, write=not args.dry_run) as project:
        plan = plan_double_coding(project, share=args.share, seed=args.seed, coders=args.coders)
        created = [] if args.dry_run else apply_plan(project, plan)
    if args.json:
        data = plan.to_json()
        data["applied"] = not args.dry_run
        data["created_coding_ids"] = created
        print_json(data)
        return 0
    print(f"{plan.eligible} session(s) with a primary coding; target {plan.target} "
          f"({plan.share * 100:g} %), {len(plan.kept)} already double-coded, {len(plan.planned)} to add.")
    print(plan.strata.to_string(index=False))
    for p in plan.planned:
        print(f"  {p.blinded_code:<12} {p.arm:<10} {p.timepoint:<10} primary {p.primary_coder:<16} "
              f"-> reliability {p.reliability_coder}")
    if plan.unassignable:
        print(f"No eligible second coder for: {', '.join(plan.unassignable)}")
    if args.dry_run:
        print("Dry run: nothing was assigned.")
    elif created:
        print(f"Assigned {len(created)} reliability coding(s): "
              + ", ".join(f"{k} {v}" for k, v in plan.load().items() if v))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from ssp_coder.reliability.consensus import compare_codings, pair_for_session

    with open_project(args.project, write=False) as project:
        a, b = pair_for_session(project, args.code) if args.a is None or args.b is None else (args.a, args.b)
        a = args.a if args.a is not None else a
        b = args.b if args.b is not None else b
        diff = compare_codings(project, a, b)
    if args.json:
        print_json(diff.to_json())
        return 0
    frame = diff.to_frame()
    print(f"Session {diff.blinded_code}: a = coding {diff.coding_a} ({diff.purpose_a}, {diff.coder_a}), "
          f"b = coding {diff.coding_b} ({diff.purpose_b}, {diff.coder_b}); "
          f"{int(frame['differs'].sum())} of {len(frame)} fields differ.")
    shown = frame if args.all else frame[frame["differs"]]
    for _, r in shown.iterrows():
        mark = "*" if r["differs"] else " "
        print(f"{mark} {r['field']:<20} a: {r['a']:<28} b: {r['b']}")
    return 0


def _consensus(args: argparse.Namespace) -> int:
    from ssp_coder.reliability.consensus import ReasonsMissing, create_consensus, existing_consensus

    choices = {}
    for item in args.set:
        if "=" not in item:
            raise KnownError(f"--set {item!r}: write FIELD=VALUE, e.g. --set classification=b or --set d_rating=5.")
        k, v = item.split("=", 1)
        choices[k.strip()] = v.strip()
    with open_project(args.project) as project:
        had = existing_consensus(project, int(project.session_by_code(args.code).id))
        try:
            cid = create_consensus(project, args.code, decider=args.decider, choices=choices, reasons=args.reason,
                                   base=args.take, coding_a=args.a, coding_b=args.b, replace=args.replace,
                                   revision_reason=args.reason)
        except ReasonsMissing as exc:
            raise KnownError(f"{exc} Give one with --reason TEXT (it is recorded with every decision). Nothing "
                             "was changed.") from None
        coding = project.coding(cid)
    state = "complete" if coding.is_complete else "draft (something is still missing; open it to finish)"
    verb = "revised" if had is not None else "created"
    print(f"Consensus coding {cid} of session {args.code} {verb} by {args.decider}: {state}.")
    return 0


def _gold(args: argparse.Namespace) -> int:
    from ssp_coder.reliability.certification import coding_of, mark_gold

    with open_project(args.project) as project:
        cid = coding_of(project, args.code, args.coding_of)
        g = mark_gold(project, args.code, cid, args.trainer)
    print(f"Session {g.blinded_code}: coding {g.coding_id} ({args.coding_of}) is the gold standard, "
          f"marked by {g.marked_by}.")
    return 0


def _certify(args: argparse.Namespace) -> int:
    from ssp_coder.reliability.certification import certification_report
    from ssp_coder.reliability.certification_export import criteria_rows, write_certification

    with open_project(args.project, write=False) as project:
        report = certification_report(project, args.trainee, pass_share=args.pass_share)
    if args.output:
        write_certification(report, args.output)
    if args.json:
        print_json(report.to_json())
        return 0
    print(f"Certification of {report.trainee}: {'PASSED' if report.passed else 'NOT PASSED'} "
          f"(pass mark {report.pass_share * 100:g} % on each criterion)")
    for row in criteria_rows(report):
        print(f"  {row[0]:<22} {row[1]:>7}  {row[2]:>8}  CI {row[3]:<18} kappa {row[4]:>5}  {row[6]}")
    if report.not_coded:
        print(f"Gold sessions not yet coded: {', '.join(report.not_coded)}")
    if args.output:
        print(f"Wrote {args.output}")
    return 0
