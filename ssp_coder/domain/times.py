"""Times typed by people (seconds) as the whole milliseconds the project stores.

Why a module for one multiplication: ``round(1e308 * 1000)`` is an
``OverflowError``, not a time after the end of the video, and the message
for such a time must be writable too (``ms / 1000`` overflows as well). A
number of seconds too large for a float product still becomes an exact
integer here, so it meets the same check as any other time beyond the video.
"""

from __future__ import annotations

import math
from decimal import Decimal

# Times beyond this (about 285,000 years) cannot be stored; they are refused like any time after the video.
MAX_STORABLE_MS = 2**53


def seconds_to_ms(seconds: float) -> int:
    """Whole milliseconds; ValueError for inf/nan (not a time at all)."""
    s = float(seconds)
    if not math.isfinite(s):
        raise ValueError(f"{seconds!r} is not a time")
    if abs(s) < 1e12:
        return int(round(s * 1000))
    return int(Decimal(repr(s)) * 1000)


def seconds_text(ms: int, decimals: int = 3) -> str:
    """'75.200' for 75200 ms; '1e+308' for a time too large to divide as a float."""
    if abs(ms) < 10**15:
        return f"{ms / 1000:.{decimals}f}"
    return f"{float(Decimal(ms) / 1000):g}"  # any ms made from a float's seconds fits a float again
