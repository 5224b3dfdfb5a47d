"""Long computations off the UI thread: a job runs in a QThreadPool and reports back through signals.

Read-only work (reports, summaries) opens its own read-only connection to
the project file inside the job (``read_only_copy``), so the window's
connection is never used from two threads for reading. The job's
``progress(done, total, detail)`` callback raises ``Cancelled`` once the user
pressed Cancel (and returns False, which the package engine also treats as
cancelling), so engines that write atomically leave nothing behind.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from ssp_coder.errors import KnownError
from ssp_coder.store.project import Project

log = logging.getLogger(__name__)
Progress = Callable[..., Any]


class Cancelled(Exception):
    """Raised inside a job once the user cancelled it."""


class JobSignals(QObject):
    progress = Signal(int, int, str)      # done, total, detail
    finished = Signal(object)             # the job's result
    failed = Signal(str)                  # a message the user can act on
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, job: "Job"):
        super().__init__()
        self.job = job

    @Slot()
    def run(self) -> None:
        self.job._run()


class Job:
    """``fn(progress)`` in a worker thread. Keep the Job referenced until ``finished``/``failed``/``cancelled``."""

    def __init__(self, fn: Callable[[Progress], Any]):
        self.fn = fn
        self.signals = JobSignals()
        self._cancel = threading.Event()
        self.done = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: float, total: float, detail: str = "", *_: Any) -> bool:
        if self._cancel.is_set():
            raise Cancelled
        self.signals.progress.emit(int(done), int(total), str(detail))
        return True

    def _run(self) -> None:
        try:
            result = self.fn(self._progress)
        except Cancelled:
            self.signals.cancelled.emit()
        except KnownError as exc:
            if self._cancel.is_set() and type(exc).__name__ == "PackageCancelled":
                self.signals.cancelled.emit()
            else:
                self.signals.failed.emit(str(exc))
        except OSError as exc:
            self.signals.failed.emit(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except Exception as exc:  # noqa: BLE001 - a bug must reach the user as a message, not kill the thread
            log.exception("background job failed")
            self.signals.failed.emit(f"Unexpected error ({type(exc).__name__}: {exc}). Details are in the log file.")
        else:
            if self._cancel.is_set():
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self.done.set()

    def start(self, pool: QThreadPool | None = None) -> "Job":
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))
        return self


@contextmanager
def read_only_copy(project: Project) -> Iterator[Project]:
    """A second, read-only connection to the same project file, for use inside one worker thread."""
    ro = Project.open(project.path, read_only=True, backups=False, check="none", actor=project.actor)
    try:
        yield ro
    finally:
        ro.close()


def figure_png(fig: Any, dpi: int = 96) -> bytes:
    """Render a matplotlib Figure to PNG bytes (Agg: safe in any thread, no GUI backend)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
