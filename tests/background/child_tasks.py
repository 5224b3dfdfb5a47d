"""Tasks for the background-process tests. Run in the child, so they live in a module it can import (no Qt)."""

from __future__ import annotations

import os
import signal
import threading

from ssp_coder.domain.commands import AddCoder
from ssp_coder.errors import KnownError


def count_sessions(project, progress):
    progress(0, 2, "counting")
    n = len(project.sessions())
    progress(2, 2, "counted")
    return {"sessions": n, "path": str(project.path), "read_only": project.read_only}


def report_then_wait(project, progress):
    """Reports progress, then works 'forever': only a cancel ends it."""
    progress(1, 3, "started")
    threading.Event().wait()


def ignore_terminate_then_wait(project, progress):
    """A child that does not stop when asked (SIGTERM ignored): the cancel must kill it."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    progress(1, 3, "started")
    threading.Event().wait()


def try_to_write(project, progress):
    project.execute(AddCoder("Intruder"))
    return "written"


def refuse(project, progress):
    raise KnownError("The project has no completed double codings yet; assign reliability codings first.")


def have_a_bug(project, progress):
    return 1 / 0


def die(project, progress):
    progress(1, 2, "about to die")
    os._exit(7)


def unpicklable(project, progress):
    return threading.Lock()
