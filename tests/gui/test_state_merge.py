"""Intervals of one state never overlap in the window: keys, drags and table edits merge; the checks list merges."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ssp_coder.domain import commands as cmds
from ssp_coder.gui.models.events import COLUMNS

from .helpers import open_first, press, seek
from .test_timeline import _drag, _lane_y, _stored


def _plays(ctl, code="play"):
    return [(e.onset_ms, e.offset_ms) for e in ctl.state.events if e.code == code]


def test_starting_before_and_ending_inside_another_interval_merges(qtbot, project, project_path, window_factory):
    """The reported case: play 3.151-4.632 exists; P at 3.000, 12 frames on, P again."""
    win = window_factory(project)
    open_first(qtbot, win)
    ctl = win.controller
    cid = ctl.coding_id
    ctl.execute(cmds.AddEvent(cid, "play", 3151, 4632))
    seek(qtbot, win, 3000)
    win.timeline.setFocus()
    press(qtbot, win, Qt.Key.Key_P)
    assert sorted(_plays(ctl), key=str) == sorted([(3000, None), (3151, 4632)], key=str)
    for _ in range(12):
        press(qtbot, win, Qt.Key.Key_Right, frame=True)
    assert win.player.position_ms == 3480
    depth = len(ctl._undo)
    changes = []
    ctl.changed.connect(changes.append)
    press(qtbot, win, Qt.Key.Key_P)
    assert _plays(ctl) == [(3000, 4632)]
    # patched in place like any event edit (5,000 events stay cheap), and the table agrees with the file
    assert changes[-1].events_only and len(changes[-1].removed) == 1
    model = win.events.model
    assert [(model.data(model.index(r, 2)), model.data(model.index(r, 3))) for r in range(model.rowCount())] == [
        ("00:03.000", "00:04.632")]
    assert [(e.onset_ms, e.offset_ms) for e in _stored(project_path, cid).events] == [(3000, 4632)]
    assert len(ctl._undo) == depth + 1                                   # one undoable step
    assert "merged with 00:03.151–00:04.632" in win.statusBar().currentMessage()
    assert ctl.undo()
    assert sorted(_plays(ctl), key=str) == sorted([(3000, None), (3151, 4632)], key=str)
    assert model.rowCount() == 2 and changes[-1].events_only
    assert ctl.state.events == project.coding_state(cid).events


def test_starting_inside_an_interval_says_so_and_merges_at_the_end(qtbot, project, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    ctl = win.controller
    ctl.execute(cmds.AddEvent(ctl.coding_id, "play", 1000, 2000))
    seek(qtbot, win, 1520)
    win.timeline.setFocus()
    press(qtbot, win, Qt.Key.Key_P)
    assert "already runs here (00:01.000–00:02.000)" in win.statusBar().currentMessage()
    seek(qtbot, win, 2520)
    press(qtbot, win, Qt.Key.Key_P)
    assert _plays(ctl) == [(1000, 2520)]


def test_dragging_an_edge_over_another_interval_merges(qtbot, project, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    ctl, tl = win.controller, win.timeline
    cid = ctl.coding_id
    ctl.execute(cmds.AddEvent(cid, "cry", 1000, 2000))
    ctl.execute(cmds.AddEvent(cid, "cry", 3000, 4000))
    x_from = int(round(tl.x_of(2000)))
    x_to = int(round(tl.x_of(3500)))
    _drag(qtbot, tl, _lane_y(tl, "cry"), x_from, x_to)
    assert _plays(ctl, "cry") == [(1000, 4000)]
    assert "merged with 00:03.000–00:04.000" in win.statusBar().currentMessage()
    assert ctl.undo()
    assert _plays(ctl, "cry") == [(1000, 2000), (3000, 4000)]


def test_editing_the_event_table_into_an_overlap_merges(qtbot, project, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    ctl = win.controller
    cid = ctl.coding_id
    ctl.execute(cmds.AddEvent(cid, "avoid", 1000, 2000, note="turns away"))
    ctl.execute(cmds.AddEvent(cid, "avoid", 2500, 3000))
    model = win.events.model
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 2)) == "00:02.500")
    assert model.setData(model.index(row, COLUMNS.index("Onset")), "00:01.800")
    assert [(e.onset_ms, e.offset_ms, e.note) for e in ctl.state.events] == [(1000, 3000, "turns away")]
    assert model.rowCount() == 1


def test_checks_list_reports_imported_overlaps_with_a_one_click_merge(qtbot, project, window_factory):
    """Overlaps brought in by an import (written past the window) are listed, and one click merges them."""
    cid = int(project.codings()[0].id)
    project.execute_many([cmds.AddEvent(cid, "contact", 1000, 2500), cmds.AddEvent(cid, "contact", 2000, 3000),
                          cmds.AddEvent(cid, "resist", 500, 900), cmds.AddEvent(cid, "resist", 600, 700)])
    win = window_factory(project)
    open_first(qtbot, win)
    panel, ctl = win.classification, win.controller
    texts = [panel.hints.item(i).text() for i in range(panel.hints.count())]
    assert sum("overlap" in t for t in texts) == 2, texts
    assert panel.merge_btn.isVisible() and panel.merge_btn.isEnabled()
    qtbot.mouseClick(panel.merge_btn, Qt.MouseButton.LeftButton)
    assert _plays(ctl, "contact") == [(1000, 3000)] and _plays(ctl, "resist") == [(500, 900)]
    assert "merged" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not panel.merge_btn.isVisible())
    assert not any("overlap" in panel.hints.item(i).text() for i in range(panel.hints.count()))
    assert ctl.undo()
    assert _plays(ctl, "contact") == [(1000, 2500), (2000, 3000)]
