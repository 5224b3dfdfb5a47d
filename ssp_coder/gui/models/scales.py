"""The scales grid: one row per scale, one column per (episode, partner) the scheme rates.

Cells the scheme does not rate are disabled. Typing ``5.5`` (or ``5,5``)
rates a cell; an empty cell clears it. Every edit is one ``SetScale`` command.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ssp_coder.domain import commands as cmds
from ssp_coder.gui.controller import Change, CodingController

Index = QModelIndex | QPersistentModelIndex


class ScalesModel(QAbstractTableModel):
    def __init__(self, controller: CodingController, parent: Any = None):
        super().__init__(parent)
        self.controller = controller
        scheme = controller.scheme
        self.scales = list(scheme.scales)
        partners = {p.id: i for i, p in enumerate(scheme.partners)}
        cells = {c for sc in self.scales for c in sc.cells}
        self.cells: list[tuple[int, str]] = sorted(cells, key=lambda c: (partners.get(c[1], 99), c[0]))
        self._partner_names = {p.id: p.name for p in scheme.partners}
        self.values: dict[tuple[str, int, str], float] = {}
        controller.codingOpened.connect(self._reset)
        controller.changed.connect(self._on_change)
        # ratings not saved yet (server away) are drawn grey and italic, as waiting events are
        self._waiting: set[tuple[str, int, str]] = set()
        controller.waitingChanged.connect(self._mark_waiting)
        self._reset(controller.state)

    def _reset(self, state: Any) -> None:
        self.beginResetModel()
        self.values = dict(state.scales) if state is not None else {}
        self.endResetModel()

    def _on_change(self, change: Change) -> None:
        if change.events_only:
            return
        state = self.controller.state
        new = dict(state.scales) if state is not None else {}
        if new != self.values:
            self.values = new
            if self.rowCount() and self.columnCount():
                self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def _mark_waiting(self) -> None:
        cells = self.controller.waiting_scale_cells()
        if cells != self._waiting:
            self._waiting = cells
            if self.rowCount() and self.columnCount():
                self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def key(self, index: Index) -> tuple[str, int, str]:
        ep, partner = self.cells[index.column()]
        return (self.scales[index.row()].id, ep, partner)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.scales)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.cells)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.cells):
                return None
            ep, partner = self.cells[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"E{ep} {partner.upper()}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Episode {ep}, toward {self._partner_names.get(partner, partner)}"
        else:
            if not 0 <= section < len(self.scales):
                return None
            sc = self.scales[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return sc.id.upper()
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{sc.name} ({sc.min:g}–{sc.max:g}, steps of {sc.step:g})\n{sc.description}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        sc = self.scales[index.row()]
        ep, partner = self.cells[index.column()]
        if not sc.rates(ep, partner):
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.controller.editable:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        sc = self.scales[index.row()]
        ep, partner = self.cells[index.column()]
        rated = sc.rates(ep, partner)
        value = self.values.get((sc.id, ep, partner))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if not rated:
                return "" if role == Qt.ItemDataRole.EditRole else "·"
            return "" if value is None else f"{value:g}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not rated:
                return f"{sc.name} is not rated in episode {ep} toward {self._partner_names.get(partner, partner)}"
            req = " (required)" if (ep, partner) in sc.required else ""
            tip = f"{sc.name}, episode {ep}, {self._partner_names.get(partner, partner)}{req}: type {sc.min:g}–{sc.max:g}"
            if (sc.id, ep, partner) in self._waiting:
                tip += " — NOT saved yet: kept on this computer until the project server answers"
            return tip
        waiting = rated and (sc.id, ep, partner) in self._waiting
        if role == Qt.ItemDataRole.ForegroundRole and waiting:
            return QBrush(QColor("#8a8a8a"))
        if role == Qt.ItemDataRole.BackgroundRole and rated and value is None and (ep, partner) in sc.required:
            return QBrush(QColor(240, 173, 78, 60))
        if role == Qt.ItemDataRole.FontRole and rated and ((ep, partner) in sc.required or waiting):
            f = QFont()
            f.setBold((ep, partner) in sc.required)
            f.setItalic(waiting)
            return f
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        scale, ep, partner = self.key(index)
        text = "" if value is None else str(value).strip().replace(",", ".")
        if text in ("", "-", "·"):
            number = None
        else:
            try:
                number = float(text)
            except ValueError:
                self.controller.message.emit(f"'{text}' is not a rating; type a number such as 5 or 5.5.")
                return False
        if number == self.values.get((scale, ep, partner)):
            return True
        cid = self.controller.coding_id
        if cid is None:
            return False
        return self.controller.execute(cmds.SetScale(cid, scale, ep, partner, number)) is not None
