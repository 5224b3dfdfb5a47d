"""Agreement on what was coded in time: behaviour events, D-index marks, episode boundaries.

For each pair the window is the union of the two codings' procedure, from
the earlier start of episode 1 to the later end of the last episode (without
boundaries: the span of both codings' events). Pairs are pooled by laying
their windows end to end on one time axis, so a pooled kappa weighs every
session by its length, exactly as one long recording would be weighed.

* State behaviours: duration-weighted overlap kappa (``stats.timed.overlap_kappa``),
  over all state codes together and per code (present/absent).
* Point behaviours and D-index marks: one-to-one onset matching within a
  tolerance (``stats.timed.event_agreement``), per session, with the
  agreements, commissions and omissions summed over sessions. The tolerances are settings,
  ``event_tolerance_s`` and ``d_index_tolerance_s``, both 2 s by default:
  a convention, not a published rule.
* Episode boundaries: mean and largest absolute difference
  (``stats.timed.boundary_agreement``), pooled and per episode.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ssp_coder.domain.scheme import Scheme
from ssp_coder.reliability.pairs import CodingPair
from ssp_coder.stats.timed import boundary_agreement, event_agreement, overlap_kappa
from ssp_coder.store.reliability_sql import TimedData

TIMED_COLUMNS = ["pair", "item", "kind", "statistic", "value", "n_sessions", "agreements", "commissions",
                 "omissions", "n_boundaries", "max_abs_diff_s", "duration_s"]
DEFAULT_TOLERANCE_S = 2.0


def _window(a: TimedData, b: TimedData, last_episode: int) -> tuple[float, float] | None:
    starts = [d.boundaries[1].onset_ms for d in (a, b) if 1 in d.boundaries and d.boundaries[1].onset_ms is not None]
    ends = [d.boundaries[last_episode].offset_ms for d in (a, b)
            if last_episode in d.boundaries and d.boundaries[last_episode].offset_ms is not None]
    if not starts or not ends:
        times = [t for d in (a, b) for e in d.events for t in (e.onset_ms, e.offset_ms) if t is not None]
        times += [m.time_ms for d in (a, b) for m in d.d_indices]
        if not times:
            return None
        starts, ends = starts or [min(times)], ends or [max(times)]
    lo, hi = min(starts) / 1000.0, max(ends) / 1000.0
    return (lo, hi) if hi > lo else None


def _clip_states(events: Iterable[Any], lo: float, hi: float, shift: float, codes: set[str]) -> list[tuple]:
    out = []
    for e in events:
        if e.code not in codes or e.offset_ms is None:
            continue
        on, off = max(e.onset_ms / 1000.0, lo), min(e.offset_ms / 1000.0, hi)
        if off > on:
            out.append((e.code, on - lo + shift, off - lo + shift))
    return out


def _points(items: Iterable[tuple[str, float]], lo: float, hi: float, shift: float) -> list[tuple]:
    return [(code, t - lo + shift, None) for code, t in items if lo <= t <= hi]


def _index(agreements: int, commissions: int, omissions: int) -> float:
    """agreements / (agreements + commissions + omissions), as ``stats.timed.event_agreement`` defines it."""
    total = agreements + commissions + omissions
    return agreements / total if total else math.nan


def _group_rows(label: str, pairs: list[CodingPair], data: dict[int, TimedData], scheme: Scheme,
                event_tol: float, d_tol: float) -> list[dict[str, Any]]:
    state_codes = sorted(b.code for b in scheme.behaviours if b.is_state)
    point_codes = sorted(b.code for b in scheme.behaviours if not b.is_state)
    states_set = set(state_codes)
    last = scheme.episode_numbers[-1]
    s1: list[tuple] = []
    s2: list[tuple] = []
    # point events and D marks are matched per session (matching is quadratic in the events of one code,
    # so pooling would be slow) and the counts summed: the same result, as no match crosses sessions
    counts: dict[str, dict[str, list[int]]] = {"point": {}, "d_index": {}}
    bdiffs: dict[int, list[float]] = {}
    shift = 0.0
    used = 0
    for pr in pairs:
        a, b = data[pr.primary_id], data[pr.reliability_id]
        win = _window(a, b, last)
        if win is None:
            continue
        lo, hi = win
        used += 1
        s1 += _clip_states(a.events, lo, hi, shift, states_set)
        s2 += _clip_states(b.events, lo, hi, shift, states_set)
        shift += hi - lo
        for kind, tol, (e1, e2) in (
                ("point", event_tol, ([(e.code, e.onset_ms / 1000.0) for e in a.events if e.offset_ms is None
                                       and e.kind == "point"],
                                      [(e.code, e.onset_ms / 1000.0) for e in b.events if e.offset_ms is None
                                       and e.kind == "point"])),
                ("d_index", d_tol, ([(m.group, m.time_ms / 1000.0) for m in a.d_indices],
                                    [(m.group, m.time_ms / 1000.0) for m in b.d_indices]))):
            p1, p2 = _points(e1, lo, hi, 0.0), _points(e2, lo, hi, 0.0)
            if not p1 and not p2:
                continue
            ea = event_agreement(p1, p2, tolerance_s=tol)
            for code, c in ea.per_code.items():
                tot = counts[kind].setdefault(code, [0, 0, 0])
                tot[0] += c.agreements
                tot[1] += c.commissions
                tot[2] += c.omissions
        ba = {ep: (x.onset_ms / 1000.0 if x.onset_ms is not None else None,
                   x.offset_ms / 1000.0 if x.offset_ms is not None else None) for ep, x in a.boundaries.items()}
        bb = {ep: (x.onset_ms / 1000.0 if x.onset_ms is not None else None,
                   x.offset_ms / 1000.0 if x.offset_ms is not None else None) for ep, x in b.boundaries.items()}
        try:
            res = boundary_agreement(ba, bb)
        except ValueError:
            res = None  # no boundary set by both coders
        if res is not None:
            for (ep, _side), d in res.per_boundary.items():
                bdiffs.setdefault(int(ep), []).append(float(d))
    rows: list[dict[str, Any]] = []

    def row(item: str, kind: str, statistic: str, value: float, **extra: Any) -> None:
        r = dict.fromkeys(TIMED_COLUMNS, math.nan)
        r.update(pair=label, item=item, kind=kind, statistic=statistic, value=value, n_sessions=used, **extra)
        rows.append(r)

    if used and shift > 0:
        ok = overlap_kappa(s1, s2, start_s=0.0, end_s=shift, codes=state_codes)
        row("all state behaviours", "state", "overlap kappa", ok.kappa, duration_s=ok.duration_s)
        for code in state_codes:
            row(code, "state", "overlap kappa", ok.per_code.get(code, math.nan), duration_s=ok.duration_s)
    for kind, tol, codes in (("point", event_tol, point_codes), ("d_index", d_tol, list(scheme.d_groups))):
        if not used:
            continue
        stat = f"match index (±{tol:g} s)"
        per = counts[kind]
        agree, com, om = (sum(v[i] for v in per.values()) for i in range(3))
        row("all point behaviours" if kind == "point" else "all D indices", kind, stat,
            _index(agree, com, om), agreements=agree, commissions=com, omissions=om)
        for code in codes:
            if code in per:
                a_, c_, o_ = per[code]
                row(code if kind == "point" else f"D index {code}", kind, stat, _index(a_, c_, o_),
                    agreements=a_, commissions=c_, omissions=o_)
    if bdiffs:
        every = np.abs(np.concatenate([np.asarray(v) for v in bdiffs.values()]))
        row("all episode boundaries", "boundary", "mean |difference| (s)", float(every.mean()),
            n_boundaries=int(every.size), max_abs_diff_s=float(every.max()))
        for ep in sorted(bdiffs):
            d = np.abs(np.asarray(bdiffs[ep]))
            row(f"episode {ep}", "boundary", "mean |difference| (s)", float(d.mean()), n_boundaries=int(d.size),
                max_abs_diff_s=float(d.max()))
    return rows


def timed_table(groups: dict[str, list[CodingPair]], data: dict[int, TimedData], scheme: Scheme,
                settings: dict[str, Any]) -> pd.DataFrame:
    """One row per (group of pairs, item, statistic); ``groups`` maps a label ("all", "Ann & Bob") to pairs."""
    event_tol = float(settings.get("event_tolerance_s", DEFAULT_TOLERANCE_S))
    d_tol = float(settings.get("d_index_tolerance_s", DEFAULT_TOLERANCE_S))
    rows: list[dict[str, Any]] = []
    for label, pairs in groups.items():
        rows += _group_rows(label, pairs, data, scheme, event_tol, d_tol)
    return pd.DataFrame(rows, columns=TIMED_COLUMNS)
