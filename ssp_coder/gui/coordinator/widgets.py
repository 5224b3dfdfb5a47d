"""Small widgets the coordinator's windows share: tables, images, busy indicator, messages."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.gui.panels.common import table_view as panel_table_view


SIZE_FROM_ROWS = 40     # column widths fit this many rows (about a screenful): big tables fill at once


def table_view(model: Any = None, parent: QWidget | None = None, *, stretch_last: bool = True,
               fit_columns: bool = True) -> QTableView:
    """A read-only table; ``fit_columns`` sizes the columns to their contents after each model reset
    (off where the owner sizes them itself: sizing twice doubles the cost of a reset)."""
    view = panel_table_view(parent, stretch_last=stretch_last)
    view.horizontalHeader().setResizeContentsPrecision(SIZE_FROM_ROWS)
    if model is not None:
        view.setModel(model)
        if fit_columns:
            model.modelReset.connect(view.resizeColumnsToContents)
        view.resizeColumnsToContents()
    return view


def titled(title: str, widget: QWidget, note: str = "") -> QWidget:
    """A bold caption over a widget (and an optional grey note)."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 4, 0, 0)
    lay.setSpacing(2)
    head = QLabel(f"<b>{title}</b>" + (f" <span style='color:gray'>{note}</span>" if note else ""))
    head.setTextFormat(Qt.TextFormat.RichText)
    lay.addWidget(head)
    lay.addWidget(widget, 1)
    return box


class ImageView(QScrollArea):
    """A PNG (a rendered figure) in a scroll area, shown at its own size."""

    def __init__(self, parent: QWidget | None = None, placeholder: str = "Not computed yet."):
        super().__init__(parent)
        self.label = QLabel(placeholder)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.pixmap = QPixmap()

    def set_png(self, data: bytes) -> None:
        pm = QPixmap()
        pm.loadFromData(data, "PNG")
        self.pixmap = pm
        self.label.setPixmap(pm)


class BusyBar(QProgressBar):
    """Indeterminate while a job runs until it reports progress; hidden when idle."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMaximumWidth(180)
        self.setTextVisible(False)
        self.hide()

    def busy(self, on: bool) -> None:
        self.setRange(0, 0 if on else 1)
        self.setVisible(on)

    def progress(self, done: int, total: int) -> None:
        if total > 0:
            self.setRange(0, total)
            self.setValue(min(done, total))


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)
