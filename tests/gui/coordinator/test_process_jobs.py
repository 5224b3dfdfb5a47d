"""The Reliability and Summary windows compute in a child process: progress, Cancel, and no process left behind."""

from __future__ import annotations

import multiprocessing
import os

from ssp_coder.gui.coordinator.reliability_window import ReliabilityWindow
from ssp_coder.gui.coordinator.summary_view import SummaryWindow
from tests.gui.coordinator.conftest import COMPUTE_MS


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_reliability_progress_arrives_and_the_report_is_shown(qtbot, project, coordinator):
    w = ReliabilityWindow(project, coordinator)
    qtbot.addWidget(w)
    w.show()
    seen: list[tuple] = []
    with qtbot.waitSignal(w.reportReady, timeout=COMPUTE_MS):
        job = w.refresh()
        job.signals.progress.connect(lambda *a: seen.append(a))
        assert not w.refresh_button.isEnabled() and w.cancel_button.isEnabled()
    assert seen and all(total == 3 for _d, total, _t in seen)
    assert [d for d, _t, _x in seen] == sorted(d for d, _t, _x in seen)
    assert w.refresh_button.isEnabled() and not w.cancel_button.isEnabled()
    assert w.report is not None and w.overall_model.rowCount() == len(w.report.overall)
    assert job.process.finished and job.process.exitcode == 0 and gone(job.process.pid)


def test_cancel_ends_the_child_and_keeps_the_last_report(qtbot, project, coordinator):
    w = ReliabilityWindow(project, coordinator)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.reportReady, timeout=COMPUTE_MS):
        w.refresh()
    shown = w.report
    rows = w.overall_model.rowCount()
    job = w.refresh()
    pid = job.process.pid
    with qtbot.waitSignal(job.signals.cancelled, timeout=COMPUTE_MS):
        w.cancel_button.click()
    assert gone(pid) and not multiprocessing.active_children()
    assert w.report is shown and w.overall_model.rowCount() == rows
    assert "Cancelled" in w.state.text() and w.refresh_button.isEnabled() and not w.cancel_button.isEnabled()


def test_a_new_refresh_replaces_a_running_one(qtbot, project, coordinator):
    w = ReliabilityWindow(project, coordinator)
    qtbot.addWidget(w)
    first = w.refresh()
    with qtbot.waitSignal(w.reportReady, timeout=COMPUTE_MS):
        second = w.refresh()
    assert first.is_cancelled and gone(first.process.pid)
    assert second.process.exitcode == 0 and not multiprocessing.active_children()


def test_closing_the_window_ends_its_computations(qtbot, project, coordinator):
    w = ReliabilityWindow(project, coordinator)
    qtbot.addWidget(w)
    w.show()
    jobs = [w.refresh(), w.plan.preview(), w.certification.compute(project.coders()[0].name)]
    w.close()
    qtbot.waitUntil(lambda: all(j.done.is_set() for j in jobs), timeout=COMPUTE_MS)
    assert all(j.is_cancelled and gone(j.process.pid) for j in jobs)
    assert not multiprocessing.active_children()


def test_summary_progress_and_cancel(qtbot, project):
    w = SummaryWindow(project)
    qtbot.addWidget(w)
    w.show()
    job = w.refresh()
    with qtbot.waitSignal(job.signals.progress, timeout=COMPUTE_MS):
        pass
    with qtbot.waitSignal(job.signals.cancelled, timeout=COMPUTE_MS):
        w.cancel_button.click()
    assert gone(job.process.pid) and not multiprocessing.active_children()
    assert w.summary is None and "Cancelled" in w.state.text() and "Recompute" in w.text.toPlainText()
    with qtbot.waitSignal(w.summaryReady, timeout=COMPUTE_MS):
        w.refresh_button.click()
    assert w.summary is not None and w.refresh_button.isEnabled() and not w.cancel_button.isEnabled()
