"""Python's cycle collector paused while a whole coding file is read, checked and written.

An import or export of a year of codings makes about a million small objects
(marks, planned events, commands, rows) that all live until it ends, and
none of them form reference cycles. The collector, triggered by the
allocations, walked all of them again and again: about a third of the time
of a large dry run or re-import. Pausing it for the call, and restoring it
after, frees nothing later than it would be freed anyway.
"""

from __future__ import annotations

import functools
import gc
from typing import Callable, TypeVar

T = TypeVar("T")


def without_cycle_collection(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def run(*args, **kwargs) -> T:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()
    return run
