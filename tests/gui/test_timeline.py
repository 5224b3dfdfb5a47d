"""The timeline with the mouse and keys: drags are one undoable command, clicks seek, keys zoom; the cache is exact."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QRegion, QWheelEvent
from PySide6.QtWidgets import QApplication

from ssp_coder.domain import commands as cmds
from ssp_coder.gui.timeline import EPISODE_H, LANE_H, RULER_H
from ssp_coder.store.project import Project

from .helpers import open_first, press

LEFT = Qt.MouseButton.LeftButton


def _window(qtbot, project, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    return win, win.timeline, win.controller


def _stored(project_path, coding_id):
    """The coding as a fresh reader of the project file sees it."""
    p = Project.open(project_path, read_only=True, backups=False)
    try:
        return p.coding_state(coding_id)
    finally:
        p.close()


def _drag(qtbot, widget, y: int, x_from: int, x_to: int) -> None:
    qtbot.mousePress(widget, LEFT, pos=QPoint(x_from, y))
    for x in (x_from + (x_to - x_from) // 2, x_to):
        qtbot.mouseMove(widget, QPoint(x, y))
    qtbot.mouseRelease(widget, LEFT, pos=QPoint(x_to, y))


def _lane_y(tl, code: str) -> int:
    return tl.lane_top(tl._lane_index[code]) + LANE_H // 2


def test_dragging_a_shared_episode_boundary_is_one_undoable_command(qtbot, project, project_path, window_factory):
    win, tl, ctl = _window(qtbot, project, window_factory)
    cid = ctl.coding_id
    ctl.execute(cmds.Batch("set up", (cmds.SetBoundary(cid, 1, 0, 2000), cmds.SetBoundary(cid, 2, 2000, 4000))))
    undo_depth = len(ctl._undo)
    x_from, x_to = int(tl.x_of(2000)), int(tl.x_of(2000)) + 60
    to_ms = tl.ms_of(x_to)
    assert to_ms > 2100
    _drag(qtbot, tl, RULER_H + EPISODE_H // 2, x_from, x_to)

    assert len(ctl._undo) == undo_depth + 1
    stored = _stored(project_path, cid)
    assert (stored.boundaries[1].onset_ms, stored.boundaries[1].offset_ms) == (0, to_ms)
    assert (stored.boundaries[2].onset_ms, stored.boundaries[2].offset_ms) == (to_ms, 4000)
    assert win.player.position_ms == 0          # a drag is not a click: no seek

    assert ctl.undo()                           # one undo puts both episodes back
    stored = _stored(project_path, cid)
    assert (stored.boundaries[1].offset_ms, stored.boundaries[2].onset_ms) == (2000, 2000)


def test_dragging_an_event_edge_updates_that_event_only(qtbot, project, project_path, window_factory):
    win, tl, ctl = _window(qtbot, project, window_factory)
    cid = ctl.coding_id
    ctl.execute(cmds.AddEvent(cid, "cry", 3000, 4000))
    ctl.execute(cmds.AddEvent(cid, "approach", 5000, None))
    cry = next(e for e in ctl.state.events if e.code == "cry")
    undo_depth = len(ctl._undo)
    x_from, x_to = int(round(tl.x_of(4000))), int(round(tl.x_of(4000))) + 45
    to_ms = tl.ms_of(x_to)
    _drag(qtbot, tl, _lane_y(tl, "cry"), x_from, x_to)

    assert len(ctl._undo) == undo_depth + 1
    assert ctl.undo_name() == cmds.UpdateEvent(int(cry.id), "cry", 3000, to_ms).describe()
    events = {e.code: e for e in _stored(project_path, cid).events}
    assert (events["cry"].id, events["cry"].onset_ms, events["cry"].offset_ms) == (cry.id, 3000, to_ms)
    assert events["approach"].onset_ms == 5000
    assert tl.selected_event == int(cry.id)
    assert win.events.selected_event_id() == int(cry.id)

    # and the onset edge, from the other end
    x_on = int(round(tl.x_of(3000)))
    _drag(qtbot, tl, _lane_y(tl, "cry"), x_on, x_on - 30)
    stored = next(e for e in _stored(project_path, cid).events if e.code == "cry")
    assert (stored.onset_ms, stored.offset_ms) == (tl.ms_of(x_on - 30), to_ms)
    ctl.undo()
    ctl.undo()
    stored = next(e for e in _stored(project_path, cid).events if e.code == "cry")
    assert (stored.onset_ms, stored.offset_ms) == (3000, 4000)


def test_click_seeks_the_player(qtbot, project, window_factory):
    win, tl, _ctl = _window(qtbot, project, window_factory)
    x = int(tl.x_of(5000)) + 3
    wanted = tl.ms_of(x)
    with qtbot.waitSignal(win.player.frameChanged, timeout=5000):
        qtbot.mouseClick(tl, LEFT, pos=QPoint(x, _lane_y(tl, "cry")))
    frame_ms = 1000 / win.player.fps
    assert win.player.position_ms <= wanted < win.player.position_ms + frame_ms
    assert tl.playhead_ms == win.player.position_ms


def test_zoom_keys_and_wheel_change_the_visible_range(qtbot, project, window_factory):
    win, tl, _ctl = _window(qtbot, project, window_factory)
    tl.setFocus()
    t0, t1 = tl.visible_range()
    assert t0 == 0 and t1 >= tl.duration_ms - tl.ms_per_px
    press(qtbot, win, Qt.Key.Key_Plus)
    z0, z1 = tl.visible_range()
    assert abs((z1 - z0) - (t1 - t0) / 2) < 1e-6
    press(qtbot, win, Qt.Key.Key_Plus)
    assert abs((tl.visible_range()[1] - tl.visible_range()[0]) - (t1 - t0) / 4) < 1e-6

    before = tl.visible_range()
    wheel = QWheelEvent(QPointF(400, 60), tl.mapToGlobal(QPointF(400, 60)), QPoint(), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(tl, wheel)
    after = tl.visible_range()
    assert after[0] > before[0] and abs((after[1] - after[0]) - (before[1] - before[0])) < 1e-6

    press(qtbot, win, Qt.Key.Key_Minus)
    press(qtbot, win, Qt.Key.Key_0)
    assert tl.visible_range()[0] == 0 and abs((tl.visible_range()[1] - tl.visible_range()[0]) - (t1 - t0)) < 1e-6


def _image(tl) -> QImage:
    """The widget as it paints itself, in the format it paints in (text blends differently in others)."""
    return tl.grab().toImage()


def test_cached_layer_after_an_edit_matches_a_full_repaint(qtbot, project, window_factory):
    win, tl, ctl = _window(qtbot, project, window_factory)
    cid = ctl.coding_id
    ctl.execute(cmds.Batch("set up", (cmds.SetBoundary(cid, 1, 0, 2500), cmds.SetBoundary(cid, 2, 2500, None))))
    for code, on, off in (("cry", 300, 900), ("cry", 905, 1200), ("approach", 700, None), ("contact", 1500, 3300)):
        ctl.execute(cmds.AddEvent(cid, code, on, off))
    tl.set_playhead(3000)
    first = _image(tl)
    renders = tl.static_renders

    # edits by key and by command: each redraws only its lane inside the cached layer
    tl.setFocus()
    press(qtbot, win, Qt.Key.Key_C)             # opens a cry state at the playhead (dashed to the end)
    press(qtbot, win, Qt.Key.Key_A)
    ctl.execute(cmds.DeleteEvent(next(int(e.id) for e in ctl.state.events if e.code == "contact")))
    cached = _image(tl)
    assert tl.static_renders == renders         # no full redraw happened ...
    assert cached != first                      # ... yet the edits are on screen

    tl.invalidate()
    full = _image(tl)
    assert tl.static_renders == renders + 1
    assert cached == full


def test_playhead_strips_repaint_what_a_full_repaint_would(qtbot, project, window_factory):
    win, tl, ctl = _window(qtbot, project, window_factory)
    cid = ctl.coding_id
    # an open episode grows with the playhead, so it must be inside the strips too
    ctl.execute(cmds.SetBoundary(cid, 1, 500, None))
    ctl.execute(cmds.AddEvent(cid, "cry", 1000, 2500))
    tl.set_playhead(1800)
    old = _image(tl)
    renders = tl.static_renders
    for new in (4200, 900, 300, 6000):
        before = tl.playhead_ms
        tl.set_playhead(new)
        region = QRegion()
        for r in tl.playhead_rects(before, new):
            region += r
        assert region.boundingRect().width() < tl.width()
        patched = QImage(old)
        # paint only the strips over the previous picture (render puts the region's corner at the offset)
        tl.render(patched, region.boundingRect().topLeft(), region)
        full = _image(tl)
        assert patched == full
        assert full != old
        old = full
    assert tl.static_renders == renders
