"""Keys go where the coder is typing.

The window's shortcuts are single keys (C, Space, arrows). While the coder
types into a text field, a spin box, a cell editor or the scales grid, those
keys belong to that widget: this filter claims them (accepts the
ShortcutOverride) so the shortcut does not fire. Ctrl/Alt shortcuts (undo,
episode boundaries) still work everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox, QKeySequenceEdit, QLineEdit, QPlainTextEdit,
    QTextEdit, QWidget,
)

TEXT_WIDGETS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QKeySequenceEdit)


class InputGuard(QObject):
    def __init__(self, window: QWidget, *typing_views: QAbstractItemView):
        super().__init__(window)
        self.window = window
        self.typing_views = typing_views
        QApplication.instance().installEventFilter(self)

    def wants_key(self, widget: QWidget | None, event: QKeyEvent) -> bool:
        if widget is None:
            return False
        mods = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                    | Qt.KeyboardModifier.MetaModifier)
        if mods:
            return False
        if event.key() == Qt.Key.Key_Escape:
            # Esc closes a cell editor or popup first; otherwise it returns to the video.
            return isinstance(widget, TEXT_WIDGETS) and _in_item_view(widget)
        if isinstance(widget, TEXT_WIDGETS):
            return True
        if isinstance(widget, QComboBox) and widget.isEditable():
            return True
        for view in self.typing_views:
            if widget is view or view.isAncestorOf(widget):
                return True
        return False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            focus = QApplication.focusWidget()
            if focus is not None and focus.window() is self.window and self.wants_key(focus, event):
                event.accept()
                return True
        return False


def _in_item_view(widget: QWidget) -> bool:
    p = widget.parentWidget()
    while p is not None:
        if isinstance(p, QAbstractItemView):
            return True
        p = p.parentWidget()
    return False
