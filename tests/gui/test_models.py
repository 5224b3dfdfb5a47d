"""Every Qt model passes qtmodeltester; blinding holds in every model and the title; undo crosses panels."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from ssp_coder.domain import commands as cmds

from .helpers import open_first


@pytest.fixture
def coded(qtbot, project, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    c = win.controller
    cid = c.coding_id
    c.execute(cmds.SetBoundary(cid, 1, 0, 480))
    c.log_behaviour("cry", 520)
    c.log_behaviour("cry", 900)
    c.log_behaviour("approach", 700)
    c.log_behaviour("play", 1000)          # left open
    c.execute(cmds.AddDIndex(cid, "V", 1200, "5a", "stills"))
    c.execute(cmds.SetScale(cid, "ps", 5, "m", 5.5))
    return win


def all_models(win):
    return [win.events.model, win.events.proxy, win.dindex.model, win.scales.model, win.episodes.model,
            win.sessions_model, win.sessions.proxy]


def test_models_pass_qtmodeltester(coded, qtmodeltester):
    for model in all_models(coded):
        qtmodeltester.check(model, force_py=True)


def all_strings(model):
    out = []
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole)
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            for role in roles:
                v = model.data(model.index(r, c), role)
                if v is not None:
                    out.append(str(v))
    for c in range(model.columnCount()):
        out.append(str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)))
    return " | ".join(out)


def test_coder_role_never_sees_participant_arm_or_timepoint(coded):
    text = " | ".join(all_strings(m) for m in all_models(coded)) + coded.windowTitle()
    assert "K7QX" in text
    for secret in ("P001", "intervention", "Leiden", "pre"):
        assert not re.search(rf"\b{secret}\b", text), secret


def test_coordinator_sees_participant_and_timepoint(qtbot, project, window_factory):
    win = window_factory(project, "Cory")
    text = all_strings(win.sessions_model)
    assert "P001" in text and "pre" in text and "Ana" in text


def test_event_edits_and_undo_redo_across_panels(coded):
    c = coded.controller
    model = coded.events.model
    assert model.rowCount() == 3
    row = next(i for i, e in enumerate(model.events) if e.code == "approach")
    assert model.setData(model.index(row, 2), "00:00.760") is True
    assert [e.onset_ms for e in c.state.events if e.code == "approach"] == [760]
    assert model.setData(model.index(row, 2), "later") is False          # not a time: nothing changes
    assert model.setData(model.index(row, 3), "00:01.000") is False      # a point event has no offset
    assert "Undo Edit event" == coded.actions_by_id["undo"].text()
    c.execute(cmds.SetScale(c.coding_id, "cm", 5, "m", 3.0))
    assert coded.actions_by_id["undo"].text() == "Undo Rate CM episode 5 (m)"
    assert c.undo() and c.state.scales.get(("cm", 5, "m")) is None
    assert c.undo() and [e.onset_ms for e in c.state.events if e.code == "approach"] == [700]
    assert coded.actions_by_id["redo"].text() == "Redo Edit event"
    assert c.redo() and [e.onset_ms for e in c.state.events if e.code == "approach"] == [760]
    # delete with the table's Delete key, then bring it back
    coded.events.select_event(next(int(e.id) for e in c.state.events if e.code == "approach"))
    assert coded.events.delete_selected()
    assert model.rowCount() == 2
    assert c.undo() and model.rowCount() == 3
    assert [e.code for e in model.events] == [e.code for e in c.state.events]


def test_scales_grid_refuses_bad_values_and_unrated_cells(coded):
    m = coded.scales.model
    col = m.cells.index((6, "m"))
    row = [s.id for s in m.scales].index("ps")
    assert not m.flags(m.index(row, col)) & Qt.ItemFlag.ItemIsEnabled     # PS is not rated in episode 6
    col5 = m.cells.index((5, "m"))
    assert m.setData(m.index(row, col5), "9") is False
    assert m.setData(m.index(row, col5), "5,5") is True
    assert m.setData(m.index(row, col5), "4.25") is False
    assert "steps of 0.5" in coded.statusBar().currentMessage()
    assert m.setData(m.index(row, col5), "") is True
    assert ("ps", 5, "m") not in coded.controller.state.scales


def test_open_state_blocks_completion(coded):
    assert coded.controller.open_state_event("play") is not None
    assert not coded.classification.mark_complete()
    assert "'play'" in coded.statusBar().currentMessage() and "has no end" in coded.statusBar().currentMessage()
