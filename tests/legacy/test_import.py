"""Legacy coding sheets: good sheets import, bad ones change nothing, a second import changes nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ssp_coder.domain import commands as cmds
from ssp_coder.errors import InputFileError
from ssp_coder.legacy import import_codings, write_codings_template
from ssp_coder.scoring import score
from ssp_coder.store.project import Project
from tests.legacy.conftest import xlsx

SCALES = ["ps_e5_m", "ps_e8_m", "cm_e5_m", "cm_e8_m", "rs_e5_m", "rs_e8_m", "av_e5_m", "av_e8_m"]
HEAD = ["participant_id", "timepoint", "coder", "purpose", "classification", "forced_secondary", "d_rating"] + SCALES


def boundaries(pid: str, tp: str, coder: str, start: float = 5.0, curtail4: bool = False) -> list[list]:
    rows, t = [], start
    for ep, length in enumerate((30, 180, 180, 60 if curtail4 else 180, 180, 180, 180, 180), start=1):
        rows.append([pid, tp, coder, ep, t, t + length, "1" if curtail4 and ep == 4 else None, None])
        t += length
    return rows


def good_sheet(path: Path, *, d_rating=2, extra_rows=()) -> Path:
    codings = [HEAD,
               ["P1", "pre", "Ann", "primary", "B3", None, d_rating] + [3, 4, 3, 4, 1, 1, 2, 1],
               ["P1", "Pre-test", "Bob", "reliability", "D/B2", None, 7] + [3, 4, 3, 4, 1, 1, 2, 2.5],
               *extra_rows]
    bnd = [["participant_id", "timepoint", "coder", "episode", "onset_s", "offset_s", "curtailed", "reason"]]
    bnd += boundaries("P1", "pre", "Ann", curtail4=True) + boundaries("P1", "pre", "Bob")
    events = [["participant_id", "timepoint", "coder", "code", "onset_s", "offset_s"],
              ["P1", "pre", "Ann", "cry", 409, 411],              # episode 4 starts at 395 s: spans 15-s edge 410
              ["P1", "pre", "Ann", "approach", "7:48.5", None],   # episode 5 starts at 455 s: latency 13.5 s
              ["P1", "pre", "Bob", "cry", "0:06:40", "0:06:50"]]
    return xlsx(path, {"codings": codings, "boundaries": bnd, "events": events})


def snapshot(project) -> tuple:
    c = project.counts()
    return c["codings"], c["events"], len(project.audit_log())


def test_good_sheet_imports_with_origin_imported(trial, tmp_path):
    report = import_codings(trial, good_sheet(tmp_path / "sheet.xlsx"))
    assert len(report.created) == 2 and not report.unchanged
    ann = trial.coding(report.created[0])
    assert (ann.purpose, ann.status, ann.origin) == ("primary", "complete", "imported")
    st = trial.coding_state(ann.id)
    assert st.boundaries[4].flag == "curtailed" and st.boundaries[4].reason
    assert st.boundaries[1].onset_ms == 5000 and st.scales[("av", 8, "m")] == 1.0
    assert [(e.code, e.onset_ms, e.offset_ms) for e in st.events] == [("cry", 409000, 411000),
                                                                     ("approach", 468500, None)]
    bob = trial.coding_state(report.created[1])
    assert (bob.result.classification, bob.result.forced_secondary, bob.result.d_rating) == ("D", "B2", 7.0)
    audit = trial.audit_log(coding_id=ann.id)
    assert audit and {a.origin for a in audit} == {"imported"}
    row = score(trial).set_index(["participant_id", "timepoint"]).loc[("P1", "pre")]
    assert (row.source, row.coder, row.abcd) == ("primary", "Ann", "B")
    assert row.cry_intervals_e4 == pytest.approx(2 * 180 / 60)   # spans an edge, prorated (curtailed to 60 s)
    assert row.approach_latency_e5 == pytest.approx(13.5)


def test_second_import_changes_nothing(trial, tmp_path):
    sheet = good_sheet(tmp_path / "sheet.xlsx")
    import_codings(trial, sheet)
    before = snapshot(trial)
    report = import_codings(trial, sheet)
    assert not report.created and not report.filled and len(report.unchanged) == 2
    assert snapshot(trial) == before


def test_same_coding_with_other_values_is_an_error_to_resolve(trial, tmp_path):
    import_codings(trial, good_sheet(tmp_path / "a.xlsx"))
    before = snapshot(trial)
    with pytest.raises(InputFileError) as err:
        import_codings(trial, good_sheet(tmp_path / "b.xlsx", d_rating=3))
    p = err.value.problems
    assert len(p) == 1 and p[0].sheet == "codings" and p[0].row == 2
    assert "already in the project" in p[0].message and "Resolve it" in p[0].message
    assert "classification / D rating" in p[0].message
    assert snapshot(trial) == before


def test_bad_sheet_reports_every_problem_and_changes_nothing(trial, tmp_path):
    before = snapshot(trial)
    codings = [HEAD + ["colour"],
               ["P1", "pre", "Zoe", "primary", "B3", None, 2] + [3] * 8 + ["red"],
               ["P2", "pre", "Ann", "primary", "B9", None, 2] + [3] * 8 + [None],
               ["P2", "post", "Ann", "primary", "B3", None, 10] + [3, 8, 3, 3, 3, 3, 3, 3] + [None],
               ["P9", "pre", "Ann", "primary", "A1", "B2", 1] + [3] * 8 + [None]]
    with pytest.raises(InputFileError) as err:
        import_codings(trial, xlsx(tmp_path / "bad.xlsx", {"codings": codings}))
    probs = err.value.problems
    where = {(p.row, p.column) for p in probs}
    assert (1, "colour") in where                       # unknown column, on the header row
    assert trial.counts()["codings"] == 0 and snapshot(trial) == before
    codings = [r[:-1] for r in codings]
    with pytest.raises(InputFileError) as err:
        import_codings(trial, xlsx(tmp_path / "bad2.xlsx", {"codings": codings}))
    probs = err.value.problems
    by = {(p.row, p.column): p.message for p in probs}
    assert "coder add" in by[(2, "coder")] and "Zoe" in by[(2, "coder")]
    assert "B9" in by[(3, "classification")]
    assert "D rating" in by[(4, "d_rating")] and "ps_e8_m" in {c for r, c in by if r == 4}
    assert "P9" in by[(5, "participant_id")]
    assert "only with D" in by[(5, "forced_secondary")]
    assert len(probs) == 6
    assert all(p.sheet == "codings" for p in probs)
    assert snapshot(trial) == before


def test_bad_boundaries_and_events(trial, tmp_path):
    codings = [HEAD, ["P1", "pre", "Ann", "primary", "B3", None, 2] + [3] * 8]
    bnd = [["participant_id", "timepoint", "coder", "episode", "onset_s", "offset_s", "curtailed"],
           ["P1", "pre", "Ann", 1, 10, 5, None],
           ["P1", "pre", "Ann", 9, 10, 50, None],
           ["P1", "pre", "Ann", 2, 40, 200, "maybe"],
           ["P1", "pre", "Bob", 3, 200, 300, None]]
    events = [["participant_id", "timepoint", "coder", "code", "onset_s", "offset_s"],
              ["P1", "pre", "Ann", "giggle", 10, 12],
              ["P1", "pre", "Ann", "approach", 10, 12],
              ["P1", "pre", "Ann", "cry", "soon", None]]
    with pytest.raises(InputFileError) as err:
        import_codings(trial, xlsx(tmp_path / "bad.xlsx", {"codings": codings, "boundaries": bnd, "events": events}))
    by = {(p.sheet, p.row): p for p in err.value.problems}
    assert set(by) == {("boundaries", 2), ("boundaries", 3), ("boundaries", 4), ("boundaries", 5), ("events", 2),
                       ("events", 3), ("events", 4)}
    assert "end after it starts" in by[("boundaries", 2)].message
    assert "no row in the codings sheet" in by[("boundaries", 5)].message
    assert by[("events", 3)].column == "offset_s"
    assert trial.counts()["codings"] == 0


def test_csv_with_blinded_code_and_conflicting_primary(trial, tmp_path):
    code = trial.session_by_code("S2PR").blinded_code
    f = tmp_path / "codings.csv"
    f.write_text("blinded_code,coder,purpose,classification,d_rating,av_e5_m\n"
                 f"{code},Ann,primary,D/A1,8,6\n"
                 f"{code},Bob,primary,B3,1,1\n")
    with pytest.raises(InputFileError) as err:
        import_codings(trial, f)
    assert [p.row for p in err.value.problems] == [3] and "one primary coder" in err.value.problems[0].message
    f.write_text("blinded_code,coder,purpose,classification,d_rating,av_e5_m\n"
                 f"{code},Ann,primary,D/A1,8,6\n")
    report = import_codings(trial, f)
    st = trial.coding_state(report.created[0])
    assert (st.result.classification, st.result.forced_secondary) == ("D", "A1") and not st.boundaries


def test_fills_an_assigned_empty_coding(trial, tmp_path):
    trial.execute(cmds.CreateCoding(int(trial.session_by_code("S1PR").id), int(trial.coder("Ann").id), "primary"))
    report = import_codings(trial, good_sheet(tmp_path / "s.xlsx"))
    assert len(report.filled) == 1 and len(report.created) == 1
    assert trial.coding(report.filled[0]).status == "complete"


def test_dry_run_writes_nothing(trial, tmp_path):
    before = snapshot(trial)
    report = import_codings(trial, good_sheet(tmp_path / "s.xlsx"), dry_run=True)
    assert len(report.created) == 2 and snapshot(trial) == before   # reported as the real run, then rolled back


def test_template_can_be_filled_and_imported(trial, tmp_path):
    out = write_codings_template(tmp_path / "template.xlsx", trial.scheme)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["codings", "boundaries", "events", "README"]
    for name in ("codings", "boundaries", "events"):
        for row in wb[name].iter_rows(min_row=2):
            row[0].value, row[2].value = "P1", "Ann"
    wb.save(out)
    report = import_codings(trial, out)
    st = trial.coding_state(report.created[0])
    assert len(st.boundaries) == 8 and len(st.events) == 2 and st.result.classification == "D"


def test_forced_secondary_as_a_main_category(trial, tmp_path):
    """Labs that record only "D/B": a cell B, or D/B in the classification cell, is a forced main category."""
    f = tmp_path / "codings.csv"
    s1, s2 = (trial.session_by_code(c).blinded_code for c in ("S1PR", "S2PR"))
    f.write_text("blinded_code,coder,purpose,classification,forced_secondary,d_rating\n"
                 f"{s1},Ann,primary,D,b,8\n"
                 f"{s2},Ann,primary,D/C,,7\n")
    report = import_codings(trial, f)
    got = [trial.coding_state(c).result for c in report.created]
    assert [(r.classification, r.forced_secondary) for r in got] == [("D", "B"), ("D", "C")]
    f.write_text("blinded_code,coder,purpose,classification,forced_secondary,d_rating\n"
                 f"{trial.session_by_code('S3PR').blinded_code},Ann,primary,D,Q,8\n")
    with pytest.raises(InputFileError) as err:
        import_codings(trial, f)
    assert "A, B, C, A1" in err.value.problems[0].message


def test_one_bad_cell_in_a_codings_row_is_one_message(trial, tmp_path):
    """The boundaries and events of a codings row with a bad cell are checked on their own merits."""
    f = good_sheet(tmp_path / "sheet.xlsx", d_rating="ten")
    with pytest.raises(InputFileError) as err:
        import_codings(trial, f)
    probs = err.value.problems
    assert [(p.sheet, p.row, p.column) for p in probs] == [("codings", 2, "d_rating")], [str(p) for p in probs]
    assert trial.counts()["codings"] == 0


def test_dependent_rows_of_a_bad_codings_row_still_report_their_own_mistakes(trial, tmp_path):
    codings = [HEAD, ["P1", "pre", "Ann", "primary", "B3", None, "ten"] + [3] * 8]
    bnd = [["participant_id", "timepoint", "coder", "episode", "onset_s", "offset_s", "curtailed", "reason"]]
    bnd += boundaries("P1", "pre", "Ann")
    bnd[2][5] = 1                                           # episode 2 (sheet row 3) ends before it starts
    events = [["participant_id", "timepoint", "coder", "code", "onset_s", "offset_s"],
              ["P1", "pre", "Ann", "cry", 409, 411], ["P1", "pre", "Ann", "giggle", 10, None]]
    with pytest.raises(InputFileError) as err:
        import_codings(trial, xlsx(tmp_path / "bad.xlsx", {"codings": codings, "boundaries": bnd, "events": events}))
    assert sorted((p.sheet, p.row) for p in err.value.problems) == [("boundaries", 3), ("codings", 2), ("events", 3)]


def test_rows_of_a_codings_row_whose_coder_is_unknown_get_one_line(trial, tmp_path):
    codings = [HEAD, ["P1", "pre", "Zoe", "primary", "B3", None, 2] + [3] * 8]
    bnd = [["participant_id", "timepoint", "coder", "episode", "onset_s", "offset_s", "curtailed", "reason"]]
    bnd += boundaries("P1", "pre", "Zoe")
    events = [["participant_id", "timepoint", "coder", "code", "onset_s", "offset_s"],
              ["P1", "pre", "Zoe", "cry", 409, 411], ["P1", "pre", "Zoe", "approach", 468, None]]
    with pytest.raises(InputFileError) as err:
        import_codings(trial, xlsx(tmp_path / "bad.xlsx", {"codings": codings, "boundaries": bnd, "events": events}))
    probs = err.value.problems
    assert [(p.sheet, p.row) for p in probs] == [("codings", 2), ("boundaries", 2), ("events", 2)]
    assert "rows 2–9 (8 rows) belong to the coding in row 2 of the codings sheet" in probs[1].message
    assert "rows 2–3" in probs[2].message


def test_incomplete_codings_are_imported_as_drafts_and_reported(trial, tmp_path):
    """The window's completeness check: an open cry, or only a classification, is not a complete coding."""
    codings = [HEAD,
               ["P1", "pre", "Ann", "primary", "B3", None, 2] + [3, 4, 3, 4, 1, 1, 2, 1],
               ["P2", "pre", "Ann", "primary", "B3", None, 2] + [3, 4, 3, 4, 1, 1, 2, 1],
               ["P3", "pre", "Ann", "primary", "A1", None, None] + [None] * 8]
    bnd = [["participant_id", "timepoint", "coder", "episode", "onset_s", "offset_s", "curtailed", "reason"]]
    bnd += boundaries("P1", "pre", "Ann") + boundaries("P2", "pre", "Ann")
    events = [["participant_id", "timepoint", "coder", "code", "onset_s", "offset_s"],
              ["P1", "pre", "Ann", "cry", 409, 411],
              ["P2", "pre", "Ann", "cry", 409, None]]          # an open cry state
    sheet = xlsx(tmp_path / "s.xlsx", {"codings": codings, "boundaries": bnd, "events": events})
    dry = import_codings(trial, sheet, dry_run=True)
    assert [d.row for d in dry.drafts] == [3, 4] and trial.counts()["codings"] == 0
    report = import_codings(trial, sheet)
    status = [trial.coding(c).status for c in report.created]
    assert status == ["complete", "draft", "draft"]
    assert [d.row for d in report.drafts] == [3, 4]
    assert "'cry' started at 06:49.000 has no end" in report.drafts[0].text()
    assert "Episode 1: start not set" in report.drafts[1].text() and "D rating" in report.drafts[1].text()
    assert "2 coding(s) are not complete and are imported as drafts" in report.summary()
    assert report.to_dict()["drafts"][0]["session"] == trial.session_by_code("S2PR").blinded_code
    again = import_codings(trial, sheet)                  # drafts stay drafts: nothing to change
    assert len(again.unchanged) == 3 and not again.created


def test_overlapping_state_intervals_in_a_sheet_are_imported_and_reported_by_check(trial, tmp_path):
    from ssp_coder.cli.cmd_score import check_data

    f = good_sheet(tmp_path / "sheet.xlsx")
    wb = openpyxl.load_workbook(f)
    wb["events"].append(["P1", "pre", "Ann", "cry", 410, 415])     # overlaps cry 409-411
    wb.save(f)
    report = import_codings(trial, f)
    found = [w for d in check_data(trial) if d["coding_id"] == report.created[0] for w in d["warnings"]]
    assert [w for w in found if w.startswith("state_overlap")] == [
        "state_overlap: 'cry' intervals 06:49.000–06:51.000, 06:50.000–06:55.000 overlap (scoring counts the time "
        "once, but the data and agreement tables carry both: merge them into one interval)"]


def test_rows_naming_a_purpose_the_bad_codings_row_misspelt_are_not_reported_again(trial, tmp_path):
    codings = [HEAD, ["P1", "pre", "Ann", "primry", "B3", None, 2] + [3] * 8]
    bnd = [["participant_id", "timepoint", "coder", "purpose", "episode", "onset_s", "offset_s"]]
    bnd += [r[:3] + ["primary"] + r[3:6] for r in boundaries("P1", "pre", "Ann")]
    with pytest.raises(InputFileError) as err:
        import_codings(trial, xlsx(tmp_path / "bad.xlsx", {"codings": codings, "boundaries": bnd}))
    assert [(p.sheet, p.row, p.column) for p in err.value.problems] == [("codings", 2, "purpose")]


def test_project_template_is_prefilled_with_the_assigned_codings(trial, tmp_path, capsys):
    from ssp_coder.cli.app import main

    empty = int(trial.execute(cmds.CreateCoding(int(trial.session_by_code("S1PR").id), int(trial.coder("Ann").id),
                                                "primary")).inverse.coding_id)
    trial.execute(cmds.CreateCoding(int(trial.session_by_code("S1PR").id), int(trial.coder("Bob").id),
                                    "reliability"))
    started = int(trial.execute(cmds.CreateCoding(int(trial.session_by_code("S2PO").id), int(trial.coder("Bob").id),
                                                  "primary")).inverse.coding_id)
    trial.execute(cmds.AddEvent(started, "cry", 1000, 2000))         # work begun: not offered for import
    path = trial.path
    trial.close()
    out = tmp_path / "prefilled.xlsx"
    assert main(["template", "codings", str(out), "--project", str(path)]) == 0
    assert "with 2 assigned coding(s)" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    rows = [[c.value for c in r] for r in wb["codings"].iter_rows()]
    assert rows[0][:4] == ["participant_id", "timepoint", "coder", "purpose"] and "ps_e5_m" in rows[0]
    assert [r[:4] for r in rows[1:]] == [["P1", "pre", "Ann", "primary"], ["P1", "pre", "Bob", "reliability"]]
    codes = [[c.value for c in r] for r in wb["codes"].iter_rows()]
    assert any(r[1] == "cry" and r[0].startswith("behaviour") for r in codes)
    assert any(r[1] == "ps_e5_m" and r[0].startswith("scale column") for r in codes)
    # Filled in, the sheet imports into exactly those codings.
    ws = wb["codings"]
    head = rows[0]
    for r in range(2, 4):
        ws.cell(r, head.index("classification") + 1, "B2")
        ws.cell(r, head.index("d_rating") + 1, 2)
    wb.save(out)
    with Project.open(path, backups=False) as p:
        report = import_codings(p, out)
        assert report.filled[0] == empty and len(report.filled) == 2 and not report.created
    # Blinded: the sessions by code only.
    assert main(["template", "codings", str(tmp_path / "b.xlsx"), "--project", str(path), "--blinded"]) == 0
    head = [c.value for c in openpyxl.load_workbook(tmp_path / "b.xlsx")["codings"][1]]
    assert head[:3] == ["blinded_code", "coder", "purpose"]


def test_template_without_a_project_keeps_its_example(tmp_path, capsys):
    from ssp_coder.cli.app import main

    assert main(["template", "codings", str(tmp_path / "t.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb["codings"]["A2"].value == "P001" and "codes" not in wb.sheetnames
    assert main(["template", "codings", str(tmp_path / "x.xlsx"), "--blinded"]) == 2
