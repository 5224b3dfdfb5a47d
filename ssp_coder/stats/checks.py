"""Input checks shared by the effect-size modules: counts, arms, 2 x 2 tables, confidence levels."""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import stats

ARM_NAMES = {1: "intervention arm", 2: "control arm"}


# --------------------------------------------------------------------------- #
# validation helpers
# --------------------------------------------------------------------------- #
def _count(value: object, name: str) -> int:
    """Return ``value`` as a non-negative int or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number of participants, got {value!r}")
    as_float = float(value)
    if not math.isfinite(as_float) or as_float != int(as_float):
        raise ValueError(f"{name} must be a whole number of participants, got {value!r}")
    if as_float < 0:
        raise ValueError(f"{name} must not be negative, got {int(as_float)}")
    return int(as_float)


def _z(confidence: float) -> float:
    if not isinstance(confidence, numbers.Real) or not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return float(stats.norm.ppf(0.5 + float(confidence) / 2.0))


def _check_arm(x: int, n: int, arm: int) -> None:
    if n == 0:
        raise ValueError(f"the {ARM_NAMES[arm]} has no participants (n{arm} = 0)")
    if x > n:
        raise ValueError(
            f"the {ARM_NAMES[arm]} has more events than participants (x{arm} = {x} > n{arm} = {n})"
        )


def _table_2x2(table: object) -> tuple[int, int, int, int]:
    arr = np.asarray(table, dtype=object)
    if arr.shape != (2, 2):
        raise ValueError(f"the table must be 2 x 2 (rows = arms, columns = event / no event), got shape {arr.shape}")
    names = (("a", "b"), ("c", "d"))
    return tuple(_count(arr[i, j], f"cell {names[i][j]}") for i in range(2) for j in range(2))  # type: ignore[return-value]


# --------------------------------------------------------------------------- #
# odds ratio (Woolf)
# --------------------------------------------------------------------------- #
