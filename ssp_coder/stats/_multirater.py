"""Multi-rater agreement: Fleiss' kappa, Gwet's AC1/AC2, Krippendorff's alpha.

Re-exported from :mod:`ssp_coder.stats.agreement`; see that module for the
shared conventions (NaN when pe = 1, CI capped at 1, t(n - 1) limits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from scipy import stats

from ._tables import (
    category_index,
    chance_corrected,
    check_confidence,
    is_missing,
    normalise_label,
    square_table,
    t_ci,
    to_matrix,
    weight_matrix,
)

__all__ = [
    "FleissKappa",
    "GwetAC",
    "KrippendorffAlpha",
    "ratings_to_counts",
    "fleiss_kappa",
    "gwet_ac",
    "krippendorff_alpha",
]


@dataclass(frozen=True)
class FleissKappa:
    """Fleiss' (1971) kappa for many raters.

    ``se``: non-null SE of Gwet (2014) (irrCAC ``fleiss.kappa.*``), used for
    the CI (t with n_subjects - 1 df, capped at 1). ``se0``: SE under kappa = 0
    of Fleiss, Nee & Landis (1979), used for ``z`` and ``p``; it assumes the
    same number of ratings for every subject and is NaN otherwise.
    ``per_category``: Fleiss' category-wise kappas.
    """

    kappa: float
    se: float
    se0: float
    ci_low: float
    ci_high: float
    pa: float
    pe: float
    n_subjects: int
    z: float = math.nan
    p: float = math.nan
    categories: tuple[Any, ...] = ()
    per_category: dict[Any, float] = field(default_factory=dict, repr=False)
    confidence: float = 0.95


@dataclass(frozen=True)
class GwetAC:
    """Gwet's AC1 (unweighted) or AC2 (weighted) agreement coefficient."""

    coefficient: float
    se: float
    ci_low: float
    ci_high: float
    pa: float
    pe: float
    n: int
    method: str = "AC1"
    confidence: float = 0.95


@dataclass(frozen=True)
class KrippendorffAlpha:
    """Krippendorff's alpha with its coincidence-matrix ingredients.

    ``n_pairable``: number of values in units with at least two values.
    ``observed_disagreement`` D_o and ``expected_disagreement`` D_e, so that
    alpha = 1 - D_o / D_e.
    """

    alpha: float
    n_pairable: int
    observed_disagreement: float
    expected_disagreement: float
    level: str = "nominal"


# --------------------------------------------------------------------------- #
# counts
# --------------------------------------------------------------------------- #
def ratings_to_counts(ratings: Any, categories: Sequence[Any] | None = None) -> tuple[np.ndarray, list[Any]]:
    """Subjects x raters labels (None/NaN missing) -> subjects x categories counts.

    Returns ``(counts, categories)``; without ``categories`` the categories are
    the labels present, sorted. Subjects nobody rated give a row of zeros.
    """
    rows = to_matrix(ratings, "ratings")
    cleaned = [[None if is_missing(v) else normalise_label(v) for v in row] for row in rows]
    present = [v for row in cleaned for v in row if v is not None]
    if not present:
        raise ValueError("ratings hold no rating at all (every value is missing)")
    cats = category_index(categories, present, "ratings")
    pos = {c: i for i, c in enumerate(cats)}
    counts = np.zeros((len(cleaned), len(cats)), dtype=float)
    for i, row in enumerate(cleaned):
        for v in row:
            if v is not None:
                counts[i, pos[v]] += 1
    return counts, cats


def _counts_input(counts: Any) -> tuple[np.ndarray, list[Any]]:
    cats: list[Any] | None = None
    if hasattr(counts, "columns"):
        cats = [normalise_label(c) for c in counts.columns]
    arr = np.asarray(counts.to_numpy() if hasattr(counts, "to_numpy") else counts, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"counts must be a subjects x categories matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("counts must be finite and non-negative")
    if np.any(np.abs(arr - np.round(arr)) > 1e-9):
        raise ValueError("counts must be whole numbers of ratings")
    rated = arr.sum(axis=1) > 0
    arr = arr[rated]
    if arr.shape[0] < 2:
        raise ValueError(f"need at least 2 rated subjects, got {arr.shape[0]}")
    if not np.any(arr.sum(axis=1) >= 2):
        raise ValueError("no subject has two or more ratings: agreement is not defined")
    return arr, cats if cats is not None else list(range(arr.shape[1]))


def _pa_and_prevalence(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    """Per-subject ratings r_i, agreement pa_i, flags r_i >= 2, pa, pi_k (irrCAC)."""
    r = x.sum(axis=1)
    xw = x @ w.T
    sum_q = (x * (xw - 1.0)).sum(axis=1)
    two = r >= 2
    den = np.where(two, r * (r - 1.0), 1.0)
    pa_i = np.where(two, sum_q / den, 0.0)
    pa = float(pa_i[two].mean())
    pi = (x / r[:, None]).mean(axis=0)
    return r, pa_i, two, pa, pi


def _linearised_se(
    coef: float, pe: float, pa_i: np.ndarray, two: np.ndarray, pe_i: np.ndarray
) -> float:
    """Gwet's (2014) linearisation variance of a multi-rater coefficient."""
    n = pa_i.shape[0]
    n2 = int(two.sum())
    c_i = (n / n2) * (pa_i - pe * two) / (1.0 - pe)
    c_star = c_i - 2.0 * (1.0 - coef) * (pe_i - pe) / (1.0 - pe)
    var = float(((c_star - coef) ** 2).sum() / (n * (n - 1.0)))
    return math.sqrt(max(var, 0.0))


# --------------------------------------------------------------------------- #
# Fleiss
# --------------------------------------------------------------------------- #
def fleiss_kappa(
    counts: Any, *, categories: Sequence[Any] | None = None, confidence: float = 0.95
) -> FleissKappa:
    """Fleiss' kappa from a subjects x categories count matrix.

    Rows may have different totals (missing ratings); rows with no rating
    are ignored. Following Gwet's irrCAC, pa averages over subjects with at
    least two ratings and the prevalences pi_k = mean_i x_ik / r_i over all
    rated subjects; pe = sum pi_k^2.

    Standard errors: ``se`` is Gwet's (2014) linearisation SE, with
    kappa_i = (n/n2)(pa_i - pe)/(1 - pe) and
    kappa*_i = kappa_i - 2(1 - kappa)(pe_i - pe)/(1 - pe),
    pe_i = sum_k x_ik pi_k / r_i, var = sum (kappa*_i - kappa)^2 / (n(n-1));
    CI uses t(n - 1), capped at 1. ``se0`` is the Fleiss, Nee & Landis (1979)
    SE under kappa = 0 for m ratings per subject::

        se0 = sqrt(2 / (n m (m-1))) * sqrt((sum p q)^2 - sum p q (q - p)) / sum p q

    with p = pi_k, q = 1 - p; NaN when subjects have different numbers of
    ratings. ``per_category`` holds Fleiss' category-wise kappas
    1 - mean_i[x_ik (r_i - x_ik) / (r_i (r_i - 1))] / (p_k q_k).
    Use :func:`ratings_to_counts` to build ``counts`` from raw ratings
    (and pass its categories as ``categories`` to label ``per_category``).
    """
    confidence = check_confidence(confidence)
    x, cats = _counts_input(counts)
    if categories is not None:
        if len(categories) != x.shape[1]:
            raise ValueError(f"counts have {x.shape[1]} columns but {len(categories)} categories were given")
        cats = list(categories)
    n = x.shape[0]
    w = np.eye(x.shape[1])
    r, pa_i, two, pa, pi = _pa_and_prevalence(x, w)
    pe = float((pi**2).sum())
    kappa = chance_corrected(pa, pe)
    se = se0 = z = pval = math.nan
    per_cat: dict[Any, float] = {}
    if not math.isnan(kappa):
        pe_i = (x @ pi) / r
        se = _linearised_se(kappa, pe, pa_i, two, pe_i)
    pq = pi * (1.0 - pi)
    if np.all(r == r[0]) and not math.isnan(kappa):
        m = float(r[0])
        s = pq.sum()
        inner = s**2 - (pq * (1.0 - 2.0 * pi)).sum()
        se0 = math.sqrt(2.0 / (n * m * (m - 1.0))) * math.sqrt(max(float(inner), 0.0)) / float(s)
        if se0 > 0:
            z = kappa / se0
            pval = float(2.0 * stats.norm.sf(abs(z)))
    den = np.where(two, r * (r - 1.0), 1.0)
    for k, cat in enumerate(cats):
        dis = np.where(two, x[:, k] * (r - x[:, k]) / den, 0.0)[two].mean()
        per_cat[cat] = float(1.0 - dis / pq[k]) if pq[k] > 0 else math.nan
    lo, hi = t_ci(kappa, se, confidence, n - 1)
    return FleissKappa(kappa, se, se0, lo, hi, pa, pe, n, z, pval, tuple(cats), per_cat, confidence)


# --------------------------------------------------------------------------- #
# Gwet
# --------------------------------------------------------------------------- #
def gwet_ac(
    ratings: Any = None,
    *,
    table: Any = None,
    counts: Any = None,
    weights: Any = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
) -> GwetAC:
    """Gwet's AC1 (``weights=None``) or AC2 (``"linear"``, ``"quadratic"``, matrix).

    Exactly one input: ``ratings`` (subjects x raters, None/NaN missing),
    ``table`` (2-rater square contingency table) or ``counts`` (subjects x
    categories). Formulas follow Gwet (2014) and his R package irrCAC
    (``gwet.ac1.raw``/``.dist``/``.table``): with q categories and T = sum(w),
    pe = T / (q (q - 1)) * sum_k pi_k (1 - pi_k). For raw ratings and counts,
    pa averages over subjects with >= 2 ratings and pi_k over subjects with
    >= 1; the SE is Gwet's linearisation SE. The CI uses a t distribution
    with n - 1 df and is capped at 1. q counts every category given (table
    size, count columns, or ``categories``), used or not.
    """
    confidence = check_confidence(confidence)
    given = sum(v is not None for v in (ratings, table, counts))
    if given != 1:
        raise ValueError("give exactly one of ratings, table or counts")
    method = "AC1" if weights is None else "AC2"
    if table is not None:
        return _gwet_table(table, weights, categories, confidence, method)
    if ratings is not None:
        x, cats = ratings_to_counts(ratings, categories)
        x, _ = _counts_input(x)
    else:
        x, cats = _counts_input(counts)
        if categories is not None:
            if len(categories) != x.shape[1]:
                raise ValueError(f"counts have {x.shape[1]} columns but {len(categories)} categories were given")
            cats = list(categories)
    q = x.shape[1]
    w = weight_matrix(weights, cats)
    n = x.shape[0]
    r, pa_i, two, pa, pi = _pa_and_prevalence(x, w)
    factor = w.sum() / (q * (q - 1.0)) if q >= 2 else 0.0
    pe = float(factor * (pi * (1.0 - pi)).sum())
    coef = chance_corrected(pa, pe)
    se = math.nan
    if not math.isnan(coef):
        pe_i = factor * (x @ (1.0 - pi)) / r
        se = _linearised_se(coef, pe, pa_i, two, pe_i)
    lo, hi = t_ci(coef, se, confidence, n - 1)
    return GwetAC(coef, se, lo, hi, pa, pe, n, method, confidence)


def _gwet_table(table: Any, weights: Any, categories: Any, confidence: float, method: str) -> GwetAC:
    tab, cats = square_table(table, categories)
    n = tab.sum()
    if n < 2:
        raise ValueError(f"need at least 2 rated units, got {n:g}")
    w = weight_matrix(weights, cats)
    q = len(cats)
    p = tab / n
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    tw = w.sum()
    factor = tw / (q * (q - 1.0)) if q >= 2 else 0.0
    pa = float((w * p).sum())
    pe = float(factor * (pi * (1.0 - pi)).sum())
    coef = chance_corrected(pa, pe)
    se = math.nan
    if not math.isnan(coef):
        dev = w - 2.0 * (1.0 - coef) * factor * (1.0 - (pi[:, None] + pi[None, :]) / 2.0)
        var = ((p * dev**2).sum() - (pa - 2.0 * (1.0 - coef) * pe) ** 2) / (n * (1.0 - pe) ** 2)
        se = math.sqrt(max(float(var), 0.0))
    lo, hi = t_ci(coef, se, confidence, n - 1)
    total = int(round(n)) if abs(n - round(n)) < 1e-9 else n
    return GwetAC(coef, se, lo, hi, pa, pe, total, method, confidence)


# --------------------------------------------------------------------------- #
# Krippendorff
# --------------------------------------------------------------------------- #
_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def krippendorff_alpha(reliability_data: Any, *, level: str = "nominal") -> KrippendorffAlpha:
    """Krippendorff's alpha from raters x units data (None/NaN missing).

    Built on the coincidence matrix o_ck = sum_u (n_uc n_uk - [c = k] n_uc) /
    (m_u - 1) over units with m_u >= 2 values (Krippendorff 2011, "Computing
    Krippendorff's Alpha-Reliability"). With n_c = sum_k o_ck and n = sum n_c:
    D_o = sum o_ck d_ck / n, D_e = sum n_c n_k d_ck / (n (n - 1)),
    alpha = 1 - D_o / D_e. Difference functions d_ck: nominal [c != k];
    ordinal (sum_{g=c..k} n_g - (n_c + n_k)/2)^2; interval (c - k)^2;
    ratio ((c - k)/(c + k))^2. Non-nominal levels need numeric values.
    alpha is NaN when D_e = 0 (all pairable values identical).
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS}, got {level!r}")
    rows = to_matrix(reliability_data, "reliability_data")
    cleaned = [[None if is_missing(v) else normalise_label(v) for v in row] for row in rows]
    present = [v for row in cleaned for v in row if v is not None]
    if not present:
        raise ValueError("reliability_data hold no value at all (every value is missing)")
    values = category_index(None, present, "reliability_data")
    if level != "nominal":
        try:
            numeric = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"level {level!r} needs numeric values, got {values!r}") from None
    pos = {v: i for i, v in enumerate(values)}
    n_units = len(cleaned[0]) if cleaned else 0
    counts = np.zeros((n_units, len(values)))
    for row in cleaned:
        if len(row) != n_units:
            raise ValueError("every rater must have a value (or missing) for every unit")
        for u, v in enumerate(row):
            if v is not None:
                counts[u, pos[v]] += 1
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m = counts[keep], m[keep]
    if counts.shape[0] == 0:
        raise ValueError("no unit has two or more values: alpha is not defined")
    scaled = counts / (m - 1.0)[:, None]
    o = counts.T @ scaled - np.diag(scaled.sum(axis=0))
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if level == "nominal":
        delta = 1.0 - np.eye(len(values))
    elif level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        i = np.arange(len(values))
        lo_i = np.minimum(i[:, None], i[None, :])
        hi_i = np.maximum(i[:, None], i[None, :])
        between = cum[hi_i + 1] - cum[lo_i]
        delta = (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    elif level == "interval":
        delta = (numeric[:, None] - numeric[None, :]) ** 2
    else:
        if np.any(numeric < 0):
            raise ValueError("ratio level needs non-negative values")
        s = numeric[:, None] + numeric[None, :]
        diff = numeric[:, None] - numeric[None, :]
        delta = np.divide(diff, s, out=np.zeros_like(diff), where=s != 0) ** 2
    d_o = float((o * delta).sum() / n)
    d_e = float((np.outer(n_c, n_c) * delta).sum() / (n * (n - 1.0)))
    alpha = 1.0 - d_o / d_e if d_e > 0 else math.nan
    n_pair = int(round(n))
    return KrippendorffAlpha(alpha, n_pair, d_o, d_e, level)
