"""Descriptive figures for the coordinator (PNG and SVG).

Matplotlib ``Figure`` objects with the Agg canvas, never pyplot: no window,
no global state, safe inside the Qt application. Each figure says it is
descriptive; the trial's analysis is the statistician's.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ssp_coder.atomic import atomic_write_bytes, ensure_folder
from ssp_coder.export.datasets import STATUS_COMPLETE
from ssp_coder.export.fileset import staged_files
from ssp_coder.export.summary import TrialSummary
from ssp_coder.export.writers import check_writable

FIGURE_KINDS = ("abcd_by_arm", "d_rating_distribution", "transitions")
ABCD_COLOURS = {"A": "#4C72B0", "B": "#55A868", "C": "#DD8452", "D": "#C44E52", "CC": "#8172B3", "U": "#937860"}
FOOTNOTE = "Descriptive only (completed final codings); the trial's own analysis is the statistician's."


def _new(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _footnote(fig: Figure) -> None:
    fig.text(0.01, 0.01, FOOTNOTE, fontsize=8, color="#555555", ha="left", va="bottom")


def abcd_by_arm(summary: TrialSummary) -> Figure:
    """Stacked bars: percentage of each ABCD group, one bar per arm x timepoint."""
    dist = summary.distribution
    fig = _new(max(6.0, 1.1 * len(dist) + 2.5), 4.8)
    ax = fig.add_axes((0.09, 0.2, 0.72, 0.68))
    labels = [f"{r.arm}\n{r.timepoint}\n(n={r.n})" for r in dist.itertuples()]
    x = np.arange(len(dist))
    bottom = np.zeros(len(dist))
    for cat in summary.abcd_categories:
        pct = dist[f"pct_{cat}"].fillna(0).to_numpy(dtype=float)
        ax.bar(x, pct, bottom=bottom, color=ABCD_COLOURS.get(cat, "#999999"), label=cat, width=0.7,
               edgecolor="white")
        for xi, b, p in zip(x, bottom, pct):
            if p >= 7:
                ax.text(xi, b + p / 2, f"{p:.0f}%", ha="center", va="center", fontsize=8, color="white")
        bottom += pct
    ax.set_xticks(x, labels, fontsize=9)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of children coded")
    ax.set_title("Attachment classification by arm and timepoint")
    ax.legend(title="ABCD", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    _footnote(fig)
    return fig


ARM_COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")


def d_rating_distribution(summary: TrialSummary, long: pd.DataFrame) -> Figure:
    """Counts of each D rating value: one panel per arm (rows) and timepoint (columns).

    Each bar stands exactly on its rating (arms side by side would shift every bar off its value), and
    each panel says its arm, timepoint and n in its title, so no legend covers a bar.
    """
    done = long[long["coding_status"] == STATUS_COMPLETE]
    ratings = pd.to_numeric(done["d_rating"], errors="coerce")
    values = np.sort(ratings.dropna().unique())
    if len(values) == 0:
        values = np.arange(1, 10, dtype=float)
    lo, hi = float(min(1.0, values.min())), float(max(9.0, values.max()))
    step = 0.5 if np.any(values % 1) else 1.0
    grid = np.arange(lo, hi + step / 2, step)
    tps = list(summary.timepoints) or [""]
    arms = list(summary.arms) or [""]
    fig = _new(3.6 * len(tps) + 1.0, 1.75 * len(arms) + 1.6)
    axes = fig.subplots(len(arms), len(tps), sharex=True, sharey=True, squeeze=False)
    for r, arm in enumerate(arms):
        for c, tp in enumerate(tps):
            ax = axes[r][c]
            sel = ratings[(done["timepoint"] == tp) & (done["arm"] == arm)].dropna()
            counts = [int((sel == g).sum()) for g in grid]
            ax.bar(grid, counts, width=0.8 * step, color=ARM_COLOURS[r % len(ARM_COLOURS)])
            ax.set_title(f"{arm}, {tp} (n={len(sel)})", fontsize=9)
            ax.set_xticks(np.arange(np.ceil(lo), hi + 1))
            if step < 1:
                ax.set_xticks(grid, minor=True)
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.spines[["top", "right"]].set_visible(False)
            if c == 0:
                ax.set_ylabel("children")
            if r == len(arms) - 1:
                ax.set_xlabel("D rating")
    fig.suptitle("D rating by arm and timepoint")
    fig.subplots_adjust(bottom=0.18, top=0.86, wspace=0.15, hspace=0.55)
    _footnote(fig)
    return fig


def transition_counts(long: pd.DataFrame, arm: str, baseline: str, post: str, cats: Sequence[str]) -> pd.DataFrame:
    """Rows: ABCD at baseline; columns: ABCD at post; children coded at both."""
    done = long[(long["coding_status"] == STATUS_COMPLETE) & (long["arm"] == arm)]
    a = done[done["timepoint"] == baseline].set_index("participant_id")["abcd"]
    b = done[done["timepoint"] == post].set_index("participant_id")["abcd"]
    pair = pd.concat([a.rename("pre"), b.rename("post")], axis=1, join="inner").dropna()
    table = pd.crosstab(pair["pre"], pair["post"]).reindex(index=list(cats), columns=list(cats), fill_value=0)
    return table.astype(int)


def transitions(summary: TrialSummary, long: pd.DataFrame) -> Figure:
    """Baseline -> post ABCD transitions, one matrix per arm (diagonal = unchanged)."""
    arms = list(summary.arms)
    cats = list(summary.abcd_categories)
    fig = _new(3.9 * max(1, len(arms)) + 0.6, 4.4)
    for i, arm in enumerate(arms):
        ax = fig.add_subplot(1, max(1, len(arms)), i + 1)
        if summary.baseline and summary.post:
            t = transition_counts(long, arm, summary.baseline, summary.post, cats)
        else:
            t = pd.DataFrame(0, index=cats, columns=cats)
        m = t.to_numpy()
        ax.imshow(m, cmap="Blues", vmin=0, vmax=max(1, m.max()))
        for r in range(len(cats)):
            for c in range(len(cats)):
                ax.text(c, r, str(m[r, c]), ha="center", va="center", fontsize=10,
                        color="white" if m[r, c] > 0.6 * max(1, m.max()) else "black",
                        fontweight="bold" if r == c else "normal")
        ax.set_xticks(range(len(cats)), cats)
        ax.set_yticks(range(len(cats)), cats)
        ax.set_xlabel(f"at {summary.post}")
        ax.set_ylabel(f"at {summary.baseline}")
        ax.set_title(f"{arm} (n={int(m.sum())})")
    fig.suptitle(f"Classification {summary.baseline} \u2192 {summary.post} (children coded at both)")
    fig.subplots_adjust(bottom=0.2, top=0.83, wspace=0.35)
    _footnote(fig)
    return fig


def make_figures(summary: TrialSummary, long: pd.DataFrame) -> dict[str, Figure]:
    return {"abcd_by_arm": abcd_by_arm(summary), "d_rating_distribution": d_rating_distribution(summary, long),
            "transitions": transitions(summary, long)}


def write_figures(summary: TrialSummary, long: pd.DataFrame, folder: str | Path,
                  progress: Callable[[int, int, str], None] | None = None) -> list[Path]:
    """Write every figure as PNG and SVG into ``folder`` (created if missing), atomically."""
    folder = ensure_folder(folder)
    figures = make_figures(summary, long)
    targets = [folder / f"{name}.{ext}" for name in figures for ext in ("png", "svg")]
    for target in targets:
        check_writable(target)
    written = []
    with staged_files(targets) as staged:  # the figures of one run go in together
        for (name, fig), pair in zip(figures.items(), zip(staged[::2], staged[1::2])):
            for ext, path in zip(("png", "svg"), pair):
                buf = io.BytesIO()
                fig.savefig(buf, format=ext, metadata={"Date": None} if ext == "svg" else None)
                atomic_write_bytes(path, buf.getvalue())
                written.append(folder / path.name)
                if progress:
                    progress(len(written), len(targets), path.name)
    return written
