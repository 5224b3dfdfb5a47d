"""Worker processes are spawned, never forked from a process that may run threads."""

from __future__ import annotations

import ast
import sys
import threading
import warnings
from pathlib import Path

import pytest

from ssp_coder.processes import process_pool, worker_context

ROOT = Path(__file__).resolve().parents[1]
# Calls that start processes or choose how; only ssp_coder/processes.py may make them.
PROCESS_CALLS = {"ProcessPoolExecutor", "Pool", "Process", "set_start_method", "get_context", "fork"}


def _inherited_marker() -> bool:
    # A forked worker is a copy of the parent and sees the marker the test set; a spawned one starts clean.
    return bool(getattr(sys, "_ssp_coder_test_marker", False))


def test_the_worker_context_is_spawn():
    assert worker_context().get_start_method() == "spawn"


def test_pool_workers_start_clean_instead_of_copying_the_parent(monkeypatch):
    monkeypatch.setattr(sys, "_ssp_coder_test_marker", True, raising=False)
    with process_pool(1) as pool:
        assert pool.submit(_inherited_marker).result(timeout=120) is False


def _process_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            if name in PROCESS_CALLS and (name not in {"Process", "fork", "get_context"}
                                          or owner in {"multiprocessing", "mp", "os", "ctx"}):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_every_process_pool_comes_from_the_processes_module():
    offenders = []
    for folder in ("ssp_coder", "benchmarks", "packaging"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != ROOT / "ssp_coder" / "processes.py":
                offenders += _process_calls(path)
    assert offenders == [], ("start worker processes with ssp_coder.processes.process_pool() or "
                             "worker_context(), never forked:\n" + "\n".join(offenders))


def test_the_guard_sees_a_default_pool(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    bad = tmp_path / "bad.py"
    bad.write_text("from concurrent.futures import ProcessPoolExecutor\n"
                   "import multiprocessing\n"
                   "ProcessPoolExecutor(2)\nmultiprocessing.Pool(2)\nmultiprocessing.get_context('fork')\n")
    assert len(_process_calls(bad)) == 3


@pytest.mark.skipif(sys.version_info < (3, 12), reason="Python reports forking a multi-threaded process from 3.12")
def test_demo_videos_are_made_without_forking_a_threaded_process(tmp_path):
    from ssp_coder.demo.build import _write_videos

    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)   # the window and pytest both run threads
    busy.start()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _write_videos([(str(tmp_path / f"v{i}.mp4"), 0.3, i) for i in range(2)], 2, None)
    finally:
        stop.set()
    assert [str(w.message) for w in caught if "fork" in str(w.message)] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v0.mp4", "v1.mp4"]
