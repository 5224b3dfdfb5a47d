"""Drift: does a coder's agreement hold up over the course of a trial?

For each coder, the reliability pairs they took part in (as primary or as
reliability coder) are ordered by when the reliability coder marked the coding
complete (for a coding done in a coder package: in the package, not when the
package was merged), and agreement is computed in a rolling window of the last
``drift_window`` pairs (a setting, default 10; the window is a convention for
a readable curve, not a statistical rule): ABCD percent agreement, Cohen's
kappa on ABCD where it is defined, and the mean absolute difference of the D
rating.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssp_coder.atomic import atomic_path
from ssp_coder.reliability.measures import paired_values

DEFAULT_WINDOW = 10
DRIFT_COLUMNS = ["coder", "seq", "completed_at", "blinded_code", "window_n", "abcd_agreement", "abcd_kappa",
                 "d_rating_mad"]


def window_kappa(x: list, y: list) -> float:
    """Cohen's kappa of one window: (po - pe) / (1 - pe), NaN when pe = 1.

    The point estimate of ``stats.agreement.cohen_kappa`` (a test checks they
    agree), without its standard errors: the drift view computes one per
    pair and coder, and needs no intervals.
    """
    n = len(x)
    po = sum(p == q for p, q in zip(x, y)) / n
    cx, cy = Counter(x), Counter(y)
    pe = sum(cx[c] * cy.get(c, 0) for c in cx) / (n * n)
    return math.nan if abs(1.0 - pe) < 1e-12 else (po - pe) / (1.0 - pe)


def drift_table(pair_values: pd.DataFrame, window: int = DEFAULT_WINDOW) -> pd.DataFrame:
    """``pair_values``: one row per pair with primary_coder, reliability_coder, completed_at,
    blinded_code, abcd_primary, abcd_reliability, d_rating_primary, d_rating_reliability."""
    window = max(1, int(window))
    rows: list[dict[str, Any]] = []
    if pair_values.empty:
        return pd.DataFrame(columns=DRIFT_COLUMNS)
    coders = sorted(set(pair_values["primary_coder"]) | set(pair_values["reliability_coder"]), key=str.lower)
    for coder in coders:
        mine = pair_values[(pair_values["primary_coder"] == coder) | (pair_values["reliability_coder"] == coder)]
        mine = mine.sort_values(["completed_at", "blinded_code"], kind="stable")
        a, b = list(mine["abcd_primary"]), list(mine["abcd_reliability"])
        da = mine["d_rating_primary"].to_numpy(dtype=float)
        db = mine["d_rating_reliability"].to_numpy(dtype=float)
        times, codes = list(mine["completed_at"]), list(mine["blinded_code"])
        for i in range(len(mine)):
            lo = max(0, i - window + 1)
            x, y = paired_values(a[lo:i + 1], b[lo:i + 1])
            agree = sum(p == q for p, q in zip(x, y)) / len(x) if x else math.nan
            kappa = window_kappa(x, y) if len(x) >= 2 else math.nan
            d = np.abs(da[lo:i + 1] - db[lo:i + 1])
            d = d[~np.isnan(d)]
            rows.append({"coder": coder, "seq": i + 1, "completed_at": times[i], "blinded_code": codes[i],
                         "window_n": len(x), "abcd_agreement": agree, "abcd_kappa": kappa,
                         "d_rating_mad": float(d.mean()) if d.size else math.nan})
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


def drift_figure(drift: pd.DataFrame, *, window: int = DEFAULT_WINDOW):
    """A matplotlib Figure (no pyplot, no GUI backend): ABCD agreement and |D-rating difference| per coder."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 6), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    if drift.empty:
        ax1.text(0.5, 0.5, "No complete reliability pairs yet", ha="center", va="center", transform=ax1.transAxes)
    for coder, g in drift.groupby("coder", sort=True):
        when = pd.to_datetime(g["completed_at"], utc=True, format="ISO8601")
        ax1.plot(when, g["abcd_agreement"] * 100, marker="o", ms=3, label=str(coder))
        ax2.plot(when, g["d_rating_mad"], marker="o", ms=3, label=str(coder))
    ax1.set_ylabel("ABCD agreement (%)")
    ax1.set_ylim(-2, 102)
    ax1.set_title(f"Agreement over time (rolling window of {window} pairs per coder)")
    ax2.set_ylabel("Mean |D-rating difference|")
    ax2.set_xlabel("Date the reliability coding was marked complete")
    if not drift.empty:
        ax1.legend(loc="lower left", fontsize="small")
        _date_axis(ax2, pd.to_datetime(drift["completed_at"], utc=True, format="ISO8601"))
    fig.autofmt_xdate()
    return fig


def _date_axis(ax: Any, when: pd.Series) -> None:
    """Ticks labelled with calendar dates. Pairs completed within a day or two would otherwise get
    sub-second tick labels ("39:09.400000"); the axis then spans at least a few days around them."""
    import matplotlib.dates as mdates

    first, last = when.min(), when.max()
    if last - first < pd.Timedelta(days=2):
        middle = (first + (last - first) / 2).normalize() + pd.Timedelta(hours=12)
        ax.set_xlim(middle - pd.Timedelta(days=2), middle + pd.Timedelta(days=2))
    span_days = max(4, (max(last, first + pd.Timedelta(days=4)) - first).days)
    if span_days <= 60:
        # Whole days only: an automatic locator would put several ticks (the same date) into one day.
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, span_days // 6)))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write a figure as PNG or SVG (by the file's suffix), atomically."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".") or "png"
    if fmt not in ("png", "svg", "pdf"):
        fmt, path = "png", path.with_suffix(".png")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=150)
    return path
