"""Effect sizes for binary and continuous trial outcomes.

Pure numpy/scipy: every function takes counts or arrays and returns a frozen
dataclass (or a float) and knows nothing of the Strange Situation.

Conventions used throughout
---------------------------
A 2 x 2 table is laid out as::

                 event   no event
    arm 1 (int.)   a        b
    arm 2 (ctrl)   c        d

so ``x1 = a``, ``n1 = a + b``, ``x2 = c``, ``n2 = c + d``. Arm 1 is called the
*intervention arm* and arm 2 the *control arm* in error messages. Which
outcome counts as the "event" (secure, organized, disorganized ...) is the
caller's decision; effects are arm 1 relative to arm 2.

Invalid input (negative or non-integer counts, an arm with no participants,
more events than participants, a table that is not 2 x 2, a confidence level
outside (0, 1)) raises :class:`ValueError` with a message naming the problem.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
from scipy import stats
from scipy.stats.contingency import odds_ratio as _scipy_odds_ratio

from ssp_coder.stats.checks import _check_arm, _count, _table_2x2, _z
# Standardized mean differences have their own module; re-exported so callers keep one entry point.
from ssp_coder.stats.standardized import HedgesG, cohens_h, hedges_g, or_to_d, or_to_d_cox

__all__ = [
    "OddsRatio",
    "RiskDifference",
    "RiskRatio",
    "FisherExact",
    "McNemar",
    "HedgesG",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
    "fisher_exact",
    "mcnemar",
    "or_to_d",
    "or_to_d_cox",
    "cohens_h",
    "hedges_g",
    "MCNEMAR_EXACT_BELOW",
]

#: With ``exact=None``, :func:`mcnemar` uses the exact binomial test when the
#: number of discordant pairs ``b + c`` is below this figure.
MCNEMAR_EXACT_BELOW = 25



@dataclass(frozen=True, slots=True)
class OddsRatio:
    """Sample odds ratio ``a*d / (b*c)`` with a Woolf (logit) confidence interval.

    ``se_log_or = sqrt(1/a + 1/b + 1/c + 1/d)``; the interval is
    ``exp(log_or -/+ z * se_log_or)``. When any cell is zero, ``correction``
    is added to all four cells first and ``corrected`` is True.
    """

    odds_ratio: float
    log_or: float
    se_log_or: float
    ci_low: float
    ci_high: float
    confidence: float
    corrected: bool
    correction: float


def odds_ratio(
    a: int, b: int, c: int, d: int, *, confidence: float = 0.95, correction: float = 0.5
) -> OddsRatio:
    """Odds ratio of arm 1 (``a`` events, ``b`` non-events) to arm 2 (``c``, ``d``).

    Woolf logit interval. The Haldane-Anscombe ``correction`` (default 0.5)
    is added to every cell only when at least one cell is zero; the result
    records whether it was applied. ``correction=0`` with a zero cell gives
    an odds ratio of 0 or inf and an infinite SE.
    """
    a, b, c, d = (_count(v, n) for v, n in zip((a, b, c, d), "abcd"))
    _check_arm(a, a + b, 1)
    _check_arm(c, c + d, 2)
    if not isinstance(correction, numbers.Real) or not math.isfinite(correction) or correction < 0:
        raise ValueError(f"correction must be a non-negative number, got {correction!r}")
    z = _z(confidence)
    corrected = min(a, b, c, d) == 0 and correction > 0
    cells = np.array([a, b, c, d], dtype=float) + (correction if corrected else 0.0)
    ca, cb, cc, cd = cells
    with np.errstate(divide="ignore", invalid="ignore"):
        log_or = float(np.log(ca) + np.log(cd) - np.log(cb) - np.log(cc))
        se = float(np.sqrt(np.sum(1.0 / cells)))
    if math.isnan(log_or):  # 0/0: both arms all-event or all-non-event, uncorrected
        raise ValueError("the odds ratio is undefined for this table (0/0); use a positive correction")
    if math.isinf(log_or):  # a zero cell with correction=0: the interval is uninformative
        return OddsRatio(math.exp(log_or), log_or, se, 0.0, math.inf, float(confidence), False, 0.0)
    return OddsRatio(
        odds_ratio=math.exp(log_or),
        log_or=log_or,
        se_log_or=se,
        ci_low=math.exp(log_or - z * se),
        ci_high=math.exp(log_or + z * se),
        confidence=float(confidence),
        corrected=corrected,
        correction=float(correction) if corrected else 0.0,
    )


# --------------------------------------------------------------------------- #
# risk difference
# --------------------------------------------------------------------------- #
@dataclass(frozen=True, slots=True)
class RiskDifference:
    """``p1 - p2`` with the Newcombe hybrid score interval (``ci_low, ci_high``),
    the Wald interval (``wald_ci_low, wald_ci_high``) and the Agresti-Caffo
    interval (Wald after adding one event and one non-event to each arm);
    all clipped to [-1, 1].

    ``se`` is the unpooled Wald standard error
    ``sqrt(p1(1-p1)/n1 + p2(1-p2)/n2)``.
    """

    difference: float
    ci_low: float
    ci_high: float
    wald_ci_low: float
    wald_ci_high: float
    agresti_caffo_ci_low: float
    agresti_caffo_ci_high: float
    se: float
    p1: float
    p2: float
    n1: int
    n2: int
    confidence: float


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At 0 and n the bound is exactly 0 (or 1); the formula leaves a rounding residue such as 4.9e-17.
    low = 0.0 if x == 0 else max(0.0, centre - half)
    high = 1.0 if x == n else min(1.0, centre + half)
    return low, high


def risk_difference(x1: int, n1: int, x2: int, n2: int, *, confidence: float = 0.95) -> RiskDifference:
    """Risk difference ``x1/n1 - x2/n2``.

    The main interval is Newcombe's hybrid score ("square-and-add" of two
    Wilson intervals; method 10 of Newcombe 1998, Stat Med 17:873-890),
    which behaves well with small arms and zero cells::

        L = RD - sqrt((p1 - l1)^2 + (u2 - p2)^2)
        U = RD + sqrt((u1 - p1)^2 + (p2 - l2)^2)

    where ``(l_i, u_i)`` is the Wilson interval for arm ``i``.
    """
    x1, n1, x2, n2 = (_count(v, k) for v, k in zip((x1, n1, x2, n2), ("x1", "n1", "x2", "n2")))
    _check_arm(x1, n1, 1)
    _check_arm(x2, n2, 2)
    z = _z(confidence)
    p1, p2 = x1 / n1, x2 / n2
    diff = p1 - p2
    l1, u1 = _wilson(x1, n1, z)
    l2, u2 = _wilson(x2, n2, z)
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    q1, q2 = (x1 + 1) / (n1 + 2), (x2 + 1) / (n2 + 2)
    se_ac = math.sqrt(q1 * (1 - q1) / (n1 + 2) + q2 * (1 - q2) / (n2 + 2))
    return RiskDifference(
        difference=diff,
        ci_low=max(-1.0, low),
        ci_high=min(1.0, high),
        wald_ci_low=max(-1.0, diff - z * se),
        wald_ci_high=min(1.0, diff + z * se),
        agresti_caffo_ci_low=max(-1.0, q1 - q2 - z * se_ac),
        agresti_caffo_ci_high=min(1.0, q1 - q2 + z * se_ac),
        se=se,
        p1=p1,
        p2=p2,
        n1=n1,
        n2=n2,
        confidence=float(confidence),
    )


# --------------------------------------------------------------------------- #
# risk ratio (Katz)
# --------------------------------------------------------------------------- #
@dataclass(frozen=True, slots=True)
class RiskRatio:
    """``p1 / p2`` with the Katz log interval:
    ``se_log_rr = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)``. When an arm has no
    events, ``correction`` is added to each event count and each arm size
    (``corrected`` is True)."""

    risk_ratio: float
    log_rr: float
    se_log_rr: float
    ci_low: float
    ci_high: float
    confidence: float
    corrected: bool


def risk_ratio(
    x1: int, n1: int, x2: int, n2: int, *, confidence: float = 0.95, correction: float = 0.5
) -> RiskRatio:
    """Risk ratio ``(x1/n1) / (x2/n2)`` with the Katz log confidence interval."""
    x1, n1, x2, n2 = (_count(v, k) for v, k in zip((x1, n1, x2, n2), ("x1", "n1", "x2", "n2")))
    _check_arm(x1, n1, 1)
    _check_arm(x2, n2, 2)
    if not isinstance(correction, numbers.Real) or not math.isfinite(correction) or correction <= 0:
        raise ValueError(f"correction must be a positive number, got {correction!r}")
    z = _z(confidence)
    corrected = min(x1, x2) == 0
    k = float(correction) if corrected else 0.0
    e1, e2, m1, m2 = x1 + k, x2 + k, n1 + k, n2 + k
    log_rr = math.log(e1 / m1) - math.log(e2 / m2)
    se = math.sqrt(1 / e1 - 1 / m1 + 1 / e2 - 1 / m2)
    return RiskRatio(
        risk_ratio=math.exp(log_rr),
        log_rr=log_rr,
        se_log_rr=se,
        ci_low=math.exp(log_rr - z * se),
        ci_high=math.exp(log_rr + z * se),
        confidence=float(confidence),
        corrected=corrected,
    )


# --------------------------------------------------------------------------- #
# Fisher's exact test
# --------------------------------------------------------------------------- #
@dataclass(frozen=True, slots=True)
class FisherExact:
    """Fisher's exact test with the conditional maximum-likelihood odds ratio
    and its exact (Cornfield) confidence interval, as R's ``fisher.test``.
    For a one-sided ``alternative`` the interval is one-sided too."""

    p: float
    odds_ratio: float
    ci_low: float
    ci_high: float
    alternative: str
    confidence: float


def fisher_exact(
    table: Sequence[Sequence[int]],
    *,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
    confidence: float = 0.95,
) -> FisherExact:
    """Fisher's exact test for a 2 x 2 table ``[[a, b], [c, d]]`` (rows = arms).

    The odds ratio is the conditional MLE (not the sample ``ad/bc``); it is
    ``nan`` when a column total is zero (no information), 0 or inf when the
    table sits on the boundary.
    """
    a, b, c, d = _table_2x2(table)
    _check_arm(a, a + b, 1)
    _check_arm(c, c + d, 2)
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(f"alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}")
    _z(confidence)
    tab = [[a, b], [c, d]]
    p = float(stats.fisher_exact(tab, alternative=alternative).pvalue)
    if a + c == 0 or b + d == 0:
        return FisherExact(p, math.nan, 0.0, math.inf, alternative, float(confidence))
    res = _scipy_odds_ratio(tab, kind="conditional")
    ci = res.confidence_interval(confidence_level=float(confidence), alternative=alternative)
    return FisherExact(
        p=min(1.0, p),
        odds_ratio=float(res.statistic),
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        alternative=alternative,
        confidence=float(confidence),
    )


# --------------------------------------------------------------------------- #
# McNemar
# --------------------------------------------------------------------------- #
@dataclass(frozen=True, slots=True)
class McNemar:
    """McNemar's test for paired binary outcomes (e.g. secure at pre and post).

    ``statistic`` and ``p`` belong to the method named in ``method``:

    * exact (``exact=True``): the two-sided binomial test of ``b`` successes
      in ``b + c`` trials with probability 1/2; ``statistic = min(b, c)``.
    * asymptotic: ``chi2_corrected`` (Edwards' continuity correction,
      ``(|b - c| - 1)^2 / (b + c)``, R's default) on 1 df.

    All variants are always reported: ``chi2`` / ``p_chi2`` (no correction,
    ``(b - c)^2 / (b + c)``), ``chi2_corrected`` / ``p_chi2_corrected`` and
    ``p_exact``. With no discordant pairs every statistic is 0 and every p 1.
    """

    statistic: float
    p: float
    exact: bool
    method: str
    b: int
    c: int
    chi2: float
    p_chi2: float
    chi2_corrected: float
    p_chi2_corrected: float
    p_exact: float


def mcnemar(b: int, c: int, *, exact: bool | None = None) -> McNemar:
    """McNemar's test from the discordant counts ``b`` (yes -> no) and ``c`` (no -> yes).

    Rule for ``exact=None``: use the exact binomial test when there are fewer
    than 25 discordant pairs (``b + c < 25``, :data:`MCNEMAR_EXACT_BELOW`),
    otherwise the continuity-corrected chi-square. ``exact=True`` or
    ``exact=False`` forces the choice.
    """
    b = _count(b, "b")
    c = _count(c, "c")
    if exact is not None and not isinstance(exact, bool):
        raise ValueError(f"exact must be True, False or None, got {exact!r}")
    n = b + c
    use_exact = (n < MCNEMAR_EXACT_BELOW) if exact is None else exact
    if n == 0:
        chi2 = chi2_cc = 0.0
        p_chi2 = p_cc = p_exact = 1.0
    else:
        chi2 = (b - c) ** 2 / n
        chi2_cc = max(abs(b - c) - 1, 0) ** 2 / n
        p_chi2 = float(stats.chi2.sf(chi2, 1))
        p_cc = float(stats.chi2.sf(chi2_cc, 1))
        p_exact = min(1.0, float(stats.binomtest(b, n, 0.5, alternative="two-sided").pvalue))
    if use_exact:
        statistic, p, method = float(min(b, c)), p_exact, "exact binomial"
    else:
        statistic, p, method = chi2_cc, p_cc, "chi-square with continuity correction"
    return McNemar(
        statistic=statistic,
        p=p,
        exact=use_exact,
        method=method,
        b=b,
        c=c,
        chi2=chi2,
        p_chi2=p_chi2,
        chi2_corrected=chi2_cc,
        p_chi2_corrected=p_cc,
        p_exact=p_exact,
    )
