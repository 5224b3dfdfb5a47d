"""Worker threads never destroy Qt objects that belong to the window's thread."""

from __future__ import annotations

import gc
import threading

from ssp_coder.gui.coordinator.workers import Job
from tests.gui.coordinator.conftest import COMPUTE_MS


def test_job_signals_are_destroyed_in_the_ui_thread_even_when_the_worker_drops_the_last_reference(qtbot):
    # A thread that deletes a QObject living in the UI thread, while the UI thread may be delivering its
    # queued signals, is a use-after-free: the window can crash. Here the window forgets the job while it
    # still runs, so the worker thread holds the last Python reference when it ends.
    release = threading.Event()
    destroyed_in: list[int] = []
    job = Job(lambda progress: release.wait(30) and "done")
    job.signals.destroyed.connect(lambda *_: destroyed_in.append(threading.get_ident()))
    finished: list = []
    job.signals.finished.connect(finished.append)
    job.start()
    del job
    gc.collect()
    release.set()
    qtbot.waitUntil(lambda: bool(finished) and bool(destroyed_in), timeout=COMPUTE_MS)
    assert finished == ["done"]
    assert destroyed_in == [threading.main_thread().ident]
