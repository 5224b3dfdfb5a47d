"""Every event of the open coding as a Qt table model, updated row by row (never a full reload per key)."""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import Event
from ssp_coder.domain.views import SessionView
from ssp_coder.gui.event_views import parse_view, view_text
from ssp_coder.gui.controller import Change, CodingController, fmt_ms, parse_ms

COLUMNS = ("Behaviour", "Kind", "Onset", "Offset", "Duration", "Subject", "Note", "View")
COL_CODE, COL_KIND, COL_ONSET, COL_OFFSET, COL_DURATION, COL_SUBJECT, COL_NOTE, COL_VIEW = range(8)
EVENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


class EventsModel(QAbstractTableModel):
    def __init__(self, controller: CodingController, parent: Any = None):
        super().__init__(parent)
        self.controller = controller
        self.events: list[Event] = []
        self._keys: list[tuple[int, int]] = []
        self._by_id: dict[int, Event] = {}
        self.open_count = 0                 # kept in step row by row: counting 5,000 events per key is too slow
        self._names = {b.code: b.name for b in controller.scheme.behaviours}
        self.session_views: list[SessionView] = []      # the open session's camera views
        self._view_names: dict[int, str | None] = {}
        self._waiting: set[int] = set()     # events changed by changes not saved yet (server away): drawn greyed
        controller.codingOpened.connect(self._reset)
        controller.changed.connect(self._on_change)
        controller.waitingChanged.connect(self._mark_waiting)
        self._reset(controller.state)

    # -- keeping in step with the controller ------------------------------------------
    def _reset(self, state: Any) -> None:
        self.beginResetModel()
        session = self.controller.session
        self.session_views = list(self.controller.session_views) if session is not None else []
        self._view_names = {v.number: v.name for v in self.session_views}
        self.events = list(state.events) if state is not None else []
        self._keys = [(e.onset_ms, int(e.id)) for e in self.events]
        self._by_id = {int(e.id): e for e in self.events}
        self.open_count = sum(1 for e in self.events if e.is_open)
        self.endResetModel()

    def _mark_waiting(self) -> None:
        ids = self.controller.waiting_ids()
        if ids != self._waiting:
            self._waiting = ids
            if self.events:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.events) - 1, self.columnCount() - 1))

    def _on_change(self, change: Change) -> None:
        state = self.controller.state
        if not change.events_only:
            if state is None or tuple(self.events) != state.events:
                self._reset(state)
            return
        for eid in change.removed:
            self._remove(eid)
        for ev in change.updated:
            self._update(ev)
        for ev in change.added:
            self._insert(ev)

    def _remove(self, eid: int) -> None:
        old = self._by_id.pop(eid, None)
        if old is None:
            return
        row = bisect.bisect_left(self._keys, (old.onset_ms, eid))
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.events[row]
        del self._keys[row]
        self.open_count -= old.is_open
        self.endRemoveRows()

    def _insert(self, ev: Event) -> None:
        key = (ev.onset_ms, int(ev.id))
        row = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self.events.insert(row, ev)
        self._keys.insert(row, key)
        self._by_id[int(ev.id)] = ev
        self.open_count += ev.is_open
        self.endInsertRows()

    def _update(self, ev: Event) -> None:
        """An edit that keeps the event's place is one row's dataChanged; a new onset moves the row."""
        eid = int(ev.id)
        old = self._by_id.get(eid)
        if old is None:
            self._insert(ev)
            return
        row = bisect.bisect_left(self._keys, (old.onset_ms, eid))
        key = (ev.onset_ms, eid)
        fits = (row == 0 or self._keys[row - 1] < key) and (row + 1 == len(self._keys) or key < self._keys[row + 1])
        if not fits:
            self._remove(eid)
            self._insert(ev)
            return
        self.events[row] = ev
        self._keys[row] = key
        self._by_id[eid] = ev
        self.open_count += ev.is_open - old.is_open
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, event_id: int) -> int | None:
        ev = self._by_id.get(event_id)
        if ev is None:
            return None
        return bisect.bisect_left(self._keys, (ev.onset_ms, event_id))

    def event_at(self, row: int) -> Event:
        return self.events[row]

    # -- the model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        ev = self.events[index.row()]
        editable = index.column() in (COL_CODE, COL_ONSET, COL_SUBJECT, COL_NOTE) or (
            index.column() == COL_OFFSET and ev.kind == "state") or (
            index.column() == COL_VIEW and len(self.session_views) > 1)
        if editable and self.controller.editable:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.events):
            return None
        ev = self.events[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_CODE:
                return ev.code
            if col == COL_KIND:
                return ev.kind
            if col == COL_ONSET:
                return fmt_ms(ev.onset_ms)
            if col == COL_OFFSET:
                if ev.is_open:
                    return "open"
                return fmt_ms(ev.offset_ms)
            if col == COL_DURATION:
                return f"{ev.duration_ms / 1000:.3f}" if ev.offset_ms is not None else ""
            if col == COL_SUBJECT:
                return ev.subject or ""
            if col == COL_NOTE:
                return ev.note or ""
            if col == COL_VIEW:
                return view_text(ev.view, self._view_names)
        elif role == Qt.ItemDataRole.EditRole:
            if col == COL_CODE:
                return ev.code
            if col == COL_ONSET:
                return fmt_ms(ev.onset_ms)
            if col == COL_OFFSET:
                return fmt_ms(ev.offset_ms) if ev.offset_ms is not None else ""
            if col == COL_SUBJECT:
                return ev.subject or ""
            if col == COL_NOTE:
                return ev.note or ""
            if col == COL_VIEW:
                return view_text(ev.view, self._view_names)
            return None
        elif role == SORT_ROLE:
            return (ev.code, ev.kind, ev.onset_ms, ev.offset_ms if ev.offset_ms is not None else -1,
                    ev.duration_ms, ev.subject or "", ev.note or "", ev.view or 0)[col]
        elif role == EVENT_ID_ROLE:
            return int(ev.id)
        elif role == Qt.ItemDataRole.ToolTipRole:
            name = self._names.get(ev.code, ev.code)
            tip = f"{name} ({ev.kind})"
            if ev.is_open:
                tip += " — still open: press its key again to close it"
            if col == COL_VIEW and len(self.session_views) > 1:
                tip = ("The camera view this event was coded from. Type a view's number or name to change it; "
                       "leave it empty for none.")
            if int(ev.id) in self._waiting:
                tip += " — NOT saved yet: kept on this computer until the project server answers"
            return tip
        elif role == Qt.ItemDataRole.FontRole and int(ev.id) in self._waiting:
            font = QFont()
            font.setItalic(True)
            return font
        elif role == Qt.ItemDataRole.ForegroundRole and int(ev.id) in self._waiting:
            return QBrush(QColor("#8a8a8a"))
        elif role == Qt.ItemDataRole.ForegroundRole and ev.is_open and col == COL_OFFSET:
            return QBrush(QColor("#d9534f"))
        elif role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_ONSET, COL_OFFSET, COL_DURATION):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        ev = self.events[index.row()]
        code, onset, offset, subject, note = ev.code, ev.onset_ms, ev.offset_ms, ev.subject, ev.note
        view: int | None = cmds.KEEP_VIEW
        text = "" if value is None else str(value).strip()
        col = index.column()
        if col == COL_VIEW:
            try:
                view = parse_view(text, self.session_views)
            except ValueError:
                known = ", ".join(view_text(v.number, self._view_names) for v in self.session_views)
                self.controller.message.emit(f"'{text}' is not a view of this session ({known}); type its number "
                                             "or name, or leave it empty for none.")
                return False
            if view == ev.view:
                return True
        try:
            if col == COL_CODE:
                code = text
            elif col == COL_ONSET:
                onset = parse_ms(text)
            elif col == COL_OFFSET:
                offset = parse_ms(text) if text else None
            elif col == COL_SUBJECT:
                subject = text or None
            elif col == COL_NOTE:
                note = text or None
        except ValueError:
            self.controller.message.emit(f"'{text}' is not a time; type mm:ss.mmm, for example 01:23.480.")
            return False
        applied = self.controller.execute(cmds.UpdateEvent(int(ev.id), code, onset, offset, subject, note, view))
        return applied is not None
