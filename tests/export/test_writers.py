import os
import shutil
import stat
import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from ssp_coder.atomic import WriteError
from ssp_coder.export.api import ExportError, output_paths, prepare_from_frames, write_export
from ssp_coder.export.writers import label_with_unit, stat_names
from tests.export.conftest import bernard_rows, frames


@pytest.fixture
def data(scheme, settings):
    sessions, scored = frames(bernard_rows())
    sessions["date_of_visit"] = "2025-03-04"
    sessions.loc[0, "date_of_visit"] = None
    sessions.loc[1, "sex"] = "Zoë"  # non-ASCII must survive every format
    return prepare_from_frames(sessions, scored, scheme, settings, meta={"project": "Test trial"}, catalogue={})


def _cmp_numeric(got, want):
    got = pd.to_numeric(pd.Series(got), errors="coerce").to_numpy(float)
    want = pd.to_numeric(pd.Series(want), errors="coerce").to_numpy(float)
    np.testing.assert_allclose(got, want, equal_nan=True)


def test_xlsx_round_trip(tmp_path, data):
    path, = write_export(data, "xlsx", tmp_path / "trial.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["data_long", "data_wide", "codebook", "summary", "settings"]
    ws = wb["data_long"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert ws.column_dimensions["A"].width >= len("participant_id")
    header = [c.value for c in ws[1]]
    assert header == list(data.long.columns)
    col = {h: i for i, h in enumerate(header)}
    first = [c.value for c in ws[2]]
    assert isinstance(first[col["d_rating"]], (int, float))  # numbers stored as numbers
    assert isinstance(first[col["secure"]], int)
    back = pd.read_excel(path, sheet_name=None)
    long = back["data_long"]
    for c in ("d_rating", "secure", "disorganized", "session_id", "double_coded", "age_months"):
        _cmp_numeric(long[c], data.long[c])
    for c in ("participant_id", "arm", "timepoint", "abcd", "coding_status"):
        assert long[c].fillna("").astype(str).tolist() == data.long[c].fillna("").astype(str).tolist()
    assert long["sex"].tolist()[1] == "Zoë"
    # dates are dates, the missing one empty
    assert pd.isna(long["date_of_visit"][0]) and long["date_of_visit"][2] == pd.Timestamp("2025-03-04")
    wide = back["data_wide"]
    _cmp_numeric(wide["secure_change"], data.wide["secure_change"])
    book = back["codebook"]
    secure = book[(book["variable"] == "secure") & (book["table"] == "long")].iloc[0]
    assert "1 = secure" in secure["values"] and secure["type"] == "binary"
    abcd = book[book["variable"] == "abcd"].iloc[0]
    assert abcd["sav_dta_codes"].startswith("1 = A; 2 = B; 3 = C; 4 = D")
    assert "cc_handling=D" in abcd["settings_used"]
    settings = back["settings"].set_index("key")["value"]
    assert settings["setting.d_cutoff"] == "5" and settings["project"] == "Test trial"
    assert set(back["summary"]["table"]) >= {"distribution", "between_arm", "incomplete"}


def test_csv_folder_has_one_file_per_table(tmp_path, data):
    folder, = write_export(data, "csv", tmp_path / "out")
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["data_long.csv", "data_wide.csv", "codebook.csv", "summary_distribution.csv",
                            "summary_within_arm.csv", "summary_between_arm.csv", "incomplete.csv", "settings.csv"])
    assert (folder / "data_long.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    long = pd.read_csv(folder / "data_long.csv", encoding="utf-8-sig")
    _cmp_numeric(long["d_rating"], data.long["d_rating"])
    assert long["sex"][1] == "Zoë"
    # empty, not "nan", for missing values
    assert ",nan," not in (folder / "data_long.csv").read_text(encoding="utf-8-sig")
    inc = pd.read_csv(folder / "incomplete.csv")
    assert set(inc["participant_id"]) == {"A99", "D99"}


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_round_trip_with_labels(tmp_path, data, fmt):
    paths = write_export(data, fmt, tmp_path / f"trial.{fmt}")
    assert [p.name for p in paths] == [f"trial_long.{fmt}", f"trial_wide.{fmt}", "trial_codebook.csv"]
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    df, meta = read(str(paths[0]))
    names = stat_names(list(data.long.columns))
    assert list(df.columns) == [names[c] for c in data.long.columns]
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["secure"] == "Secure (B)"
    assert labels["d_rating"].startswith("D rating")
    vl = {k: meta.value_labels[v] for k, v in meta.variable_to_label.items()}
    assert {int(k): v for k, v in vl["abcd"].items()} == {1: "A avoidant", 2: "B secure", 3: "C resistant/ambivalent",
                                                           4: "D disorganized"}
    assert {int(k): v for k, v in vl["secure"].items()} == {0: "insecure", 1: "secure"}
    assert {int(k): v for k, v in vl["arm"].items()} == {1: "ABC", 2: "DEF"}
    assert {int(k): v for k, v in vl["coding_status"].items()} == {1: "complete", 2: "in progress", 3: "not coded"}
    # values: codes map back to the text; numbers equal; missing is system-missing (NaN)
    codes = {1: "A", 2: "B", 3: "C", 4: "D"}
    assert df["abcd"].map(codes).fillna("").tolist() == data.long["abcd"].fillna("").tolist()
    _cmp_numeric(df["d_rating"], data.long["d_rating"])
    _cmp_numeric(df["secure"], data.long["secure"])
    assert df["d_rating"].isna().sum() == data.long["d_rating"].isna().sum() == 2
    assert df["participant_id"].tolist() == data.long["participant_id"].tolist()
    assert df["sex"][1] == "Zoë"
    assert str(df["date_of_visit"][2])[:10] == "2025-03-04"
    types = meta.readstat_variable_types
    assert types["participant_id"] == "string" and types["d_rating"] == "double"
    assert types["abcd"] == ("double" if fmt == "sav" else "int32")   # SPSS: doubles with format F1.0
    wide, wmeta = read(str(paths[1]))
    _cmp_numeric(wide["d_rating_change"], data.wide["d_rating_change"])
    assert {int(k): v for k, v in wmeta.value_labels[wmeta.variable_to_label["secure_change"]].items()} == {
        -1: "secure to insecure", 0: "no change", 1: "insecure to secure"}


def test_one_shape_writes_one_file(tmp_path, data):
    paths = write_export(data, "dta", tmp_path / "w", shape="wide")
    assert paths[0].name == "w.dta"
    df, _ = pyreadstat.read_dta(str(paths[0]))
    assert len(df) == len(data.wide) and "secure_pre" in df.columns


def test_read_only_target_is_refused_and_left_intact(tmp_path, data):
    target = tmp_path / "trial.xlsx"
    target.write_bytes(b"old contents")
    target.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        with pytest.raises(WriteError, match="read-only"):
            write_export(data, "xlsx", target)
        assert target.read_bytes() == b"old contents"
        assert [p.name for p in tmp_path.iterdir()] == ["trial.xlsx"]  # no temporary file left behind
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_read_only_second_file_refuses_before_writing_the_first(tmp_path, data):
    wide = tmp_path / "t_wide.sav"
    wide.write_bytes(b"old")
    wide.chmod(stat.S_IRUSR)
    try:
        with pytest.raises(WriteError):
            write_export(data, "sav", tmp_path / "t.sav")
        assert not (tmp_path / "t_long.sav").exists() and wide.read_bytes() == b"old"
    finally:
        wide.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unknown_format_and_missing_folder(tmp_path, data):
    with pytest.raises(ExportError, match="Unknown export format"):
        write_export(data, "json", tmp_path / "x")
    with pytest.raises(WriteError, match="does not exist"):
        write_export(data, "sav", tmp_path / "nope" / "x.sav")


def test_output_paths():
    assert [p.name for p in output_paths("sav", "out/trial", "both")] == ["trial_long.sav", "trial_wide.sav"]
    assert [p.name for p in output_paths("xlsx", "trial", "long")] == ["trial.xlsx"]


def test_stat_names_are_valid_and_unique():
    cols = ["secure", "in", "1st", "a" * 40, "a" * 40 + "x", "ok-name", "_x"]
    names = stat_names(cols)
    assert names["in"] == "in_v" and names["1st"] == "v1st" and names["ok-name"] == "ok_name"
    assert names["_x"] == "v_x"
    assert all(len(n) <= 32 and n[0].isalpha() for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(cols)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook(tmp_path, data):
    path, = write_export(data, "xlsx", tmp_path / "trial.xlsx")
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "csv", "--outdir", str(out), str(path)],
                   check=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    text = (out / "trial.csv").read_text(encoding="utf-8", errors="replace")
    assert text.splitlines()[0].startswith("participant_id,arm")


@pytest.mark.parametrize("label, unit, shown", [
    ("Latency to cry in episode 5", "s", "Latency to cry in episode 5 (s)"),    # an "s" inside words is no unit
    ("Actual length of episode 3 (separation)", "s", "Actual length of episode 3 (separation) (s)"),
    ("Onset in seconds", "s", "Onset in seconds"),
    ("Length of episode 2 (s)", "s", "Length of episode 2 (s)"),
    ("Number of D-index marks", "marks", "Number of D-index marks"),
    ("Mean rating", "scale points", "Mean rating (scale points)"),
    ("D rating", "", "D rating"),
])
def test_spss_and_stata_labels_name_the_unit_once(label, unit, shown):
    assert label_with_unit(label, unit) == shown
