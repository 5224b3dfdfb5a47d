"""Let big numeric work reuse heap memory instead of asking the kernel for it each time.

Scoring a whole trial creates many temporary arrays of tens of megabytes. By
default glibc maps each one freshly from the kernel and unmaps it again, so
every temporary pays for tens of thousands of page faults; on a 2-core laptop
that is a third of the scoring time. Raising the mmap and trim thresholds
keeps those pages in the process's heap for reuse. It changes no result, only
where memory comes from, and does nothing on platforms without glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3

_done = False


def reuse_heap_for_large_arrays() -> bool:
    """Tune glibc's allocator once per process. Returns True if it was tuned."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: leave it as it is
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # 1 GiB is glibc's ceiling for the mmap threshold on 64-bit builds.
    ok = all(mallopt(opt, value) == 1 for opt, value in ((M_MMAP_THRESHOLD, 1 << 30), (M_TRIM_THRESHOLD, 1 << 30),
                                                        (M_TOP_PAD, 64 << 20)))
    _done = ok
    return ok
