"""Standardized mean differences: Hedges' g for scores, and d or h converted from odds ratios and proportions.

Arm 1 is the intervention arm and arm 2 the control arm, as in :mod:`ssp_coder.stats.effects`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ssp_coder.stats.checks import ARM_NAMES, _z

_COX_DIVISOR = 1.65


# --------------------------------------------------------------------------- #
# conversions to standardized mean differences
# --------------------------------------------------------------------------- #
def _positive_or(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"the odds ratio must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"the odds ratio must be positive and finite to convert to d, got {value!r}")
    return v


def or_to_d(odds_ratio: float) -> float:
    """Logistic-method d from an odds ratio (Hasselblad & Hedges 1995):
    ``d = ln(OR) * sqrt(3) / pi``. Its variance is ``Var(ln OR) * 3 / pi^2``."""
    return math.log(_positive_or(odds_ratio)) * math.sqrt(3.0) / math.pi


def or_to_d_cox(odds_ratio: float) -> float:
    """Cox-method d from an odds ratio: ``d = ln(OR) / 1.65``
    (variance ``Var(ln OR) / 1.65^2``)."""
    return math.log(_positive_or(odds_ratio)) / _COX_DIVISOR


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h for two proportions: ``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``."""
    for name, p in (("p1", p1), ("p2", p2)):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"{name} must be a proportion between 0 and 1, got {p!r}")
    return 2.0 * math.asin(math.sqrt(p1)) - 2.0 * math.asin(math.sqrt(p2))


# --------------------------------------------------------------------------- #
# Hedges' g
# --------------------------------------------------------------------------- #
@dataclass(frozen=True, slots=True)
class HedgesG:
    """Standardized mean difference of arm 1 minus arm 2.

    ``d = (mean1 - mean2) / s_pooled`` with
    ``s_pooled = sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2))``;
    ``g = J d`` with ``J = 1 - 3 / (4 (n1 + n2) - 9)``.

    SE (Borenstein et al. 2009, eqs 4.20 and 4.28)::

        Var(d) = (n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2))
        se     = J * sqrt(Var(d))            # the SE of g

    and the interval is ``g -/+ z se`` (normal approximation).
    """

    g: float
    d: float
    se: float
    ci_low: float
    ci_high: float
    n1: int
    n2: int
    confidence: float


def _sample(values: object, arm: int) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"the {ARM_NAMES[arm]} scores must be numbers") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"the {ARM_NAMES[arm]} scores contain missing or non-finite values; drop them first")
    if arr.size < 2:
        raise ValueError(f"the {ARM_NAMES[arm]} needs at least 2 participants for a standard deviation (n{arm} = {arr.size})")
    return arr


def hedges_g(x1: Sequence[float], x2: Sequence[float], *, confidence: float = 0.95) -> HedgesG:
    """Hedges' g (small-sample corrected Cohen's d) for two independent samples.

    See :class:`HedgesG` for the formulas, including the SE.
    """
    a1 = _sample(x1, 1)
    a2 = _sample(x2, 2)
    z = _z(confidence)
    n1, n2 = int(a1.size), int(a2.size)
    pooled_var = ((n1 - 1) * a1.var(ddof=1) + (n2 - 1) * a2.var(ddof=1)) / (n1 + n2 - 2)
    if pooled_var <= 0:
        raise ValueError("the scores do not vary within the arms (pooled SD = 0), so d is undefined")
    d = float((a1.mean() - a2.mean()) / math.sqrt(pooled_var))
    j = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
    g = j * d
    se = j * math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2)))
    return HedgesG(g=g, d=d, se=se, ci_low=g - z * se, ci_high=g + z * se, n1=n1, n2=n2, confidence=float(confidence))
