"""Coder packages keep working against a server project: exported from it, merged back into it."""

from __future__ import annotations

import json
from pathlib import Path

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import SetClassification
from ssp_coder.packages import open_package
from ssp_coder.store.project import Project


def test_export_from_the_server_and_merge_back(trial_url: str, tmp_path: Path, capsys) -> None:
    with Project.open(trial_url) as p:
        draft = next(c for c in p.codings(status="draft") if c.coder_id == p.coder("Ann").id)
        code = p.session(int(draft.session_id)).blinded_code
    pkg = tmp_path / "ann.sspkg"
    assert main(["package", "export", trial_url, "--coder", "Ann", "-o", str(pkg)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    opened = open_package(pkg)
    try:
        coder_file = opened.project
        cid = next(int(c.id) for c in coder_file.codings() if coder_file.session(int(c.session_id)).blinded_code == code)
        coder_file.execute(SetClassification(cid, "A2"))
    finally:
        opened.close(write_return=False)
    assert main(["package", "return", str(pkg)]) == 0
    returned = tmp_path / "ann-returned.sspkg"
    capsys.readouterr()
    assert main(["package", "import", trial_url, str(returned), "--json"]) == 0, capsys.readouterr().err
    assert [m["session_code"] for m in json.loads(capsys.readouterr().out)["merged"]] == [code]
    with Project.open(trial_url) as p:
        assert p.coding_state(int(draft.id)).result.classification == "A2"
        assert any(a.command == "SetClassification" and a.coding_id == int(draft.id) for a in p.audit_log())
    assert main(["package", "list", trial_url, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["coder"] == "Ann" and rows[0]["imported_at"]
