"""Build CodingState objects by hand for scoring tests (times in seconds for readability)."""

from __future__ import annotations

from ssp_coder.domain.model import (
    Coding, CodingId, CodingResult, CodingState, DIndexId, DIndexMark, EpisodeBoundary, Event, EventId,
)
from ssp_coder.domain.scheme import load_builtin_scheme

SCHEME = load_builtin_scheme()
STATE_CODES = {b.code for b in SCHEME.behaviours if b.is_state}
FULL_SCALES = {(sc.id, ep, pa): 3.0 for sc in SCHEME.scales for ep, pa in sc.required}


def ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(round(seconds * 1000))


def standard_boundaries(lengths=(30, 180, 180, 180, 180, 180, 180, 180), start=10.0, flags=None):
    """Back-to-back episodes starting at ``start`` s; ``flags`` maps episode -> curtailed/extended."""
    out, t = {}, start
    for n, length in enumerate(lengths, start=1):
        flag = (flags or {}).get(n)
        out[n] = EpisodeBoundary(n, ms(t), ms(t + length), flag, "why" if flag else None)
        t += length
    return out


def state(*, cid=1, classification=None, forced=None, d_rating=None, boundaries=None, events=(), scales=None,
          marks=(), session=1, status="complete", purpose="primary") -> CodingState:
    evs = []
    for i, ev in enumerate(events, start=1):
        code, on, *rest = ev
        off = rest[0] if rest else None
        kind = "state" if code in STATE_CODES else "point"
        evs.append(Event(EventId(cid * 1000 + i), code, kind, ms(on), ms(off)))
    evs.sort(key=lambda e: (e.onset_ms, e.id))
    mk = tuple(DIndexMark(DIndexId(cid * 1000 + i), g, ms(t)) for i, (g, t) in enumerate(marks, start=1))
    return CodingState(
        Coding(CodingId(cid), session, 1, purpose, status),
        standard_boundaries() if boundaries is None else boundaries,
        tuple(evs),
        dict(FULL_SCALES if scales is None else scales),
        mk,
        CodingResult(classification, forced, d_rating),
    )
