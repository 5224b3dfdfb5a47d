"""Work around a reference-counting bug of shiboken6 6.12.0 on Python 3.11.

With that combination every call of a Qt method that returns nothing (``void``)
gives back ``None`` without a new reference, and some ``bool`` results do the
same for ``True``/``False`` (every ``Signal.emit``, which returns True). Python before 3.12 counts references to these
singletons, so after some thousands of calls (a few minutes of painting the
timeline) the count reaches zero and the interpreter aborts with "Fatal Python
error: none_dealloc". Coding data would be safe (each change is committed
before the window shows it) but the window would die.

We detect the bug at import with two probes (a void method, a signal emit:
a build might fix one and not the other), and if either leaks, raise the three
singletons' counts far out of reach. (Checked on 6.12.0: enum members, small
ints, strings and objects passed through signals keep their counts; only these
singletons lose references.) Python 3.12+ has immortal singletons and
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


def _leaks_true() -> bool:
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(True)
    for _ in range(64):
        probe.objectNameChanged.emit("probe")      # emit returns True
    return sys.getrefcount(True) < before - 32


def apply() -> bool:
    """Raise the singletons' reference counts if (and only if) this build has the bug. Returns True if applied."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    if not (_leaks_none() or _leaks_true()):
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM
    return True


APPLIED = apply()
