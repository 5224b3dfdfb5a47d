"""``ssp-coder sessions``: the coordinator's map from blinded codes to sessions; coders get a blinded list."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from ssp_coder.cli.app import main
from ssp_coder.domain import commands as cmds
from tests.scoring.conftest import fill, new_coding
from tests.scoring.conftest import trial  # noqa: F401  (the same small trial)


def _run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _setup(trial) -> Path:
    a = new_coding(trial, "S1PR", "Ann", "primary")
    b = new_coding(trial, "S1PR", "Bob", "reliability")
    fill(trial, a, classification="B3")
    fill(trial, b, classification="C1")
    c = new_coding(trial, "S2PO", "Bob", "primary")
    trial.execute(cmds.AddEvent(c, "cry", 1000, 2000))
    new_coding(trial, "S3PR", "Ann", "primary")                      # assigned, nothing entered
    path = Path(trial.path)
    trial.close()
    return path


def test_the_coordinator_sees_who_codes_what_and_the_consensus_state(trial, capsys, tmp_path):
    path = _setup(trial)
    code, out, _ = _run(capsys, "sessions", path, "--json")
    assert code == 0
    data = json.loads(out)
    assert not data["blinded"] and len(data["sessions"]) == 6
    rows = {r["blinded_code"]: r for r in data["sessions"]}
    s1 = rows["S1PR"]
    assert (s1["participant_id"], s1["timepoint"], s1["arm"], s1["site"]) == ("P1", "pre", "ABC", "Newark")
    assert s1["coders"] == [{"coder": "Ann", "purpose": "primary", "status": "complete"},
                            {"coder": "Bob", "purpose": "reliability", "status": "complete"}]
    assert s1["status"] == "complete" and s1["consensus"] == "needed"     # B3 against C1
    assert rows["S2PO"]["status"] == "in progress" and rows["S3PR"]["status"] == "assigned"
    assert rows["S1PO"]["status"] == "unassigned" and rows["S1PO"]["coders"] == []
    code, out, _ = _run(capsys, "sessions", path, "--status", "assigned", "in-progress")
    assert code == 0 and "S2PO" in out and "S3PR" in out and "S1PR" not in out and "P2" in out


def test_a_coder_gets_the_blinded_columns_only(trial, capsys, tmp_path):
    path = _setup(trial)
    code, out, _ = _run(capsys, "sessions", path, "--coder", "Ann", "--json")
    data = json.loads(out)
    assert code == 0 and data["blinded"] and data["coder"] == "Ann"
    assert data["sessions"] == [{"blinded_code": "S1PR", "purpose": "primary", "status": "complete"},
                                {"blinded_code": "S3PR", "purpose": "primary", "status": "assigned"}]
    code, out, _ = _run(capsys, "sessions", path, "--coder", "Ann")
    for leak in ("P1", "P3", "ABC", "Newark", "pre", "Bob"):
        assert leak not in out.replace("S1PR", "").replace("S3PR", "").replace("primary", ""), leak
    # A coordinator's own list is not blinded; --blinded blinds any list.
    code, out, _ = _run(capsys, "sessions", path, "--coder", "Lead", "--json")
    assert json.loads(out)["sessions"] == [] and not json.loads(out)["blinded"]
    code, out, _ = _run(capsys, "sessions", path, "--blinded", "--coder", "Bob", "--status", "in-progress",
                        "--json")
    assert json.loads(out)["sessions"] == [{"blinded_code": "S2PO", "purpose": "primary", "status": "in progress"}]


def test_the_list_is_written_to_a_file_checked_first(trial, capsys, tmp_path):
    path = _setup(trial)
    code, out, _ = _run(capsys, "sessions", path, "-o", tmp_path / "sessions.xlsx")
    assert code == 0 and f"Wrote {tmp_path / 'sessions.xlsx'}" in out
    ws = openpyxl.load_workbook(tmp_path / "sessions.xlsx").active
    head = [c.value for c in ws[1]]
    assert head == ["blinded_code", "participant_id", "timepoint", "arm", "site", "status", "coders", "consensus"]
    code, out, _ = _run(capsys, "sessions", path, "--coder", "Ann", "-o", tmp_path / "ann.csv")
    assert (tmp_path / "ann.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "blinded_code,purpose,status"
    code, _, err = _run(capsys, "sessions", path, "-o", tmp_path / "missing" / "s.csv")
    assert code == 2 and "does not exist" in err
    code, _, err = _run(capsys, "sessions", path, "-o", tmp_path / "s.txt")
    assert code == 2 and ".csv or .xlsx" in err
    code, _, err = _run(capsys, "sessions", path, "--coder", "Nobody")
    assert code == 2
