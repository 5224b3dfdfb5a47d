"""Export data…: the trial datasets as xlsx, csv, sav or dta, written in a worker thread with a progress bar.

The export is unblinded (arm and timepoint next to the codings); only the
Trial menu, shown to coordinators and trainers, opens this dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QProgressBar, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from ssp_coder.gui.coordinator.workers import Job, read_only_copy
from ssp_coder.store.project import Project

FORMAT_LABELS = {"xlsx": "Excel workbook (.xlsx)", "csv": "CSV files in a folder", "sav": "SPSS (.sav)",
                 "dta": "Stata 15+ (.dta)"}
FILTERS = {"xlsx": "Excel workbook (*.xlsx)", "csv": "Folder for the CSV files (*)", "sav": "SPSS data (*.sav)",
           "dta": "Stata data (*.dta)"}


def run_export(project: Project, fmt: str, out: str, shape: str, progress: Any) -> list[Path]:
    """The worker's job: score and build on a read-only connection, then write (atomically, cancellable)."""
    from ssp_coder.export import prepare_export, write_export

    with read_only_copy(project) as ro:
        data = prepare_export(ro, progress=lambda d, t, detail="": progress(d, t, f"Preparing: {detail}"))
    return write_export(data, fmt, out, shape=shape, progress=lambda d, t, detail="": progress(d, t,
                                                                                                f"Writing {detail}"))


class ExportDialog(QDialog):
    exported = Signal(list)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        from ssp_coder.export import FORMATS, SHAPES

        self.project = project
        self.job: Job | None = None
        self.written: list[Path] = []
        self.last_error = ""
        self.setWindowTitle("Export trial data")
        self.setMinimumWidth(620)
        self.format = QComboBox()
        for f in FORMATS:
            self.format.addItem(FORMAT_LABELS.get(f, f), f)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.shape_group = QButtonGroup(self)
        shapes = QHBoxLayout()
        for s, tip in zip(SHAPES, ("one row per session", "one row per participant", "both")):
            b = QRadioButton(s)
            b.setToolTip(tip)
            b.setObjectName(f"shape_{s}")
            self.shape_group.addButton(b)
            shapes.addWidget(b)
            if s == "both":
                b.setChecked(True)
        shapes.addStretch(1)
        self.path_edit = QLineEdit(str(project.path.with_name(project.path.stem + "_export.xlsx")))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format:", self.format)
        form.addRow("Shape:", shapes)
        form.addRow("Save to:", where)
        warning = QLabel("<b>Unblinded:</b> arm and timepoint sit next to the codings. "
                         "For the trial statistician, never for a coder.")
        warning.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.cancel_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.start())
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(warning)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addStretch(1)
        lay.addWidget(self.buttons)

    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    @property
    def shape(self) -> str:
        return self.shape_group.checkedButton().text()

    def set_choice(self, fmt: str, shape: str = "both", path: str | Path | None = None) -> None:
        self.format.setCurrentIndex(self.format.findData(fmt))
        self.findChild(QRadioButton, f"shape_{shape}").setChecked(True)
        if path is not None:
            self.path_edit.setText(str(path))

    def _format_changed(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            return
        p = Path(text)
        base = p.with_suffix("") if p.suffix.lower() in (".xlsx", ".sav", ".dta") else p
        self.path_edit.setText(str(base if self.fmt == "csv" else base.with_name(base.name + "." + self.fmt)))

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(), FILTERS[self.fmt])
        if path:
            self.path_edit.setText(path)

    def _busy(self, on: bool) -> None:
        self.export_button.setEnabled(not on)
        self.close_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        self.format.setEnabled(not on)
        self.path_edit.setEnabled(not on)

    def start(self) -> Job | None:
        out = self.path_edit.text().strip()
        if not out:
            self.status.setText("Choose where to save the export.")
            return None
        self.written, self.last_error = [], ""
        self._busy(True)
        self.progress.setRange(0, 0)
        self.status.setText("Scoring the codings…")
        fmt, shape = self.fmt, self.shape
        job = Job(lambda progress: run_export(self.project, fmt, out, shape, progress))
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(self._on_done)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(self._on_cancelled)
        self.job = job
        return job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _on_progress(self, done: int, total: int, detail: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self.status.setText(detail)

    def _on_done(self, paths: list[Path]) -> None:
        self._busy(False)
        self.written = list(paths)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText("<b>Exported.</b> Written:<br>" + "<br>".join(str(p) for p in paths))
        self.exported.emit(self.written)

    def _on_failed(self, message: str) -> None:
        self._busy(False)
        self.last_error = message
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(f"<b style='color:#c62828'>Not exported.</b> {message}")

    def _on_cancelled(self) -> None:
        self._busy(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText("Cancelled. Files already there were left as they were; nothing half-written remains.")

    def reject(self) -> None:
        if self.job is not None and not self.job.done.is_set():
            self.cancel()
            self.job.signals.cancelled.connect(lambda: QDialog.reject(self))
            self.job.signals.finished.connect(lambda _r: QDialog.reject(self))
            self.job.signals.failed.connect(lambda _m: QDialog.reject(self))
            return   # closes once the job has stopped; never leave a half-written export behind
        super().reject()
