"""``ssp-coder score`` (the trial's variables) and ``ssp-coder check`` (consistency warnings and aids)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssp_coder.atomic import atomic_path, atomic_write_text
from ssp_coder.cli.common import add_project_arg, open_project, print_json
from ssp_coder.errors import KnownError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd  # imported where used: building the parser must stay fast


class OutputError(KnownError):
    pass


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="derived variables per session (ABCD, D rating, scales, crying, warnings)")
    add_project_arg(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write a .csv or .xlsx file (with the settings used)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON records")
    p.set_defaults(func=_score)

    c = sub.add_parser("check", help="consistency warnings per session; exits 0 (warnings are not errors)")
    add_project_arg(c)
    c.add_argument("--final", action="store_true", help="only the codings that count (consensus, else primary)")
    c.add_argument("--lda", action="store_true",
                   help="aid for conferencing: discriminant analysis fitted on the project's consensus codings")
    c.add_argument("--lda-basis", choices=("consensus", "final"), default="consensus")
    c.add_argument("--discriminant", metavar="PLUGIN.json", help="apply published discriminant functions (aid)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_check)


def _records(df: "pd.DataFrame") -> list[dict[str, Any]]:
    import pandas as pd

    out = []
    for rec in df.to_dict(orient="records"):
        out.append({k: (None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else
                        (v.item() if hasattr(v, "item") else v)) for k, v in rec.items()})
    return out


def write_scores(df: "pd.DataFrame", target: Path) -> list[Path]:
    """CSV (plus a .settings.json beside it) or XLSX (sheets scores and settings), written atomically."""
    import pandas as pd

    from ssp_coder.cleantext import printable_frame

    settings = df.attrs.get("settings", {})
    df = printable_frame(df)  # ids and names with control characters: visible, not a refused file
    suffix = target.suffix.lower()
    if suffix == ".csv":
        with atomic_path(target) as tmp:
            df.to_csv(tmp, index=False, encoding="utf-8")
        side = target.with_name(target.stem + ".settings.json")
        atomic_write_text(side, json.dumps({"scheme": df.attrs.get("scheme"), "settings": settings}, indent=2,
                                           default=str) + "\n")
        return [target, side]
    if suffix == ".xlsx":
        with atomic_path(target) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                df.to_excel(xw, sheet_name="scores", index=False)
                pd.DataFrame({"setting": list(settings), "value": [json.dumps(v, default=str) for v in
                                                                  settings.values()]}).to_excel(
                    xw, sheet_name="settings", index=False)
        return [target]
    raise OutputError(f"Cannot write {target}: give a file name ending in .csv or .xlsx.")


def _score(args: argparse.Namespace) -> int:
    import pandas as pd

    from ssp_coder.scoring import score

    with open_project(args.project, write=False) as project:
        df = score(project)
    if args.output:
        written = write_scores(df, Path(args.output))
        if not args.json:
            print(f"Scored {int((df['source'] != '').sum())} of {len(df)} sessions; wrote "
                  + ", ".join(str(p) for p in written) + ".")
    if args.json:
        print_json(_records(df))
    elif not args.output:
        cols = ["participant_id", "timepoint", "source", "classification", "abcd", "d_rating", "warnings"]
        with pd.option_context("display.max_rows", None, "display.width", 160, "display.max_colwidth", 60):
            print(df[cols].fillna("").to_string(index=False))
    return 0


def check_data(project, *, final_only: bool = False) -> list[dict[str, Any]]:
    """Per session (blinded code): every coding's warnings."""
    from ssp_coder.scoring import score_codings
    from ssp_coder.scoring.engine import final_codings
    from ssp_coder.store.readmodels import read_codings_frame

    ids = None
    if final_only:
        ids = final_codings(read_codings_frame(project))["coding_id"].tolist()
    df = score_codings(project, ids)
    codes = {s.id: s.blinded_code for s in project.sessions()}
    out = []
    for row in df.sort_values(["session_id", "coding_id"]).itertuples(index=False):
        warnings = [w for w in (row.warnings or "").split("; ") if w]
        out.append({"session": codes.get(row.session_id, str(row.session_id)), "coding_id": int(row.coding_id),
                    "coder": row.coder, "purpose": row.purpose, "status": row.status, "warnings": warnings})
    return out


def _check(args: argparse.Namespace) -> int:
    from ssp_coder.scoring.discriminant import apply_plugin, load_plugin
    from ssp_coder.scoring.lda import lda_aid

    plugin = load_plugin(args.discriminant) if args.discriminant else None
    with open_project(args.project, write=False) as project:
        data = check_data(project, final_only=args.final)
        lda = lda_aid(project, basis=args.lda_basis) if args.lda else None
        applied = None
        if plugin is not None:
            from ssp_coder.scoring import score
            scored = score(project)
            applied = apply_plugin(plugin, scored[scored["source"] != ""])
            codes = {s.id: s.blinded_code for s in project.sessions()}
            applied.insert(0, "session", applied["session_id"].map(codes))
            applied = applied.drop(columns=[c for c in ("participant_id", "timepoint") if c in applied.columns])
    if args.json:
        out: dict[str, Any] = {"codings": data}
        if lda is not None:
            out["lda"] = lda.to_dict()
        if applied is not None:
            out["discriminant"] = {"plugin": applied.attrs["plugin"], "rows": _records(applied)}
        print_json(out)
        return 0
    n = sum(len(d["warnings"]) for d in data)
    print(f"{n} warning(s) in {sum(1 for d in data if d['warnings'])} of {len(data)} coding(s).")
    for d in data:
        if d["warnings"]:
            print(f"\n{d['session']}  coding {d['coding_id']} ({d['coder']}, {d['purpose']}, {d['status']})")
            for w in d["warnings"]:
                print(f"  - {w}")
    if lda is not None:
        print(f"\nDiscriminant analysis — {lda.label}")
        print(f"  fitted on {lda.n} {lda.basis} coding(s) ({lda.n_dropped} left out for missing composites); "
              f"features: {', '.join(lda.features)}")
        print(f"  leave-one-out accuracy {lda.loo_accuracy:.2f}, Cohen's kappa {lda.loo_kappa:.2f}")
        if len(lda.flagged):
            print("  codings whose scales look more like another classification:")
            for r in lda.flagged.itertuples(index=False):
                print(f"    coding {r.coding_id} ({r.coder}): classified {r.classification}, scales look {r.predicted} "
                      f"(p(own) = {r.p_own:.2f})")
    if applied is not None:
        meta = applied.attrs["plugin"]
        print(f"\nPublished discriminant functions (aid, not a classification): {meta['name']} — {meta['citation']}")
        print(applied.fillna("").to_string(index=False))
    return 0
