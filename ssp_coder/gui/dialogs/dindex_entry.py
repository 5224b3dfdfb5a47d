"""Quick D-index entry: press 1–7 for the group, Enter to add."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
        self.group.setFocus()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        text = e.text()
        if text.isdigit() and not isinstance(self.focusWidget(), QLineEdit):
            i = int(text) - 1
            if 0 <= i < self.group.count():
                self.group.setCurrentIndex(i)
                return
        super().keyPressEvent(e)

    def value(self) -> tuple[str, str | None, str | None]:
        return (self.group.currentData(), self.sub_item.text().strip() or None, self.note.text().strip() or None)
