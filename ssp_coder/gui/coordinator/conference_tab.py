"""Conference: the worklist of double-coded sessions, the side-by-side diff, and creating the consensus.

For each field the coordinator takes coding a's or coding b's value (the
differing rows are highlighted) and gives a reason where the value is not
the primary coding's; ``create_consensus`` then builds the consensus coding
in one audited transaction, with the signed-in person as decider. A session
that has a consensus is revised the same way (``replace``), with a reason.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.errors import KnownError
from ssp_coder.gui.coordinator.frame_model import HIGHLIGHT, FrameModel
from ssp_coder.gui.coordinator.widgets import table_view, titled, warn
from ssp_coder.reliability.consensus import (
    CodingDiff,
    ReasonsMissing,
    compare_codings,
    create_consensus,
    display,
)

Index = QModelIndex | QPersistentModelIndex
COL_FIELD, COL_A, COL_B, COL_TAKE, COL_REASON = range(5)
SIDES = ("a", "b")
WORKLIST_COLUMNS = ["blinded_code", "primary_coder", "reliability_coder", "abcd_primary", "abcd_reliability",
                    "d_rating_primary", "d_rating_reliability", "abcd_agree", "has_consensus"]


class DiffModel(QAbstractTableModel):
    """One row per field of the two codings; 'take' (a/b) and 'reason' are editable."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.diff: CodingDiff | None = None
        self.take: list[str] = []
        self.reason: list[str] = []

    def set_diff(self, diff: CodingDiff | None) -> None:
        self.beginResetModel()
        self.diff = diff
        n = len(diff.fields) if diff else 0
        self.take = ["a"] * n
        self.reason = [""] * n
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.diff is None else len(self.diff.fields)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        d = self.diff
        names = ["Field", f"a: {d.coder_a} ({d.purpose_a})" if d else "a", f"b: {d.coder_b} ({d.purpose_b})" if d
                 else "b", "Take", "Reason"]
        return names[section] if 0 <= section < 5 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.diff is None or not index.isValid() or not (0 <= index.row() < len(self.diff.fields)):
            return None
        f = self.diff.fields[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole):
            if col == COL_FIELD:
                return f.label
            if col == COL_A:
                return display(f.a)
            if col == COL_B:
                return display(f.b)
            if col == COL_TAKE:
                return self.take[index.row()]
            if col == COL_REASON:
                return self.reason[index.row()]
            return None
        if role == Qt.ItemDataRole.BackgroundRole and f.differs:
            return QBrush(HIGHLIGHT)
        if role == Qt.ItemDataRole.FontRole and col in (COL_A, COL_B) and f.differs \
                and self.take[index.row()] == SIDES[col - COL_A]:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (COL_TAKE, COL_REASON):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if self.diff is None or not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        r = index.row()
        if index.column() == COL_TAKE and value in SIDES:
            self.take[r] = str(value)
            self.dataChanged.emit(self.index(r, COL_A), self.index(r, COL_TAKE))
            return True
        if index.column() == COL_REASON:
            self.reason[r] = str(value or "").strip()
            self.dataChanged.emit(index, index)
            return True
        return False

    # -- what create_consensus needs ------------------------------------------------------------
    def choose(self, field: str, side: str) -> None:
        r = next(i for i, f in enumerate(self.diff.fields) if f.field == field)
        self.setData(self.index(r, COL_TAKE), side)

    def take_all(self, side: str) -> None:
        for r in range(self.rowCount()):
            self.setData(self.index(r, COL_TAKE), side)

    def choices(self) -> dict[str, str]:
        """Every field where the codings differ, with the side taken (agreeing fields need no decision)."""
        return {f.field: self.take[i] for i, f in enumerate(self.diff.fields) if f.differs} if self.diff else {}

    def reasons(self, default: str) -> dict[str, str]:
        """Each differing field's reason (its own, else ``default``); which ones are required is the engine's rule."""
        if not self.diff:
            return {}
        return {f.field: (self.reason[i] or default) for i, f in enumerate(self.diff.fields)
                if f.differs and (self.reason[i] or default)}


class DifferingOnly(QSortFilterProxyModel):
    """Hides the fields where both codings agree, when switched on."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.on = False

    def set_on(self, on: bool) -> None:
        self.beginFilterChange()
        self.on = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        model = self.sourceModel()
        return not self.on or model.diff is None or model.diff.fields[row].differs


class TakeDelegate(QStyledItemDelegate):
    """A combo box with a and b for the 'Take' column."""

    def createEditor(self, parent: QWidget, option: Any, index: Index) -> QWidget:
        box = QComboBox(parent)
        box.addItems(list(SIDES))
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class ConferenceTab(QWidget):
    consensusCreated = Signal(int)

    def __init__(self, window: Any):
        super().__init__()
        self.window = window
        self.worklist = FrameModel(parent=self, columns=WORKLIST_COLUMNS,
                                   headers={"blinded_code": "session", "primary_coder": "a (primary)",
                                            "reliability_coder": "b (reliability)", "abcd_primary": "ABCD a",
                                            "abcd_reliability": "ABCD b", "d_rating_primary": "D a",
                                            "d_rating_reliability": "D b", "abcd_agree": "agree",
                                            "has_consensus": "consensus"},
                                   highlight=lambda r: not r.get("abcd_agree") and not r.get("has_consensus"))
        self.diff_model = DiffModel(self)
        self.session_code: str | None = None
        self.revising = False

        self.list_view = table_view(self.worklist)
        self.list_view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.select_row(cur.row()))
        self.differing_only = DifferingOnly(self)
        self.differing_only.setSourceModel(self.diff_model)
        self.diff_view = table_view(self.differing_only, fit_columns=False)     # sized by _size_diff_columns
        self.diff_view.setItemDelegateForColumn(COL_TAKE, TakeDelegate(self.diff_view))
        self.diff_model.modelReset.connect(self._size_diff_columns)

        self.heading = QLabel("Select a session in the worklist.")
        self.heading.setWordWrap(True)
        self.only_box = QCheckBox("Only differing fields")
        self.only_box.toggled.connect(self.differing_only.set_on)
        take_a = QPushButton("Take all from a")
        take_a.clicked.connect(lambda: self.diff_model.take_all("a"))
        take_b = QPushButton("Take all from b")
        take_b.clicked.connect(lambda: self.diff_model.take_all("b"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Reason: needed where a value is not the primary's (covers rows without "
                                            "their own)")
        self.create_button = QPushButton("Create consensus")
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(lambda: self.create())

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.heading)
        rl.addWidget(self.diff_view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.only_box)
        buttons.addWidget(take_a)
        buttons.addWidget(take_b)
        buttons.addWidget(self.reason_edit, 1)
        buttons.addWidget(self.create_button)
        rl.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(titled("Worklist", self.list_view, "disagreements without consensus first"))
        split.addWidget(titled("Side by side", right, "differing fields highlighted"))
        split.setSizes([560, 780])
        lay = QVBoxLayout(self)
        lay.addWidget(split)

    def _size_diff_columns(self) -> None:
        self.diff_view.resizeColumnsToContents()
        for c, most in ((COL_FIELD, 190), (COL_A, 210), (COL_B, 210)):
            self.diff_view.setColumnWidth(c, min(self.diff_view.columnWidth(c), most))
        self.diff_view.setColumnWidth(COL_TAKE, 60)

    def set_worklist(self, frame: pd.DataFrame, *, select: bool = True) -> None:
        """Show a new worklist; the session shown before stays selected (``select=False``: do that later)."""
        self.worklist.set_frame(frame)
        if select:
            self.restore_selection()

    def restore_selection(self) -> None:
        """Select the session shown before (if it is still listed), else the first one."""
        keep = self.session_code
        codes = [self.worklist.row(i)["blinded_code"] for i in range(self.worklist.rowCount())]
        if keep in codes:
            self.list_view.selectRow(codes.index(keep))
        elif codes and self.session_code is None:
            self.list_view.selectRow(0)

    def select_session(self, code: str) -> None:
        codes = [self.worklist.row(i)["blinded_code"] for i in range(self.worklist.rowCount())]
        self.list_view.selectRow(codes.index(code))
        self.select_row(codes.index(code))

    def select_row(self, row: int) -> None:
        if not (0 <= row < self.worklist.rowCount()):
            return
        r = self.worklist.row(row)
        try:
            diff = compare_codings(self.window.project, int(r["primary_id"]), int(r["reliability_id"]))
        except KnownError as exc:
            warn(self, "Cannot compare the codings", str(exc))
            return
        self.session_code = str(r["blinded_code"])
        self.diff_model.set_diff(diff)
        n = len(diff.differing)
        self.revising = bool(r.get("has_consensus"))
        done = (" A consensus coding already exists: deciding again revises it (say why in the box below; the "
                "previous decisions stay in the audit log).") if self.revising else ""
        self.heading.setText(f"<b>Session {diff.blinded_code}</b>: coding a by {diff.coder_a} ({diff.purpose_a}), "
                             f"coding b by {diff.coder_b} ({diff.purpose_b}). {n} field(s) differ.{done}")
        self.create_button.setText("Revise consensus" if self.revising else "Create consensus")
        self.create_button.setEnabled(True)

    def create(self) -> int | None:
        """Create the consensus coding from the choices; returns its id (None when refused)."""
        diff = self.diff_model.diff
        if diff is None:
            return None
        default = self.reason_edit.text().strip()
        reasons = self.diff_model.reasons(default)
        labels = {f.field: f.label for f in diff.fields}
        try:
            cid = create_consensus(self.window.project, diff.blinded_code, decider=self.window.coder.name,
                                   choices=self.diff_model.choices(), reasons=reasons, base="a",
                                   coding_a=diff.coding_a, coding_b=diff.coding_b, replace=self.revising,
                                   revision_reason=default)
        except ReasonsMissing as exc:
            missing = [labels.get(name, name) for name, _why in exc.fields]
            warn(self, "A reason is needed",
                 "Give a reason for every value taken from the coding that is not the primary one (in the Reason "
                 "column or the box below the table). Missing: " + ", ".join(missing[:6])
                 + (" …" if len(missing) > 6 else ""))
            return None
        except KnownError as exc:
            title = "A reason is needed" if self.revising and not default else "Cannot create the consensus"
            warn(self, title, str(exc))
            return None
        verb = "revised" if self.revising else "created"
        self.heading.setText(f"<b>Session {diff.blinded_code}</b>: consensus coding {cid} {verb} by "
                             f"{self.window.coder.name}.")
        self.reason_edit.clear()
        self.consensusCreated.emit(cid)
        return cid
