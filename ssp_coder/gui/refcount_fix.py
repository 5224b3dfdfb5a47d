"""Work around a reference-counting bug of shiboken6 6.12.0 on Python 3.11.

With that combination every call of a Qt method that returns nothing (``void``)
gives back ``None`` without a new reference, and some ``bool`` results do the
same for ``True``/``False``. Python before 3.12 counts references to these
singletons, so after some thousands of calls (a few minutes of painting the
timeline) the count reaches zero and the interpreter aborts with "Fatal Python
error: none_dealloc". Coding data would be safe (each change is committed
before the window shows it) but the window would die.

We detect the bug at import with a probe, and only then raise the three
singletons' counts far out of reach. Python 3.12+ has immortal singletons and
is never touched; a fixed shiboken6 fails the probe and is never touched.
"""

from __future__ import annotations

import ctypes
import platform
import sys

HEADROOM = 1 << 40        # more void calls than a window makes in years of coding


def _leaks_none() -> bool:
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 32


def apply() -> bool:
    """Raise the singletons' reference counts if (and only if) this build has the bug. Returns True if applied."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    if not _leaks_none():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM
    return True


APPLIED = apply()
