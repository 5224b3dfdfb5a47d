"""What a coding still lacks before it may be marked complete."""

from __future__ import annotations

from ssp_coder.domain.model import CodingState
from ssp_coder.domain.scheme import Scheme


def _fmt_ms(ms: int) -> str:
    s, milli = divmod(int(ms), 1000)
    m, s = divmod(s, 60)
    return f"{m:02d}:{s:02d}.{milli:03d}"


def missing_for_completion(state: CodingState, scheme: Scheme) -> list[str]:
    """Every item a coder must still fill in, in the order they would fix them."""
    missing: list[str] = []
    for ep in scheme.episodes:
        b = state.boundaries.get(ep.number)
        if b is None or b.onset_ms is None:
            missing.append(f"Episode {ep.number}: start not set")
        if b is None or b.offset_ms is None:
            missing.append(f"Episode {ep.number}: end not set")
    for ev in state.open_events:
        missing.append(f"Event '{ev.code}' started at {_fmt_ms(ev.onset_ms)} has no end")
    for sc in scheme.scales:
        for ep, partner in sc.required:
            if (sc.id, ep, partner) not in state.scales:
                missing.append(f"Scale {sc.id.upper()} episode {ep} ({partner}): no rating")
    r = state.result
    if not r.classification:
        missing.append("Classification not given")
    else:
        try:
            code = scheme.classification(r.classification)
        except KeyError:
            code = None
        if code is not None and code.requires_forced_secondary and not r.forced_secondary:
            missing.append(f"{r.classification} needs a forced best-fitting secondary classification")
    if r.d_rating is None:
        missing.append("D rating (1-9) not given")
    return missing
