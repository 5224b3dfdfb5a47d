"""Intraclass correlations (Shrout & Fleiss 1979; McGraw & Wong 1996).

Re-exported from :mod:`ssp_coder.stats.agreement`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
from scipy import stats

from ._tables import check_confidence

__all__ = ["ICCEntry", "ICCResult", "icc"]

_DESCRIPTIONS = {
    "ICC1": "Single rater, one-way random: Shrout-Fleiss ICC(1,1); McGraw-Wong ICC(1)",
    "ICC2": "Single rater, two-way random, absolute agreement: Shrout-Fleiss ICC(2,1); McGraw-Wong ICC(A,1)",
    "ICC3": "Single rater, two-way mixed, consistency: Shrout-Fleiss ICC(3,1); McGraw-Wong ICC(C,1)",
    "ICC1k": "Mean of k raters, one-way random: Shrout-Fleiss ICC(1,k); McGraw-Wong ICC(k)",
    "ICC2k": "Mean of k raters, two-way random, absolute agreement: Shrout-Fleiss ICC(2,k); McGraw-Wong ICC(A,k)",
    "ICC3k": "Mean of k raters, two-way mixed, consistency: Shrout-Fleiss ICC(3,k); McGraw-Wong ICC(C,k)",
}


@dataclass(frozen=True)
class ICCEntry:
    """One ICC form with its F test and confidence interval."""

    icc: float
    f: float
    df1: int
    df2: int
    p: float
    ci_low: float
    ci_high: float
    description: str


@dataclass(frozen=True)
class ICCResult:
    """All six ICC forms, keyed "ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k".

    Also carries the ANOVA mean squares (between targets ``bms``, within
    targets ``wms``, between raters ``jms``, residual ``ems``).
    """

    entries: Mapping[str, ICCEntry]
    n_targets: int
    n_raters: int
    bms: float
    wms: float
    jms: float
    ems: float
    confidence: float = 0.95

    def __getitem__(self, key: str) -> ICCEntry:
        return self.entries[key]

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def keys(self):
        return self.entries.keys()

    def items(self):
        return self.entries.items()

    def values(self):
        return self.entries.values()

    def to_frame(self):
        """A pandas DataFrame, one row per form (index = "ICC1" ...)."""
        import pandas as pd

        rows = {k: {f: getattr(e, f) for f in ICCEntry.__dataclass_fields__} for k, e in self.entries.items()}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "type"
        return frame


def icc(ratings: Any, *, confidence: float = 0.95) -> ICCResult:
    """Six intraclass correlations from a complete targets x raters matrix.

    Mean squares from the two-way ANOVA: BMS (targets), WMS (within
    targets), JMS (raters), EMS (residual); n targets, k raters.

    F tests follow R ``psych::ICC`` (and pingouin): ICC1/ICC1k use
    F = BMS/WMS with df (n - 1, n(k - 1)); ICC2/ICC2k *and* ICC3/ICC3k use
    F = BMS/EMS with df (n - 1, (n - 1)(k - 1)) -- so the p of the
    absolute-agreement forms uses the residual denominator df (n-1)(k-1),
    not a Satterthwaite approximation.

    Confidence intervals are the exact F-based limits of Shrout & Fleiss
    (1979) / McGraw & Wong (1996) for ICC1 and ICC3 forms, and the
    Satterthwaite-df limits for ICC2 forms, as in psych::ICC.
    A NaN anywhere raises ValueError naming the first incomplete row.
    """
    confidence = check_confidence(confidence)
    arr = np.asarray(ratings.to_numpy() if hasattr(ratings, "to_numpy") else ratings, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"ratings must be a targets x raters matrix, got shape {arr.shape}")
    bad = np.flatnonzero(~np.all(np.isfinite(arr), axis=1))
    if bad.size:
        raise ValueError(f"ratings must be complete: row {int(bad[0])} (target {int(bad[0]) + 1}) has a missing value")
    n, k = arr.shape
    if n < 2:
        raise ValueError(f"need at least 2 targets, got {n}")
    if k < 2:
        raise ValueError(f"need at least 2 raters, got {k}")
    grand = arr.mean()
    ss_total = ((arr - grand) ** 2).sum()
    ss_rows = k * ((arr.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((arr.mean(axis=0) - grand) ** 2).sum()
    ss_err = ss_total - ss_rows - ss_cols
    bms = float(ss_rows) / (n - 1)
    wms = float(ss_total - ss_rows) / (n * (k - 1))
    jms = float(ss_cols) / (k - 1)
    ems = max(float(ss_err), 0.0) / ((n - 1) * (k - 1))
    if bms <= 0:
        raise ValueError("all targets have the same mean rating: the ICC is not defined")
    alpha = 1.0 - confidence
    df1, df21, df23 = n - 1, n * (k - 1), (n - 1) * (k - 1)

    def ratio(a: float, b: float) -> float:
        return a / b if b > 0 else (math.inf if a > 0 else math.nan)

    icc1 = (bms - wms) / (bms + (k - 1) * wms)
    icc2 = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
    icc3 = (bms - ems) / (bms + (k - 1) * ems)
    icc1k = (bms - wms) / bms
    icc2k = (bms - ems) / (bms + (jms - ems) / n)
    icc3k = (bms - ems) / bms

    f1 = ratio(bms, wms)
    f3 = ratio(bms, ems)
    p1 = float(stats.f.sf(f1, df1, df21))
    p3 = float(stats.f.sf(f3, df1, df23))

    q = lambda dfa, dfb: float(stats.f.ppf(1.0 - alpha / 2.0, dfa, dfb))  # noqa: E731
    f1l, f1u = f1 / q(df1, df21), f1 * q(df21, df1)
    f3l, f3u = f3 / q(df1, df23), f3 * q(df23, df1)
    ci1 = ((f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1))
    ci1k = (1 - 1 / f1l, 1 - 1 / f1u)
    ci3 = ((f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1))
    ci3k = (1 - 1 / f3l, 1 - 1 / f3u)

    fj = ratio(jms, ems)
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd if vd > 0 else math.nan
    if math.isfinite(v) and v > 0:
        f2u = q(n - 1, v)
        f2l = q(v, n - 1)
        lo2 = n * (bms - f2u * ems) / (f2u * (k * jms + (k * n - k - n) * ems) + n * bms)
        hi2 = n * (f2l * bms - ems) / (k * jms + (k * n - k - n) * ems + n * f2l * bms)
        ci2 = (lo2, hi2)
        ci2k = (lo2 * k / (1 + lo2 * (k - 1)), hi2 * k / (1 + hi2 * (k - 1)))
    else:
        ci2 = ci2k = (math.nan, math.nan)

    def entry(key: str, value: float, f: float, d2: int, p: float, ci: tuple[float, float]) -> ICCEntry:
        return ICCEntry(float(value), float(f), int(df1), int(d2), p, float(ci[0]), float(ci[1]), _DESCRIPTIONS[key])

    entries = {
        "ICC1": entry("ICC1", icc1, f1, df21, p1, ci1),
        "ICC2": entry("ICC2", icc2, f3, df23, p3, ci2),
        "ICC3": entry("ICC3", icc3, f3, df23, p3, ci3),
        "ICC1k": entry("ICC1k", icc1k, f1, df21, p1, ci1k),
        "ICC2k": entry("ICC2k", icc2k, f3, df23, p3, ci2k),
        "ICC3k": entry("ICC3k", icc3k, f3, df23, p3, ci3k),
    }
    return ICCResult(MappingProxyType(entries), n, k, float(bms), float(wms), float(jms), float(ems), confidence)
