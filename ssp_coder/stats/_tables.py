"""Input handling shared by the agreement statistics.

Turns label sequences, rating matrices and contingency tables into numpy
arrays; builds agreement-weight matrices; small numeric helpers.
Nothing here is public API: use :mod:`ssp_coder.stats.agreement`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np
from scipy import stats

__all__: list[str] = []


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA/NaT and the empty string."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return math.isnan(float(value))
    try:
        import pandas as pd

        result = pd.isna(value)
    except (TypeError, ValueError):  # pragma: no cover - exotic objects
        return False
    return bool(result) if np.ndim(result) == 0 else False


def to_list(values: Any, name: str) -> list[Any]:
    """A 1-D sequence (list, array, Series) as a Python list of scalars."""
    if values is None:
        raise ValueError(f"{name} is required")
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be a sequence of labels, not a string")
    arr = values.to_numpy(dtype=object) if hasattr(values, "to_numpy") else values
    if isinstance(arr, np.ndarray):
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
        return [_scalar(v) for v in arr.tolist()]
    return [_scalar(v) for v in list(arr)]


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def to_matrix(values: Any, name: str) -> list[list[Any]]:
    """A 2-D table (nested lists, array, DataFrame) as a list of row lists."""
    if values is None:
        raise ValueError(f"{name} is required")
    arr = values.to_numpy(dtype=object) if hasattr(values, "to_numpy") else np.asarray(values, dtype=object)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional, got shape {arr.shape}")
    return [[_scalar(v) for v in row] for row in arr.tolist()]


def sort_labels(labels: set[Any] | list[Any]) -> list[Any]:
    """Sorted labels; mixed types fall back to sorting by their text."""
    labels = list(labels)
    try:
        return sorted(labels)
    except TypeError:
        return sorted(labels, key=lambda v: (type(v).__name__, str(v)))


def normalise_label(value: Any) -> Any:
    """Make 1 and 1.0 the same category (common when data pass through pandas)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def category_index(categories: Sequence[Any] | None, present: list[Any], name: str) -> list[Any]:
    """The category list: the given one (checked) or the sorted labels present."""
    if categories is None:
        return sort_labels(set(present))
    cats = [normalise_label(_scalar(c)) for c in categories]
    if len(set(cats)) != len(cats):
        raise ValueError(f"categories contain duplicates: {list(categories)!r}")
    unknown = set(present) - set(cats)
    if unknown:
        raise ValueError(f"{name} contains labels not in categories: {sort_labels(unknown)!r}")
    return cats


def square_table(table: Any, categories: Sequence[Any] | None = None) -> tuple[np.ndarray, list[Any]]:
    """Validate a square contingency table of non-negative counts."""
    labels = None
    if hasattr(table, "index") and hasattr(table, "columns"):
        labels = [normalise_label(_scalar(v)) for v in table.index]
    arr = np.asarray(table.to_numpy() if hasattr(table, "to_numpy") else table, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"table must be square (k x k), got shape {arr.shape}")
    if arr.shape[0] < 1:
        raise ValueError("table is empty")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("table must hold finite, non-negative counts")
    if categories is not None:
        cats = [normalise_label(_scalar(c)) for c in categories]
        if len(cats) != arr.shape[0]:
            raise ValueError(f"table is {arr.shape[0]} x {arr.shape[0]} but {len(cats)} categories were given")
    else:
        cats = labels if labels is not None else list(range(arr.shape[0]))
    return arr, cats


def paired_table(
    rater1: Any, rater2: Any, categories: Sequence[Any] | None
) -> tuple[np.ndarray, list[Any], int]:
    """Cross-tabulate two label sequences; pairs with a missing label are dropped.

    Returns (table, categories, n_missing).
    """
    r1 = to_list(rater1, "rater1")
    r2 = to_list(rater2, "rater2")
    if len(r1) != len(r2):
        raise ValueError(f"rater1 and rater2 differ in length ({len(r1)} vs {len(r2)})")
    pairs = [
        (normalise_label(a), normalise_label(b))
        for a, b in zip(r1, r2)
        if not (is_missing(a) or is_missing(b))
    ]
    n_missing = len(r1) - len(pairs)
    if not pairs:
        raise ValueError("no unit was rated by both raters (all pairs have a missing label)")
    present = [a for a, _ in pairs] + [b for _, b in pairs]
    cats = category_index(categories, present, "ratings")
    pos = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    idx = np.array([pos[a] * k + pos[b] for a, b in pairs], dtype=np.int64)
    table = np.bincount(idx, minlength=k * k).reshape(k, k).astype(float)
    return table, cats, n_missing


def two_rater_input(
    rater1: Any, rater2: Any, table: Any, categories: Sequence[Any] | None
) -> tuple[np.ndarray, list[Any], int]:
    """Either two sequences or a table (not both); at least 2 units."""
    if table is not None:
        if rater1 is not None or rater2 is not None:
            raise ValueError("give either rater1 and rater2 or table, not both")
        arr, cats = square_table(table, categories)
        n_missing = 0
    else:
        if rater1 is None or rater2 is None:
            raise ValueError("give rater1 and rater2, or a contingency table")
        arr, cats, n_missing = paired_table(rater1, rater2, categories)
    if arr.sum() < 2:
        raise ValueError(f"need at least 2 rated units, got {arr.sum():g}")
    return arr, cats, n_missing


def weight_matrix(weights: Any, categories: Sequence[Any]) -> np.ndarray:
    """Agreement weights (1 on the diagonal, 0 for complete disagreement).

    ``"linear"``: 1 - |x_i - x_j| / (x_max - x_min); ``"quadratic"``: the
    squared version. x are the category values when all categories are
    numbers, otherwise their positions 0..k-1 (the convention of Gwet's
    irrCAC; for categories 1..k it equals the index-based convention of
    statsmodels and scikit-learn).
    """
    k = len(categories)
    if weights is None:
        return np.eye(k)
    if isinstance(weights, str):
        kind = weights.lower()
        if kind not in ("linear", "quadratic"):
            raise ValueError(f"weights must be None, 'linear', 'quadratic' or a k x k matrix, got {weights!r}")
        if all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in categories):
            x = np.asarray(categories, dtype=float)
        else:
            x = np.arange(k, dtype=float)
        span = x.max() - x.min() if k > 1 else 1.0
        d = np.abs(x[:, None] - x[None, :]) / (span if span > 0 else 1.0)
        return 1.0 - (d if kind == "linear" else d**2)
    w = np.asarray(weights, dtype=float)
    if w.shape != (k, k):
        raise ValueError(f"weight matrix must be {k} x {k} for {k} categories, got shape {w.shape}")
    if not np.allclose(np.diag(w), 1.0):
        raise ValueError("agreement weights must be 1 on the diagonal (convert disagreement weights first)")
    if np.any(w < 0) or np.any(w > 1) or not np.all(np.isfinite(w)):
        raise ValueError("agreement weights must lie in [0, 1]")
    return w


def check_confidence(confidence: float) -> float:
    if not isinstance(confidence, numbers.Real) or not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return float(confidence)


def normal_ci(estimate: float, se: float, confidence: float) -> tuple[float, float]:
    """estimate -/+ z * se; the upper limit is capped at 1."""
    if not (math.isfinite(estimate) and math.isfinite(se)):
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    return estimate - z * se, min(1.0, estimate + z * se)


def t_ci(estimate: float, se: float, confidence: float, df: float) -> tuple[float, float]:
    """estimate -/+ t(df) * se, the upper limit capped at 1 (irrCAC convention)."""
    if not (math.isfinite(estimate) and math.isfinite(se)) or df < 1:
        return math.nan, math.nan
    t = float(stats.t.ppf(0.5 + confidence / 2.0, df))
    return estimate - t * se, min(1.0, estimate + t * se)


def chance_corrected(pa: float, pe: float) -> float:
    """(pa - pe) / (1 - pe); NaN when pe = 1 (the coefficient is undefined)."""
    if math.isclose(pe, 1.0, rel_tol=0.0, abs_tol=1e-12):
        return math.nan
    return (pa - pe) / (1.0 - pe)
