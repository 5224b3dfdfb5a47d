"""Recording which camera view each event is coded from: the coder's setting, the current view, the table, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from ssp_coder.gui.models.events import COL_VIEW
from ssp_coder.gui.views import ViewTile

from .helpers import open_first
from .test_views import room_video, two_view_path, two_view_project  # noqa: F401  (fixtures)

RECORD = "views_record_event_view"


def _captions(win) -> list[str]:
    return [w.text() for w in win.view_set.area.findChildren(QLabel) if w.isVisible()]


def _marked(qtbot, win, name: str) -> None:
    """Wait until the caption of view ``name`` carries the mark (captions are shown on the next event loop turn)."""
    qtbot.waitUntil(lambda: any(c.startswith(f"● {name}") for c in _captions(win))
                    and sum("●" in c for c in _captions(win)) == 1, timeout=5000)


def _last(win, code):
    return [e for e in win.controller.state.events if e.code == code][-1]


def test_off_by_default_nothing_is_recorded(qtbot, window_factory, two_view_project):  # noqa: F811
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    action = win.findChild(QAction, RECORD)
    assert action is not None and not action.isChecked()
    qtbot.mouseClick(win.findChildren(ViewTile)[0], Qt.MouseButton.LeftButton)
    win.log_behaviour("approach")
    assert _last(win, "approach").view is None
    qtbot.waitUntil(lambda: len(_captions(win)) == 2, timeout=5000)
    assert not any("●" in c for c in _captions(win))


def test_each_event_takes_the_view_last_clicked_and_the_setting_is_kept_per_coder(qtbot, window_factory,
                                                                                   two_view_project):  # noqa: F811
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    win.findChild(QAction, RECORD).trigger()
    assert win.view_set.area.current == 1
    _marked(qtbot, win, "face")
    win.log_behaviour("approach")
    assert _last(win, "approach").view == 1
    qtbot.mouseClick(win.findChildren(ViewTile)[0], Qt.MouseButton.LeftButton)    # the room camera
    assert win.view_set.area.current == 2
    _marked(qtbot, win, "room")
    win.player.seek(2_000)
    win.log_behaviour("cry")                        # a state: starts from the room camera ...
    qtbot.mouseClick(win.video, Qt.MouseButton.LeftButton)                           # ... the main view now
    assert win.view_set.area.current == 1
    win.player.seek(3_000)
    win.log_behaviour("cry")                        # ... and stops: it keeps the view it started from
    cry = _last(win, "cry")
    assert (cry.offset_ms is not None, cry.view) == (True, 2)
    # the event table shows it; the timeline knows it
    model = win.events.model
    row = model.row_of(int(cry.id))
    assert model.index(row, COL_VIEW).data() == "V2 room"
    assert not win.events.view.isColumnHidden(COL_VIEW)
    lane = win.timeline.lanes[win.timeline._lane_index["cry"]]
    assert 2 in lane.views.tolist()
    win.close()
    again = window_factory(two_view_project)
    assert again.findChild(QAction, RECORD).isChecked()
    other = window_factory(two_view_project, "Cory")
    assert not other.findChild(QAction, RECORD).isChecked()


def test_the_coder_changes_an_events_view_in_the_table_and_undo_restores_it(qtbot, window_factory,
                                                                             two_view_project):  # noqa: F811
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    win.findChild(QAction, RECORD).trigger()
    qtbot.mouseDClick(win.findChildren(ViewTile)[0], Qt.MouseButton.LeftButton)    # large, and current
    assert (win.view_set.area.large, win.view_set.area.current) == (2, 2)
    win.log_behaviour("approach")
    ev = _last(win, "approach")
    model = win.events.model
    index = model.index(model.row_of(int(ev.id)), COL_VIEW)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(index, "face")
    assert _last(win, "approach").view == 1
    assert win.controller.undo_name() == "Change the event's view"
    win.controller.undo()
    assert _last(win, "approach").view == 2
    messages: list[str] = []
    win.controller.message.connect(messages.append)
    assert not model.setData(model.index(model.row_of(int(ev.id)), COL_VIEW), "V7")
    assert "not a view of this session" in messages[-1] and _last(win, "approach").view == 2
    assert model.setData(model.index(model.row_of(int(ev.id)), COL_VIEW), "")
    assert _last(win, "approach").view is None
    stored = two_view_project.coding_state(int(win.controller.coding.id))
    assert [e.view for e in stored.events if e.code == "approach"] == [None]


def test_a_one_camera_session_never_records_a_view(qtbot, window_factory, project):
    win = window_factory(project)
    open_first(qtbot, win)
    win.findChild(QAction, RECORD).trigger()
    win.log_behaviour("approach")
    assert _last(win, "approach").view is None
    assert win.events.view.isColumnHidden(COL_VIEW)
    model = win.events.model
    assert not model.flags(model.index(0, COL_VIEW)) & Qt.ItemFlag.ItemIsEditable


def test_the_timeline_writes_the_view_beside_the_event(qtbot, window_factory, two_view_project):  # noqa: F811
    from ssp_coder.domain import commands as cmds

    win = window_factory(two_view_project)
    open_first(qtbot, win)
    win.findChild(QAction, RECORD).trigger()
    qtbot.mouseClick(win.findChildren(ViewTile)[0], Qt.MouseButton.LeftButton)
    win.log_behaviour("approach")
    ev = _last(win, "approach")
    tl = win.timeline
    i = tl._lane_index["approach"]

    def lane_pixels() -> bytes:
        tl.ms_per_px = 10_000 / tl.plot_width()           # ten seconds in view: room for tags
        tl.view_start = max(0, ev.onset_ms - 1_000)
        tl.render_static()
        dpr = tl._static.devicePixelRatio()
        row = tl._static.copy(int(tl.x_of(ev.onset_ms) * dpr), int(tl.lane_top(i) * dpr), int(40 * dpr),
                              int(20 * dpr))
        return bytes(row.constBits())

    tagged = lane_pixels()
    win.controller.execute(cmds.UpdateEvent(int(ev.id), ev.code, ev.onset_ms, ev.offset_ms, view=None))
    assert _last(win, "approach").view is None
    assert lane_pixels() != tagged


def _tag_columns(onset_ms: int, end_ms: int) -> list[int]:
    """Columns where ``paint_view_tags`` drew a V2 tag for one state from ``onset_ms`` to ``end_ms`` (10 ms/px)."""
    import numpy as np
    from PySide6.QtGui import QImage, QPainter, QPalette

    from ssp_coder.gui.event_views import paint_view_tags

    img = QImage(400, 20, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    p = QPainter(img)
    paint_view_tags(p, lambda ms: ms / 10, np.array([onset_ms]), np.array([2]), 0, 1, 0, 20, 400, QPalette(),
                    np.array([end_ms]))
    p.end()
    return [x for x in range(img.width()) if any(img.pixelColor(x, y).alpha() for y in range(img.height()))]


def test_a_tag_too_wide_for_its_bar_is_written_after_the_bar_not_half_on_it(qapp) -> None:
    wide = _tag_columns(1_000, 3_000)           # bar from x=100 to x=300: the tag fits inside
    assert wide and 100 < wide[0] < 110 and wide[-1] < 300
    narrow = _tag_columns(1_000, 1_080)         # bar from x=100 to x=108: too narrow for "V2"
    assert narrow and narrow[0] > 108


def test_the_view_column_is_in_sight_in_the_default_layout_at_1366(qtbot, window_factory,
                                                                 two_view_project):  # noqa: F811
    win = window_factory(two_view_project)
    win.apply_default_layout(1366)
    open_first(qtbot, win)
    win.docks["events"].raise_()
    table = win.events.view
    qtbot.waitUntil(lambda: table.isVisible() and not table.isColumnHidden(COL_VIEW), timeout=5000)
    header = table.horizontalHeader()
    left = header.sectionViewportPosition(COL_VIEW)
    assert 0 <= left and left + header.sectionSize(COL_VIEW) <= table.viewport().width()
    win.close()
