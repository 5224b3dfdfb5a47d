"""The scales grid: type 5.5, Tab to the next rated cell; keys stay here while it has focus."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ssp_coder.gui.controller import CodingController
from ssp_coder.gui.models.scales import ScalesModel


class ScalesView(QTableView):
    """Typing a digit starts editing the cell; Delete clears it."""

    def keyPressEvent(self, e: QKeyEvent) -> None:
        idx = self.currentIndex()
        if idx.isValid() and self.state() != QAbstractItemView.State.EditingState:
            if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.model().setData(idx, "", Qt.ItemDataRole.EditRole)
                return
        super().keyPressEvent(e)


class ScalesPanel(QWidget):
    def __init__(self, controller: CodingController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.model = ScalesModel(controller, self)
        self.view = ScalesView(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                  | QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setTabKeyNavigation(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setMinimumSectionSize(34)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setToolTip("Type a rating (5 or 5.5) and press Tab for the next cell · Delete clears a cell\n"
                             "Bold cells are required for completion · greyed cells are not rated in this scheme")
        hint = QLabel("Type 1–7 in steps of .5, Tab to move; bold cells are required.")
        hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.view)
        lay.addWidget(hint)

    def focus_first_empty(self) -> None:
        m = self.model
        for r in range(m.rowCount()):
            for c in range(m.columnCount()):
                idx = m.index(r, c)
                if m.flags(idx) & Qt.ItemFlag.ItemIsEnabled and not m.data(idx, Qt.ItemDataRole.EditRole):
                    self.view.setCurrentIndex(idx)
                    self.view.setFocus()
                    return
        self.view.setCurrentIndex(m.index(0, 0) if m.rowCount() else QModelIndex())
        self.view.setFocus()
