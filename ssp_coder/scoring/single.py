"""Scoring one coding: a pure function over plain data.

This is the reference implementation of every variable (the coding window
and the tests use it); ``bulk.py`` computes the same numbers for many
codings at once and a test checks that the two agree.

Rules (docs/scoring.md has the full text):
- An episode's window is [onset, offset) and exists only when both are set.
- Counts (``{code}_n_e{n}``, approach latency) assign an event to the episode
  whose window contains its onset (lowest-numbered if windows overlap).
- Durations, crying intervals and crying latency clip closed state events to
  the window; overlapping events of one code are merged (never counted twice).
- Open state events (no offset) are left out of durations and get a warning.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from ssp_coder.domain.model import CodingState
from ssp_coder.domain.scheme import Scheme
from ssp_coder.scoring.catalogue import approach_enabled, cry_enabled
from ssp_coder.scoring.checks import _group, check_coding, collapse_abcd, scored_span

NAN = math.nan


def windows(state: CodingState, scheme: Scheme) -> dict[int, tuple[int, int]]:
    out = {}
    for n in scheme.episode_numbers:
        b = state.boundaries.get(n)
        if b is not None and b.onset_ms is not None and b.offset_ms is not None:
            out[n] = (b.onset_ms, b.offset_ms)
    return out


def episode_of(t: int, wins: Mapping[int, tuple[int, int]]) -> int | None:
    for n in sorted(wins):
        on, off = wins[n]
        if on <= t < off:
            return n
    return None


def union_ms(segments: list[tuple[int, int]]) -> int:
    total, reach = 0, -math.inf
    for a, b in sorted(segments):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return int(total)


def clip(events, on: int, off: int) -> list[tuple[int, int]]:
    """Closed state events clipped to [on, off), relative to on; empty overlaps dropped."""
    out = []
    for e in events:
        if e.offset_ms is None:
            continue
        a, b = max(e.onset_ms, on), min(e.offset_ms, off)
        if a < b:
            out.append((a - on, b - on))
    return out


def classification_vars(state: CodingState, scheme: Scheme, s: Mapping[str, Any]) -> dict[str, Any]:
    r = state.result
    code = r.classification
    group = _group(scheme, code)
    abcd = collapse_abcd(scheme, s, code)
    if group == "D":
        abc_forced = scheme.forced_group(r.forced_secondary)   # B3 -> B, and B (main category only) -> B
    elif group in ("CC", "U"):
        abc_forced = None
    else:
        abc_forced = group
    shown = code
    if code and r.forced_secondary:
        shown = f"{code}/{r.forced_secondary}"
    d = r.d_rating
    return {
        "classification": shown,
        "abcd": abcd,
        "abcd_subgroup": code,
        "forced_secondary": r.forced_secondary,
        "abc_forced": abc_forced,
        "secure": NAN if abcd is None else float(abcd == "B"),
        "disorganized": NAN if abcd is None else float(abcd == "D"),
        "cc": NAN if group is None else float(group == "CC"),
        "d_rating": NAN if d is None else float(d),
        "d_high": NAN if d is None else float(d >= float(s["d_cutoff"])),
    }


def score_state(state: CodingState, scheme: Scheme, settings: Mapping[str, Any],
                video_duration_ms: int | None = None) -> dict[str, Any]:
    """All variables of one coding (no identifier columns), keyed by column name."""
    from ssp_coder.scoring.settings import scoring_settings

    s = scoring_settings(scheme, settings)
    row: dict[str, Any] = classification_vars(state, scheme, s)

    start, end = scored_span(state, scheme)
    marks = [m for m in state.d_indices if start <= m.time_ms < end]
    row["d_index_count"] = len(marks)
    for g in scheme.d_groups:
        row[f"d_index_{g}"] = sum(1 for m in marks if m.group == g)

    for sc, ep, pa in scheme.scale_cells():
        v = state.scales.get((sc.id, ep, pa))
        row[sc.column(ep, pa)] = NAN if v is None else float(v)
    for name, comp in (s.get("composites") or {}).items():
        vals = [state.scales.get((comp["scale"], int(c[0]), c[1])) for c in comp["cells"]]
        if any(v is None for v in vals):
            row[name] = NAN
        else:
            op = comp.get("op", "mean")
            row[name] = float({"mean": lambda x: sum(x) / len(x), "sum": sum, "max": max, "min": min}[op](vals))

    wins = windows(state, scheme)
    for n in scheme.episode_numbers:
        b = state.boundaries.get(n)
        row[f"episode_{n}_s"] = (wins[n][1] - wins[n][0]) / 1000 if n in wins else NAN
        row[f"curtailed_e{n}"] = int(b is not None and b.flag == "curtailed")
        row[f"extended_e{n}"] = int(b is not None and b.flag == "extended")

    by_episode: dict[int, list] = {n: [] for n in wins}
    for e in state.events:
        n = episode_of(e.onset_ms, wins)
        if n is not None:
            by_episode[n].append(e)

    if cry_enabled(scheme, s):
        code = s["cry_code"]
        length = float(s["interval_s"]) * 1000
        cries = [e for e in state.events if e.code == code]
        for n in scheme.episode_numbers:
            if n not in wins:
                row[f"cry_intervals_e{n}"] = NAN
                row[f"cry_latency_e{n}"] = NAN
                continue
            on, off = wins[n]
            segs = clip(cries, on, off)
            hit = set()
            for a, b in segs:
                hit.update(range(math.floor(a / length), math.ceil(b / length)))
            count = float(len(hit))
            b = state.boundaries[n]
            if s["prorate"] and b.flag in ("curtailed", "extended"):
                count = count * float(s["prorate_to_s"]) * 1000 / (off - on)
            row[f"cry_intervals_e{n}"] = count
            row[f"cry_latency_e{n}"] = min(a for a, _ in segs) / 1000 if segs else NAN
    if approach_enabled(scheme, s):
        code = s["approach_code"]
        for n in s["approach_episodes"]:
            if n not in wins:
                row[f"approach_latency_e{n}"] = NAN
                continue
            times = [e.onset_ms for e in by_episode[n] if e.code == code]
            row[f"approach_latency_e{n}"] = (min(times) - wins[n][0]) / 1000 if times else NAN

    for beh in scheme.behaviours:
        for n in scheme.episode_numbers:
            row[f"{beh.code}_n_e{n}"] = (float(sum(1 for e in by_episode[n] if e.code == beh.code))
                                         if n in wins else NAN)
        if beh.is_state:
            mine = [e for e in state.events if e.code == beh.code]
            for n in scheme.episode_numbers:
                row[f"{beh.code}_s_e{n}"] = (union_ms(clip(mine, *wins[n])) / 1000 if n in wins else NAN)

    warnings = check_coding(state, scheme, s, video_duration_ms)
    row["warnings"] = "; ".join(w.text for w in warnings)
    return row
