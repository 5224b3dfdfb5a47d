"""Warnings the window shows while coding (never blocks): episode boundaries and consistency hints.

Plain Python over the domain model, so it is tested without a window. When
the scoring engine offers ``check_coding``, its findings are used for the
classification hints; until then the completeness list stands in.
"""

from __future__ import annotations

from typing import Any, Mapping

from ssp_coder.domain.completeness import missing_for_completion
from ssp_coder.domain.model import CodingState, EpisodeBoundary
from ssp_coder.domain.scheme import Scheme


def episode_warnings(boundaries: Mapping[int, EpisodeBoundary], scheme: Scheme,
                     settings: Mapping[str, Any]) -> dict[int, list[str]]:
    """Per episode: order, overlap and length-versus-nominal problems."""
    tol = float(settings.get("episode_length_tolerance", 0.5))
    out: dict[int, list[str]] = {}
    prev_n, prev = None, None
    for ep in scheme.episodes:
        b = boundaries.get(ep.number)
        msgs: list[str] = []
        if b is not None and b.onset_ms is not None and prev is not None:
            if prev.onset_ms is not None and b.onset_ms <= prev.onset_ms:
                msgs.append(f"starts before episode {prev_n}")
            elif prev.offset_ms is not None and b.onset_ms < prev.offset_ms:
                msgs.append(f"overlaps episode {prev_n} by {(prev.offset_ms - b.onset_ms) / 1000:.1f} s")
            elif prev.offset_ms is not None and b.onset_ms > prev.offset_ms:
                msgs.append(f"gap of {(b.onset_ms - prev.offset_ms) / 1000:.1f} s after episode {prev_n}")
        if b is not None and b.duration_ms is not None and not b.flag:
            nominal = ep.nominal_s * 1000
            if abs(b.duration_ms - nominal) > tol * nominal:
                msgs.append(f"lasts {b.duration_ms / 1000:.0f} s, nominal {ep.nominal_s:.0f} s "
                            "(flag it curtailed or extended, with a reason)")
        if msgs:
            out[ep.number] = msgs
        if b is not None and b.onset_ms is not None:
            prev_n, prev = ep.number, b
    return out


def coding_hints(state: CodingState, scheme: Scheme, settings: Mapping[str, Any],
                 video_duration_ms: int | None) -> list[tuple[str, str]]:
    """(level, message) pairs for the classification panel."""
    hints: list[tuple[str, str]] = []
    try:
        from ssp_coder.scoring import check_coding  # type: ignore[attr-defined]
    except ImportError:
        check_coding = None
    if check_coding is not None:
        for finding in check_coding(state, scheme, settings, video_duration_ms):
            if getattr(finding, "code", "") in ("scale_missing", "open_state"):
                continue        # the completeness list below says the same in the coder's words
            level = str(getattr(finding, "level", getattr(finding, "severity", "warning")))
            message = str(getattr(finding, "message", finding))
            hints.append((level, message))
    else:
        r = state.result
        cutoff = float(settings.get("d_cutoff", 5))
        if r.d_rating is not None and r.classification:
            group = scheme.classification(r.classification).group if r.classification in \
                scheme.classification_codes else ""
            if r.d_rating >= cutoff and group != "D":
                hints.append(("warning", f"D rating {r.d_rating:g} is at or above the cut-off {cutoff:g} "
                                         f"but the classification is {r.classification}, not D."))
            if r.d_rating < cutoff and group == "D":
                hints.append(("warning", f"Classified D but the D rating {r.d_rating:g} is below the "
                                         f"cut-off {cutoff:g}."))
    for msg in missing_for_completion(state, scheme):
        hints.append(("missing", msg))
    return hints
