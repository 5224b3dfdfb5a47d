"""The key map editor: a new key by keyboard, conflicts block saving, the map is saved per coder."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from ssp_coder.gui.dialogs.keymap_editor import KeyMapEditor
from ssp_coder.gui.keymap import KeyMap

from .helpers import activate, open_first


def _row(dlg: KeyMapEditor, action_id: str) -> int:
    return next(i for i, a in enumerate(dlg.keymap.actions) if a.id == action_id)


def _type_key(qtbot, dlg: KeyMapEditor, action_id: str, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier):
    """Double-click the action's row, then press the new key, as a coder does."""
    item = dlg.table.item(_row(dlg, action_id), 1)
    dlg.table.scrollToItem(item)
    pos = dlg.table.visualItemRect(item).center()
    # an item view takes a double-click only on the index the first click pressed
    qtbot.mouseClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(dlg.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert dlg._row == _row(dlg, action_id)
    with qtbot.waitSignal(dlg.editor.editingFinished, timeout=5000):
        qtbot.keyClick(dlg.editor, key, modifier)


def test_conflict_is_flagged_and_blocks_save_until_resolved(qtbot, project):
    keymap = KeyMap(project.scheme)
    dlg = KeyMapEditor(keymap)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    save = dlg.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save.isEnabled() and dlg.problems.text() == ""

    cry_key = keymap.key("behaviour:cry")
    _type_key(qtbot, dlg, "play_pause", getattr(Qt.Key, f"Key_{cry_key}"))
    assert dlg.keys["play_pause"] == cry_key
    assert not save.isEnabled()
    assert "Play / pause" in dlg.problems.text() and keymap.label("behaviour:cry") in dlg.problems.text()
    red = dlg.table.item(_row(dlg, "behaviour:cry"), 2).foreground().color().name()
    assert red == dlg.table.item(_row(dlg, "play_pause"), 2).foreground().color().name() == "#d9534f"
    dlg.accept()                                # Enter while the conflict lasts does nothing
    assert dlg.isVisible() and keymap.key("play_pause") == "Space"

    _type_key(qtbot, dlg, "play_pause", Qt.Key.Key_F9)
    assert save.isEnabled() and dlg.problems.text() == ""
    assert dlg.table.item(_row(dlg, "play_pause"), 2).text() == "F9"


def test_saved_key_map_belongs_to_the_coder_and_drives_the_window(qtbot, project, settings, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    seen: list[str] = []

    def drive() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, KeyMapEditor):
            QTimer.singleShot(5, drive)
            return
        seen.append(dlg.windowTitle())
        try:
            _type_key(qtbot, dlg, "play_pause", Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
            _type_key(qtbot, dlg, "behaviour:cry", Qt.Key.Key_F8)
            qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
        finally:
            if dlg.isVisible():      # a failed step must not leave the modal loop waiting
                dlg.reject()

    QTimer.singleShot(0, drive)
    win.edit_keymap()
    assert seen == ["Key map"]
    activate(qtbot, win)

    assert win.actions_by_id["play_pause"].shortcut().toString() == "Ctrl+P"
    assert win.actions_by_id["behaviour:cry"].shortcut().toString() == "F8"
    for name in ("Ana", "Cory"):
        stored = KeyMap(project.scheme)
        stored.load(settings, name)
        expected = ("Ctrl+P", "F8") if name == "Ana" else ("Space", KeyMap(project.scheme).key("behaviour:cry"))
        assert (stored.key("play_pause"), stored.key("behaviour:cry")) == expected

    # the new key logs the behaviour; the old one no longer does
    win.timeline.setFocus()
    n = len(win.controller.state.events)
    qtbot.keyClick(win.timeline, Qt.Key.Key_F8)
    assert [e.code for e in win.controller.state.events[n:]] == ["cry"]
    qtbot.keyClick(win.timeline, Qt.Key.Key_C)
    assert len(win.controller.state.events) == n + 1

    # a window opened for another coder on this computer keeps the defaults
    other = window_factory(project, "Cory")
    assert other.actions_by_id["play_pause"].shortcut().toString() == "Space"
