"""``ssp-coder score`` and ``ssp-coder check`` (and the legacy commands) from the command line."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd

from ssp_coder.cli.app import main
from tests.scoring.conftest import fill, new_coding
from tests.scoring.test_aids import PLUGIN


def _project(trial):
    a = new_coding(trial, "S1PR", "Ann", "primary")
    fill(trial, a, classification="B3", d_rating=6, cry=[(414, 416)])
    path = trial.path
    trial.close()
    return path


def test_score_writes_csv_and_settings(trial, tmp_path, capsys):
    path = _project(trial)
    out = tmp_path / "scores.csv"
    assert main(["score", str(path), "-o", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) == 6 and df.loc[df["source"] == "primary", "cry_intervals_e4"].tolist() == [2]
    settings = json.loads((tmp_path / "scores.settings.json").read_text())
    assert settings["settings"]["d_cutoff"] == 5
    assert "Scored 1 of 6 sessions" in capsys.readouterr().out


def test_score_xlsx_and_json(trial, tmp_path, capsys):
    path = _project(trial)
    out = tmp_path / "scores.xlsx"
    assert main(["score", str(path), "-o", str(out), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 6 and any(r["abcd"] == "B" for r in rows)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["scores", "settings"]
    assert main(["score", str(path), "-o", str(tmp_path / "scores.txt")]) == 2


def test_check_lists_warnings_per_session_and_exits_0(trial, capsys):
    path = _project(trial)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "S1PR" in out and "d_high_not_d" in out
    assert main(["check", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["codings"][0]["session"] == "S1PR" and data["codings"][0]["warnings"][0].startswith("d_high_not_d")


def test_check_aids(trial, tmp_path, capsys):
    path = _project(trial)
    assert main(["check", str(path), "--lda"]) == 2          # too few consensus codings: a clear message
    assert "consensus coding" in capsys.readouterr().err
    plugin = tmp_path / "plugin.json"
    plugin.write_text(json.dumps(PLUGIN))
    assert main(["check", str(path), "--discriminant", str(plugin), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["discriminant"]["plugin"]["name"] == "Example functions"
    assert data["discriminant"]["rows"][0]["session"] == "S1PR"


def test_template_and_import_codings(trial, tmp_path, capsys):
    path = trial.path
    trial.close()
    out = tmp_path / "t.xlsx"
    # The example template (a project's own template is pre-filled with its assigned codings instead).
    assert main(["template", "codings", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    for name in ("codings", "boundaries", "events"):
        for row in wb[name].iter_rows(min_row=2):
            row[0].value, row[2].value = "P2", "Bob"
    wb.save(out)
    assert main(["import-codings", str(path), str(out)]) == 0
    assert "1 coding(s) imported" in capsys.readouterr().out
    assert main(["import-codings", str(path), str(out), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["unchanged"]) == 1
    wb["codings"]["C2"].value = "Nobody"
    wb.save(out)
    assert main(["import-codings", str(path), str(out)]) == 2
    assert "coder add" in capsys.readouterr().err
