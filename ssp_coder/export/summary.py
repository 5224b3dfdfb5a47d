"""The coordinator's first look at the trial's question: did security rise and
disorganization fall in the intervention arm compared with control?

Descriptive only: the trial's own analysis belongs to its statistician. Every
number comes from sessions whose final coding is complete; the others are
listed in ``incomplete``.

Effects are intervention arm relative to control (``ssp_coder.stats.effects``
convention): an odds ratio above 1 for ``secure`` and below 1 for
``disorganized`` favour the intervention; Hedges' g on ``d_rating`` is
intervention minus control, so a negative g means less disorganization.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ssp_coder.export.datasets import STATUS_COMPLETE, order_timepoints
from ssp_coder.stats import effects

CONTROL_WORDS = ("control", "ctrl", "usual", "tau", "wait", "comparison", "placebo")
#: Whole arm names known to be active controls: DEF (Developmental Education for
#: Families) is the control of the ABC trials (Bernard et al. 2012).
CONTROL_NAMES = ("def",)
PAIRED_PRIMARY = "Wilcoxon signed-rank"
PAIRED_NOTE = ("D rating: the Wilcoxon signed-rank test is primary (the rating is an ordinal 1-9 scale); "
               "the paired t test is shown alongside.")
DESCRIPTIVE_NOTE = "Descriptive summary for the coordinator; the trial's own analysis is the statistician's."
BINARY_OUTCOMES = (("secure", "secure"), ("disorganized", "disorganized (D)"))


@dataclass(frozen=True)
class IncompleteSession:
    blinded_code: str
    participant_id: str
    timepoint: str
    coding_status: str


@dataclass(frozen=True)
class TrialSummary:
    """Tables (DataFrames) and the arms and timepoints they refer to."""

    arms: tuple[str, ...]
    timepoints: tuple[str, ...]
    intervention: str | None
    control: str | None
    baseline: str | None
    post: str | None
    abcd_categories: tuple[str, ...]
    distribution: pd.DataFrame          # arm x timepoint: counts and percentages
    within_arm: pd.DataFrame            # arm x outcome: baseline -> post change
    between_arm: pd.DataFrame           # outcome: intervention vs control at post
    incomplete: tuple[IncompleteSession, ...]
    n_sessions: int
    n_complete: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def incomplete_frame(self) -> pd.DataFrame:
        return pd.DataFrame([s.__dict__ for s in self.incomplete],
                            columns=["blinded_code", "participant_id", "timepoint", "coding_status"])

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"distribution": self.distribution, "within_arm": self.within_arm,
                "between_arm": self.between_arm, "incomplete": self.incomplete_frame()}

    def to_frame(self) -> pd.DataFrame:
        """All tables stacked, with a ``table`` column (the summary sheet)."""
        parts = [t.assign(table=name) for name, t in self.tables().items() if len(t)]
        if not parts:
            return pd.DataFrame({"table": []})
        out = pd.concat(parts, ignore_index=True, sort=False)
        return out[["table"] + [c for c in out.columns if c != "table"]]

    def to_dict(self) -> dict[str, Any]:
        def clean(k: str, v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, float) and k.startswith(("n", "x")) and v.is_integer():
                return int(v)  # counts, made float by missing cells in other rows
            return v

        def records(df: pd.DataFrame) -> list[dict]:
            return [{k: clean(k, v) for k, v in r.items()}
                    for r in df.astype(object).where(df.notna(), None).to_dict("records")]
        return {
            "arms": list(self.arms), "timepoints": list(self.timepoints), "intervention": self.intervention,
            "control": self.control, "baseline": self.baseline, "post": self.post,
            "n_sessions": self.n_sessions, "n_complete": self.n_complete, "notes": list(self.notes),
            **{name: records(t) for name, t in self.tables().items()},
        }


def choose_arms(arms: Sequence[str], intervention: str | None = None,
                control: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(intervention, control, note). Given names win; otherwise an arm whose
    name says control (control, usual care, waitlist, ...) is the control."""
    arms = list(arms)
    for given in (intervention, control):
        if given is not None and given not in arms:
            raise ValueError(f"there is no arm called {given!r} (arms: {', '.join(arms) or 'none'})")
    if intervention and control:
        return intervention, control, None
    if len(arms) < 2:
        return None, None, "Only one arm has data, so there is no between-arm comparison."
    if control is None:
        looks = [a for a in arms if a != intervention and (any(w in a.lower() for w in CONTROL_WORDS) or a.strip().lower() in CONTROL_NAMES)]
        if len(looks) == 1:
            control = looks[0]
    if intervention is None and control is not None:
        others = [a for a in arms if a != control]
        if len(others) == 1:
            intervention = others[0]
    if intervention and control:
        return intervention, control, None
    rest = [a for a in sorted(arms) if a not in (intervention, control)]
    intervention = intervention or rest.pop(0)
    control = control or next(a for a in sorted(arms) if a != intervention)
    return intervention, control, (f"Which arm is control could not be told from the names; assumed "
                                   f"{intervention!r} = intervention, {control!r} = control. Choose with "
                                   "--intervention / --control.")


def _pct(x: int, n: int) -> float:
    return 100.0 * x / n if n else math.nan


def _distribution(done: pd.DataFrame, arms: Sequence[str], tps: Sequence[str], all_rows: pd.DataFrame,
                  cats: Sequence[str]) -> pd.DataFrame:
    rows = []
    for arm in arms:
        for tp in tps:
            cell = done[(done["arm"] == arm) & (done["timepoint"] == tp)]
            n_sess = int(((all_rows["arm"] == arm) & (all_rows["timepoint"] == tp)).sum())
            n = len(cell)
            row: dict[str, Any] = {"arm": arm, "timepoint": tp, "n_sessions": n_sess, "n": n}
            for var in ("secure", "disorganized"):
                x = int((pd.to_numeric(cell[var], errors="coerce") == 1).sum()) if var in cell else 0
                row[f"n_{var}"], row[f"pct_{var}"] = x, _pct(x, n)
            for cat in cats:
                x = int((cell["abcd"] == cat).sum()) if "abcd" in cell else 0
                row[f"n_{cat}"], row[f"pct_{cat}"] = x, _pct(x, n)
            d = pd.to_numeric(cell.get("d_rating", pd.Series(dtype=float)), errors="coerce").dropna()
            row["d_rating_mean"] = float(d.mean()) if len(d) else math.nan
            row["d_rating_sd"] = float(d.std(ddof=1)) if len(d) > 1 else math.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _paired(done: pd.DataFrame, arm: str, base: str, post: str, var: str) -> pd.DataFrame:
    sub = done[done["arm"] == arm]
    a = sub[sub["timepoint"] == base].set_index("participant_id")[var]
    b = sub[sub["timepoint"] == post].set_index("participant_id")[var]
    pair = pd.concat([pd.to_numeric(a, errors="coerce").rename("pre"),
                      pd.to_numeric(b, errors="coerce").rename("post")], axis=1, join="inner").dropna()
    return pair


def _within(done: pd.DataFrame, arms: Sequence[str], base: str, post: str) -> pd.DataFrame:
    rows = []
    for arm in arms:
        for var, label in BINARY_OUTCOMES:
            pair = _paired(done, arm, base, post, var)
            n = len(pair)
            b = int(((pair["pre"] == 1) & (pair["post"] == 0)).sum())
            c = int(((pair["pre"] == 0) & (pair["post"] == 1)).sum())
            m = effects.mcnemar(b, c)
            rows.append({"arm": arm, "outcome": var, "n_pairs": n,
                         "baseline": _pct(int((pair["pre"] == 1).sum()), n),
                         "post": _pct(int((pair["post"] == 1).sum()), n), "unit": "%",
                         "n_yes_to_no": b, "n_no_to_yes": c, "test": f"McNemar ({m.method})",
                         # The exact test has no test statistic (its p comes from the binomial counts b, c).
                         "statistic": math.nan if m.exact else m.statistic, "p": m.p if n else math.nan,
                         "primary": True})
        pair = _paired(done, arm, base, post, "d_rating")
        n = len(pair)
        diff = (pair["post"] - pair["pre"]).to_numpy(dtype=float)
        common = {"arm": arm, "outcome": "d_rating", "n_pairs": n,
                  "baseline": float(pair["pre"].mean()) if n else math.nan,
                  "post": float(pair["post"].mean()) if n else math.nan, "unit": "mean",
                  "mean_change": float(diff.mean()) if n else math.nan}
        w_stat = w_p = t_stat = t_p = math.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if n and np.any(diff != 0):
                res = stats.wilcoxon(diff)
                w_stat, w_p = float(res.statistic), float(res.pvalue)
            elif n:
                w_stat, w_p = 0.0, 1.0
            if n >= 2 and np.std(diff, ddof=1) > 0:
                res = stats.ttest_rel(pair["post"], pair["pre"])
                t_stat, t_p = float(res.statistic), float(res.pvalue)
        rows.append({**common, "test": PAIRED_PRIMARY, "statistic": w_stat, "p": w_p, "primary": True})
        rows.append({**common, "test": "paired t", "statistic": t_stat, "p": t_p, "primary": False})
    return pd.DataFrame(rows)


def _fisher_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p. ``effects.fisher_exact`` also solves for the
    conditional odds ratio's exact interval, which takes seconds on a large
    trial; the summary shows only the p (the same scipy test)."""
    return min(1.0, float(stats.fisher_exact([[a, b], [c, d]]).pvalue))


def _between(done: pd.DataFrame, intervention: str, control: str, post: str, confidence: float) -> tuple[pd.DataFrame, list[str]]:
    at = done[done["timepoint"] == post]
    one, two = at[at["arm"] == intervention], at[at["arm"] == control]
    rows, notes = [], []
    for var, label in BINARY_OUTCOMES:
        y1 = pd.to_numeric(one[var], errors="coerce").dropna()
        y2 = pd.to_numeric(two[var], errors="coerce").dropna()
        a, n1, c, n2 = int((y1 == 1).sum()), len(y1), int((y2 == 1).sum()), len(y2)
        row: dict[str, Any] = {"outcome": var, "timepoint": post, "intervention": intervention, "control": control,
                               "n1": n1, "x1": a, "p1": a / n1 if n1 else math.nan,
                               "n2": n2, "x2": c, "p2": c / n2 if n2 else math.nan}
        try:
            o = effects.odds_ratio(a, n1 - a, c, n2 - c, confidence=confidence)
            rd = effects.risk_difference(a, n1, c, n2, confidence=confidence)
        except ValueError as exc:
            notes.append(f"{var} at {post}: no between-arm comparison ({exc}).")
        else:
            row.update({"odds_ratio": o.odds_ratio, "or_ci_low": o.ci_low, "or_ci_high": o.ci_high,
                        "or_corrected": o.corrected, "risk_difference": rd.difference, "rd_ci_low": rd.ci_low,
                        "rd_ci_high": rd.ci_high, "fisher_p": _fisher_p(a, n1 - a, c, n2 - c)})
        rows.append(row)
    d1 = pd.to_numeric(one["d_rating"], errors="coerce").dropna()
    d2 = pd.to_numeric(two["d_rating"], errors="coerce").dropna()
    row = {"outcome": "d_rating", "timepoint": post, "intervention": intervention, "control": control,
           "n1": len(d1), "mean1": float(d1.mean()) if len(d1) else math.nan,
           "n2": len(d2), "mean2": float(d2.mean()) if len(d2) else math.nan}
    try:
        g = effects.hedges_g(d1.to_numpy(), d2.to_numpy(), confidence=confidence)
    except ValueError as exc:
        notes.append(f"d_rating at {post}: no Hedges' g ({exc}).")
    else:
        row.update({"hedges_g": g.g, "g_ci_low": g.ci_low, "g_ci_high": g.ci_high})
    rows.append(row)
    return pd.DataFrame(rows), notes


def summarize(long: pd.DataFrame, *, timepoints: Sequence[str] | None = None, intervention: str | None = None,
              control: str | None = None, baseline: str | None = None, post: str | None = None,
              abcd_categories: Sequence[str] = ("A", "B", "C", "D"), confidence: float = 0.95) -> TrialSummary:
    """Summarize a long dataset (``build_long``). ``baseline`` and ``post``
    default to the first and second timepoint in the project's order."""
    order = list(timepoints) if timepoints is not None else list(long.attrs.get("timepoints", []))
    # Only the columns used, without attrs (pandas deep-copies attrs on every operation).
    needed = ["participant_id", "arm", "timepoint", "coding_status", "blinded_code", "abcd", "secure",
              "disorganized", "d_rating"]
    long = long[[c for c in needed if c in long.columns]].copy()
    long.attrs = {}
    tps = order_timepoints(long["timepoint"], order)
    arms = sorted(str(a) for a in long["arm"].dropna().unique())
    done = long[long["coding_status"] == STATUS_COMPLETE].copy()
    done["participant_id"] = done["participant_id"].astype(str)
    cats = list(abcd_categories) + sorted(set(done.get("abcd", pd.Series(dtype=object)).dropna()) - set(abcd_categories))
    notes = [DESCRIPTIVE_NOTE]
    baseline = baseline or (tps[0] if tps else None)
    post = post or (next((t for t in tps if t != baseline), None))
    for name, tp in (("baseline", baseline), ("post", post)):
        if tp is not None and tp not in tps:
            raise ValueError(f"there is no timepoint called {tp!r} (timepoints: {', '.join(tps)})")
    intervention, control, note = choose_arms(arms, intervention, control)
    if note:
        notes.append(note)
    dist = _distribution(done, arms, tps, long, cats)
    within = _within(done, arms, baseline, post) if baseline and post else pd.DataFrame()
    if within.empty and not (baseline and post):
        notes.append("Only one timepoint has data, so there is no pre-post change.")
    between = pd.DataFrame()
    if intervention and control and post:
        between, more = _between(done, intervention, control, post, confidence)
        notes += more
    if len(within):
        notes.append(PAIRED_NOTE)
    rest = long[long["coding_status"] != STATUS_COMPLETE]
    incomplete = tuple(IncompleteSession(str(r.blinded_code), str(r.participant_id), str(r.timepoint),
                                         str(r.coding_status)) for r in rest.itertuples())
    return TrialSummary(arms=tuple(arms), timepoints=tuple(tps), intervention=intervention, control=control,
                        baseline=baseline, post=post, abcd_categories=tuple(cats), distribution=dist,
                        within_arm=within, between_arm=between, incomplete=incomplete, n_sessions=len(long),
                        n_complete=len(done), notes=tuple(notes))


# --------------------------------------------------------------------------- #
# terminal text
# --------------------------------------------------------------------------- #
def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.{digits}f}"


def _p(p: Any) -> str:
    if p is None or (isinstance(p, float) and not math.isfinite(p)):
        return "-"
    return "<.001" if p < 0.001 else f"{p:.3f}"


def format_summary(s: TrialSummary) -> str:
    lines = [f"Sessions: {s.n_sessions}, with a completed final coding: {s.n_complete}", ""]
    lines.append("Attachment by arm and timepoint (completed codings)")
    # The ABCD columns are headed "ABCD A" ... so that "D" is not headed twice (disorganized is its own column).
    head = (f"  {'arm':<14}{'time':<11}{'n':>4}{'secure':>12}{'disorganized':>14} "
            + "".join(f"{'ABCD ' + c:>12}" for c in s.abcd_categories))
    lines.append(head + f"{'D rating':>10}")
    for r in s.distribution.to_dict("records"):
        cells = "".join(f"{r[f'n_{c}']:>5} ({_f(r[f'pct_{c}'], 0):>3}%)" for c in s.abcd_categories)
        lines.append(f"  {r['arm']:<14}{r['timepoint']:<11}{r['n']:>4}"
                     f"{r['n_secure']:>5} ({_f(r['pct_secure'], 0):>3}%){r['n_disorganized']:>7} "
                     f"({_f(r['pct_disorganized'], 0):>3}%) {cells}{_f(r['d_rating_mean']):>10}")
    if len(s.within_arm):
        lines += ["", f"Change within arm, {s.baseline} -> {s.post} (participants coded at both)"]
        for r in s.within_arm.to_dict("records"):
            if r["outcome"] == "d_rating":
                what = f"mean {_f(r['baseline'])} -> {_f(r['post'])}"
            else:
                what = (f"{_f(r['baseline'], 0)}% -> {_f(r['post'], 0)}%  "
                        f"(yes->no {int(r['n_yes_to_no'])}, no->yes {int(r['n_no_to_yes'])})")
            tag = "" if r["primary"] else " (secondary)"
            stat = "" if pd.isna(r["statistic"]) else f"{_f(r['statistic'])}, "
            lines.append(f"  {r['arm']:<14}{r['outcome']:<13}n={r['n_pairs']:<4}{what:<40}"
                         f"{r['test']}{tag}: {stat}p = {_p(r['p'])}")
    if len(s.between_arm):
        lines += ["", f"{s.intervention} vs {s.control} at {s.post}"]
        for r in s.between_arm.to_dict("records"):
            if r["outcome"] == "d_rating":
                lines.append(f"  d_rating      mean {_f(r['mean1'])} (n={r['n1']}) vs {_f(r['mean2'])} (n={r['n2']}); "
                             f"Hedges' g {_f(r.get('hedges_g'))} [{_f(r.get('g_ci_low'))}, {_f(r.get('g_ci_high'))}]")
            else:
                lines.append(
                    f"  {r['outcome']:<14}{int(r['x1'])}/{int(r['n1'])} ({_f(100 * r['p1'], 0)}%) vs {int(r['x2'])}/{int(r['n2'])} "
                    f"({_f(100 * r['p2'], 0)}%); OR {_f(r.get('odds_ratio'))} [{_f(r.get('or_ci_low'))}, "
                    f"{_f(r.get('or_ci_high'))}], RD {_f(r.get('risk_difference'))} [{_f(r.get('rd_ci_low'))}, "
                    f"{_f(r.get('rd_ci_high'))}], Fisher p = {_p(r.get('fisher_p'))}")
    if s.incomplete:
        lines += ["", f"Not included - no completed final coding ({len(s.incomplete)}):"]
        for i in s.incomplete:
            lines.append(f"  {i.blinded_code:<10}{i.participant_id:<14}{i.timepoint:<11}{i.coding_status}")
    lines += [""] + [f"Note: {n}" for n in s.notes]
    return "\n".join(lines)
