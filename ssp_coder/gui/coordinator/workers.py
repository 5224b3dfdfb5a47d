"""Long computations off the UI thread, reporting back through the same signals.

``ProcessJob``: read-only computations (the Reliability and Summary windows)
run in a separate process (``ssp_coder.background``), which opens the project
read-only by path. The window polls the child's pipe from a timer, so its
event loop never waits and never competes with the computation for the
interpreter lock. Cancel terminates the child.

``Job``: work that writes files through the window's project (exports,
packages) runs in a QThreadPool thread, on a read-only connection
(``read_only_copy``) where it only reads. Its ``progress(done, total,
detail)`` callback raises ``Cancelled`` once the user pressed Cancel (and
returns False, which the package engine also treats as cancelling), so
engines that write atomically leave nothing behind.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from ssp_coder import background
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


_RUNNING: set["Job"] = set()     # jobs whose worker may still emit; touched in the UI thread only


class Job:
    """``fn(progress)`` in a worker thread; it reports through ``signals`` (delivered in the UI thread).

    The signals object lives in the UI thread and must only ever be destroyed
    there: a worker thread that deletes it while the UI thread delivers its
    queued signals is a use-after-free, and its last signal is lost. So it is
    owned by the application (never by a Python reference a worker could drop
    last), the job is kept in ``_RUNNING`` until its final signal has reached
    the UI thread, and only then is the signals object deleted (``deleteLater``).
    """

    def __init__(self, fn: Callable[[Progress], Any]):
        self.fn = fn
        self.signals = JobSignals(QCoreApplication.instance())
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
        final: tuple[Any, tuple] = (self.signals.cancelled, ())
        try:
            result = self.fn(self._progress)
        except Cancelled:
            pass
        except KnownError as exc:
            if not (self._cancel.is_set() and type(exc).__name__ == "PackageCancelled"):
                final = (self.signals.failed, (str(exc),))
        except OSError as exc:
            final = (self.signals.failed, (f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "),))
        except Exception as exc:  # noqa: BLE001 - a bug must reach the user as a message, not kill the thread
            log.exception("background job failed")
            final = (self.signals.failed,
                     (f"Unexpected error ({type(exc).__name__}: {exc}). Details are in the log file.",))
        else:
            if not self._cancel.is_set():
                final = (self.signals.finished, (result,))
        # ``done`` before the final signal: whoever sees the final signal also sees ``done``, and nothing of
        # this worker touches the signals object after it.
        self.done.set()
        signal, args = final
        signal.emit(*args)

    def start(self, pool: QThreadPool | None = None) -> "Job":
        _RUNNING.add(self)
        for final in (self.signals.finished, self.signals.failed, self.signals.cancelled):
            final.connect(self._release)      # queued: runs in the UI thread after the worker's last emit
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))
        return self

    def _release(self, *_: Any) -> None:
        # Every slot connected before this one has run; the worker emits nothing after its final signal.
        if self in _RUNNING:
            _RUNNING.discard(self)
            self.signals.deleteLater()


class ProcessJob(QObject):
    """``task(project, progress, **kwargs)`` in a child process on the project file, opened read-only.

    The same interface as ``Job`` (``signals``, ``cancel()``, ``done``,
    ``is_cancelled``). Progress messages are drained every ``POLL_MS``; only
    the latest of a batch is shown. Parent it to the window that shows the
    result: the poll timer then dies with the window (call ``cancel()`` in
    its close event so the child goes too).
    """

    POLL_MS = 20

    def __init__(self, task: Callable[..., Any], project: Project, parent: QObject | None = None, **kwargs: Any):
        super().__init__(parent)
        self.task = task
        # a server project's path prints without its password; the child process needs the whole address
        self.project_path = getattr(project, "url", project.path)
        self.actor = project.actor
        self.kwargs = kwargs
        self.signals = JobSignals(self)
        self.done = threading.Event()
        self.process: background.BackgroundProcess | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self) -> "ProcessJob":
        self.process = background.BackgroundProcess(self.task, self.project_path, actor=self.actor, **self.kwargs)
        self._timer.start()
        return self

    def cancel(self) -> None:
        if self.process is not None and not self.done.is_set():
            self.process.cancel()

    @property
    def is_cancelled(self) -> bool:
        return self.process is not None and self.process.cancel_requested

    @property
    def running(self) -> bool:
        return self.process is not None and not self.done.is_set()

    def _poll(self) -> None:
        assert self.process is not None
        messages = self.process.poll()
        progress = [m for m in messages if isinstance(m, background.Progress)]
        if progress and not self.process.finished:
            last = progress[-1]
            self.signals.progress.emit(last.done, last.total, last.detail)
        if not self.process.finished:
            return
        self._timer.stop()
        self.done.set()
        # Reading the result took this turn; showing it gets the next one, so the two never add up.
        QTimer.singleShot(0, self, lambda: self._deliver(messages[-1]))

    def _deliver(self, final: Any) -> None:
        if isinstance(final, background.Finished):
            self.signals.finished.emit(final.result)
        elif isinstance(final, background.Failed):
            if final.details:
                log.error("background computation %s failed:\n%s", getattr(self.task, "__name__", self.task),
                          final.details)
            self.signals.failed.emit(final.message)
        else:
            self.signals.cancelled.emit()


@contextmanager
def read_only_copy(project: Project) -> Iterator[Project]:
    """A second, read-only connection to the same project file, for use inside one worker thread."""
    ro = Project.open(project.path, read_only=True, backups=False, check="none", actor=project.actor)
    try:
        yield ro
    finally:
        ro.close()


