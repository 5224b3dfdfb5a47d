"""The verbs that change a project work on a server project as they do on a file."""

from __future__ import annotations

import json
from pathlib import Path

from ssp_coder.cli.app import main
from ssp_coder.store.project import Project


def test_roster_coders_assignments_and_reliability_on_a_server(pg_url: str, tiny_videos: list[Path],
                                                               tmp_path: Path, capsys, monkeypatch) -> None:
    empty = tmp_path / "empty.sspc"
    assert main(["init", str(empty)]) == 0
    assert main(["server", "push", str(empty), pg_url]) == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("participant_id,timepoint,arm,video,site\n" + "".join(
        f"P{i // 2 + 1},{('pre', 'post')[i % 2]},{('ABC', 'DEF')[i // 2]},{v},Leiden\n"
        for i, v in enumerate(tiny_videos)))
    monkeypatch.chdir(tmp_path)    # relative video paths of a server project are taken from the current folder
    assert main(["import-roster", pg_url, str(roster), "--dry-run"]) == 0
    with Project.open(pg_url) as p:
        assert p.counts()["sessions"] == 0          # the rehearsal rolled back on the server too
    assert main(["import-roster", pg_url, str(roster)]) == 0
    for name, role in (("Ann", "coder"), ("Bob", "coder"), ("Lead", "coordinator")):
        assert main(["coder", "add", pg_url, name, "--role", role]) == 0
    assert main(["assign", pg_url, "--coder", "Ann", "--coder", "Bob"]) == 0
    assert main(["irr", "plan", pg_url, "--share", "0.5", "--seed", "3"]) == 0
    capsys.readouterr()
    assert main(["status", pg_url, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert main(["sessions", pg_url, "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert len(listing["sessions"] if isinstance(listing, dict) else listing) == 4
    with Project.open(pg_url) as p:
        assert p.counts()["codings"] == 6
        # videos outside the current folder are kept by their full path
        assert {s.video_path for s in p.sessions()} == {str(v) for v in tiny_videos}
        commands = {a.command for a in p.audit_log()}
    assert {"AddParticipant", "AddSession", "AddCoder", "CreateCoding"} <= commands
    assert "Lead" in json.dumps(status)
