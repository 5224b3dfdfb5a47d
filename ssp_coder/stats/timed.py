"""Agreement between two coders' timed events.

An event is ``(code, onset_s, offset_s)``; ``offset_s=None`` marks a point
event. Tuples, mappings with those keys, or any object with those three
attributes are accepted. Pure numpy/scipy, no knowledge of the Strange
Situation.

Four views of agreement:

* :func:`overlap_kappa` -- duration-weighted Cohen's kappa on the exact
  overlap of the coders' state events (no grid; the limit of time-slice
  kappa as the slice shrinks to 0).
* :func:`time_slice_kappa` -- BORIS-compatible time-unit kappa (Bakeman &
  Quera 2011, p. 77) on a grid of scan instants.
* :func:`event_agreement` -- one-to-one matching of onsets within a
  tolerance window.
* :func:`boundary_agreement` -- differences between episode boundaries.

Bad input (offset before onset, non-finite times, start not before end)
raises :class:`ValueError` naming the offending event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ._events import _check_window, _parse, _sorted_codes

__all__ = [
    "OverlapKappa",
    "TimeSliceKappa",
    "EventAgreement",
    "CodeEventAgreement",
    "BoundaryAgreement",
    "overlap_kappa",
    "time_slice_kappa",
    "event_agreement",
    "boundary_agreement",
    "NONE_LABEL",
]

#: Label of "nothing coded" in contingency tables.
NONE_LABEL = "(none)"

# Time-slice grids work in integer half-microseconds, exact like BORIS's
# Decimal arithmetic for the millisecond times BORIS stores.
_TICKS_PER_S = 2_000_000


# --------------------------------------------------------------------------- #
# results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class OverlapKappa:
    """Duration-weighted kappa over the elementary intervals of [start_s, end_s].

    ``table``: seconds spent in each (coder 1 label, coder 2 label) pair, rows
    coder 1. ``per_code``: code -> duration-weighted kappa of present/absent
    (NaN when pe = 1, e.g. a code neither coder used).
    """

    kappa: float
    per_code: dict[Any, float]
    duration_s: float
    n_intervals: int
    table: pd.DataFrame = field(repr=False)
    po: float = math.nan
    pe: float = math.nan


@dataclass(frozen=True)
class TimeSliceKappa:
    """Time-unit kappa. ``n_slices`` scan instants, ``n_units`` = instants x subjects."""

    kappa: float
    n_slices: int
    table: pd.DataFrame = field(repr=False)
    n_units: int = 0
    slice_s: float = math.nan
    start_s: float = math.nan
    end_s: float = math.nan
    po: float = math.nan
    pe: float = math.nan


@dataclass(frozen=True)
class CodeEventAgreement:
    """Matched onsets for one code."""

    agreements: int
    commissions: int
    omissions: int
    index: float


@dataclass(frozen=True)
class EventAgreement:
    """Onset matching within a tolerance.

    ``commissions``: events of coder 2 without a partner in coder 1;
    ``omissions``: events of coder 1 without a partner in coder 2;
    ``index`` = agreements / (agreements + commissions + omissions).
    ``matches``: (code, onset 1, onset 2) of every matched pair.
    """

    agreements: int
    commissions: int
    omissions: int
    per_code: dict[Any, CodeEventAgreement]
    index: float
    tolerance_s: float = 0.0
    matches: tuple[tuple[Any, float, float], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class BoundaryAgreement:
    """Differences (coder 2 - coder 1, seconds) of the boundaries both coders set.

    ``per_boundary`` maps (episode, "onset" | "offset") to the signed difference.
    """

    mean_abs_diff_s: float
    max_abs_diff_s: float
    n_boundaries: int
    per_boundary: dict[tuple[Any, str], float]


def _kappa_from_table(tab: np.ndarray) -> tuple[float, float, float]:
    """(kappa, po, pe) of a weighted square table; kappa NaN when pe = 1."""
    total = tab.sum()
    p = tab / total
    po = float(np.trace(p))
    pe = float(p.sum(axis=1) @ p.sum(axis=0))
    if pe >= 1.0 - 1e-12:
        return math.nan, po, pe
    return (po - pe) / (1.0 - pe), po, pe


def _label_names(active: np.ndarray, codes: Sequence[Any]) -> str:
    parts = [str(c) for c, n in zip(codes, active) for _ in range(int(n))]
    return "+".join(parts) if parts else NONE_LABEL


def _encode_rows(mats: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Integer label ids for the rows of several count matrices (same columns).

    Returns the id arrays (one per matrix) and one representative row per id.
    """
    stacked = np.concatenate(mats, axis=0)
    ncol = stacked.shape[1]
    if ncol == 0:
        keys = np.zeros(stacked.shape[0], dtype=np.int64)
        uniq, inv = np.unique(keys, return_inverse=True)
        reps = np.zeros((uniq.size, 0), dtype=np.int64)
    else:
        bases = stacked.max(axis=0).astype(np.int64) + 1
        if float(np.prod(bases.astype(float))) < 2.0**62:
            mult = np.concatenate([[1], np.cumprod(bases[:-1])]).astype(np.int64)
            keys = stacked.astype(np.int64) @ mult
            uniq, first, inv = np.unique(keys, return_index=True, return_inverse=True)
            reps = stacked[first]
        else:  # pragma: no cover - needs > 62 bits of label space
            reps, inv = np.unique(stacked, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
    out, pos = [], 0
    for m in mats:
        out.append(inv[pos : pos + m.shape[0]])
        pos += m.shape[0]
    return out, reps


def _table(ids1: np.ndarray, ids2: np.ndarray, n_labels: int, weights: np.ndarray | None) -> np.ndarray:
    flat = np.bincount(ids1 * n_labels + ids2, weights=weights, minlength=n_labels * n_labels)
    return flat.reshape(n_labels, n_labels).astype(float)


# --------------------------------------------------------------------------- #
# overlap (duration-weighted) kappa
# --------------------------------------------------------------------------- #
def _state_activity(
    parsed: list[tuple[Any, float, float | None]],
    pos: dict[Any, int],
    bounds: np.ndarray,
    start: float,
    end: float,
) -> np.ndarray:
    """codes x intervals matrix: 1 where the code is active over the interval."""
    n_codes, n_int = len(pos), bounds.size - 1
    rows = [(pos[c], max(on, start), min(off, end)) for c, on, off in parsed if off is not None and c in pos]
    if not rows:
        return np.zeros((n_codes, n_int), dtype=np.int64)
    arr = np.asarray(rows, dtype=float)
    keep = arr[:, 2] > arr[:, 1]
    arr = arr[keep]
    ci = arr[:, 0].astype(np.int64)
    i0 = np.searchsorted(bounds, arr[:, 1])
    i1 = np.searchsorted(bounds, arr[:, 2])
    width = n_int + 1
    size = n_codes * width
    diff = np.bincount(ci * width + i0, minlength=size) - np.bincount(ci * width + i1, minlength=size)
    depth = np.cumsum(diff.reshape(n_codes, width), axis=1)[:, :-1]
    return (depth > 0).astype(np.int64)


def overlap_kappa(
    events1: Iterable[Any],
    events2: Iterable[Any],
    *,
    start_s: float,
    end_s: float,
    codes: Sequence[Any] | None = None,
) -> OverlapKappa:
    """Duration-weighted Cohen's kappa on the exact overlap of state events.

    The boundaries of both coders' state events, with ``start_s`` and
    ``end_s``, cut [start_s, end_s] into elementary intervals [b_k, b_k+1).
    A coder's label on an interval is the set of state codes active on it
    (a code is active on [onset, offset)); the empty set, shown as
    ``"(none)"``, is a category of its own. Cohen's kappa is computed on the
    table of label pairs weighted by interval length. Point events
    (offset None) are ignored; parts of events outside the window are cut
    off. ``codes`` restricts the analysis to those codes (others ignored)
    and fixes the keys of ``per_code``. Kappa is NaN when pe = 1.
    """
    start, end = _check_window(start_s, end_s)
    p1, p2 = _parse(events1, "coder 1"), _parse(events2, "coder 2")
    if codes is None:
        code_list = _sorted_codes(c for c, _, off in p1 + p2 if off is not None)
    else:
        code_list = list(dict.fromkeys(codes))
    pos = {c: i for i, c in enumerate(code_list)}
    cuts = [start, end]
    for c, on, off in p1 + p2:
        if off is not None and c in pos:
            cuts.append(min(max(on, start), end))
            cuts.append(min(max(off, start), end))
    bounds = np.unique(np.asarray(cuts, dtype=float))
    dur = np.diff(bounds)
    a1 = _state_activity(p1, pos, bounds, start, end)
    a2 = _state_activity(p2, pos, bounds, start, end)
    (ids1, ids2), reps = _encode_rows([a1.T, a2.T])
    n_labels = reps.shape[0]
    tab = _table(ids1, ids2, n_labels, dur)
    kappa, po, pe = _kappa_from_table(tab)
    total = float(dur.sum())
    per_code: dict[Any, float] = {}
    if code_list:
        q1 = (a1 @ dur) / total
        q2 = (a2 @ dur) / total
        q12 = ((a1 * a2) @ dur) / total
        agree = 1.0 - (q1 + q2 - 2.0 * q12)
        chance = q1 * q2 + (1.0 - q1) * (1.0 - q2)
        for c, i in pos.items():
            per_code[c] = float((agree[i] - chance[i]) / (1.0 - chance[i])) if chance[i] < 1.0 - 1e-12 else math.nan
    names = [_label_names(r, code_list) for r in reps]
    frame = pd.DataFrame(tab, index=pd.Index(names, name="coder 1"), columns=pd.Index(names, name="coder 2"))
    return OverlapKappa(kappa, per_code, end - start, int(dur.size), frame, po, pe)


# --------------------------------------------------------------------------- #
# BORIS-compatible time-slice kappa
# --------------------------------------------------------------------------- #
def _ticks(x: np.ndarray | float) -> np.ndarray:
    """Seconds -> integer half-microseconds (times quantized to 1 microsecond)."""
    return np.rint(np.asarray(x, dtype=float) * 1e6).astype(np.int64) * 2


def _by_subject(events: Any, who: str) -> dict[Any, list[tuple[Any, float, float | None]]]:
    if isinstance(events, Mapping):
        return {s: _parse(ev, f"{who}, subject {s!r}") for s, ev in events.items()}
    return {None: _parse(events, who)}


def time_slice_kappa(
    events1: Any,
    events2: Any,
    *,
    slice_s: float,
    start_s: float | None = None,
    end_s: float | None = None,
) -> TimeSliceKappa:
    """Time-unit kappa, compatible with BORIS's "Cohen's kappa (time-unit)".

    Scan instants are t = start_s + i * slice_s for i = 0, 1, ... while
    t <= end_s. By default (as in BORIS) start_s is the earliest onset and
    end_s the latest offset (or point time) of either coder, so the grid
    phase depends on the data; pass ``start_s`` (e.g. the episode start) for
    a fixed origin. At each instant a coder's label is the *multiset* of
    codes of state events with onset <= t <= offset (both ends inclusive)
    and of point events with |time - t| <= slice_s / 2 (inclusive); the
    empty label is a category of its own. One pair of labels per instant
    (per subject) enters the table and kappa = (A - E) / (N - E) with A the
    agreements and E = sum r_i c_i / N; kappa = 1 when N = E (BORIS's rule;
    note this differs from the NaN convention of the other functions).

    ``events1``/``events2`` may also be mappings subject -> events: each
    instant then contributes one pair per subject (the union of both
    mappings' subjects), and, as in BORIS, a code's label includes its
    subject ("subject1:cry" and "subject2:cry" are different categories).

    The kappa is not rounded (BORIS prints 3 decimals). Times are quantized
    to 1 microsecond and compared exactly, like BORIS's Decimal grid;
    BORIS's float test for points lying exactly halfway between two
    instants can differ, so agreement with BORIS holds at its 3 decimals.
    """
    try:
        step = float(slice_s)
    except (TypeError, ValueError):
        raise ValueError(f"slice_s must be a number, got {slice_s!r}") from None
    if not math.isfinite(step) or step <= 0:
        raise ValueError(f"slice_s must be positive, got {slice_s!r}")
    d = int(_ticks(step))
    if d <= 0:
        raise ValueError(f"slice_s must be at least 1 microsecond, got {slice_s!r}")
    s1, s2 = _by_subject(events1, "coder 1"), _by_subject(events2, "coder 2")
    subjects = list(dict.fromkeys(list(s1) + list(s2)))
    every = [e for s in (s1, s2) for evs in s.values() for e in evs]
    if start_s is None or end_s is None:
        if not every:
            raise ValueError("no recorded events: give start_s and end_s or some events")
    lo = min(e[1] for e in every) if start_s is None else float(start_s)
    hi = max(e[1] if e[2] is None else e[2] for e in every) if end_s is None else float(end_s)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("start_s and end_s must be finite")
    if lo > hi or (lo == hi and (start_s is not None or end_s is not None)):
        raise ValueError(f"start_s ({lo:g}) must be before end_s ({hi:g})")
    t0, t_end = int(_ticks(lo)), int(_ticks(hi))
    n = (t_end - t0) // d + 1
    grid = t0 + np.arange(n, dtype=np.int64) * d
    half = d // 2
    keyed = [(s, c, "state" if off is not None else "point") for src in (s1, s2) for s, evs in src.items()
             for c, _, off in evs]
    cols = _sorted_codes(k for k in keyed if k[2] == "state") + _sorted_codes(k for k in keyed if k[2] == "point")
    col_pos = {c: i for i, c in enumerate(cols)}

    def counts(subject: Any, evs: list[tuple[Any, float, float | None]]) -> np.ndarray:
        out = np.zeros((n, len(cols)), dtype=np.int64)
        groups: dict[tuple[Any, Any, str], list[tuple[float, float | None]]] = {}
        for c, on, off in evs:
            groups.setdefault((subject, c, "point" if off is None else "state"), []).append((on, off))
        for key, rows in groups.items():
            j = col_pos[key]
            if key[2] == "state":
                ons = np.sort(_ticks([r[0] for r in rows]))
                offs = np.sort(_ticks([r[1] for r in rows]))
                out[:, j] = np.searchsorted(ons, grid, "right") - np.searchsorted(offs, grid, "left")
            else:
                pts = np.sort(_ticks([r[0] for r in rows]))
                out[:, j] = np.searchsorted(pts, grid + half, "right") - np.searchsorted(pts, grid - half, "left")
        return out

    m1 = [counts(s, s1.get(s, [])) for s in subjects]
    m2 = [counts(s, s2.get(s, [])) for s in subjects]
    ids, reps = _encode_rows(m1 + m2)
    k = len(subjects)
    ids1, ids2 = np.concatenate(ids[:k]), np.concatenate(ids[k:])
    n_labels = reps.shape[0]
    tab = np.bincount(ids1 * n_labels + ids2, minlength=n_labels * n_labels).reshape(n_labels, n_labels)
    total = int(tab.sum())
    agree = int(np.trace(tab))
    rc = int(tab.sum(axis=1) @ tab.sum(axis=0))
    if rc == total * total:
        kappa = 1.0
    else:
        expected = rc / total
        kappa = (agree - expected) / (total - expected)
    po, pe = agree / total, rc / total**2
    names = [_label_names(r, [c if s is None else f"{s}:{c}" for s, c, _ in cols]) for r in reps]
    frame = pd.DataFrame(
        tab.astype(np.int64), index=pd.Index(names, name="coder 1"), columns=pd.Index(names, name="coder 2")
    )
    return TimeSliceKappa(float(kappa), int(n), frame, total, step, lo, hi, po, pe)


# --------------------------------------------------------------------------- #
# event matching
# --------------------------------------------------------------------------- #
def _match(on1: np.ndarray, on2: np.ndarray, tol: float) -> list[tuple[int, int]]:
    """Maximum one-to-one matching within tol; ties broken by least total |diff|."""
    if on1.size == 0 or on2.size == 0:
        return []
    diff = np.abs(on1[:, None] - on2[None, :])
    ok = diff <= tol + 1e-9
    if not ok.any():
        return []
    big = (min(on1.size, on2.size) + 1) * (tol + 1.0)
    cost = np.where(ok, diff, big)
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if ok[r, c]]


def event_agreement(events1: Iterable[Any], events2: Iterable[Any], *, tolerance_s: float) -> EventAgreement:
    """Match the two coders' event onsets one-to-one, per code, within a tolerance.

    Onsets of the same code match when |onset1 - onset2| <= tolerance_s.
    The matching is optimal, not greedy: scipy's linear_sum_assignment
    finds the largest number of matched pairs and, among those, the least
    total time difference. Both state and point events take part (by
    onset). ``index`` = agreements / (agreements + commissions + omissions)
    (NaN when neither coder has an event); it is a plain proportion, not a
    chance-corrected kappa.
    """
    try:
        tol = float(tolerance_s)
    except (TypeError, ValueError):
        raise ValueError(f"tolerance_s must be a number, got {tolerance_s!r}") from None
    if not math.isfinite(tol) or tol < 0:
        raise ValueError(f"tolerance_s must be a non-negative number, got {tolerance_s!r}")
    p1, p2 = _parse(events1, "coder 1"), _parse(events2, "coder 2")
    codes = _sorted_codes(c for c, _, _ in p1 + p2)
    per_code: dict[Any, CodeEventAgreement] = {}
    matches: list[tuple[Any, float, float]] = []
    tot_a = tot_c = tot_o = 0
    for code in codes:
        on1 = np.sort(np.asarray([on for c, on, _ in p1 if c == code], dtype=float))
        on2 = np.sort(np.asarray([on for c, on, _ in p2 if c == code], dtype=float))
        pairs = _match(on1, on2, tol)
        a = len(pairs)
        com, om = on2.size - a, on1.size - a
        per_code[code] = CodeEventAgreement(a, com, om, a / (a + com + om) if a + com + om else math.nan)
        matches.extend((code, float(on1[i]), float(on2[j])) for i, j in sorted(pairs))
        tot_a, tot_c, tot_o = tot_a + a, tot_c + com, tot_o + om
    denom = tot_a + tot_c + tot_o
    return EventAgreement(
        tot_a, tot_c, tot_o, per_code, tot_a / denom if denom else math.nan, tol, tuple(matches)
    )


# --------------------------------------------------------------------------- #
# episode boundaries
# --------------------------------------------------------------------------- #
def _boundary(value: Any, who: str, episode: Any) -> tuple[float | None, float | None]:
    try:
        onset, offset = value
    except (TypeError, ValueError):
        raise ValueError(f"{who}, episode {episode!r}: expected (onset_s, offset_s), got {value!r}") from None
    out = []
    for v in (onset, offset):
        if v is None:
            out.append(None)
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{who}, episode {episode!r}: times must be numbers, got {value!r}") from None
        if not math.isfinite(f):
            raise ValueError(f"{who}, episode {episode!r}: times must be finite, got {value!r}")
        out.append(f)
    if out[0] is not None and out[1] is not None and out[1] < out[0]:
        raise ValueError(f"{who}, episode {episode!r}: offset {out[1]:g} s is before onset {out[0]:g} s")
    return out[0], out[1]


def boundary_agreement(
    boundaries1: Mapping[Any, Sequence[float | None]], boundaries2: Mapping[Any, Sequence[float | None]]
) -> BoundaryAgreement:
    """Mean absolute and largest difference of the episode boundaries both coders set.

    ``boundaries1``/``boundaries2`` map episode -> (onset_s, offset_s); a
    None time is a boundary that coder did not set. Only boundaries present
    in both mappings count; differences are coder 2 - coder 1. Raises
    ValueError when the coders share no boundary.
    """
    b1 = {k: _boundary(v, "coder 1", k) for k, v in boundaries1.items()}
    b2 = {k: _boundary(v, "coder 2", k) for k, v in boundaries2.items()}
    per: dict[tuple[Any, str], float] = {}
    for ep, (on1, off1) in b1.items():
        if ep not in b2:
            continue
        on2, off2 = b2[ep]
        if on1 is not None and on2 is not None:
            per[(ep, "onset")] = on2 - on1
        if off1 is not None and off2 is not None:
            per[(ep, "offset")] = off2 - off1
    if not per:
        raise ValueError("the two coders share no episode boundary")
    diffs = np.abs(np.fromiter(per.values(), dtype=float))
    return BoundaryAgreement(float(diffs.mean()), float(diffs.max()), len(per), per)
