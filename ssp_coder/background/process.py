"""A read-only computation in a separate process, with progress and a cancel that ends the process.

Why a process: a report over thousands of sessions is pure-Python work
(pandas, statistics) that holds the interpreter lock, so a worker *thread*
still starves the window's event loop. A child process has its own
interpreter; the window only reads small messages from a pipe.

The child is started with the ``spawn`` method, never ``fork``: the window
process runs Qt's threads, and forking a threaded process can deadlock the
child. The child opens the project file read-only by path (nothing to share,
nothing it can damage), runs ``task(project, progress, **kwargs)`` and sends
back the picklable result. Cancelling terminates the child and reaps it; a
read-only child leaves nothing behind.

The caller drives everything with ``poll()`` (the window calls it from a
timer), so no thread of the caller ever waits on the child.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ssp_coder.errors import KnownError

START_METHOD = "spawn"
TERMINATE_GRACE_S = 2.0   # after SIGTERM, how long a child gets before it is killed outright


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    detail: str


@dataclass(frozen=True)
class Finished:
    result: Any


@dataclass(frozen=True)
class Failed:
    message: str            # for the user
    details: str = ""       # traceback of an unexpected error, for the log file


@dataclass(frozen=True)
class Cancelled:
    pass


Message = Progress | Finished | Failed | Cancelled
Task = Callable[..., Any]
_LOST = object()      # the pipe closed before a final message arrived


def _child_main(conn: Any, task: Task, project_path: str, actor: str, kwargs: dict[str, Any]) -> None:
    """Runs in the child: open the project read-only, run the task, send its result (or why it failed)."""
    from ssp_coder.store.project import Project

    def progress(done: float, total: float, detail: str = "", *_: Any) -> bool:
        conn.send(Progress(int(done), int(total), str(detail)))
        return True

    try:
        project = Project.open(project_path, read_only=True, backups=False, check="none", actor=actor)
        try:
            result = task(project, progress, **kwargs)
        finally:
            project.close()
        message: Message = Finished(result)
    except KnownError as exc:
        message = Failed(str(exc))
    except OSError as exc:
        message = Failed(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except Exception as exc:  # noqa: BLE001 - a bug must reach the window as a message (and the log), not vanish
        message = Failed(f"Unexpected error ({type(exc).__name__}: {exc}). Details are in the log file.",
                         traceback.format_exc())
    try:
        conn.send(message)
    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled: still a message, not silence
        conn.send(Failed(f"Unexpected error ({type(exc).__name__}: {exc}). Details are in the log file.",
                         traceback.format_exc()))
    finally:
        conn.close()
    # Nothing is left to tidy (a read-only connection, closed); skipping the interpreter's shutdown lets the
    # window reap the child, and show the result, sooner.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class BackgroundProcess:
    """One task in one child process. Call ``poll()`` until ``finished``; ``cancel()`` ends the child."""

    def __init__(self, task: Task, project_path: str | Path, *, actor: str = "ssp-coder", **kwargs: Any):
        ctx = multiprocessing.get_context(START_METHOD)
        self._conn, child_end = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_child_main, args=(child_end, task, str(project_path), actor, kwargs),
                                   name=f"ssp-coder {getattr(task, '__name__', 'task')}", daemon=True)
        # daemon: a window that quits mid-computation does not wait for it (the child is terminated)
        self.process.start()
        child_end.close()     # only the child writes: its exit is then seen here as end of file
        self.pid = self.process.pid
        self.exitcode: int | None = None
        self.finished = False
        self.cancel_requested = False
        self._terminated_at: float | None = None
        self._final: Message | object | None = None
        self._final_at: float | None = None

    @property
    def running(self) -> bool:
        return not self.finished

    def cancel(self) -> None:
        """Stop the child now; ``poll()`` reports ``Cancelled`` once it is gone and reaped."""
        if self.finished or self.cancel_requested:
            return
        self.cancel_requested = True
        if self.process.exitcode is None:
            self.process.terminate()
        self._terminated_at = time.monotonic()

    def poll(self, timeout: float = 0.0) -> list[Message]:
        """Messages that arrived since the last call (waiting up to ``timeout`` s for one; the window never waits).

        The final message (``Finished``, ``Failed``, ``Cancelled``) comes last, once the child has exited and
        been reaped; ``finished`` is then True.
        """
        if self.finished:
            return []
        if self.cancel_requested:
            if timeout:
                self.process.join(timeout)
            return self._reap(Cancelled(), self._terminated_at)
        out: list[Message] = []
        if self._final is None:
            if timeout:
                self._conn.poll(timeout)
            while self._final is None and self._conn.poll():
                try:
                    msg = self._conn.recv()
                except (EOFError, OSError):
                    msg = _LOST          # the child ended without a result (crashed, killed from outside)
                if isinstance(msg, Progress):
                    out.append(msg)
                else:
                    self._final = msg
                    self._final_at = time.monotonic()
        elif timeout:
            self.process.join(timeout)
        if self._final is not None:
            out.extend(self._reap(self._final, self._final_at))
        return out

    def _reap(self, final: Message | object, since: float | None) -> list[Message]:
        """The final message once the child is gone; a child that lingers past the grace period is killed."""
        if self.process.exitcode is None:           # not yet exited (checked without waiting)
            if since is not None and time.monotonic() - since > TERMINATE_GRACE_S:
                self.process.kill()
            return []
        self.process.join()
        code = self.process.exitcode
        if final is _LOST:
            final = Failed(f"The computation stopped unexpectedly (exit code {code}).",
                           f"child process {self.pid} ended without a result, exit code {code}")
        assert isinstance(final, (Finished, Failed, Cancelled))
        self._final = final
        self._close()
        return [final]

    def wait(self, timeout: float | None = None) -> Message | None:
        """Block until the final message (for scripts and the CLI; the window polls instead)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.finished:
            self.poll(0.05)
            if deadline is not None and time.monotonic() > deadline:
                return None
        return self._final

    def _close(self) -> None:
        self.finished = True
        self.exitcode = self.process.exitcode
        self._conn.close()
        self.process.close()


def run_in_process(task: Task, project_path: str | Path, **kwargs: Any) -> Any:
    """Run ``task`` in a child process and return its result (raises ``KnownError`` if it failed)."""
    proc = BackgroundProcess(task, project_path, **kwargs)
    msg = proc.wait()
    if isinstance(msg, Finished):
        return msg.result
    raise KnownError(msg.message if isinstance(msg, Failed) else "The computation was cancelled.")
