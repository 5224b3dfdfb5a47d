"""Quick D-index entry: press 1–7 for the group, Enter to add."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from ssp_coder.domain.scheme import Scheme
from ssp_coder.gui.controller import fmt_ms


class DIndexDialog(QDialog):
    def __init__(self, scheme: Scheme, at_ms: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"D index at {fmt_ms(at_ms)}")
        self.group = QComboBox()
        for i, g in enumerate(scheme.d_indices, 1):
            self.group.addItem(f"{i}  {g.group} — {g.name}", g.group)
            self.group.setItemData(i - 1, g.description, Qt.ItemDataRole.ToolTipRole)
        self.sub_item = QLineEdit()
        self.sub_item.setPlaceholderText("optional, e.g. 3b")
        self.note = QLineEdit()
        self.note.setPlaceholderText("optional note")
        form = QFormLayout(self)
        form.addRow(QLabel("Press 1–7 to pick the group, Enter to add."))
        form.addRow("Group", self.group)
        form.addRow("Sub-item", self.sub_item)
        form.addRow("Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.group.installEventFilter(self)
        self.group.setFocus()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        # The combo box would search its items for "3"; here a digit picks group number 3.
        if obj is self.group and e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent):
            text = e.text()
            if text.isdigit() and 1 <= int(text) <= self.group.count():
                self.group.setCurrentIndex(int(text) - 1)
                return True
        return super().eventFilter(obj, e)

    def value(self) -> tuple[str, str | None, str | None]:
        return (self.group.currentData(), self.sub_item.text().strip() or None, self.note.text().strip() or None)
