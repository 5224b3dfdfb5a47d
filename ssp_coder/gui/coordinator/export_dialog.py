"""Export data…: the trial datasets as xlsx, csv, sav or dta, written in a worker thread with a progress bar.

The export is unblinded (arm and timepoint next to the codings); only the
Trial menu, shown to coordinators and trainers, opens this dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.gui.coordinator.job_dialog import JobDialog
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


class ExportDialog(JobDialog):
    failed_text = "Not exported."
    cancelled_text = "Cancelled. Files already there were left as they were; nothing half-written remains."

    exported = Signal(list)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent, "Export trial data", modal=False)   # reads a copy; the project stays usable
        from ssp_coder.export import FORMATS, SHAPES

        self.project = project
        self.written: list[Path] = []
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
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.clicked.connect(lambda: self.start())
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
        super()._busy(on)
        self.format.setEnabled(not on)
        self.path_edit.setEnabled(not on)

    def start(self) -> Job | None:
        out = self.path_edit.text().strip()
        if not out:
            self.status.setText("Choose where to save the export.")
            return None
        self.written = []
        fmt, shape = self.fmt, self.shape
        return self.run(lambda progress: run_export(self.project, fmt, out, shape, progress), self._on_done,
                        "Scoring the codings…")

    def _on_done(self, paths: list[Path]) -> None:
        self.written = list(paths)
        self.status.setText("<b>Exported.</b> Written:<br>" + "<br>".join(str(p) for p in paths))
        self.exported.emit(self.written)
