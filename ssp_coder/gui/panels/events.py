"""Event table: sortable, editable in place, click to seek, Delete to delete (undoable)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ssp_coder.domain import commands as cmds
from ssp_coder.gui.controller import Change, CodingController
from ssp_coder.gui.models.events import COL_NOTE, COL_SUBJECT, COL_VIEW, EVENT_ID_ROLE, SORT_ROLE, EventsModel
from ssp_coder.gui.panels.common import table_view


class EventFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.code: str | None = None
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_code(self, code: str | None) -> None:
        self.code = code
        self.invalidateFilter() if hasattr(self, "invalidateFilter") else self.invalidate()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        if self.code is None:
            return True
        return self.sourceModel().events[row].code == self.code


class EventsPanel(QWidget):
    seekRequested = Signal(int)

    def __init__(self, controller: CodingController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.model = EventsModel(controller, self)
        self.proxy = EventFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = table_view(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        for col, w in ((0, 90), (1, 44), (2, 76), (3, 76), (4, 58), (5, 70), (COL_VIEW, 64)):
            self.view.setColumnWidth(col, w)
        # The View column (two-camera sessions) sits beside the times, not after the note: after the note it
        # starts beyond the right edge of the panel at 1366 px and the coder never sees it.
        self.view.horizontalHeader().moveSection(COL_VIEW, COL_SUBJECT)
        self.view.clicked.connect(self._clicked)
        self.view.installEventFilter(self)
        self.count = QLabel()
        self.code_filter = QComboBox()
        self.code_filter.addItem("All behaviours", None)
        for b in controller.scheme.behaviours:
            self.code_filter.addItem(f"{b.code} — {b.name}", b.code)
        self.code_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_code(self.code_filter.currentData()))
        self.code_filter.setToolTip("Show only one behaviour")
        top = QHBoxLayout()
        top.addWidget(self.code_filter, 1)
        top.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.view)
        self.view.setToolTip("Click a row to seek · F2 / double-click to edit · Delete removes the event (Ctrl+Z "
                             "brings it back)")
        controller.changed.connect(self._on_change)
        controller.codingOpened.connect(lambda _s: self._update_count())
        controller.codingOpened.connect(lambda _s: self._show_view_column())
        self._update_count()
        self._show_view_column()

    def _show_view_column(self) -> None:
        """The View column only for sessions filmed by more than one camera."""
        self.view.setColumnHidden(COL_VIEW, len(self.model.session_views) < 2)

    def _update_count(self) -> None:
        st = self.controller.state
        n = len(st.events) if st else 0
        n_open = self.model.open_count if st else 0
        self.count.setText(f"{n} events" + (f", {n_open} open" if n_open else ""))

    def _on_change(self, change: Change) -> None:
        self._update_count()
        for ev in change.added + change.updated:
            self.select_event(int(ev.id), scroll=True)

    def _clicked(self, index: QModelIndex) -> None:
        eid = index.data(EVENT_ID_ROLE)
        row = self.model.row_of(eid)
        if row is not None and index.column() != COL_NOTE:
            self.seekRequested.emit(self.model.events[row].onset_ms)

    def select_event(self, event_id: int, scroll: bool = True) -> None:
        row = self.model.row_of(event_id)
        if row is None:
            return
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        if idx.isValid():
            self.view.selectionModel().setCurrentIndex(
                idx, self.view.selectionModel().SelectionFlag.ClearAndSelect
                | self.view.selectionModel().SelectionFlag.Rows)
            if scroll:
                self.view.scrollTo(idx)

    def selected_event_id(self) -> int | None:
        idx = self.view.currentIndex()
        return idx.data(EVENT_ID_ROLE) if idx.isValid() else None

    def delete_selected(self) -> bool:
        eid = self.selected_event_id()
        if eid is None:
            return False
        return self.controller.execute(cmds.DeleteEvent(eid)) is not None

    def eventFilter(self, obj, event) -> bool:
        if obj is self.view and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.view.state() != \
                    QAbstractItemView.State.EditingState:
                self.delete_selected()
                return True
        return super().eventFilter(obj, event)
