"""A small popup to give an event a subject and a note."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from ssp_coder.domain.model import Event
from ssp_coder.domain.scheme import Scheme
from ssp_coder.gui.controller import fmt_ms


class EventNoteDialog(QDialog):
    def __init__(self, scheme: Scheme, event: Event, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"'{event.code}' at {fmt_ms(event.onset_ms)}")
        self.subject = QComboBox()
        self.subject.setEditable(True)
        self.subject.addItem("")
        self.subject.addItem("infant")
        for p in scheme.partners:
            self.subject.addItem(p.name)
        self.subject.setCurrentText(event.subject or "")
        self.note = QLineEdit(event.note or "")
        form = QFormLayout(self)
        form.addRow("Subject", self.subject)
        form.addRow("Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.note.setFocus()

    def value(self) -> tuple[str | None, str | None]:
        return (self.subject.currentText().strip() or None, self.note.text().strip() or None)
