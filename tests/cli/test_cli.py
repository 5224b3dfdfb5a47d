"""The command line, run in-process and as a real subprocess."""

import json
import subprocess
import sys

import pytest

from ssp_coder import __version__
from ssp_coder.cli import main


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ssp-coder {__version__}"
    with pytest.raises(SystemExit) as info:  # also after other options, through the parser
        main(["--debug", "--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_init_coders_roster_assign_status(capsys, tmp_path, tiny_videos):
    proj = str(tmp_path / "t.sspc")
    assert run(capsys, "init", proj)[0] == 0
    roster = tmp_path / "r.csv"
    roster.write_text("participant_id,timepoint,arm,video\n" + "".join(
        f"P{i},{'pre' if i % 2 else 'post'},A,{v}\n" for i, v in enumerate(tiny_videos)))
    code, out, _ = run(capsys, "import-roster", proj, str(roster))
    assert code == 0 and "Added 4 participant(s) and 4 session(s)" in out
    for name in ("Ann", "Bob"):
        assert run(capsys, "coder", "add", proj, name)[0] == 0
    assert run(capsys, "coder", "add", proj, "Lead", "--role", "coordinator")[0] == 0
    code, out, _ = run(capsys, "assign", proj, "--coder", "Ann", "--coder", "Bob", "--seed", "1")
    assert code == 0 and "Assigned 4 primary" in out
    code, out, _ = run(capsys, "assign", proj, "--coder", "Ann", "--coder", "Bob", "--purpose", "reliability")
    assert code == 0 and "Assigned 4 reliability" in out
    code, out, _ = run(capsys, "status", proj, "--json")
    data = json.loads(out)
    assert data["sessions"] == 4 and data["participants"] == 4
    assert {c["name"] for c in data["coders"]} == {"Ann", "Bob", "Lead"}
    assert data["codings"]["by_purpose"]["primary"] == 4 and data["codings"]["by_purpose"]["reliability"] == 4
    assert data["codings"]["by_status"]["draft"] == 8
    assert data["codings"]["by_coder"]["Ann"]["draft"] == 4 and data["codings"]["by_coder"]["Bob"]["draft"] == 4
    code, out, _ = run(capsys, "coder", "list", proj)
    assert "Ann" in out and "coordinator" in out


def test_known_errors_exit_2_with_one_clear_line(capsys, tmp_path):
    code, out, err = run(capsys, "status", str(tmp_path / "missing.sspc"))
    assert code == 2 and "no project file" in err and "Traceback" not in err
    proj = str(tmp_path / "t.sspc")
    run(capsys, "init", proj)
    code, _, err = run(capsys, "assign", proj, "--coder", "Nobody")
    assert code == 2 and "no coder called 'Nobody'" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_id,timepoint,arm,video\nP1,pre,A,nothere.mp4\n")
    code, _, err = run(capsys, "import-roster", proj, str(bad))
    assert code == 2 and "row 2, column 'video'" in err


def test_bugs_exit_1_with_apology_and_log_path(capsys, tmp_path, monkeypatch):
    import ssp_coder.cli.cmd_project as cmd

    monkeypatch.setattr(cmd, "status_data", lambda project: 1 / 0)
    proj = str(tmp_path / "t.sspc")
    run(capsys, "init", proj)
    code, _, err = run(capsys, "status", proj)
    assert code == 1 and "sorry" in err and "ssp-coder.log" in err and "ZeroDivisionError" not in err


def test_no_display_gui_says_so(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(sys, "platform", "linux")
    code, _, err = run(capsys, "gui")
    assert code == 2 and "No display is available" in err


@pytest.mark.slow
def test_demo_no_gui_as_a_subprocess(tmp_path):
    env_cmd = [sys.executable, "-m", "ssp_coder", "demo", "--no-gui", "--dir", str(tmp_path / "demo")]
    res = subprocess.run(env_cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "48 sessions" in res.stdout and "final classifications" in res.stdout
    again = subprocess.run(env_cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "Reusing" in again.stdout


def test_demo_without_display_prints_summary(tmp_path, monkeypatch):
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    # reuse an existing demo folder made by build_demo to keep this quick
    from ssp_coder.demo import build_demo

    build_demo(tmp_path / "d", participants=2, episode_seconds=0.3, workers=1)
    res = subprocess.run([sys.executable, "-m", "ssp_coder", "demo", "--dir", str(tmp_path / "d")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "No display is available" in res.stderr and "final classifications" in res.stdout


def test_status_of_a_project_without_codings_has_no_dangling_separator(capsys, tmp_path):
    proj = str(tmp_path / "t.sspc")
    run(capsys, "init", proj)
    code, out, _ = run(capsys, "status", proj)
    line = next(x for x in out.splitlines() if "codings:" in x)
    assert code == 0 and line.rstrip().endswith("0 draft") and not line.rstrip().endswith(";")
