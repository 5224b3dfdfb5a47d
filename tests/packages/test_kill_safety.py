"""The coder's work is on disk as soon as a command returns: a killed program loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ssp_coder.packages import export_package, import_package, open_package

from tests.packages.conftest import Trial, open_trial

SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from ssp_coder.domain.commands import AddEvent, SetClassification
    from ssp_coder.packages import open_package
    opened = open_package(sys.argv[1])
    p = opened.project
    cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "M3X9")
    p.execute(SetClassification(cid, "C2"))
    p.execute(AddEvent(cid, "resist", 40, 90))
    print("saved", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_work_survives_a_kill_and_merges(trial: Trial, tmp_path: Path) -> None:
    with open_trial(trial) as project:
        info = export_package(project, "Ann", out_path=tmp_path / "ann.sspkg")
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(info.path)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.stdout.strip() == "saved", done.stderr
    assert done.returncode == -signal.SIGKILL
    assert not (tmp_path / "ann-returned.sspkg").exists()
    with open_package(info.path) as opened:        # reopening finds the work and writes the return on close
        p = opened.project
        cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "M3X9")
        state = p.coding_state(cid)
        assert state.result.classification == "C2" and [e.code for e in state.events] == ["resist"]
    with open_trial(trial) as project:
        report = import_package(project, tmp_path / "ann-returned.sspkg")
        assert [m.session_code for m in report.merged] == ["M3X9"]
        assert project.coding_state(trial.codings[("M3X9", "Ann")]).result.classification == "C2"
