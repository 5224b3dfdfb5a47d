"""Worker processes: always started fresh ("spawn"), never forked.

Forking copies a process together with the locks its other threads held at
that moment (SQLite backups, Qt, the progress threads of the windows), so the
child can deadlock; Python 3.12+ warns about it and 3.14 no longer forks by
default on Linux. "spawn" is the one start method every platform has (the
default on Windows and macOS already), so the program behaves the same
everywhere, and frozen builds support it through ``freeze_support()``. The
price, importing the worker's module once per process, is small next to the
work sent there (a demo video, a report).

Every process pool in ssp-coder comes from here; a test checks that no
module makes one any other way.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any, Callable

START_METHOD = "spawn"


def worker_context() -> BaseContext:
    """The multiprocessing context for any process ssp-coder starts."""
    return multiprocessing.get_context(START_METHOD)


def process_pool(max_workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers are spawned, not forked."""
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=worker_context())


def worker_process(target: Callable[..., Any], args: tuple, *, name: str, daemon: bool) -> multiprocessing.Process:
    """One spawned child process (not started), for a task that reports through its own pipe."""
    return worker_context().Process(target=target, args=args, name=name, daemon=daemon)
