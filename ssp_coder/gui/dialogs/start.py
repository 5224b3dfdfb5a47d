"""Start dialogs: open or create a project (recent projects remembered), then say who is coding."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QInputDialog, QLabel,
    QListWidget, QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import ROLES, Coder
from ssp_coder.errors import KnownError
from ssp_coder.gui.settings import last_coder, recent_projects, remember_coder
from ssp_coder.store.project import Project


class StartDialog(QDialog):
    """Pick a recent project, open another, or create a new one. ``chosen`` is the path."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("ssp-coder — open a project")
        self.resize(560, 360)
        self.chosen: Path | None = None
        self.recent = QListWidget()
        for p in recent_projects(settings):
            item = QListWidgetItem(Path(p).name)
            item.setToolTip(p)
            item.setData(Qt.ItemDataRole.UserRole, p)
            if not Path(p).exists():
                item.setText(f"{Path(p).name} (missing)")
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)
        self.recent.itemActivated.connect(lambda it: self._choose(Path(it.data(Qt.ItemDataRole.UserRole))))
        open_btn = QPushButton("Open project…")
        open_btn.clicked.connect(self._open)
        new_btn = QPushButton("New project…")
        new_btn.clicked.connect(self._new)
        row = QHBoxLayout()
        row.addWidget(open_btn)
        row.addWidget(new_btn)
        row.addStretch(1)
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel.rejected.connect(self.reject)
        row.addWidget(cancel)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Recent projects (double-click or Enter to open):"))
        lay.addWidget(self.recent)
        lay.addLayout(row)
        if self.recent.count():
            self.recent.setCurrentRow(0)

    def _choose(self, path: Path) -> None:
        self.chosen = path
        self.accept()

    def _open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", "", "ssp-coder projects (*.sspc *.sspkg)")
        if name:
            self._choose(Path(name))

    def _new(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New project", "", "ssp-coder projects (*.sspc)")
        if not name:
            return
        try:
            Project.create(Path(name), backups=False).close()
        except KnownError as exc:
            QMessageBox.warning(self, "Cannot create the project", str(exc))
            return
        self._choose(Path(name) if name.endswith(".sspc") else Path(name + ".sspc"))


class CoderDialog(QDialog):
    """Who is coding: every change is audited under this name and the role decides what is shown."""

    def __init__(self, project: Project, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.settings = settings
        self.setWindowTitle("Who is coding?")
        self.names = QComboBox()
        self._fill(last_coder(settings, project.project_id))
        add = QPushButton("Add a coder…")
        add.clicked.connect(self._add)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(self.names.count() > 0)
        form = QFormLayout(self)
        form.addRow(QLabel(f"Project: {project.name}"))
        form.addRow("Your name", self.names)
        form.addRow("", add)
        form.addRow(buttons)

    def _fill(self, select: str | None) -> None:
        self.names.clear()
        for c in self.project.coders():
            self.names.addItem(f"{c.name} ({c.role})", c.name)
        i = self.names.findData(select) if select else -1
        if i >= 0:
            self.names.setCurrentIndex(i)

    def _add(self) -> None:
        name, ok = QInputDialog.getText(self, "Add a coder", "Name:")
        if not ok or not name.strip():
            return
        role, ok = QInputDialog.getItem(self, "Add a coder", "Role:", list(ROLES), 0, False)
        if not ok:
            return
        try:
            self.project.execute(cmds.AddCoder(name.strip(), role), actor=name.strip())
        except KnownError as exc:
            QMessageBox.warning(self, "Cannot add the coder", str(exc))
            return
        self._fill(name.strip())
        self.ok.setEnabled(True)

    def coder(self) -> Coder | None:
        name = self.names.currentData()
        if not name:
            return None
        remember_coder(self.settings, self.project.project_id, name)
        return self.project.coder(name)
