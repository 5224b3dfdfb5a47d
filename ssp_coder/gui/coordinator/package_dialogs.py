"""Coder packages from the coordinator's side: export one for a coder, import a returned one, show one's facts.

Exporting and importing change the project (the package is recorded; the
merge writes the coder's work), so they use the window's ``Project`` in a
worker thread while the dialog is modal: nothing else touches the project
meanwhile, and the engines write in one transaction at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.gui.coordinator.job_dialog import JobDialog
from ssp_coder.gui.coordinator.widgets import table_view
from ssp_coder.gui.coordinator.workers import Job
from ssp_coder.store.project import Project

Index = QModelIndex | QPersistentModelIndex
PACKAGE_FILTER = "Coder packages (*.sspkg);;All files (*)"


class ExportPackageDialog(JobDialog):
    """Coder, sessions (default: all the coder's assignments), videos or not, where to save."""

    exported = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent, "Export a coder package")
        self.project = project
        self.info: Any = None
        self.coder = QComboBox()
        for c in project.coders():
            if [x for x in project.codings(coder_id=int(c.id)) if x.purpose != "consensus"]:
                self.coder.addItem(c.name)
        self.coder.currentTextChanged.connect(self._load_sessions)
        self.sessions = QListWidget()
        self.sessions.setMaximumHeight(180)
        self.videos = QCheckBox("Include the videos (renamed to their blinded codes)")
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Coder:", self.coder)
        form.addRow("Sessions:", self.sessions)
        form.addRow("", self.videos)
        form.addRow("Save to:", where)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.clicked.connect(lambda: self.start())
        note = QLabel("The package is blinded: only session codes, never participant, arm or timepoint.")
        note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self._load_sessions(self.coder.currentText())

    def _load_sessions(self, name: str) -> None:
        self.sessions.clear()
        if not name:
            return
        who = self.project.coder(name)
        codes = sorted({self.project.session(int(c.session_id)).blinded_code
                        for c in self.project.codings(coder_id=int(who.id)) if c.purpose != "consensus"})
        for code in codes:
            item = QListWidgetItem(code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.sessions.addItem(item)
        safe = "".join(ch if ch.isalnum() else "_" for ch in name)
        self.path_edit.setText(str(self.project.path.with_name(f"{safe}.sspkg")))

    def chosen_sessions(self) -> list[str]:
        return [self.sessions.item(i).text() for i in range(self.sessions.count())
                if self.sessions.item(i).checkState() == Qt.CheckState.Checked]

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the package", self.path_edit.text(), PACKAGE_FILTER)
        if path:
            self.path_edit.setText(path)

    def start(self) -> Job | None:
        from ssp_coder.packages import export_package

        codes, name, out = self.chosen_sessions(), self.coder.currentText(), self.path_edit.text().strip()
        if not name or not codes or not out:
            self.status.setText("Choose a coder, at least one session and where to save the package.")
            return None
        every = len(codes) == self.sessions.count()
        videos = self.videos.isChecked()
        return self.run(lambda progress: export_package(self.project, name, session_codes=None if every else codes,
                                                        with_videos=videos, out_path=out, progress=progress),
                        self._done, "Writing the package…")

    def _done(self, info: Any) -> None:
        self.info = info
        self.status.setText(f"<b>Package written</b> for {info.coder}: {len(info.session_codes)} session(s), "
                            f"{info.codings} coding(s){', with videos' if info.with_videos else ''}, "
                            f"{info.size / 1e6:.1f} MB.<br>{info.path}")
        self.exported.emit(info)


class ConflictModel(QAbstractTableModel):
    """Conflicts of a dry run; the 'keep' column (package/project) is editable."""

    HEADERS = ("Session", "Purpose", "Coding", "Differences", "Keep")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.conflicts: list[Any] = []
        self.keep: list[str] = []

    def set_conflicts(self, conflicts: list[Any]) -> None:
        self.beginResetModel()
        self.conflicts = list(conflicts)
        self.keep = ["package"] * len(self.conflicts)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.conflicts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.conflicts)):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            return None
        c = self.conflicts[index.row()]
        return [c.session_code, c.purpose, str(c.coding_id), "; ".join(c.differences),
                self.keep[index.row()]][index.column()] if 0 <= index.column() < 5 else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f | Qt.ItemFlag.ItemIsEditable if index.column() == 4 else f

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.isValid() and index.column() == 4 and role == Qt.ItemDataRole.EditRole \
                and value in ("package", "project"):
            self.keep[index.row()] = str(value)
            self.dataChanged.emit(index, index)
            return True
        return False

    def prefer(self) -> dict[int, str]:
        return {int(c.coding_id): k for c, k in zip(self.conflicts, self.keep)}


class _KeepDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: Any, index: Index) -> QWidget:
        box = QComboBox(parent)
        box.addItems(["package", "project"])
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class ImportPackageDialog(JobDialog):
    """Pick a returned package, preview the merge (dry run), decide conflicts, then import."""

    previewed = Signal(object)
    imported = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent, "Import a returned package")
        self.project = project
        self.report: Any = None
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("the returned package (…-returned.sspkg)")
        self.path_edit.textChanged.connect(lambda _t: self._invalidate())
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        self.preview_text = QPlainTextEdit()
        self.preview_text.setReadOnly(True)
        self.preview_text.setPlaceholderText("Preview first: nothing is changed until you press Import.")
        self.conflict_model = ConflictModel(self)
        self.conflict_view = table_view(self.conflict_model)
        self.conflict_view.setItemDelegateForColumn(4, _KeepDelegate(self.conflict_view))
        self.preview_button = self.buttons.addButton("Preview", QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.clicked.connect(lambda: self.preview())
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.clicked.connect(lambda: self.start_import())
        lay = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("Package:", where)
        lay.addLayout(form)
        lay.addWidget(QLabel("What the import would do:"))
        lay.addWidget(self.preview_text, 2)
        lay.addWidget(QLabel("Conflicts (changed in the project and in the package since export) — keep which?"))
        lay.addWidget(self.conflict_view, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.resize(820, 600)
        self._invalidate()

    def _invalidate(self) -> None:
        self.report = None
        self.import_button.setEnabled(False)

    def _busy(self, on: bool) -> None:
        super()._busy(on)
        if not on:
            self.import_button.setEnabled(self.report is not None and self.report.dry_run)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Returned package", str(self.project.path.parent), PACKAGE_FILTER)
        if path:
            self.path_edit.setText(path)

    def preview(self) -> Job | None:
        from ssp_coder.packages import import_package

        path = self.path_edit.text().strip()
        if not path:
            self.status.setText("Choose the returned package first.")
            return None
        self._invalidate()
        return self.run(lambda progress: import_package(self.project, Path(path), dry_run=True, progress=progress),
                        self._previewed, "Checking the package…")

    def _previewed(self, report: Any) -> None:
        self.report = report
        self.preview_text.setPlainText(report.summary())
        self.conflict_model.set_conflicts(report.conflicts)
        self.conflict_view.resizeColumnsToContents()
        self.import_button.setEnabled(True)
        self.status.setText(f"{len(report.merged)} coding(s) to update, {len(report.conflicts)} conflict(s) to "
                            "decide. Press Import to merge.")
        self.previewed.emit(report)

    def start_import(self) -> Job | None:
        from ssp_coder.packages import import_package

        if self.report is None:
            return None
        path = Path(self.path_edit.text().strip())
        prefer = self.conflict_model.prefer() or None
        return self.run(lambda progress: import_package(self.project, path, prefer=prefer, progress=progress),
                        self._imported, "Merging…")

    def _imported(self, report: Any) -> None:
        self.report = report
        self.import_button.setEnabled(False)
        self.preview_text.setPlainText(report.summary())
        self.conflict_model.set_conflicts(report.conflicts)
        self.status.setText(f"<b>Imported.</b> {len(report.merged)} coding(s) updated, "
                            f"{len(report.kept_project)} kept as in the project, {len(report.conflicts)} conflict(s) "
                            "left.")
        self.imported.emit(report)


def package_info_text(pkg: Any) -> str:
    m, issued = pkg.manifest, pkg.issued
    return "\n".join([
        f"Package {pkg.package_id} ({m.get('state')}), coder {pkg.coder}",
        f"Scheme {issued.get('scheme_id')} v{issued.get('scheme_version')}; made {issued.get('created_at')}, "
        f"written {m.get('written_at')}",
        f"{len(issued['sessions'])} session(s): " + ", ".join(s["code"] for s in issued["sessions"]),
        f"{len(issued['codings'])} coding(s); videos inside: {len(pkg.view_members)}",
        "Every member matches its checksum."])


class PackageInfoDialog(JobDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, "Package info")
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.check_button = self.buttons.addButton("Check", QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.clicked.connect(lambda: self.check())
        lay = QVBoxLayout(self)
        lay.addLayout(where)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Package", "", PACKAGE_FILTER)
        if path:
            self.path_edit.setText(path)
            self.check()

    def check(self) -> Job | None:
        from ssp_coder.packages import read_package

        path = self.path_edit.text().strip()
        if not path:
            return None
        return self.run(lambda progress: read_package(Path(path), progress=progress),
                        lambda pkg: (self.text.setPlainText(package_info_text(pkg)), self.status.setText("")),
                        "Checking every member…")
