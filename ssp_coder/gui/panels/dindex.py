"""D indices: quick entry at the current frame, the list with jump-to."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ssp_coder.domain import commands as cmds
from ssp_coder.gui.controller import CodingController
from ssp_coder.gui.dialogs.dindex_entry import DIndexDialog
from ssp_coder.gui.models.dindex import MARK_ID_ROLE, TIME_ROLE, DIndexModel
from ssp_coder.gui.panels.common import table_view


class DIndexPanel(QWidget):
    seekRequested = Signal(int)

    def __init__(self, controller: CodingController, current_ms: Callable[[], int], parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.current_ms = current_ms
        self.model = DIndexModel(controller, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        for col, w in ((0, 76), (1, 46), (2, 70)):
            self.view.setColumnWidth(col, w)
        self.view.clicked.connect(self._clicked)
        self.add_btn = QPushButton("Add at current frame…")
        self.add_btn.setToolTip("Add a disorganization index at the current frame (D)")
        self.add_btn.clicked.connect(self.add_here)
        self.del_btn = QPushButton("Delete")
        self.del_btn.setToolTip("Delete the selected D index (Ctrl+Z brings it back)")
        self.del_btn.clicked.connect(self.delete_selected)
        row = QHBoxLayout()
        row.addWidget(self.add_btn)
        row.addWidget(self.del_btn)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.view)
        lay.addLayout(row)

    def _clicked(self, index: QModelIndex) -> None:
        t = index.data(TIME_ROLE)
        if t is not None:
            self.seekRequested.emit(int(t))

    def add_here(self) -> None:
        if self.controller.coding_id is None:
            self.controller.message.emit("Open a session first.")
            return
        at = self.current_ms()
        dlg = DIndexDialog(self.controller.scheme, at, self.window())
        if dlg.exec():
            group, sub, note = dlg.value()
            self.controller.execute(cmds.AddDIndex(self.controller.coding_id, group, at, sub, note))

    def delete_selected(self) -> None:
        idx = self.view.currentIndex()
        if idx.isValid():
            self.controller.execute(cmds.DeleteDIndex(int(idx.data(MARK_ID_ROLE))))
