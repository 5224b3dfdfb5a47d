"""The eight episodes of the open coding, with their boundary warnings, as a Qt table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ssp_coder.gui.checks import episode_warnings
from ssp_coder.gui.controller import Change, CodingController, fmt_ms
from ssp_coder.gui.models.base import ListTableModel

COLUMNS = ("Ep", "Episode", "Start", "End", "Length", "Flag", "Check")
EPISODE_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class EpisodesModel(ListTableModel):
    def __init__(self, controller: CodingController, parent: Any = None):
        super().__init__(parent)
        self.controller = controller
        self.episodes = list(controller.scheme.episodes)
        self.boundaries: dict = {}
        self.warnings: dict[int, list[str]] = {}
        controller.codingOpened.connect(lambda _s: self._refresh())
        controller.changed.connect(self._on_change)
        self._refresh()

    def _on_change(self, change: Change) -> None:
        if not change.events_only:
            self._refresh()

    def _refresh(self) -> None:
        st = self.controller.state
        self.boundaries = dict(st.boundaries) if st is not None else {}
        self.warnings = episode_warnings(self.boundaries, self.controller.scheme, self.controller.project.settings)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))

    def row_items(self) -> Any:
        return self.episodes

    def column_names(self) -> Any:
        return COLUMNS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.episodes):
            return None
        ep = self.episodes[index.row()]
        b = self.boundaries.get(ep.number)
        warn = self.warnings.get(ep.number, [])
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(ep.number)
            if col == 1:
                return ep.name
            if col == 2:
                return fmt_ms(b.onset_ms) if b and b.onset_ms is not None else "—"
            if col == 3:
                if b and b.offset_ms is not None:
                    return fmt_ms(b.offset_ms)
                return "open" if b and b.onset_ms is not None else "—"
            if col == 4:
                return f"{b.duration_ms / 1000:.1f} s" if b and b.duration_ms is not None else ""
            if col == 5:
                return b.flag or "" if b else ""
            if col == 6:
                return "⚠ " + "; ".join(warn) if warn else ("ok" if b and b.duration_ms is not None else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"Episode {ep.number}: {ep.name} (nominal {ep.nominal_s:g} s)", ep.boundary_rule]
            if b and b.flag:
                lines.append(f"{b.flag}: {b.reason}")
            lines += [f"⚠ {w}" for w in warn]
            lines.append(f"Alt+{ep.number}: episode {ep.number} starts at the current frame")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and warn:
            return QBrush(QColor("#c77700"))
        if role == EPISODE_ROLE:
            return ep.number
        return None
