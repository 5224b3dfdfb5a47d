"""A dialog that runs one background job at a time, with a progress bar, Cancel and Close."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QWidget

from ssp_coder.gui.coordinator.workers import Job


class JobDialog(QDialog):
    """A dialog that runs one job at a time with a progress bar and a Cancel button."""

    failed_text = "Not done."
    cancelled_text = "Cancelled; nothing was written."

    def __init__(self, parent: QWidget | None, title: str, *, modal: bool = True):
        super().__init__(parent)
        if modal:
            # A job that writes through the window's project must have it to itself meanwhile.
            self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowTitle(title)
        self.setMinimumWidth(640)
        self.job: Job | None = None
        self.last_error = ""
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.close_button.clicked.connect(self.reject)

    def run(self, fn: Any, done: Any, busy_text: str) -> Job:
        self.last_error = ""
        self._busy(True)
        self.progress.setRange(0, 0)
        self.status.setText(busy_text)
        job = Job(fn)
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(lambda result: (self._busy(False), self._full(), done(result)))
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(self._on_cancelled)
        self.job = job
        return job.start()

    def _full(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)

    def _busy(self, on: bool) -> None:
        self.cancel_button.setEnabled(on)
        self.close_button.setEnabled(not on)
        for b in self.buttons.buttons():
            if b not in (self.cancel_button, self.close_button):
                b.setEnabled(not on)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _on_progress(self, done: int, total: int, detail: str) -> None:
        if total > 0:
            scale = max(1, total // 1_000_000)          # QProgressBar holds ints; video bytes can exceed them
            self.progress.setRange(0, total // scale)
            self.progress.setValue(min(done, total) // scale)
        self.status.setText(detail)

    def _on_failed(self, message: str) -> None:
        self._busy(False)
        self.last_error = message
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(f"<b style='color:#c62828'>{self.failed_text}</b> {message}")

    def _on_cancelled(self) -> None:
        self._busy(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(self.cancelled_text)

    def reject(self) -> None:
        if self.job is not None and not self.job.done.is_set():
            self.cancel()
            self.job.signals.cancelled.connect(lambda: QDialog.reject(self))
            self.job.signals.finished.connect(lambda _r: QDialog.reject(self))
            self.job.signals.failed.connect(lambda _m: QDialog.reject(self))
            return   # closes once the job has stopped; never leave half-written work behind
        super().reject()
