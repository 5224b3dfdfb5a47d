"""The Reliability window shows the engine's numbers, conferences into a consensus, plans and certifies."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from ssp_coder.domain.commands import CreateCoding, MarkComplete
from ssp_coder.gui.coordinator.reliability_window import ReliabilityWindow
from ssp_coder.reliability.consensus import _commands, coding_fields, compare_codings, pair_for_session
from ssp_coder.reliability.plan import plan_double_coding
from ssp_coder.reliability.report import reliability_report
from tests.gui.coordinator.conftest import COMPUTE_MS


def _text(model, row, header):
    cols = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.index(row, cols.index(header)).data()


@pytest.fixture
def window(qtbot, project, coordinator):
    w = ReliabilityWindow(project, coordinator)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.reportReady, timeout=COMPUTE_MS):
        w.refresh()
    return w


def test_overview_shows_the_engines_numbers(window, project, qtmodeltester):
    engine = reliability_report(project)
    model = window.overall_model
    assert model.rowCount() == len(engine.overall)
    for i, r in enumerate(engine.overall.to_dict("records")):
        assert _text(model, i, "variable") == r["variable"]
        assert _text(model, i, "n") == str(int(r["n"]))
        kappa = "-" if pd.isna(r["kappa"]) else f"{r['kappa']:.2f}"
        assert _text(model, i, "Cohen's κ") == kappa
        pa = "-" if pd.isna(r["percent_agreement"]) else f"{r['percent_agreement'] * 100:.1f} %"
        assert _text(model, i, "% agreement") == pa
        icc = "-" if pd.isna(r["icc_a1"]) else f"{r['icc_a1']:.2f}"
        assert _text(model, i, "ICC(2,1)") == icc
        band = (f"{r['band']} (weighted κ)" if r["kind"] != "categorical" else r["band"]) if r["band"] else "-"
        assert _text(model, i, "band (Landis–Koch)") == band        # for ratings it labels weighted kappa
        assert _text(model, i, "note") == (r["note"] or "")
    assert engine.n_pairs > 0 and f"<b>{engine.n_pairs}</b> complete" in window.summary_label.text()
    # every pair of the engine is offered, and its table matches
    pairs = sorted(engine.by_pair["pair"].unique(), key=str.lower)
    assert [window.pair_combo.itemText(i) for i in range(window.pair_combo.count())] == pairs
    window.pair_combo.setCurrentText(pairs[-1])
    sub = engine.by_pair[engine.by_pair["pair"] == pairs[-1]]
    assert window.by_pair_model.rowCount() == len(sub)
    assert [_text(window.by_pair_model, i, "n") for i in range(len(sub))] == [str(int(n)) for n in sub["n"]]
    for m in (window.overall_model, window.by_pair_model, window.pending_model, window.confusion_model,
              window.timed_model, window.drift_model, window.conference.worklist):
        qtmodeltester.check(m)


def test_confusion_timed_and_drift_tabs(window, project):
    engine = reliability_report(project)
    window.confusion_combo.setCurrentText("abcd")
    table = engine.confusion["abcd"]
    m = window.confusion_model
    assert m.rowCount() == len(table.index) and m.columnCount() == len(table.columns) + 1
    for i, cat in enumerate(table.index):
        assert m.index(i, 0).data() == str(cat)
        assert [m.index(i, j + 1).data() for j in range(len(table.columns))] == [str(int(v)) for v in table.iloc[i]]
    assert window.timed_combo.count() == len(dict.fromkeys(engine.timed["pair"]))
    assert window.timed_model.rowCount() == int((engine.timed["pair"] == window.timed_combo.currentText()).sum())
    assert not window.drift_image.pixmap.isNull() and window.drift_image.pixmap.width() > 300
    assert window.drift_model.rowCount() == len(engine.drift)


def test_save_report_writes_the_workbook(window, tmp_path):
    out = window.save_report(tmp_path / "irr.xlsx")
    assert out is not None and out.exists()
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert {"overall", "by_pair", "timed", "drift", "pending"} <= set(names)
    # the file chooser is injectable; a name without suffix gets .xlsx
    window.ask_save_path = lambda *_: str(tmp_path / "chosen")
    assert window.save_report() == tmp_path / "chosen.xlsx"


def test_conference_creates_a_consensus_as_the_coordinator(window, project, coordinator, qtbot, qtmodeltester,
                                                           messages):
    conf = window.conference
    code = conf.worklist.row(0)["blinded_code"]
    conf.select_session(code)
    diff = conf.diff_model.diff
    assert diff is not None and diff.blinded_code == code
    qtmodeltester.check(conf.diff_model)
    # differing rows are highlighted, agreeing ones are not
    for i, f in enumerate(diff.fields):
        assert (conf.diff_model.index(i, 1).data(Qt.ItemDataRole.BackgroundRole) is not None) == f.differs
    assert diff.differing, "the demo's two codings of a session differ somewhere"
    conf.only_box.setChecked(True)
    assert conf.differing_only.rowCount() == len(diff.differing) < len(diff.fields)
    qtmodeltester.check(conf.differing_only)
    conf.only_box.setChecked(False)
    assert conf.differing_only.rowCount() == len(diff.fields)
    pick = next(f for f in diff.differing if f.group == "scale")
    conf.diff_model.choose(pick.field, "b")
    assert conf.diff_model.choices()[pick.field] == "b"

    # no reason: refused, nothing created
    before = len(project.codings(purpose="consensus"))
    assert conf.create() is None
    assert messages and messages[-1][1] == "A reason is needed"
    assert len(project.codings(purpose="consensus")) == before

    conf.reason_edit.setText("reviewed the video together")
    with qtbot.waitSignal(window.reportReady, timeout=COMPUTE_MS):
        cid = conf.create()
    assert cid is not None
    made = project.coding(cid)
    session = project.session_by_code(code)
    assert made.purpose == "consensus" and int(made.session_id) == int(session.id)
    assert int(made.coder_id) == int(coordinator.id)
    state = project.coding_state(cid)
    sc, ep, partner = next(c for c in project.scheme.scale_cells() if c[0].column(c[1], c[2]) == pick.field)
    assert state.scales[(sc.id, ep, partner)] == pick.b
    other = next(f for f in diff.differing if f.group == "scale" and f.field != pick.field)
    sc2 = next(c for c in project.scheme.scale_cells() if c[0].column(c[1], c[2]) == other.field)
    assert state.scales[(sc2[0].id, sc2[1], sc2[2])] == other.a
    # the worklist now says the session has a consensus
    row = next(conf.worklist.row(i) for i in range(conf.worklist.rowCount())
               if conf.worklist.row(i)["blinded_code"] == code)
    assert row["has_consensus"] is True or row["has_consensus"] == True  # noqa: E712

    # Deciding again revises the same consensus coding, and needs a reason.
    conf.select_session(code)
    assert conf.create_button.text() == "Revise consensus"
    conf.diff_model.take_all("a")
    assert conf.create() is None and messages[-1][1] == "A reason is needed"
    conf.reason_edit.setText("back to the primary coder's ratings")
    with qtbot.waitSignal(window.reportReady, timeout=COMPUTE_MS):
        again = conf.create()
    assert again == cid and len(project.codings(purpose="consensus")) == before + 1
    assert project.coding_state(cid).scales[(sc.id, ep, partner)] == pick.a
    assert "ReviseConsensus" in [e.command for e in project.audit_log(coding_id=cid)]


def test_plan_preview_matches_the_engine_and_assigns(window, project, qtbot):
    tab = window.plan
    tab.share.setValue(50)
    tab.seed.setValue(11)
    with qtbot.waitSignal(tab.planReady, timeout=COMPUTE_MS) as got:
        tab.preview()
    plan = got.args[0]
    engine = plan_double_coding(project, share=0.5, seed=11)
    assert plan.to_frame().equals(engine.to_frame())
    shown = [tab.planned_model.row(i)["blinded_code"] for i in range(tab.planned_model.rowCount())]
    assert shown == [p.blinded_code for p in engine.planned] and shown
    before = len(project.codings(purpose="reliability"))
    with qtbot.waitSignal(window.reportReady, timeout=COMPUTE_MS):
        ids = tab.assign()
    assert len(ids) == len(engine.planned)
    assert len(project.codings(purpose="reliability")) == before + len(ids)
    assert not tab.assign_button.isEnabled()


def test_certification_without_gold_standards_says_so(window, qtbot):
    tab = window.certification
    tab.compute("Ana Alvarez")
    qtbot.waitUntil(lambda: tab.job.done.is_set() and not tab.busy.isVisible(), timeout=COMPUTE_MS)
    assert "gold standard" in tab.result.text() and tab.report is None and not tab.save_button.isEnabled()


def test_only_a_trainer_marks_gold_standards(window, project, messages):
    session = project.sessions()[0]
    gold = next(c for c in project.codings(session_id=int(session.id)) if c.is_complete)
    tab = window.certification
    assert not tab.gold_button.isEnabled()           # the coordinator is not a trainer
    assert tab.mark_gold(session.blinded_code, int(gold.id)) is None
    assert messages[-1][1] == "Cannot mark the gold standard" and "trainer" in messages[-1][2]
    assert tab.gold_model.rowCount() == 0


def test_certification_pass_and_save(qtbot, project, tmp_path, qtmodeltester):
    trainer = project.coder("Eve Trainer")
    window = ReliabilityWindow(project, trainer)
    qtbot.addWidget(window)
    tab = window.certification
    assert tab.gold_button.isEnabled()
    session = project.sessions()[0]
    gold = next(c for c in project.codings(session_id=int(session.id)) if c.is_complete)
    offered = [tab.gold_coding.itemData(i) for i in range(tab.gold_coding.count())]
    assert (session.blinded_code, int(gold.id)) in offered
    tab.gold_coding.setCurrentIndex(offered.index((session.blinded_code, int(gold.id))))
    with qtbot.waitSignal(tab.goldMarked, timeout=5000):
        tab.mark_gold()
    assert tab.gold_model.rowCount() == 1 and tab.gold_model.row(0)["marked_by"] == "Eve Trainer"
    qtmodeltester.check(tab.gold_model)
    trainee = project.coder("Ana Alvarez")
    applied = project.execute(CreateCoding(int(session.id), int(trainee.id), "training"))
    cid = int(applied.inverse.coding_id)
    values = {k: v for k, (_l, _g, v) in coding_fields(project.coding_state(int(gold.id)), project.scheme).items()}
    project.execute_many(_commands(cid, values, project.scheme) + [MarkComplete(cid)])

    tab = window.certification
    with qtbot.waitSignal(tab.reportReady, timeout=COMPUTE_MS) as got:
        tab.compute("Ana Alvarez")
    report = got.args[0]
    assert report.passed and "PASSED" in tab.result.text()
    assert tab.criteria_model.rowCount() == len(report.criteria) == 2
    assert all(tab.criteria_model.row(i)["passed"] for i in range(2))
    assert tab.sessions_model.rowCount() == 1
    pdf = tab.save(tmp_path / "cert.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    xlsx = tab.save(tmp_path / "cert.xlsx")
    assert xlsx is not None and xlsx.exists()


def test_numbers_are_never_invented_for_empty_cells(window):
    m = window.overall_model
    d = next(i for i in range(m.rowCount()) if m.row(i)["variable"] == "d_rating")
    assert _text(m, d, "Cohen's κ") == "-"     # kappa is not defined for the rating; shown as missing
    assert not math.isnan(float(_text(m, d, "ICC(2,1)")))


def test_compare_matches_pair_for_session(window, project):
    code = window.conference.worklist.row(0)["blinded_code"]
    a, b = pair_for_session(project, code)
    window.conference.select_session(code)
    assert (window.conference.diff_model.diff.coding_a, window.conference.diff_model.diff.coding_b) == (a, b)
    assert window.conference.diff_model.diff == compare_codings(project, a, b)
