"""Import codings from BORIS, ELAN, Datavyu or The Observer: the file's codes beside the scheme's, saved as a map.

The person picks the file; each code the file uses is listed with how often
it occurs and a choice of what it is in the scheme (a behaviour, an episode
boundary, or 'ignore'), pre-filled where the code already matches the scheme
or a loaded map. The map can be saved as MAP.csv for the command line; "Check"
runs the import as a dry run and "Import" writes, under the same rules as
``ssp-coder import-codings --from``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.errors import KnownError
from ssp_coder.interchange import import_coding_file, load_map, read_codings, write_map
from ssp_coder.interchange.mapping import CodeMap, Target
from ssp_coder.interchange.model import TOOL_NAMES, TOOLS
from ssp_coder.store.project import Project

FILTERS = {"boris": "BORIS projects (*.boris *.boris.gz)", "elan": "ELAN files (*.eaf)",
           "datavyu": "Datavyu files (*.opf)", "observer": "Observer event logs (*.txt *.tsv *.csv)"}
SUFFIX_TOOL = {".boris": "boris", ".gz": "boris", ".eaf": "elan", ".opf": "datavyu", ".txt": "observer",
               ".tsv": "observer", ".csv": "observer"}
NOT_MAPPED = "— not mapped yet —"
FILE_CODER = "(as the file or map says)"


class CodingsMapDialog(QDialog):
    """Pick a file, map its codes, save the map, check and import."""

    imported = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import codings from another tool")
        self.setMinimumSize(900, 560)
        self.project = project
        self.cmap = CodeMap(project.scheme)
        self.targets = self.cmap.targets()
        self.file_edit, self.map_edit = QLineEdit(), QLineEdit()
        self.file_edit.setReadOnly(True)
        self.map_edit.setReadOnly(True)
        self.tool = QComboBox()
        for t in TOOLS:
            self.tool.addItem(TOOL_NAMES[t], t)
        self.tool.currentIndexChanged.connect(lambda _i: self.load_file(self.file_edit.text()) if self.file_edit.text()
                                              else None)
        self.coder = QComboBox()
        self.coder.addItem(FILE_CODER, None)
        for c in project.coders():
            self.coder.addItem(c.name, c.name)
        browse, load = QPushButton("Choose file…"), QPushButton("Load map…")
        browse.clicked.connect(self._choose_file)
        load.clicked.connect(self._choose_map)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.addRow("File:", row)
        form.addRow("Made with:", self.tool)
        row = QHBoxLayout()
        row.addWidget(self.map_edit, 1)
        row.addWidget(load)
        form.addRow("Map (optional):", row)
        form.addRow("Coded by:", self.coder)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Code in the file", "Events", "In ssp-coder"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.scheme_list = QListWidget()
        for label, _t in self.targets:
            self.scheme_list.addItem(label)
        left, right = QWidget(), QWidget()
        lv, rv = QVBoxLayout(left), QVBoxLayout(right)
        lv.setContentsMargins(0, 0, 0, 0)
        rv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("The file's codes"))
        lv.addWidget(self.table)
        rv.addWidget(QLabel("The scheme's behaviours and episodes"))
        rv.addWidget(self.scheme_list)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setMaximumBlockCount(2000)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save map…", QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button = self.buttons.addButton("Check (dry run)", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        close = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self._save_map)
        self.check_button.clicked.connect(lambda: self.run(dry_run=True))
        self.import_button.clicked.connect(lambda: self.run(dry_run=False))
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(split, 3)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.buttons)
        self._enable()

    # -- the file and the map ------------------------------------------------------------------------
    def _choose_file(self) -> None:
        filters = ";;".join(FILTERS[t] for t in TOOLS) + ";;All files (*)"
        path, _ = QFileDialog.getOpenFileName(self, "Codings from another tool", "", filters)
        if path:
            tool = SUFFIX_TOOL.get(Path(path).suffix.lower())
            if tool:
                self.tool.blockSignals(True)
                self.tool.setCurrentIndex(TOOLS.index(tool))
                self.tool.blockSignals(False)
            self.load_file(path)

    def _choose_map(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "A map", "", "Maps (*.csv *.xlsx);;All files (*)")
        if path:
            self.load_map(path)

    def load_map(self, path: str) -> bool:
        try:
            self.cmap = load_map(path, self.project.scheme)
        except KnownError as exc:
            self.report.setPlainText(str(exc))
            return False
        self.map_edit.setText(path)
        if self.file_edit.text():
            self.load_file(self.file_edit.text())
        return True

    def load_file(self, path: str) -> bool:
        self.file_edit.setText(path)
        cf = read_codings(path, self.tool.currentData())
        self.table.setRowCount(0)
        if cf.problems and not cf.observations:
            self.report.setPlainText("\n".join(str(p) for p in cf.problems))
            self._enable()
            return False
        seen: dict[str, list] = {}
        for obs in cf.observations:
            for mark in obs.marks:
                entry = seen.setdefault(mark.code, [0, mark.codes])
                entry[0] += 1
        for code, (count, names) in seen.items():
            r = self.table.rowCount()
            self.table.insertRow(r)
            item = QTableWidgetItem(code)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, 0, item)
            n = QTableWidgetItem(str(count))
            n.setFlags(n.flags() & ~Qt.ItemFlag.ItemIsEditable)
            n.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, 1, n)
            box = QComboBox()
            box.addItem(NOT_MAPPED, None)
            for label, target in self.targets:
                box.addItem(label, target)
            hit = self.cmap.target(tuple(names))
            if hit is not None:
                box.setCurrentIndex(1 + [t for _l, t in self.targets].index(hit[1]))
            self.table.setCellWidget(r, 2, box)
        todo = len(self.unmapped())
        self.report.setPlainText(f"{len(seen)} code(s) in {len(cf.observations)} observation(s); {todo} not mapped "
                                 "yet. Choose what each is in ssp-coder, then Check and Import.")
        self._enable()
        return True

    # -- the map the table holds ---------------------------------------------------------------------
    def choices(self) -> dict[str, Target | None]:
        out = {}
        for r in range(self.table.rowCount()):
            box = self.table.cellWidget(r, 2)
            out[self.table.item(r, 0).text()] = box.currentData() if isinstance(box, QComboBox) else None
        return out

    def unmapped(self) -> list[str]:
        return [code for code, target in self.choices().items() if target is None]

    def choose(self, file_code: str, target: Target | None) -> None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == file_code:
                box = self.table.cellWidget(r, 2)
                box.setCurrentIndex(0 if target is None else 1 + [t for _l, t in self.targets].index(target))
                return
        raise KeyError(file_code)

    def current_map(self) -> CodeMap:
        cmap = CodeMap(self.project.scheme, self.cmap.path, dict(self.cmap.codes), dict(self.cmap.sessions),
                       dict(self.cmap.coders))
        for code, target in self.choices().items():
            cmap.set_code(code, target)
        return cmap

    def save_map_to(self, path: str) -> Path:
        codes = {code: (t.describe() if t else "") for code, t in self.choices().items()}
        return write_map(path, codes, dict(self.cmap.sessions), dict(self.cmap.coders))

    def _save_map(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the map", "MAP.csv", "CSV (*.csv)")
        if path:
            try:
                saved = self.save_map_to(path)
            except KnownError as exc:
                self.report.setPlainText(str(exc))
                return
            self.map_edit.setText(str(saved))
            self.report.setPlainText(f"Saved the map to {saved}. On the command line: ssp-coder import-codings "
                                     f"PROJECT FILE --from {self.tool.currentData()} --map {saved.name}")

    # -- checking and importing ----------------------------------------------------------------------
    def run(self, *, dry_run: bool) -> object | None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = import_coding_file(self.project, self.file_edit.text(), self.tool.currentData(),
                                        coder=self.coder.currentData(), dry_run=dry_run, code_map=self.current_map())
        except KnownError as exc:
            self.report.setPlainText(str(exc))
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.report.setPlainText(report.summary())
        if not dry_run:
            self.imported.emit(report)
        return report

    def _enable(self) -> None:
        has_rows = self.table.rowCount() > 0
        for b in (self.save_button, self.check_button, self.import_button):
            b.setEnabled(has_rows)
