"""The events table in SPSS and Stata: its own file beside the datasets, with labels and the scheme's fixed codes."""

from __future__ import annotations

import stat

import pandas as pd
import pyreadstat
import pytest

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddEvent, MarkComplete
from ssp_coder.export import prepare_export, write_export
from ssp_coder.export.events import EVENT_COLUMNS
from tests.export.test_events_table import _complete, project  # noqa: F401  (the fixture)

READ = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}


def _labels(meta, column: str) -> dict[int, str]:
    return {int(k): v for k, v in meta.variable_value_labels[column].items()}


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_the_events_file_carries_labels_and_the_schemes_codes(project, tmp_path, fmt):
    data = prepare_export(project)
    written = write_export(data, fmt, tmp_path / f"trial.{fmt}")
    assert [p.name for p in written] == [f"trial_long.{fmt}", f"trial_wide.{fmt}", f"trial_events.{fmt}",
                                         "trial_codebook.csv"]
    df, meta = READ[fmt](str(written[2]))
    assert list(df.columns) == list(EVENT_COLUMNS) and len(df) == 5
    labels = meta.column_names_to_labels
    assert labels["view"].startswith("Camera view the event was coded from")
    assert labels["onset_s"] == "Onset in seconds, on the main view's clock"
    # Behaviour codes: the scheme's behaviours in scheme order, every one of them, coded in this file or not.
    scheme = project.scheme
    code_labels = _labels(meta, "code")
    assert code_labels == {i: b.name for i, b in enumerate(scheme.behaviours, start=1)}
    number = {b.code: i for i, b in enumerate(scheme.behaviours, start=1)}
    assert df["code"].astype(int).tolist() == [number[c] for c in ("cry", "approach", "contact", "look_door", "cry")]
    assert _labels(meta, "kind") == {1: "point event", 2: "state event (onset to offset)"}
    assert df["kind"].astype(int).tolist() == [2, 1, 2, 1, 2]
    assert _labels(meta, "view") == {1: "main view (roster column video)", 2: "view 2 (roster column video_2)",
                                     3: "view 3 (roster column video_3)"}
    assert df["view"].tolist()[:3] == [1, 2, 3] and df["view"].iloc[3:].isna().all()
    assert df["view_name"].tolist() == ["face", "", "door", "", ""]
    assert df["onset_s"].tolist() == [1.0, 6.0, 7.0, 9.5, 2.0] and df["duration_s"].iloc[0] == 3.5
    assert df["offset_s"].isna().tolist() == [False, True, False, True, False]
    # arm, timepoint and source merge with the long file code for code.
    long, long_meta = READ[fmt](str(written[0]))
    for col in ("arm", "timepoint", "source"):
        assert _labels(meta, col) == _labels(long_meta, col), col
    assert [_labels(meta, "arm")[int(v)] for v in df["arm"]] == ["ABC"] * 5
    assert [_labels(meta, "timepoint")[int(v)] for v in df["timepoint"]] == ["pre"] * 4 + ["post"]
    assert df["event_id"].astype(int).tolist() == data.events["event_id"].astype(int).tolist()
    if fmt == "sav":
        types = meta.original_variable_types
        assert types["code"] == "F2.0" and types["kind"] == "F1.0" and types["view"] == "F1.0"
        assert types["onset_s"] == "F8.2"
    else:
        assert meta.readstat_variable_types["code"] in ("int8", "int16", "int32")
    # The codebook beside the files describes the events file with the same codes.
    book = pd.read_csv(written[-1], encoding="utf-8-sig")
    rows = book[book["table"] == "events"].set_index("variable")
    assert list(rows.index) == list(EVENT_COLUMNS)
    assert rows.loc["kind", "sav_dta_codes"] == "1 = point; 2 = state"
    assert rows.loc["code", "sav_dta_codes"].startswith(f"1 = {scheme.behaviours[0].code}; 2 = ")


def test_behaviour_codes_do_not_depend_on_which_behaviours_were_coded(project, tmp_path):
    before = prepare_export(project)
    # A later wave codes a behaviour that sorts earlier and one the first wave lacked entirely.
    open_ = next(s for s in project.sessions() if s.blinded_code == "OPEN")
    late = next(int(c.id) for c in project.codings() if c.session_id == open_.id)
    unused = next(b for b in project.scheme.behaviours if b.code not in set(before.events["code"]) and b.is_state)
    project.execute_many(_complete(project, late) + [AddEvent(late, unused.code, 500, 900), MarkComplete(late)])
    after = prepare_export(project)
    one = write_export(before, "sav", tmp_path / "one.sav", shape="long")[1]
    two = write_export(after, "sav", tmp_path / "two.sav", shape="long")[1]
    (df1, m1), (df2, m2) = pyreadstat.read_sav(str(one)), pyreadstat.read_sav(str(two))
    assert m1.variable_value_labels["code"] == m2.variable_value_labels["code"]
    assert df1["code"].tolist() == df2["code"].tolist()[:len(df1)]
    assert df2["code"].iloc[-1] == project.scheme.behaviours.index(unused) + 1


def test_an_export_of_one_shape_still_gets_its_events_file(project, tmp_path):
    data = prepare_export(project)
    written = write_export(data, "dta", tmp_path / "t.dta", shape="long")
    assert [p.name for p in written] == ["t.dta", "t_events.dta", "t_codebook.csv"]
    assert all(p.exists() for p in written)


def test_a_read_only_events_file_stops_the_export_before_anything_is_written(project, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    events = out / "trial_events.sav"
    events.write_bytes(b"keep")
    events.chmod(stat.S_IRUSR)
    try:
        assert main(["export", str(project.path), "-o", str(out / "trial.sav")]) == 2
        assert "trial_events.sav" in capsys.readouterr().err and events.read_bytes() == b"keep"
        assert [p.name for p in out.iterdir()] == ["trial_events.sav"]
    finally:
        events.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.parametrize("fmt, out", [("sav", "trial.sav"), ("dta", "t.dta"), ("csv", "tables/"),
                                      ("xlsx", "book.xlsx")])
def test_dry_run_lists_exactly_the_files_the_export_writes(project, tmp_path, capsys, fmt, out):
    folder = tmp_path / "out"
    folder.mkdir()
    args = ["export", str(project.path), "--format", fmt, "-o", str(folder / out)]
    capsys.readouterr()
    assert main(args + ["--dry-run"]) == 0
    listed = [line.strip() for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    assert not any(folder.rglob("*"))                    # nothing written
    assert main(args) == 0
    printed = [line.strip() for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    written = sorted(str(p) for p in folder.rglob("*") if p.is_file())
    assert sorted(listed) == sorted(printed) == written
    if fmt == "sav":
        assert [folder / n for n in ("trial_long.sav", "trial_wide.sav", "trial_events.sav",
                                     "trial_codebook.csv")] == [type(folder)(p) for p in listed]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_no_completed_coding_yet_gives_an_empty_events_file_with_its_labels(tmp_path, fmt):
    from ssp_coder.domain.scheme import load_builtin_scheme
    from ssp_coder.export.api import prepare_from_frames
    from tests.export.conftest import frames

    scheme = load_builtin_scheme()
    sessions, scored = frames([("P1", "ABC", "pre", None, None, None)])

    def no_events(long):
        table = pd.DataFrame(columns=list(EVENT_COLUMNS))
        for col in ("session_id", "coding_id", "event_id", "view"):
            table[col] = table[col].astype("Int64")
        return table

    data = prepare_from_frames(sessions, scored, scheme, dict(scheme.settings, timepoints=["pre", "post"]),
                               events=no_events)
    written = write_export(data, fmt, tmp_path / f"t.{fmt}")
    df, meta = READ[fmt](str(written[2]))
    assert df.shape == (0, len(EVENT_COLUMNS))
    assert _labels(meta, "code")[1] == scheme.behaviours[0].name
