"""Inter-rater agreement statistics for categorical and numeric ratings.

Pure numpy/scipy. Every function returns a frozen dataclass. Inputs may be
lists, numpy arrays or pandas Series/DataFrames; invalid input (mismatched
lengths, fewer than 2 units, a non-square table, nothing but missing values)
raises :class:`ValueError` with a message naming the problem.

Conventions (shared with the reliability report)
------------------------------------------------
* **Undefined coefficients.** When the chance agreement ``pe`` equals 1
  (e.g. both raters used a single, identical category throughout), a
  chance-corrected coefficient is 0/0. It is returned as ``NaN`` (with NaN
  standard errors and limits), never as 1 or 0, and never raises.
* **Confidence limits** are capped at 1 above (a coefficient cannot exceed 1).
  Cohen's kappa uses the normal approximation with the large-sample SE of
  Fleiss, Cohen & Everitt (1969). Scott's pi, Brennan-Prediger, Fleiss'
  kappa and Gwet's AC1/AC2 use the standard errors of Gwet (2014, Handbook of
  Inter-Rater Reliability, 4th ed.) and, like Gwet's R package irrCAC, a
  t distribution with n - 1 degrees of freedom (n = rated units).
* **Missing data.** Two-rater functions drop pairs with a missing label and
  report how many (``n_missing``). Multi-rater functions follow irrCAC: the
  percent agreement averages over units with at least two ratings, category
  prevalences over units with at least one.
* **Weights** are agreement weights (1 on the diagonal). ``"linear"`` and
  ``"quadratic"`` use the category values when all categories are numbers,
  otherwise their rank order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from scipy import stats

from ._conger import MultiRaterKappa, conger_kappa, light_kappa
from ._icc import ICCEntry, ICCResult, icc
from ._multirater import (
    FleissKappa,
    GwetAC,
    KrippendorffAlpha,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    ratings_to_counts,
)
from ._tables import (
    chance_corrected,
    check_confidence,
    normal_ci,
    t_ci,
    two_rater_input,
    weight_matrix,
)

__all__ = [
    "MultiRaterKappa",
    "conger_kappa",
    "light_kappa",
    "CohenKappa",
    "ChanceCorrected",
    "PercentAgreement",
    "FleissKappa",
    "GwetAC",
    "KrippendorffAlpha",
    "ICCEntry",
    "ICCResult",
    "cohen_kappa",
    "scott_pi",
    "brennan_prediger",
    "fleiss_kappa",
    "ratings_to_counts",
    "gwet_ac",
    "krippendorff_alpha",
    "icc",
    "percent_agreement",
    "landis_koch_band",
]


@dataclass(frozen=True)
class CohenKappa:
    """Cohen's (weighted) kappa for two raters.

    ``se``: large-sample SE (Fleiss, Cohen & Everitt 1969), used for the
    normal-approximation CI. ``se0``: SE under kappa = 0, used for
    ``z = kappa / se0`` and the two-sided ``p``. ``table`` holds counts,
    rows rater 1, columns rater 2, in the order of ``categories``.
    """

    kappa: float
    se: float
    se0: float
    z: float
    p: float
    ci_low: float
    ci_high: float
    po: float
    pe: float
    n: int
    table: np.ndarray = field(repr=False)
    categories: tuple[Any, ...]
    n_missing: int = 0
    weighted: bool = False
    confidence: float = 0.95


@dataclass(frozen=True)
class ChanceCorrected:
    """Scott's pi or Brennan-Prediger's coefficient for two raters (Gwet 2014 SE)."""

    coefficient: float
    se: float
    ci_low: float
    ci_high: float
    pa: float
    pe: float
    n: int
    method: str = ""
    n_missing: int = 0
    confidence: float = 0.95


@dataclass(frozen=True)
class PercentAgreement:
    """Proportion of units on which both raters agree, with a Wilson score CI."""

    agreement: float
    ci_low: float
    ci_high: float
    n_agree: int
    n: int
    n_missing: int = 0
    confidence: float = 0.95


def _count_n(table: np.ndarray) -> int:
    total = float(table.sum())
    return int(round(total)) if abs(total - round(total)) < 1e-9 else total  # type: ignore[return-value]


def cohen_kappa(
    rater1: Any = None,
    rater2: Any = None,
    *,
    table: Any = None,
    weights: Any = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
) -> CohenKappa:
    """Cohen's kappa (1960) or weighted kappa (1968) for two raters.

    Give two label sequences (pairs with a missing label are dropped and
    counted in ``n_missing``) or a square contingency table (rows rater 1).
    Without ``categories`` the categories are the labels present, sorted.
    ``weights``: None, ``"linear"``, ``"quadratic"`` or a k x k matrix of
    agreement weights (1 on the diagonal). Cohen's (1968) disagreement
    weights v convert to agreement weights as ``w = 1 - v / v.max()``.

    With p_ij the table proportions, p_i. and p_.j the margins and w the
    weights: po = sum w p_ij, pe = sum w p_i. p_.j, kappa = (po - pe)/(1 - pe).
    Standard errors (Fleiss, Cohen & Everitt 1969), with
    wr_i = sum_j w_ij p_.j and wc_j = sum_i w_ij p_i.::

        var  = [sum p_ij (w_ij - (wr_i + wc_j)(1 - kappa))^2
                - (kappa - pe (1 - kappa))^2] / (n (1 - pe)^2)
        var0 = [sum p_i. p_.j (w_ij - (wr_i + wc_j))^2 - pe^2] / (n (1 - pe)^2)

    When pe = 1 kappa is undefined and every statistic is NaN.
    """
    confidence = check_confidence(confidence)
    tab, cats, n_missing = two_rater_input(rater1, rater2, table, categories)
    w = weight_matrix(weights, cats)
    n = tab.sum()
    p = tab / n
    row = p.sum(axis=1)
    col = p.sum(axis=0)
    po = float((w * p).sum())
    pe = float((w * np.outer(row, col)).sum())
    kappa = chance_corrected(po, pe)
    if math.isnan(kappa):
        se = se0 = z = pval = lo = hi = math.nan
    else:
        wr = w @ col
        wc = row @ w
        dev = w - (wr[:, None] + wc[None, :]) * (1.0 - kappa)
        var = ((p * dev**2).sum() - (kappa - pe * (1.0 - kappa)) ** 2) / (n * (1.0 - pe) ** 2)
        dev0 = w - (wr[:, None] + wc[None, :])
        var0 = ((np.outer(row, col) * dev0**2).sum() - pe**2) / (n * (1.0 - pe) ** 2)
        se = math.sqrt(max(float(var), 0.0))
        se0 = math.sqrt(max(float(var0), 0.0))
        if se0 > 0:
            z = kappa / se0
            pval = float(2.0 * stats.norm.sf(abs(z)))
        else:
            z = pval = math.nan
        lo, hi = normal_ci(kappa, se, confidence)
    return CohenKappa(
        kappa=kappa,
        se=se,
        se0=se0,
        z=z,
        p=pval,
        ci_low=lo,
        ci_high=hi,
        po=po,
        pe=pe,
        n=_count_n(tab),
        table=tab,
        categories=tuple(cats),
        n_missing=n_missing,
        weighted=weights is not None,
        confidence=confidence,
    )


def scott_pi(
    rater1: Any = None,
    rater2: Any = None,
    *,
    table: Any = None,
    weights: Any = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
) -> ChanceCorrected:
    """Scott's pi (1955) for two raters, optionally weighted.

    pe = sum w_kl pi_k pi_l with pi_k the mean of the two raters' margins.
    SE as in Gwet (2014) / irrCAC ``scott2.table``, with
    pibar_k = sum_l w_kl pi_l (weights symmetrised)::

        var = [sum p_kl (w_kl - (1 - pi)(pibar_k + pibar_l))^2
               - (pa - 2 (1 - pi) pe)^2] / (n (1 - pe)^2)

    CI: t distribution with n - 1 df, capped at 1. NaN when pe = 1.
    """
    confidence = check_confidence(confidence)
    tab, cats, n_missing = two_rater_input(rater1, rater2, table, categories)
    w = weight_matrix(weights, cats)
    n = tab.sum()
    p = tab / n
    pik = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    pa = float((w * p).sum())
    pe = float((w * np.outer(pik, pik)).sum())
    coef = chance_corrected(pa, pe)
    se = math.nan
    if not math.isnan(coef):
        ws = (w + w.T) / 2.0
        pibar = ws @ pik
        dev = w - (1.0 - coef) * (pibar[:, None] + pibar[None, :])
        var = ((p * dev**2).sum() - (pa - 2.0 * (1.0 - coef) * pe) ** 2) / (n * (1.0 - pe) ** 2)
        se = math.sqrt(max(float(var), 0.0))
    lo, hi = t_ci(coef, se, confidence, n - 1)
    return ChanceCorrected(coef, se, lo, hi, pa, pe, _count_n(tab), "Scott's pi", n_missing, confidence)


def brennan_prediger(
    rater1: Any = None,
    rater2: Any = None,
    *,
    table: Any = None,
    weights: Any = None,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
) -> ChanceCorrected:
    """Brennan & Prediger's (1981) coefficient for two raters, optionally weighted.

    pe = sum(w) / q^2 over the q categories (pass ``categories`` to count
    categories nobody used). SE as in Gwet (2014) / irrCAC ``bp2.table``::

        var = (sum p_kl w_kl^2 - pa^2) / (n (1 - pe)^2)

    CI: t distribution with n - 1 df, capped at 1.
    """
    confidence = check_confidence(confidence)
    tab, cats, n_missing = two_rater_input(rater1, rater2, table, categories)
    w = weight_matrix(weights, cats)
    q = len(cats)
    n = tab.sum()
    p = tab / n
    pa = float((w * p).sum())
    pe = float(w.sum() / q**2)
    coef = chance_corrected(pa, pe)
    se = math.nan
    if not math.isnan(coef):
        var = ((p * w**2).sum() - pa**2) / (n * (1.0 - pe) ** 2)
        se = math.sqrt(max(float(var), 0.0))
    lo, hi = t_ci(coef, se, confidence, n - 1)
    return ChanceCorrected(coef, se, lo, hi, pa, pe, _count_n(tab), "Brennan-Prediger", n_missing, confidence)


def percent_agreement(
    rater1: Any = None,
    rater2: Any = None,
    *,
    table: Any = None,
    confidence: float = 0.95,
) -> PercentAgreement:
    """Proportion of exact agreement with a Wilson (1927) score interval.

    The Wilson interval (no continuity correction) is
    (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
    """
    confidence = check_confidence(confidence)
    tab, _cats, n_missing = two_rater_input(rater1, rater2, table, None)
    n = float(tab.sum())
    agree = float(np.trace(tab))
    prop = agree / n
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    centre = prop + z**2 / (2 * n)
    half = z * math.sqrt(prop * (1 - prop) / n + z**2 / (4 * n**2))
    denom = 1 + z**2 / n
    # At 0 and n agreements the bound is exactly 0 (or 1); the formula leaves a rounding residue there.
    lo = 0.0 if agree == 0 else max(0.0, (centre - half) / denom)
    hi = 1.0 if agree == n else min(1.0, (centre + half) / denom)
    return PercentAgreement(prop, lo, hi, _count_n(np.array([agree])), _count_n(tab), n_missing, confidence)


_BANDS = (
    (0.0, "poor"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)


def landis_koch_band(kappa: float) -> str:
    """Verbal label for a kappa value, by the *convention* of Landis & Koch (1977).

    The bands are a convention, not a statistical result: <= 0 "poor"
    (no agreement), .01-.20 "slight", .21-.40 "fair", .41-.60 "moderate",
    .61-.80 "substantial", .81-1 "almost perfect". Boundaries belong to the
    lower band (0.20 is "slight"). NaN gives "undefined"; values outside
    [-1, 1] raise ValueError.
    """
    k = float(kappa)
    if math.isnan(k):
        return "undefined"
    if k < -1.0 - 1e-12 or k > 1.0 + 1e-12:
        raise ValueError(f"kappa must lie in [-1, 1], got {kappa!r}")
    for upper, label in _BANDS:
        if k <= upper + 1e-12:
            return label
    return "almost perfect"  # pragma: no cover
