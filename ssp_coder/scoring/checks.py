"""Consistency checks on one coding: warnings, never corrections.

``check_coding`` is pure (a ``CodingState``, the scheme and the settings in,
a list of ``ScoringWarning`` out); the coding window shows the list as hints
and the scorer writes it to the ``warnings`` column. The message texts are
built by the ``msg_*`` functions, which the vectorised scorer uses too, so
both paths word every finding identically. Order: by check (``RANK``), then
by episode or scale cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ssp_coder.domain.model import CodingState
from ssp_coder.domain.scheme import Scheme
from ssp_coder.domain.state_overlap import span_text, state_overlap_groups


@dataclass(frozen=True)
class ScoringWarning:
    code: str
    message: str
    severity: str = "warning"       # warning | info
    heuristic: bool = False

    @property
    def text(self) -> str:
        """As written to the ``warnings`` column (messages never contain ';', the separator)."""
        return f"{self.code}: {self.message}"


Warning = ScoringWarning  # the name the coding window and reliability use

RANK = {code: i for i, code in enumerate((
    "d_high_not_d", "d_low_but_d", "d_no_forced", "scale_missing", "scale_out_of_range", "scale_not_rated",
    "profile_b_avoidance", "profile_a_contact_resistance", "boundary_order", "boundary_overlap", "episode_length",
    "boundary_after_video", "events_before_start", "events_after_end", "open_state", "state_overlap"))}
HEURISTIC = {"profile_b_avoidance", "profile_a_contact_resistance"}


def fmt_ms(ms: float) -> str:
    s, milli = divmod(int(ms), 1000)
    m, s = divmod(s, 60)
    return f"{m:02d}:{s:02d}.{milli:03d}"


# -- message texts (shared with the vectorised path) -------------------------------
def msg_d_high_not_d(rating: float, cutoff: float, cls: str) -> str:
    return f"D rating {rating:g} is at or above the cut-off {cutoff:g} but the classification is {cls}, not D"


def msg_d_low_but_d(rating: float, cutoff: float) -> str:
    return f"classified D but the D rating {rating:g} is below the cut-off {cutoff:g}"


MSG_D_NO_FORCED = "classified D without a forced best-fitting secondary classification"


def msg_scale_missing(col: str) -> str:
    return f"required scale cell {col} has no rating"


def msg_scale_out_of_range(col: str, value: float, lo: float, hi: float, step: float) -> str:
    return f"{col} = {value:g} is not a value of the scale ({lo:g} to {hi:g} in steps of {step:g})"


def msg_scale_not_rated(col: str, value: float) -> str:
    return f"{col} = {value:g} is on a cell the scheme does not rate"


def msg_profile_b(cls: str, av: float, high: float) -> str:
    return (f"classified {cls} (secure) but mean reunion avoidance is {av:g} (>= {high:g}) "
            "(profile heuristic, not a rule)")


def msg_profile_a(cls: str, cm: float, rs: float, high: float) -> str:
    return (f"classified {cls} (avoidant) but mean reunion contact maintaining {cm:g} and resistance {rs:g} "
            f"are both >= {high:g} (profile heuristic, not a rule)")


def msg_boundary_order(n: int, prev: int) -> str:
    return f"episode {n} starts before episode {prev} starts"


def msg_boundary_overlap(n: int, prev: int, onset: float, prev_offset: float) -> str:
    return f"episode {n} starts at {fmt_ms(onset)}, before episode {prev} ends at {fmt_ms(prev_offset)}"


def msg_episode_length(n: int, length_s: float, nominal_s: float) -> str:
    return (f"episode {n} lasts {length_s:.1f} s, far from the nominal {nominal_s:g} s, and is not flagged "
            "curtailed or extended")


def msg_after_video(n: int) -> str:
    return f"episode {n} ends after the end of the video"


def msg_before_start(k: int) -> str:
    return f"{k} event(s) or D-index mark(s) before the start of episode 1 (not scored)"


def msg_after_end(k: int, last: int) -> str:
    return f"{k} event(s) or D-index mark(s) after the end of episode {last} (not scored)"


def msg_open_state(k: int, code: str, onset: float) -> str:
    return f"{k} state event(s) without an offset (not in durations), the first '{code}' at {fmt_ms(onset)}"


def msg_state_overlap(code: str, spans: list[tuple[int, int]]) -> str:
    return msg_state_overlap_joined(code, ", ".join(span_text(a, b) for a, b in spans))


def msg_state_overlap_joined(code: str, spans: str) -> str:
    return (f"'{code}' intervals {spans} overlap (scoring counts the time once, but the data and agreement tables "
            "carry both: merge them into one interval)")


def make(code: str, message: str) -> ScoringWarning:
    return ScoringWarning(code, message, "warning", code in HEURISTIC)


# -- the checks -------------------------------------------------------------------------
def _group(scheme: Scheme, code: str | None) -> str | None:
    if not code:
        return None
    try:
        return scheme.classification(code).group
    except KeyError:
        return None


def collapse_abcd(scheme: Scheme, settings: Mapping[str, Any], code: str | None) -> str | None:
    """A1..C2 -> A/B/C, D -> D; CC and U as the settings say (a group or None)."""
    g = _group(scheme, code)
    if g == "CC":
        h = settings["cc_handling"]
        return None if h == "missing" else h
    if g == "U":
        h = settings["unclassifiable_handling"]
        return None if h == "missing" else h
    return g


def reunion_mean(scheme: Scheme, state_scales: Mapping, scale: str, cells: list) -> float | None:
    """Mean of a scale over cells; None if any cell is missing or not rated by the scheme."""
    sc = scheme.scale(scale)
    vals = [state_scales.get((scale, int(ep), pa)) if sc.rates(int(ep), pa) else None for ep, pa in cells]
    if not vals or any(v is None for v in vals):
        return None
    return sum(vals) / len(vals)


def check_coding(state: CodingState, scheme: Scheme, settings: Mapping[str, Any],
                 video_duration_ms: int | None = None) -> list[ScoringWarning]:
    """Every consistency finding for one coding, in a fixed order."""
    from ssp_coder.scoring.settings import scoring_settings

    s = scoring_settings(scheme, settings)
    found: list[tuple[int, int, str, ScoringWarning]] = []

    def add(code: str, message: str, sub: int = 0, sub_s: str = "") -> None:
        found.append((RANK[code], sub, sub_s, make(code, message)))

    r = state.result
    cutoff = float(s["d_cutoff"])
    group = _group(scheme, r.classification)
    abcd = collapse_abcd(scheme, s, r.classification)
    if r.d_rating is not None and group is not None:
        if r.d_rating >= cutoff and abcd != "D":
            add("d_high_not_d", msg_d_high_not_d(r.d_rating, cutoff, r.classification))
        if group == "D" and r.d_rating < cutoff:
            add("d_low_but_d", msg_d_low_but_d(r.d_rating, cutoff))
    if r.classification and scheme.classification_codes and group is not None:
        if scheme.classification(r.classification).requires_forced_secondary and not r.forced_secondary:
            add("d_no_forced", MSG_D_NO_FORCED)

    cell_index = {(sc.id, ep, pa): i for i, (sc, ep, pa) in enumerate(scheme.scale_cells())}
    for sc in scheme.scales:
        for ep, pa in sc.required:
            if (sc.id, ep, pa) not in state.scales:
                add("scale_missing", msg_scale_missing(sc.column(ep, pa)), cell_index[(sc.id, ep, pa)])
    for (sid, ep, pa), v in state.scales.items():
        col = f"{sid}_e{ep}_{pa}"
        if (sid, ep, pa) not in cell_index:
            add("scale_not_rated", msg_scale_not_rated(col, v), 0, col)
            continue
        sc = scheme.scale(sid)
        if not sc.valid_value(v):
            add("scale_out_of_range", msg_scale_out_of_range(col, v, sc.min, sc.max, sc.step), cell_index[(sid, ep, pa)])

    hs, cells, high = s["heuristic_scales"], s["reunion_cells"], float(s["profile_high"])
    if group == "B":
        av = reunion_mean(scheme, state.scales, hs["avoidance"], cells)
        if av is not None and av >= high:
            add("profile_b_avoidance", msg_profile_b(r.classification, av, high))
    if group == "A":
        cm = reunion_mean(scheme, state.scales, hs["contact"], cells)
        rs = reunion_mean(scheme, state.scales, hs["resistance"], cells)
        if cm is not None and rs is not None and cm >= high and rs >= high:
            add("profile_a_contact_resistance", msg_profile_a(r.classification, cm, rs, high))

    b = state.boundaries
    tol = float(s["episode_length_tolerance"])
    numbers = scheme.episode_numbers
    for n in numbers:
        cur = b.get(n)
        prev = b.get(n - 1)
        if cur is not None and prev is not None and cur.onset_ms is not None and prev.onset_ms is not None:
            if cur.onset_ms < prev.onset_ms:
                add("boundary_order", msg_boundary_order(n, n - 1), n)
            elif prev.offset_ms is not None and cur.onset_ms < prev.offset_ms:
                add("boundary_overlap", msg_boundary_overlap(n, n - 1, cur.onset_ms, prev.offset_ms), n)
        if cur is not None and cur.onset_ms is not None and cur.offset_ms is not None and cur.flag is None:
            nominal = scheme.episode(n).nominal_s
            length = (cur.offset_ms - cur.onset_ms) / 1000
            if abs(length - nominal) > tol * nominal:
                add("episode_length", msg_episode_length(n, length, nominal), n)
        if (cur is not None and cur.offset_ms is not None and video_duration_ms is not None
                and cur.offset_ms > video_duration_ms):
            add("boundary_after_video", msg_after_video(n), n)

    start, end = scored_span(state, scheme)
    times = [e.onset_ms for e in state.events] + [m.time_ms for m in state.d_indices]
    before = sum(1 for t in times if t < start)
    after = sum(1 for t in times if t >= end)
    if before:
        add("events_before_start", msg_before_start(before))
    if after:
        add("events_after_end", msg_after_end(after, numbers[-1]))
    open_ = [e for e in state.events if e.is_open]
    if open_:
        first = min(open_, key=lambda e: e.onset_ms)
        add("open_state", msg_open_state(len(open_), first.code, first.onset_ms))
    for g in state_overlap_groups(state.events):
        add("state_overlap", msg_state_overlap(g[0].code, [(e.onset_ms, int(e.offset_ms)) for e in g]),
            g[0].onset_ms, g[0].code)
    found.sort(key=lambda x: (x[0], x[1], x[2]))
    return [w for *_, w in found]


def scored_span(state: CodingState, scheme: Scheme) -> tuple[float, float]:
    """[start of episode 1, end of the last episode); an unset side is open."""
    first = state.boundaries.get(scheme.episode_numbers[0])
    last = state.boundaries.get(scheme.episode_numbers[-1])
    start = first.onset_ms if first is not None and first.onset_ms is not None else -math.inf
    end = last.offset_ms if last is not None and last.offset_ms is not None else math.inf
    return start, end
