"""Driving the real window with keys, waiting on signals (never on the clock)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication


def activate(qtbot, win) -> None:
    """Give the window back the keyboard after a dialog closed."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)


def open_first(qtbot, win) -> None:
    """Open the coder's first coding and wait until its first frame is on screen."""
    with qtbot.waitSignal(win.player.frameChanged, timeout=10000):
        win.open_first_coding()
    activate(qtbot, win)
    win.timeline.setFocus()


def press(qtbot, win, key, modifier=Qt.KeyboardModifier.NoModifier, *, frame=False) -> None:
    """A key press on whatever has focus; with ``frame=True`` wait for the new frame."""
    target = QApplication.focusWidget() or win.timeline
    if frame:
        with qtbot.waitSignal(win.player.frameChanged, timeout=5000):
            qtbot.keyClick(target, key, modifier)
    else:
        qtbot.keyClick(target, key, modifier)


def seek(qtbot, win, ms: int) -> None:
    with qtbot.waitSignal(win.player.frameChanged, timeout=5000):
        win.player.seek(ms)


def answer_next_dialog(qtbot, keys: str, accept_key=Qt.Key.Key_Return) -> list:
    """When the next modal dialog opens, type ``keys`` into it and press Enter."""
    seen: list = []

    def act() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(5, act)
            return
        seen.append(dlg.windowTitle())
        for ch in keys:
            qtbot.keyClick(dlg.focusWidget() or dlg, ch)
        qtbot.keyClick(dlg.focusWidget() or dlg, accept_key)

    QTimer.singleShot(0, act)
    return seen


def type_in_grid(qtbot, view, text: str) -> None:
    """Type a rating into the current scales cell and Tab on, as a coder does."""
    for ch in text:
        qtbot.keyClicks(QApplication.focusWidget() or view, ch)
    qtbot.keyClick(QApplication.focusWidget() or view, Qt.Key.Key_Tab)
