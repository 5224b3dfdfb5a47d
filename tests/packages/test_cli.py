"""The package commands end to end through ``ssp-coder``."""

from __future__ import annotations

import json
from pathlib import Path

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import SetClassification
from ssp_coder.packages import open_package

from tests.packages.conftest import Trial, open_trial


def _code(pkg: Path, classification: str) -> None:
    opened = open_package(pkg)
    try:
        p = opened.project
        cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "P8D4")
        p.execute(SetClassification(cid, classification))
    finally:
        opened.close(write_return=False)


def test_export_return_import_from_the_command_line(trial: Trial, tmp_path: Path, capsys) -> None:
    pkg = tmp_path / "ann.sspkg"
    assert main(["package", "export", str(trial.path), "--coder", "ann", "--with-videos", "-o", str(pkg)]) == 0
    assert "4 session(s), 4 coding(s), with videos" in capsys.readouterr().out
    assert main(["package", "info", str(pkg), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["issued"]["coder"] == "Ann" and len(manifest["files"]) == 5

    _code(pkg, "A2")
    assert main(["package", "return", str(pkg)]) == 0
    returned = tmp_path / "ann-returned.sspkg"
    assert str(returned) in capsys.readouterr().out

    assert main(["package", "import", str(trial.path), str(returned), "--dry-run"]) == 0
    assert "Would merge" in capsys.readouterr().out
    with open_trial(trial) as project:
        assert project.coding_state(trial.codings[("P8D4", "Ann")]).result.classification is None
    assert main(["package", "import", str(trial.path), str(returned), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [m["session_code"] for m in report["merged"]] == ["P8D4"]
    with open_trial(trial) as project:
        assert project.coding_state(trial.codings[("P8D4", "Ann")]).result.classification == "A2"

    # A conflict: exit code 3 and the project keeps its value until --prefer decides.
    _code(pkg, "B3")
    assert main(["package", "return", str(pkg)]) == 0
    with open_trial(trial) as project:
        project.execute(SetClassification(trial.codings[("P8D4", "Ann")], "C1"))
    capsys.readouterr()
    assert main(["package", "import", str(trial.path), str(returned)]) == 3
    assert "CONFLICT P8D4" in capsys.readouterr().out
    assert main(["package", "import", str(trial.path), str(returned), "--prefer", "package"]) == 0
    with open_trial(trial) as project:
        assert project.coding_state(trial.codings[("P8D4", "Ann")]).result.classification == "B3"

    capsys.readouterr()
    assert main(["package", "list", str(trial.path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["coder"] == "Ann" and rows[0]["imported_at"]


def test_refusals_are_clear_messages(trial_no_videos: Trial, tmp_path: Path, capsys) -> None:
    pkg = tmp_path / "x.sspkg"
    assert main(["package", "export", str(trial_no_videos.path), "--coder", "Ann", "--with-videos",
                 "-o", str(pkg)]) == 2
    assert "cannot be put in the package" in capsys.readouterr().err and not pkg.exists()
    junk = tmp_path / "junk.sspkg"
    junk.write_text("hello")
    assert main(["package", "import", str(trial_no_videos.path), str(junk)]) == 2
    assert "not an ssp-coder package" in capsys.readouterr().err


def test_open_extracts_relinks_and_starts_the_window(trial: Trial, tmp_path: Path, monkeypatch, capsys) -> None:
    pkg = tmp_path / "ann.sspkg"
    assert main(["package", "export", str(trial.path), "--coder", "Ann", "-o", str(pkg)]) == 0
    calls = []
    monkeypatch.setattr("ssp_coder.cli.cmd_gui.run_gui", lambda ns: calls.append(ns.project) or 0)
    assert main(["open", str(pkg)]) == 0
    assert "Videos not found yet for: K7Q2, M3X9, P8D4, R2T6" in capsys.readouterr().out
    assert main(["open", str(pkg), "--video-dir", str(trial.folder)]) == 0
    assert "not found" not in capsys.readouterr().out
    assert calls == [str(pkg), str(pkg)]
    with open_package(pkg) as opened:
        assert opened.missing_videos() == []
