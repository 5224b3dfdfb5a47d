"""Parsing and validation of timed events for :mod:`ssp_coder.stats.timed`."""

from __future__ import annotations

import collections.abc as _abc
import math
from typing import Any, Iterable

__all__: list[str] = []


# --------------------------------------------------------------------------- #
# event parsing
# --------------------------------------------------------------------------- #
def _field(ev: Any, name: str, pos: int) -> Any:
    if isinstance(ev, _abc.Mapping):
        if name in ev:
            return ev[name]
        raise KeyError(name)
    if isinstance(ev, (tuple, list)):
        return ev[pos]
    return getattr(ev, name)


def _parse(events: Iterable[Any], who: str) -> list[tuple[Any, float, float | None]]:
    """Validate events into (code, onset, offset-or-None)."""
    if events is None:
        raise ValueError(f"{who}: events are required (use an empty list for none)")
    out: list[tuple[Any, float, float | None]] = []
    isfinite = math.isfinite
    for i, ev in enumerate(events):
        if type(ev) is tuple and len(ev) == 3:  # fast path for the common case
            code, onset, offset = ev
        else:
            try:
                code = _field(ev, "code", 0)
                onset = _field(ev, "onset_s", 1)
                offset = _field(ev, "offset_s", 2)
            except (KeyError, AttributeError, IndexError, TypeError):
                raise ValueError(
                    f"{who}, event {i}: expected (code, onset_s, offset_s), got {ev!r}"
                ) from None
        try:
            on = float(onset)
            off = None if offset is None else float(offset)
        except (TypeError, ValueError):
            raise ValueError(f"{who}, event {i} ({code!r}): times must be numbers, got {ev!r}") from None
        if not isfinite(on) or (off is not None and not isfinite(off)):
            raise ValueError(f"{who}, event {i} ({code!r} at {onset!r}): times must be finite")
        if off is not None and off < on:
            raise ValueError(
                f"{who}, event {i} ({code!r}): offset {off:g} s is before onset {on:g} s (negative duration)"
            )
        out.append((code, on, off))
    return out


def _check_window(start_s: Any, end_s: Any) -> tuple[float, float]:
    try:
        start, end = float(start_s), float(end_s)
    except (TypeError, ValueError):
        raise ValueError(f"start_s and end_s must be numbers, got {start_s!r}, {end_s!r}") from None
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ValueError("start_s and end_s must be finite")
    if start >= end:
        raise ValueError(f"start_s ({start:g}) must be before end_s ({end:g})")
    return start, end


def _sorted_codes(codes: Iterable[Any]) -> list[Any]:
    codes = list(dict.fromkeys(codes))
    try:
        return sorted(codes)
    except TypeError:
        return sorted(codes, key=str)
