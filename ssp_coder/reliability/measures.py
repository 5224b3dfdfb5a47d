"""Agreement measures for one variable over a set of pairs (the cells of the report's tables).

Everything is computed by ``ssp_coder.stats.agreement``; this module only
chooses the measure for each kind of variable and turns "not defined"
(fewer than two pairs, a single category, no variance) into NaN instead of
an error, because an empty cell is the honest answer in a report.

The large-sample intervals of kappa and of the ICC can reach past what the
statistic can be (kappa [-1.10, 0.10] with a handful of pairs). The report
clips them to the statistic's range, [-1, 1] for kappa, weighted kappa and
the two-rater ICC, and says so (``ci_clipped`` and ``note``); with fewer
pairs than ``min_pairs`` it flags the row (``small_n``), because no interval
makes three pairs a reliability study.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ssp_coder.stats.agreement import cohen_kappa, icc, landis_koch_band, percent_agreement

NAN = math.nan

STAT_COLUMNS = [
    "variable", "kind", "n", "n_agree", "percent_agreement", "pa_ci_low", "pa_ci_high",
    "kappa", "kappa_ci_low", "kappa_ci_high", "weighted_kappa", "wk_ci_low", "wk_ci_high",
    "icc_a1", "icc_a1_ci_low", "icc_a1_ci_high", "icc_c1", "icc_c1_ci_low", "icc_c1_ci_high",
    "mean_abs_diff", "within_1", "band", "small_n", "ci_clipped", "note",
]
# The range of kappa, weighted kappa and the ICC of two raters (ICC >= -1/(k-1) with k = 2 raters).
RANGE = (-1.0, 1.0)
DEFAULT_MIN_PAIRS = 10
INTERVAL_PAIRS = (("kappa_ci_low", "kappa_ci_high"), ("wk_ci_low", "wk_ci_high"),
                  ("icc_a1_ci_low", "icc_a1_ci_high"), ("icc_c1_ci_low", "icc_c1_ci_high"))


def _bounded(row: dict[str, Any], min_pairs: int) -> dict[str, Any]:
    """Clip the intervals to the statistic's range and write down what was clipped and whether n is small."""
    clipped = []
    for lo_key, hi_key in INTERVAL_PAIRS:
        lo, hi = row.get(lo_key), row.get(hi_key)
        if _missing(lo) or _missing(hi):
            continue
        if lo < RANGE[0] or hi > RANGE[1]:
            clipped.append(lo_key[: -len("_ci_low")])
            row[lo_key], row[hi_key] = max(RANGE[0], float(lo)), min(RANGE[1], float(hi))
    n = int(row.get("n") or 0)
    row["small_n"] = 0 < n < min_pairs
    row["ci_clipped"] = bool(clipped)
    notes = []
    if row["small_n"]:
        notes.append(f"only {n} pair(s), fewer than {min_pairs}: too few for a stable estimate")
    if clipped:
        notes.append(f"interval of {', '.join(clipped)} clipped to the possible range [-1, 1]")
    row["note"] = "; ".join(notes)
    return row


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def paired_values(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Drop pairs where either coder has no value."""
    keep = [(x, y) for x, y in zip(a, b) if not _missing(x) and not _missing(y)]
    return [x for x, _ in keep], [y for _, y in keep]


def _norm(v: Any) -> Any:
    # 0/1 variables arrive as floats from pandas; show them as integers.
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return int(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _percent(x: list[Any], y: list[Any], confidence: float) -> dict[str, Any]:
    n = len(x)
    agree = sum(1 for p, q in zip(x, y) if p == q)
    out = {"n": n, "n_agree": agree, "percent_agreement": agree / n if n else NAN,
           "pa_ci_low": NAN, "pa_ci_high": NAN}
    if n >= 2:
        pa = percent_agreement(x, y, confidence=confidence)
        out.update(pa_ci_low=pa.ci_low, pa_ci_high=pa.ci_high)
    return out


def categorical(name: str, a: Sequence[Any], b: Sequence[Any], *, confidence: float = 0.95,
                min_pairs: int = DEFAULT_MIN_PAIRS) -> dict[str, Any]:
    x, y = paired_values(a, b)
    x, y = [_norm(v) for v in x], [_norm(v) for v in y]
    row = dict.fromkeys(STAT_COLUMNS, NAN)
    row.update(variable=name, kind="categorical", band="undefined")
    row.update(_percent(x, y, confidence))
    if len(x) >= 2:
        k = cohen_kappa(x, y, confidence=confidence)
        row.update(kappa=k.kappa, kappa_ci_low=k.ci_low, kappa_ci_high=k.ci_high, band=landis_koch_band(k.kappa))
    return _bounded(row, min_pairs)


def confusion(a: Sequence[Any], b: Sequence[Any], *, rows: str = "primary", cols: str = "reliability") -> pd.DataFrame:
    """Counts of (primary value, reliability value), every category both ways, with no totals."""
    x, y = paired_values(a, b)
    x, y = [_norm(v) for v in x], [_norm(v) for v in y]
    cats = sorted(set(x) | set(y), key=lambda v: (str(type(v)), v))
    pos = {c: i for i, c in enumerate(cats)}
    counts = np.zeros((len(cats), len(cats)), dtype=int)
    for p, q in zip(x, y):
        counts[pos[p], pos[q]] += 1
    return pd.DataFrame(counts, index=pd.Index(cats, name=rows), columns=pd.Index(cats, name=cols))


def numeric(name: str, a: Sequence[Any], b: Sequence[Any], *, kind: str = "continuous",
            grid: Sequence[float] | None = None, confidence: float = 0.95,
            min_pairs: int = DEFAULT_MIN_PAIRS) -> dict[str, Any]:
    """ICC(2,1) and ICC(3,1); with ``grid`` (the rating's possible values) also quadratic-weighted kappa."""
    x, y = paired_values(a, b)
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    row = dict.fromkeys(STAT_COLUMNS, NAN)
    row.update(variable=name, kind=kind, band="")
    agree = int((xa == ya).sum())
    row.update(n=int(xa.size), n_agree=agree, percent_agreement=agree / xa.size if xa.size else NAN)
    if xa.size:
        diff = np.abs(xa - ya)
        row.update(mean_abs_diff=float(diff.mean()), within_1=float((diff <= 1.0 + 1e-9).mean()))
    if xa.size >= 2:
        try:
            res = icc(np.column_stack([xa, ya]), confidence=confidence)
        except ValueError:
            res = None  # no variance between sessions: the ICC is not defined
        if res is not None:
            a1, c1 = res["ICC2"], res["ICC3"]
            row.update(icc_a1=a1.icc, icc_a1_ci_low=a1.ci_low, icc_a1_ci_high=a1.ci_high,
                       icc_c1=c1.icc, icc_c1_ci_low=c1.ci_low, icc_c1_ci_high=c1.ci_high)
        if grid is not None:
            k = cohen_kappa(list(xa), list(ya), weights="quadratic", categories=list(grid), confidence=confidence)
            row.update(weighted_kappa=k.kappa, wk_ci_low=k.ci_low, wk_ci_high=k.ci_high,
                       band=landis_koch_band(k.kappa))
    return _bounded(row, min_pairs)


def rating_grid(lo: float, hi: float, step: float) -> list[float]:
    n = int(round((hi - lo) / step))
    return [round(lo + i * step, 10) for i in range(n + 1)]
