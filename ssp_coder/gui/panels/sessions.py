"""Session list: the coder's own sessions first, blinded codes only; filter by status, search by code."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ssp_coder.gui.models.sessions import CODING_ID_ROLE, STATUS_ROLE, SessionsModel
from ssp_coder.gui.panels.common import table_view


class SessionFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.status: str | None = None
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def set_status(self, status: str | None) -> None:
        self.status = status
        self.invalidate()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        if self.status is not None:
            idx = self.sourceModel().index(row, 0, parent)
            if self.sourceModel().data(idx, STATUS_ROLE) != self.status:
                return False
        return super().filterAcceptsRow(row, parent)


class SessionPanel(QWidget):
    openRequested = Signal(int)

    def __init__(self, model: SessionsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.proxy = SessionFilter(self)
        self.proxy.setSourceModel(model)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search sessions")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Type part of a session code to filter the list")
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.status = QComboBox()
        for label, value in (("All", None), ("Not started", "not started"), ("Draft", "draft"),
                             ("Complete", "complete")):
            self.status.addItem(label, value)
        self.status.setToolTip("Show sessions with this status only")
        self.status.currentIndexChanged.connect(lambda _i: self.proxy.set_status(self.status.currentData()))
        self.view = table_view(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setColumnWidth(0, 90)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.view.setToolTip("Double-click or press Enter to open a session")
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.status)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.view)

    def _activated(self, index: QModelIndex) -> None:
        cid = index.data(CODING_ID_ROLE)
        if cid is not None:
            self.openRequested.emit(int(cid))

    def select_coding(self, coding_id: int) -> None:
        row = self.model.row_of(coding_id)
        if row is not None:
            idx = self.proxy.mapFromSource(self.model.index(row, 0))
            if idx.isValid():
                self.view.setCurrentIndex(idx)
