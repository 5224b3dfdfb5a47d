"""Kill the window mid-coding: every event it reported as committed is in the project file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ssp_coder.store.project import Project

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def test_killed_window_loses_nothing_committed(project_path, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("crash_child.py")), str(project_path),
                              str(tmp_path / "settings.ini")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env=env)
    reported: list[int] = []
    try:
        for line in child.stdout:
            if line.startswith("committed "):
                reported.append(int(line.split()[1]))
            if len(reported) >= 40:
                child.send_signal(signal.SIGKILL)    # mid-coding: the next key is already on its way
                break
    finally:
        child.kill()
        child.wait(30)
        child.stdout.close()
    assert len(reported) >= 40
    project = Project.open(project_path, backups=False)     # writable: the killed window left no lock behind
    try:
        coding = project.codings()[0]
        stored = {int(e.id) for e in project.coding_state(int(coding.id)).events}
        assert set(reported) <= stored
        assert project.audit_log(coding_id=int(coding.id))[-1].actor == "Ana"
    finally:
        project.close()
