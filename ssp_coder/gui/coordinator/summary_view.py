"""Trial summary…: counts and percentages by arm × timepoint, change and between-arm effects, figures.

Descriptive only: the coordinator's overview, not the trial's analysis. It
is computed in a worker thread on a read-only connection.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.gui.coordinator.frame_model import FrameModel
from ssp_coder.gui.coordinator.widgets import BusyBar, ImageView, table_view
from ssp_coder.gui.coordinator.workers import Job, figure_png, read_only_copy
from ssp_coder.store.project import Project

FIGURE_TITLES = {"abcd_by_arm": "ABCD by arm", "d_rating_distribution": "D rating",
                 "transitions": "Transitions"}


def compute_summary(project: Project, progress: Any) -> dict[str, Any]:
    from ssp_coder.export import format_summary, prepare_export
    from ssp_coder.export.figures import make_figures

    with read_only_copy(project) as ro:
        data = prepare_export(ro, progress=progress)
    figures = {name: figure_png(fig) for name, fig in make_figures(data.summary, data.long).items()}
    return {"summary": data.summary, "text": format_summary(data.summary), "figures": figures}


class SummaryWindow(QMainWindow):
    summaryReady = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.summary: Any = None
        self.job: Job | None = None
        self.setWindowTitle(f"Trial summary (descriptive) — {project.name}")
        self.resize(1366, 768)
        central = QWidget()
        lay = QVBoxLayout(central)
        self.banner = QLabel("<b>Descriptive summary</b> of completed final codings (consensus, else primary) — "
                             "for the coordinator's overview. The trial's own analysis is the statistician's.")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: rgba(255, 214, 102, 110); padding: 6px; }")
        self.busy = BusyBar()
        lay.addWidget(self.banner)
        lay.addWidget(self.busy)
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

    def refresh(self) -> Job:
        self.busy.busy(True)
        job = Job(lambda progress: compute_summary(self.project, progress))
        job.signals.finished.connect(self._on_summary)
        job.signals.failed.connect(self._on_failed)
        self.job = job
        return job.start()

    def _on_failed(self, message: str) -> None:
        self.busy.busy(False)
        self.text.setPlainText(f"The summary could not be computed:\n{message}")

    def _on_summary(self, result: dict[str, Any]) -> None:
        self.busy.busy(False)
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
