"""View and change shortcuts; conflicts are shown and block saving; saved per coder."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QKeySequenceEdit, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from ssp_coder.gui.keymap import KeyMap, normalize


class KeyMapEditor(QDialog):
    def __init__(self, keymap: KeyMap, parent: QWidget | None = None):
        super().__init__(parent)
        self.keymap = keymap
        self.setWindowTitle("Key map")
        self.resize(560, 620)
        self.keys = keymap.as_dict()
        self.table = QTableWidget(len(keymap.actions), 3)
        self.table.setHorizontalHeaderLabels(["Group", "Action", "Key"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, a in enumerate(keymap.actions):
            self.table.setItem(row, 0, QTableWidgetItem(a.group))
            self.table.setItem(row, 1, QTableWidgetItem(a.label))
            self.table.setItem(row, 2, QTableWidgetItem(self.keys[a.id]))
        self.table.cellDoubleClicked.connect(lambda r, _c: self.edit_row(r))
        self.editor = QKeySequenceEdit()
        self.editor.setMaximumSequenceLength(1)
        self.editor.editingFinished.connect(self._editor_done)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        reset = QPushButton("Reset to defaults")
        reset.clicked.connect(self.reset_defaults)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(reset, QDialogButtonBox.ButtonRole.ResetRole)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Double-click an action, then press its new key."))
        lay.addWidget(self.table)
        lay.addWidget(self.editor)
        lay.addWidget(self.problems)
        lay.addWidget(self.buttons)
        self._row: int | None = None
        self._mark_conflicts()

    def edit_row(self, row: int) -> None:
        self._row = row
        self.editor.setKeySequence(QKeySequence(self.keys[self.keymap.actions[row].id]))
        self.editor.setFocus()

    def _editor_done(self) -> None:
        if self._row is not None:
            self.set_key(self.keymap.actions[self._row].id, self.editor.keySequence().toString())

    def set_key(self, action_id: str, key: str) -> None:
        self.keys[action_id] = normalize(key)
        row = next(i for i, a in enumerate(self.keymap.actions) if a.id == action_id)
        self.table.item(row, 2).setText(self.keys[action_id])
        self._mark_conflicts()

    def reset_defaults(self) -> None:
        for a in self.keymap.actions:
            self.set_key(a.id, a.default)

    def conflicts(self) -> dict[str, list[str]]:
        return self.keymap.conflicts(self.keys)

    def _mark_conflicts(self) -> None:
        conflicts = self.conflicts()
        clash = {aid for ids in conflicts.values() for aid in ids}
        for row, a in enumerate(self.keymap.actions):
            item = self.table.item(row, 2)
            item.setForeground(QBrush(QColor("#d9534f")) if a.id in clash else QBrush())
            item.setToolTip("This key is also used by another action" if a.id in clash else "")
        if conflicts:
            lines = [f"{k}: " + ", ".join(self.keymap.label(i) for i in ids) for k, ids in conflicts.items()]
            self.problems.setText("Two actions share a key — change one:\n" + "\n".join(lines))
        else:
            self.problems.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not conflicts)

    def accept(self) -> None:
        if self.conflicts():
            return
        for aid, key in self.keys.items():
            self.keymap.set_key(aid, key)
        super().accept()
