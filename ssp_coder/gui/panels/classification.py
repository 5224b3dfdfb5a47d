"""Classification, forced secondary (for D), D rating, note; hints and the complete / reopen step."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QPushButton, QVBoxLayout, QWidget,
)

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.state_overlap import state_overlap_groups
from ssp_coder.gui.checks import coding_hints
from ssp_coder.gui.controller import Change, CodingController

NOT_GIVEN = "—"


class ClassificationPanel(QWidget):
    completed = Signal()

    def __init__(self, controller: CodingController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        scheme = controller.scheme
        self._updating = False
        self.classification = QComboBox()
        self.classification.addItem(NOT_GIVEN, None)
        for c in scheme.classifications:
            self.classification.addItem(f"{c.code} — {c.name}", c.code)
        self.classification.setToolTip("The attachment classification (A1 … D, CC, U)")
        self.secondary = QComboBox()
        self.secondary.addItem(NOT_GIVEN, None)
        # main categories (A, B, C) first, for labs that record only "D/B"; then the subgroups
        for code in scheme.forced_secondary:
            subgroup = code in scheme.classification_codes
            self.secondary.addItem(code if subgroup else f"{code} (no subgroup)", code)
        self.secondary.setToolTip("The best-fitting organized classification, required with D: a main category "
                                  "(A, B, C) or a subgroup (A1 … C2)")
        r = scheme.d_rating
        self.d_rating = QDoubleSpinBox()
        self.d_rating.setRange(r.min - r.step, r.max)
        self.d_rating.setSingleStep(r.step)
        self.d_rating.setDecimals(1)
        self.d_rating.setSpecialValueText(NOT_GIVEN)
        self.d_rating.setValue(self.d_rating.minimum())
        self.d_rating.setKeyboardTracking(False)
        anchors = "\n".join(f"{k}: {v}" for k, v in r.anchors.items())
        self.d_rating.setToolTip(f"D rating {r.min:g}–{r.max:g} (steps of {r.step:g})\n{anchors}")
        self.note = QLineEdit()
        self.note.setPlaceholderText("coder's note on this session")
        self.classification.activated.connect(self._classification_chosen)
        self.secondary.activated.connect(self._classification_chosen)
        self.d_rating.valueChanged.connect(self._d_changed)
        self.note.editingFinished.connect(self._note_changed)
        self.hints = QListWidget()
        self.hints.setWordWrap(True)
        self.hints.setToolTip("Consistency hints and what is still missing; they never block saving")
        self.merge_btn = QPushButton("Merge overlapping intervals")
        self.merge_btn.setToolTip("Intervals of the same state that share time (often brought in by an import) "
                                  "become one interval each; one step, Ctrl+Z undoes it")
        self.merge_btn.clicked.connect(lambda _checked=False: self.controller.merge_overlapping_states())
        self.merge_btn.hide()
        self.status = QLabel()
        self.complete_btn = QPushButton("Mark complete")
        self.complete_btn.setToolTip("Check that everything required is filled in and mark the coding complete "
                                     "(Ctrl+Return)")
        self.complete_btn.clicked.connect(self.mark_complete)
        self.reopen_btn = QPushButton("Reopen…")
        self.reopen_btn.setToolTip("Reopen a completed coding to change it (asks for a reason; audited)")
        self.reopen_btn.clicked.connect(self.reopen)
        form = QFormLayout()
        form.addRow("Classification", self.classification)
        form.addRow("Forced secondary", self.secondary)
        form.addRow("D rating", self.d_rating)
        form.addRow("Note", self.note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.complete_btn)
        buttons.addWidget(self.reopen_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(form)
        lay.addWidget(QLabel("Checks"))
        lay.addWidget(self.hints, 1)
        lay.addWidget(self.merge_btn)
        lay.addLayout(buttons)
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(120)
        self._hint_timer.timeout.connect(self.refresh_hints)
        controller.codingOpened.connect(lambda _s: self.refresh())
        controller.changed.connect(self._on_change)
        self.refresh()

    def _on_change(self, change: Change) -> None:
        # The checks read the whole coding (thousands of events): run them once the keys go quiet, so a
        # keystroke never waits for advice.
        if not change.events_only:
            self.refresh(fields_only=True)
        self._hint_timer.start()

    def refresh(self, fields_only: bool = False) -> None:
        st = self.controller.state
        self._updating = True
        try:
            enabled = self.controller.editable
            for w in (self.classification, self.secondary, self.d_rating, self.note):
                w.setEnabled(enabled)
            r = st.result if st else None
            self.classification.setCurrentIndex(max(0, self.classification.findData(r.classification if r else None)))
            self.secondary.setCurrentIndex(max(0, self.secondary.findData(r.forced_secondary if r else None)))
            needs = bool(r and r.classification and self.controller.scheme.classification(
                r.classification).requires_forced_secondary)
            self.secondary.setEnabled(enabled and needs)
            self.d_rating.setValue(r.d_rating if r and r.d_rating is not None else self.d_rating.minimum())
            self.note.setText(r.note or "" if r else "")
        finally:
            self._updating = False
        complete = st is not None and st.coding.is_complete
        self.status.setText("" if st is None else ("Complete" if complete else "Draft"))
        self.complete_btn.setEnabled(st is not None and not complete)
        self.reopen_btn.setEnabled(complete)
        if not fields_only:
            self.refresh_hints()

    def refresh_hints(self) -> None:
        self._hint_timer.stop()
        st = self.controller.state
        self.hints.clear()
        overlaps = st is not None and bool(state_overlap_groups(st.events))
        self.merge_btn.setVisible(overlaps)
        self.merge_btn.setEnabled(overlaps and self.controller.editable)
        if st is None:
            return
        session = self.controller.session
        hints = coding_hints(st, self.controller.scheme, self.controller.project.settings,
                             session.duration_ms if session else None)
        for level, msg in hints:
            item = QListWidgetItem(("⚠ " if level != "missing" else "• ") + msg)
            if level != "missing":
                item.setForeground(QColor("#c77700"))
            self.hints.addItem(item)
        if not hints:
            self.hints.addItem("Everything required is filled in.")

    def _classification_chosen(self, _i: int = 0) -> None:
        if self._updating or self.controller.coding_id is None:
            return
        code = self.classification.currentData()
        secondary = self.secondary.currentData()
        if code is None or not self.controller.scheme.classification(code).requires_forced_secondary:
            secondary = None
        st = self.controller.state
        if st and (st.result.classification, st.result.forced_secondary) == (code, secondary):
            self.refresh()
            return
        if self.controller.execute(cmds.SetClassification(self.controller.coding_id, code, secondary)) is None:
            self.refresh()

    def _d_changed(self, value: float) -> None:
        if self._updating or self.controller.coding_id is None:
            return
        v = None if value < self.controller.scheme.d_rating.min else value
        st = self.controller.state
        if st and st.result.d_rating == v:
            return
        if self.controller.execute(cmds.SetDRating(self.controller.coding_id, v)) is None:
            self.refresh()

    def _note_changed(self) -> None:
        if self._updating or self.controller.coding_id is None:
            return
        text = self.note.text().strip() or None
        st = self.controller.state
        if st and st.result.note == text:
            return
        self.controller.execute(cmds.SetCodingNote(self.controller.coding_id, text))

    def mark_complete(self) -> bool:
        if self.controller.coding_id is None:
            return False
        ok = self.controller.execute(cmds.MarkComplete(self.controller.coding_id)) is not None
        if ok:
            self.completed.emit()
        return ok

    def reopen(self, reason: str | None = None) -> bool:
        if self.controller.coding_id is None:
            return False
        if reason is None:
            reason, ok = QInputDialog.getText(self, "Reopen coding", "Why is this coding reopened? (kept in the audit "
                                              "log)")
            if not ok:
                return False
        return self.controller.execute(cmds.Reopen(self.controller.coding_id, reason.strip())) is not None
