"""Every import's ``--dry-run`` reports exactly what the real run then does, and changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ssp_coder.cli.app import main
from ssp_coder.domain import commands as cmds
from ssp_coder.packages import open_package
from ssp_coder.store.project import Project

from tests.legacy.test_import import good_sheet
from tests.packages.conftest import build_trial
from tests.scoring.conftest import trial  # noqa: F401  (the same small trial)


def _state(path: Path) -> tuple:
    with Project.open(path, read_only=True, backups=False) as p:
        c = p.counts()
        return tuple(sorted(c.items())), len(p.audit_log()), [(x.id, x.status, x.revision) for x in p.codings()]


def _run(argv: list[str], capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().out


def _without_dry_run_flag(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "dry_run"}


def test_roster_dry_run_reports_the_real_import(tmp_path: Path, tiny_videos: list[Path], capsys) -> None:
    project = tmp_path / "trial.sspc"
    Project.create(project, backups=False).close()
    for i, v in enumerate(tiny_videos):
        shutil.copy(v, tmp_path / f"v{i}.mp4")
    roster = tmp_path / "roster.csv"
    roster.write_text("participant_id,timepoint,arm,video\nP1,pre,ABC,v0.mp4\nP1,post,ABC,v1.mp4\n"
                      "P2,pre,DEF,v2.mp4\n", encoding="utf-8")
    before = _state(project)
    code, dry = _run(["import-roster", str(project), str(roster), "--dry-run"], capsys)
    assert code == 0 and _state(project) == before
    code, real = _run(["import-roster", str(project), str(roster)], capsys)
    assert code == 0 and _state(project) != before
    assert dry.strip().replace("Would add", "Added") == real.strip()
    assert "2 participant(s) and 3 session(s)" in real
    # Once more: now both say the sessions are already there.
    roster.write_text(roster.read_text() + "P2,post,DEF,v3.mp4\n", encoding="utf-8")
    _, dry = _run(["import-roster", str(project), str(roster), "--dry-run"], capsys)
    _, real = _run(["import-roster", str(project), str(roster)], capsys)
    assert dry.strip().replace("Would add", "Added") == real.strip()
    assert "0 participant(s) and 1 session(s)" in real and "3 session(s) were already" in real


def test_sheet_dry_run_reports_the_real_import(trial, tmp_path: Path, capsys) -> None:
    # An assigned, still empty coding (as in a coder's package) is filled; Bob's is created.
    trial.execute(cmds.CreateCoding(int(trial.session_by_code("S1PR").id), int(trial.coder("Ann").id), "primary"))
    path = Path(trial.path)
    trial.close()
    sheet = good_sheet(tmp_path / "sheet.xlsx")
    before = _state(path)
    code, dry = _run(["import-codings", str(path), str(sheet), "--dry-run", "--json"], capsys)
    assert code == 0 and _state(path) == before
    code, real = _run(["import-codings", str(path), str(sheet), "--json"], capsys)
    assert code == 0
    dry_report, real_report = json.loads(dry), json.loads(real)
    assert dry_report["dry_run"] is True and real_report["dry_run"] is False
    assert _without_dry_run_flag(dry_report) == _without_dry_run_flag(real_report)
    assert len(real_report["filled"]) == 1 and len(real_report["created"]) == 1
    # The same sheet again: both report the codings as unchanged.
    _, dry = _run(["import-codings", str(path), str(sheet), "--dry-run", "--json"], capsys)
    _, real = _run(["import-codings", str(path), str(sheet), "--json"], capsys)
    assert _without_dry_run_flag(json.loads(dry)) == _without_dry_run_flag(json.loads(real))
    assert len(json.loads(real)["unchanged"]) == 2


def test_sheet_dry_run_text_counts_match(trial, tmp_path: Path, capsys) -> None:
    path = Path(trial.path)
    trial.close()
    sheet = good_sheet(tmp_path / "sheet.xlsx")
    _, dry = _run(["import-codings", str(path), str(sheet), "--dry-run"], capsys)
    _, real = _run(["import-codings", str(path), str(sheet)], capsys)
    assert "2 coding(s) would be imported" in dry and "2 coding(s) imported" in real


def test_package_dry_run_reports_the_real_merge(tmp_path: Path, capsys) -> None:
    t = build_trial(tmp_path, videos=False)
    pkg = tmp_path / "ann.sspkg"
    assert main(["package", "export", str(t.path), "--coder", "Ann", "-o", str(pkg)]) == 0
    opened = open_package(pkg)
    try:
        p = opened.project
        for c in p.codings():
            if p.session(int(c.session_id)).blinded_code in ("P8D4", "M3X9"):
                p.execute(cmds.SetClassification(int(c.id), "A2"))
    finally:
        opened.close(write_return=False)
    assert main(["package", "return", str(pkg)]) == 0
    returned = tmp_path / "ann-returned.sspkg"
    before = _state(t.path)
    code, dry = _run(["package", "import", str(t.path), str(returned), "--dry-run", "--json"], capsys)
    assert code == 0 and _state(t.path) == before
    code, real = _run(["package", "import", str(t.path), str(returned), "--json"], capsys)
    assert code == 0
    dry_report, real_report = json.loads(dry), json.loads(real)
    assert _without_dry_run_flag(dry_report) == _without_dry_run_flag(real_report)
    assert sorted(m["session_code"] for m in real_report["merged"]) == ["M3X9", "P8D4"]
