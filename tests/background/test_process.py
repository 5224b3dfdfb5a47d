"""Read-only computations in a child process: results, progress, failures, and a cancel that leaves no process."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import sys
from pathlib import Path

import pytest

from ssp_coder.background import BackgroundProcess, Cancelled, Failed, Finished, Progress, process, run_in_process
from ssp_coder.background import tasks
from ssp_coder.errors import KnownError
from ssp_coder.store.project import Project
from tests.background import child_tasks


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    from ssp_coder.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"), participants=8, episode_seconds=0.4, workers=1).folder / "demo.sspc"


def messages_until_done(proc: BackgroundProcess) -> list:
    seen: list = []
    while not proc.finished:
        seen += proc.poll(0.1)
    return seen


def gone(pid: int) -> bool:
    """True once no process has this id any more (exited and reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_child_uses_spawn_never_fork(demo_path):
    proc = BackgroundProcess(child_tasks.count_sessions, demo_path)
    assert proc.process._start_method == "spawn"     # a fresh interpreter: the window's threads are not copied
    messages_until_done(proc)


def test_the_child_opens_the_project_read_only_by_path(demo_path):
    proc = BackgroundProcess(child_tasks.count_sessions, demo_path)
    seen = messages_until_done(proc)
    assert [m for m in seen if isinstance(m, Progress)] == [Progress(0, 2, "counting"), Progress(2, 2, "counted")]
    final = seen[-1]
    assert isinstance(final, Finished)
    with Project.open(demo_path, read_only=True, backups=False) as p:
        assert final.result == {"sessions": len(p.sessions()), "path": str(demo_path), "read_only": True}
    assert proc.exitcode == 0 and gone(proc.pid) and not multiprocessing.active_children()


def test_the_child_cannot_change_the_project(demo_path):
    with pytest.raises(KnownError, match="read-only|read only"):
        run_in_process(child_tasks.try_to_write, demo_path)
    with Project.open(demo_path, read_only=True, backups=False) as p:
        assert "Intruder" not in [c.name for c in p.coders()]


def _comparable(report):
    return dataclasses.replace(report, generated_at="")


def test_reliability_result_equals_the_in_process_computation(demo_path):
    child = run_in_process(tasks.reliability_window_report, demo_path)
    with Project.open(demo_path, read_only=True, backups=False) as p:
        here = tasks.reliability_window_report(p, lambda *_: True)
    a, b = _comparable(child["report"]), _comparable(here["report"])
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if hasattr(x, "equals"):
            assert x.equals(y), f.name
        elif isinstance(x, dict) and x and hasattr(next(iter(x.values())), "equals"):
            assert x.keys() == y.keys() and all(x[k].equals(y[k]) for k in x), f.name
        else:
            assert x == y, f.name
    assert child["conference"].equals(here["conference"])
    assert child["drift_png"][:8] == b"\x89PNG\r\n\x1a\n" and len(child["drift_png"]) == len(here["drift_png"])


def test_summary_result_equals_the_in_process_computation(demo_path):
    child = run_in_process(tasks.trial_summary, demo_path)
    with Project.open(demo_path, read_only=True, backups=False) as p:
        here = tasks.trial_summary(p, lambda *_: True)
    assert child["text"] == here["text"]
    for key, table in here["summary"].tables().items():
        assert child["summary"].tables()[key].equals(table), key
    assert child["figures"].keys() == here["figures"].keys()


def test_plan_and_certification_tasks_match_the_engine(demo_path):
    from ssp_coder.reliability.certification import certification_report
    from ssp_coder.reliability.plan import plan_double_coding

    plan = run_in_process(tasks.double_coding_plan, demo_path, share=0.5, seed=11)
    with Project.open(demo_path, read_only=True, backups=False) as p:
        assert plan.to_frame().equals(plan_double_coding(p, share=0.5, seed=11).to_frame())
        trainee = p.coders()[0].name
        try:
            expected = certification_report(p, trainee)
        except KnownError as exc:
            with pytest.raises(KnownError, match=str(exc)[:40]):
                run_in_process(tasks.certification, demo_path, trainee=trainee)
        else:
            assert run_in_process(tasks.certification, demo_path, trainee=trainee).passed == expected.passed


def test_cancel_terminates_the_child_and_leaves_no_process(demo_path):
    proc = BackgroundProcess(child_tasks.report_then_wait, demo_path)
    seen: list = []
    while not seen:
        seen += proc.poll(0.1)
    assert seen == [Progress(1, 3, "started")]
    proc.cancel()
    rest = messages_until_done(proc)
    assert rest == [Cancelled()]
    assert proc.exitcode == -signal.SIGTERM
    assert gone(proc.pid) and not multiprocessing.active_children()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM cannot be ignored on Windows (terminate is final)")
def test_a_child_that_ignores_the_cancel_is_killed(demo_path, monkeypatch):
    monkeypatch.setattr(process, "TERMINATE_GRACE_S", 0.2)
    proc = BackgroundProcess(child_tasks.ignore_terminate_then_wait, demo_path)
    while not proc.poll(0.1):
        pass
    proc.cancel()
    assert messages_until_done(proc) == [Cancelled()]
    assert proc.exitcode == -signal.SIGKILL and gone(proc.pid)


def test_cancel_before_the_child_reported_anything(demo_path):
    proc = BackgroundProcess(child_tasks.count_sessions, demo_path)
    proc.cancel()
    assert messages_until_done(proc) == [Cancelled()]
    assert gone(proc.pid) and not multiprocessing.active_children()


@pytest.mark.parametrize("task,message", [
    (child_tasks.refuse, "no completed double codings yet"),
    (child_tasks.have_a_bug, "Unexpected error (ZeroDivisionError"),
    (child_tasks.die, "stopped unexpectedly (exit code 7)"),
    (child_tasks.unpicklable, "Unexpected error"),
])
def test_failures_come_back_as_messages(demo_path, task, message):
    proc = BackgroundProcess(task, demo_path)
    final = messages_until_done(proc)[-1]
    assert isinstance(final, Failed) and message in final.message
    assert "Traceback" in final.details or task is not child_tasks.have_a_bug
    assert gone(proc.pid) and not multiprocessing.active_children()


def test_a_missing_project_is_a_message(tmp_path):
    with pytest.raises(KnownError, match="no project file"):
        run_in_process(child_tasks.count_sessions, tmp_path / "gone.sspc")
