"""The coding's disorganization-index marks as a Qt table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import DIndexMark
from ssp_coder.gui.controller import Change, CodingController, fmt_ms, parse_ms

COLUMNS = ("Time", "Group", "Sub-item", "Note")
MARK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TIME_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


class DIndexModel(QAbstractTableModel):
    def __init__(self, controller: CodingController, parent: Any = None):
        super().__init__(parent)
        self.controller = controller
        self.marks: list[DIndexMark] = []
        self._group_names = {g.group: g.name for g in controller.scheme.d_indices}
        controller.codingOpened.connect(self._reset)
        controller.changed.connect(self._on_change)
        self._reset(controller.state)

    def _reset(self, state: Any) -> None:
        self.beginResetModel()
        self.marks = list(state.d_indices) if state is not None else []
        self.endResetModel()

    def _on_change(self, change: Change) -> None:
        state = self.controller.state
        if not change.events_only and (state is None or tuple(self.marks) != state.d_indices):
            self._reset(state)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.marks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 4:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.controller.editable:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.marks):
            return None
        m = self.marks[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (fmt_ms(m.time_ms), m.group, m.sub_item or "", m.note or "")[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{m.group}: {self._group_names.get(m.group, '')}"
        if role == MARK_ID_ROLE:
            return int(m.id)
        if role == TIME_ROLE:
            return m.time_ms
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        m = self.marks[index.row()]
        text = "" if value is None else str(value).strip()
        group, time_ms, sub, note = m.group, m.time_ms, m.sub_item, m.note
        col = index.column()
        try:
            if col == 0:
                time_ms = parse_ms(text)
            elif col == 1:
                group = text.upper()
            elif col == 2:
                sub = text or None
            else:
                note = text or None
        except ValueError:
            self.controller.message.emit(f"'{text}' is not a time; type mm:ss.mmm.")
            return False
        return self.controller.execute(cmds.UpdateDIndex(int(m.id), group, time_ms, sub, note)) is not None
