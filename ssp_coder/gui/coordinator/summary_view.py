"""Trial summary…: counts and percentages by arm × timepoint, change and between-arm effects, figures.

Descriptive only: the coordinator's overview, not the trial's analysis. It
is computed in a separate process that opens the project read-only, so the
window stays responsive; Cancel ends that process.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.background import tasks
from ssp_coder.gui.coordinator.frame_model import FrameModel
from ssp_coder.gui.coordinator.widgets import BusyBar, ImageView, table_view
from ssp_coder.gui.coordinator.workers import ProcessJob
from ssp_coder.store.project import Project

FIGURE_TITLES = {"abcd_by_arm": "ABCD by arm", "d_rating_distribution": "D rating",
                 "transitions": "Transitions"}


class SummaryWindow(QMainWindow):
    summaryReady = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.summary: Any = None
        self.job: ProcessJob | None = None
        self.setWindowTitle(f"Trial summary (descriptive) — {project.name}")
        self.resize(1366, 768)
        central = QWidget()
        lay = QVBoxLayout(central)
        self.banner = QLabel("<b>Descriptive summary</b> of completed final codings (consensus, else primary) — "
                             "for the coordinator's overview. The trial's own analysis is the statistician's.")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: rgba(255, 214, 102, 110); padding: 6px; }")
        self.busy = BusyBar()
        self.state = QLabel("")
        self.refresh_button = QPushButton("Recompute")
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop computing; the tabs keep the last summary")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        for w in (self.refresh_button, self.cancel_button, self.busy, self.state):
            row.addWidget(w)
        row.addStretch(1)
        lay.addWidget(self.banner)
        lay.addLayout(row)
        self.tabs = QTabWidget()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.text.setPlainText("Computing…")
        self.tabs.addTab(self.text, "Summary")
        self.models: dict[str, FrameModel] = {}
        for key, title in (("distribution", "By arm × timepoint"), ("within_arm", "Change within arm"),
                           ("between_arm", "Between arms"), ("incomplete", "Not included")):
            model = FrameModel(parent=self)
            self.models[key] = model
            self.tabs.addTab(table_view(model), title)
        self.images: dict[str, ImageView] = {}
        for key, title in FIGURE_TITLES.items():
            view = ImageView()
            self.images[key] = view
            self.tabs.addTab(view, f"Figure: {title}")
        lay.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def refresh(self) -> ProcessJob:
        """Compute in a separate process (a running computation is replaced); ``summaryReady`` fires when done."""
        if self.job is not None:
            self.job.cancel()
        self._busy(True)
        self.state.setText("Computing…")
        job = ProcessJob(tasks.trial_summary, self.project, self)
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(self._on_summary)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(lambda: self._on_cancelled(job))
        self.job = job
        return job.start()

    def cancel(self) -> None:
        """Stop the computation (its process is ended); the tabs keep the last summary."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.state.setText("Cancelling…")

    def _busy(self, on: bool) -> None:
        self.busy.busy(on)
        self.refresh_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)

    def _on_progress(self, done: int, total: int, detail: str) -> None:
        self.busy.progress(done, total)
        self.state.setText(f"Computing: {detail}…" if detail and detail != "ready" else "Computing…")

    def _on_cancelled(self, job: ProcessJob) -> None:
        if job is self.job:
            self._busy(False)
            self.state.setText("Cancelled." + (" The tabs show the last summary." if self.summary else ""))
            if self.summary is None:
                self.text.setPlainText("Not computed (cancelled). Press Recompute.")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        super().closeEvent(event)

    def _on_failed(self, message: str) -> None:
        self._busy(False)
        self.state.setText("")
        self.text.setPlainText(f"The summary could not be computed:\n{message}")

    def _on_summary(self, result: dict[str, Any]) -> None:
        self._busy(False)
        self.state.setText("")
        s = result["summary"]
        self.summary = s
        self.text.setPlainText(result["text"])
        for key, table in s.tables().items():
            self.models[key].set_frame(table)
        for key, png in result["figures"].items():
            if key in self.images:
                self.images[key].set_png(png)
        self.statusBar().showMessage(f"{s.n_sessions} sessions, {s.n_complete} with a completed final coding; "
                                     f"arms {', '.join(s.arms)}; timepoints {', '.join(s.timepoints)}.")
        self.summaryReady.emit(s)
