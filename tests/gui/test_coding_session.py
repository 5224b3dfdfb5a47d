"""A whole coding session driven with the keyboard, then read back from a fresh store."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ssp_coder.media import ssp_episode_plan
from ssp_coder.store.project import Project

from .conftest import VIDEO_FPS
from .helpers import activate, answer_next_dialog, open_first, press, seek, type_in_grid

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def test_frame_step_uses_the_displayed_frame(qtbot, project, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    assert win.player.frame_index == 0
    for expected in (1, 2, 3):
        press(qtbot, win, Qt.Key.Key_Right, frame=True)
        assert win.player.frame_index == expected
        assert win.player.position_ms == expected * 1000 // VIDEO_FPS
    press(qtbot, win, Qt.Key.Key_Left, frame=True)
    assert win.player.frame_index == 2
    press(qtbot, win, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, frame=True)
    assert win.player.position_ms == 80 + 1000
    press(qtbot, win, Qt.Key.Key_Right, CTRL, frame=True)
    assert win.player.position_ms == 80 + 6000
    press(qtbot, win, Qt.Key.Key_Left, CTRL, frame=True)
    assert win.player.position_ms == 80 + 1000
    assert "01.080" in win.transport.time.text() and "frame 27" in win.transport.time.text()


def test_full_coding_by_keyboard_survives_reopen(qtbot, project, project_path, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    cid = win.controller.coding_id
    plan = ssp_episode_plan(1.0, VIDEO_FPS)

    # eight episode starts with Alt+1..8 at the frames the video's banner changes; Alt+0 ends episode 8
    for ep, start, _end in plan:
        seek(qtbot, win, start)
        press(qtbot, win, getattr(Qt.Key, f"Key_{ep}"), ALT)
    seek(qtbot, win, plan[-1][2] - 40)
    press(qtbot, win, Qt.Key.Key_0, ALT)
    st = win.controller.state
    assert {n: (b.onset_ms, b.offset_ms) for n, b in st.boundaries.items()} == {
        ep: (start, end if ep < 8 else plan[-1][2] - 40) for ep, start, end in plan}
    assert "1" in win.episodes.model.data(win.episodes.model.index(0, 0))

    # state event: C starts crying, C again stops it; point event: A (approach)
    seek(qtbot, win, 3600)
    press(qtbot, win, Qt.Key.Key_C)
    assert win.controller.open_state_event("cry") is not None
    qtbot.waitUntil(lambda: any("has no end" in win.classification.hints.item(i).text()
                                for i in range(win.classification.hints.count())))
    for _ in range(5):
        press(qtbot, win, Qt.Key.Key_Right, frame=True)
    press(qtbot, win, Qt.Key.Key_A)
    press(qtbot, win, Qt.Key.Key_C)
    assert win.controller.open_state_event("cry") is None
    assert win.events.model.rowCount() == 2
    assert win.events.count.text() == "2 events"

    # D index: D opens the quick entry; "3" picks group III, Enter adds it
    seek(qtbot, win, 6600)
    titles = answer_next_dialog(qtbot, "3")
    press(qtbot, win, Qt.Key.Key_D)
    assert titles and "D index" in titles[0]
    activate(qtbot, win)
    assert [(m.group, m.time_ms) for m in win.controller.state.d_indices] == [("III", 6600)]

    # scales: F2 goes to the first empty cell; type each rating and Tab on
    press(qtbot, win, Qt.Key.Key_F2)
    view = win.scales.view
    assert win.focusWidget() is view
    model = win.scales.model
    rated = [(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())
             if model.flags(model.index(r, c)) & Qt.ItemFlag.ItemIsEnabled]
    assert (view.currentIndex().row(), view.currentIndex().column()) == rated[0]
    values = {}
    for i, (r, c) in enumerate(rated):
        assert (view.currentIndex().row(), view.currentIndex().column()) == (r, c)   # Tab skips unrated cells
        text = f"{1 + (i % 13) * 0.5:g}"
        type_in_grid(qtbot, view, text)
        values[model.key(model.index(r, c))] = float(text)
    assert win.controller.state.scales == values
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)

    # classification D with forced secondary B3, D rating 7
    panel = win.classification
    panel.classification.setFocus()
    i = panel.classification.findData("D")
    panel.classification.setCurrentIndex(i)
    panel.classification.activated.emit(i)
    j = panel.secondary.findData("B3")
    panel.secondary.setCurrentIndex(j)
    panel.secondary.activated.emit(j)
    panel.d_rating.setFocus()
    panel.d_rating.selectAll()
    qtbot.keyClicks(panel.d_rating, "7")
    qtbot.keyClick(panel.d_rating, Qt.Key.Key_Return)
    assert win.controller.state.result.d_rating == 7.0

    # complete with Ctrl+Return (focus back on the video first)
    win.timeline.setFocus()
    press(qtbot, win, Qt.Key.Key_Return, CTRL)
    assert win.controller.coding.is_complete, [panel.hints.item(k).text() for k in range(panel.hints.count())]
    assert "complete" in win.windowTitle()
    press(qtbot, win, Qt.Key.Key_C)           # a complete coding refuses new events and says so
    assert "Reopen" in win.statusBar().currentMessage()

    win.close()
    project.close()
    fresh = Project.open(project_path, read_only=True, backups=False)
    try:
        st = fresh.coding_state(cid)
        assert st.coding.status == "complete"
        assert {n: (b.onset_ms, b.offset_ms) for n, b in st.boundaries.items()} == {
            ep: (start, end if ep < 8 else plan[-1][2] - 40) for ep, start, end in plan}
        assert [(e.code, e.onset_ms, e.offset_ms) for e in st.events] == [("cry", 3600, 3800), ("approach", 3800, None)]
        assert [(m.group, m.time_ms) for m in st.d_indices] == [("III", 6600)]
        assert dict(st.scales) == values
        assert (st.result.classification, st.result.forced_secondary, st.result.d_rating) == ("D", "B3", 7.0)
        actors = {a.actor for a in fresh.audit_log(coding_id=cid)}
        assert actors == {"Ana"}
    finally:
        fresh.close()
