"""Episodes panel: set each boundary at the current frame, flag curtailed / extended, see warnings."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLineEdit, QPushButton,
    QVBoxLayout, QWidget,
)

from ssp_coder.domain import commands as cmds
from ssp_coder.gui.controller import CodingController
from ssp_coder.gui.models.episodes import EpisodesModel
from ssp_coder.gui.panels.common import table_view


class FlagDialog(QDialog):
    def __init__(self, episode: int, flag: str | None, reason: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Flag episode {episode}")
        self.flag = QComboBox()
        self.flag.addItems(["not flagged", "curtailed", "extended"])
        self.flag.setCurrentText(flag or "not flagged")
        self.reason = QLineEdit(reason or "")
        self.reason.setPlaceholderText("why, e.g. infant very distressed")
        form = QFormLayout(self)
        form.addRow("Flag", self.flag)
        form.addRow("Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> tuple[str | None, str | None]:
        f = self.flag.currentText()
        return (None, None) if f == "not flagged" else (f, self.reason.text().strip())


class EpisodesPanel(QWidget):
    seekRequested = Signal(int)

    def __init__(self, controller: CodingController, current_ms: Callable[[], int], parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.current_ms = current_ms
        self.model = EpisodesModel(controller, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setStretchLastSection(False)
        for col, w in ((0, 28), (2, 74), (3, 74), (4, 58), (5, 70), (6, 120)):
            self.view.setColumnWidth(col, w)
        self.view.doubleClicked.connect(self._seek_to)
        self.start_btn = QPushButton("Starts here")
        self.end_btn = QPushButton("Ends here")
        self.flag_btn = QPushButton("Flag…")
        self.clear_btn = QPushButton("Clear")
        self.start_btn.setToolTip("The selected episode starts at the current frame (Alt+1 … Alt+8)")
        self.end_btn.setToolTip("The selected episode ends at the current frame (Alt+0 ends the last episode)")
        self.flag_btn.setToolTip("Mark the selected episode curtailed or extended, with a reason")
        self.clear_btn.setToolTip("Clear the selected episode's boundaries")
        self.start_btn.clicked.connect(lambda: self._with_episode(
            lambda n: controller.set_episode_start(n, self.current_ms())))
        self.end_btn.clicked.connect(lambda: self._with_episode(
            lambda n: controller.set_episode_end(n, self.current_ms())))
        self.flag_btn.clicked.connect(lambda: self._with_episode(self.edit_flag))
        self.clear_btn.clicked.connect(lambda: self._with_episode(
            lambda n: controller.execute(cmds.SetBoundary(controller.coding_id, n, None, None))))
        buttons = QHBoxLayout()
        for b in (self.start_btn, self.end_btn, self.flag_btn, self.clear_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.view)
        lay.addLayout(buttons)

    def selected_episode(self) -> int | None:
        idx = self.view.currentIndex()
        return self.model.episodes[idx.row()].number if idx.isValid() else None

    def _with_episode(self, fn: Callable[[int], object]) -> None:
        n = self.selected_episode()
        if n is None:
            self.controller.message.emit("Select an episode in the list first.")
            return
        if self.controller.coding_id is not None:
            fn(n)

    def _seek_to(self, index) -> None:
        b = self.model.boundaries.get(self.model.episodes[index.row()].number)
        if b is not None and b.onset_ms is not None:
            self.seekRequested.emit(b.onset_ms)

    def edit_flag(self, n: int) -> None:
        b = self.model.boundaries.get(n)
        dlg = FlagDialog(n, b.flag if b else None, b.reason if b else None, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            flag, reason = dlg.value()
            self.controller.execute(cmds.SetEpisodeFlag(self.controller.coding_id, n, flag, reason))
