"""The session list: one row per coding the person at the keyboard may open.

Blinding: for the coder role the model knows only the blinded code, the
purpose and the status; it never reads a participant id, arm or timepoint, so
none can leak into a cell, a tooltip or a search. Coordinators and trainers
also see participant, timepoint and coder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from ssp_coder.domain.model import Coder, Coding
from ssp_coder.gui.models.base import ListTableModel
from ssp_coder.store.project import Project

CODING_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


def status_label(coding: Coding) -> str:
    if coding.is_complete:
        return "complete"
    return "not started" if coding.revision == 0 else "draft"


@dataclass
class Row:
    coding: Coding
    code: str
    mine: bool
    participant: str = ""
    timepoint: str = ""
    coder: str = ""


class SessionsModel(ListTableModel):
    def __init__(self, project: Project, coder: Coder, parent: Any = None):
        super().__init__(parent)
        self.project = project
        self.coder = coder
        self.blinded = coder.role == "coder"
        self.columns = (("Session", "Purpose", "Status") if self.blinded else
                        ("Session", "Participant", "Timepoint", "Coder", "Purpose", "Status"))
        self.rows: list[Row] = []
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        sessions = {int(s.id): s for s in self.project.sessions()}
        if self.blinded:
            codings = self.project.codings(coder_id=int(self.coder.id))
            self.rows = [Row(c, sessions[int(c.session_id)].blinded_code, True) for c in codings]
        else:
            parts = {int(p.id): p.external_id for p in self.project.participants()}
            coders = {int(c.id): c.name for c in self.project.coders()}
            self.rows = []
            for c in self.project.codings():
                s = sessions[int(c.session_id)]
                self.rows.append(Row(c, s.blinded_code, int(c.coder_id) == int(self.coder.id),
                                     parts.get(int(s.participant_id), ""), s.timepoint,
                                     coders.get(int(c.coder_id), "")))
        order = {"not started": 1, "draft": 0, "complete": 2}
        self.rows.sort(key=lambda r: (not r.mine, order[status_label(r.coding)], r.code))
        self.endResetModel()

    def update_coding(self, coding: Coding) -> None:
        for i, r in enumerate(self.rows):
            if int(r.coding.id) == int(coding.id):
                r.coding = coding
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))
                return

    def row_of(self, coding_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if int(r.coding.id) == coding_id), None)

    def row_items(self) -> Any:
        return self.rows

    def column_names(self) -> Any:
        return self.columns

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        name = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"Session": r.code, "Purpose": r.coding.purpose, "Status": status_label(r.coding),
                    "Participant": r.participant, "Timepoint": r.timepoint, "Coder": r.coder}[name]
        if role == Qt.ItemDataRole.ToolTipRole:
            who = "" if r.mine else f" (coded by {r.coder})"
            return f"{r.code}: {r.coding.purpose} coding, {status_label(r.coding)}{who}. Double-click to open."
        if role == CODING_ID_ROLE:
            return int(r.coding.id)
        if role == STATUS_ROLE:
            return status_label(r.coding)
        return None
