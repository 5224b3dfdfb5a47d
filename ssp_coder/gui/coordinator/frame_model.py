"""A read-only Qt table model over a pandas DataFrame, with number formatting and row highlighting."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1       # the row as a dict, for selections
HIGHLIGHT = QColor(255, 214, 102, 150)         # amber, readable on light and dark palettes
PERCENT_COLUMNS = ("percent_agreement", "pa_ci_low", "pa_ci_high", "within_1", "agreement", "ci_low", "ci_high",
                   "required", "abcd_agreement")
RATING_PREFIXES = ("d_rating", "gold_d_rating", "trainee_d_rating")     # ratings read best as typed: 5.5, 4
RATING_SUFFIXES = ("_primary", "_reliability")
# Plain ints, worked out once: a view calls data() tens of thousands of times when a big table fills,
# and comparing or combining Qt's enum members in Python costs more than the rest of the call.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_ROW = int(ROW_ROLE)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)


def format_cell(column: str, value: Any, digits: int = 2) -> str:
    """A cell as text: missing is '-', shares as percentages, floats to ``digits`` places."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, np.floating):
        value = float(value)
    if isinstance(value, float) and (column.startswith(RATING_PREFIXES) or column.endswith(RATING_SUFFIXES)):
        return f"{value:g}"
    if isinstance(value, float):
        if column in PERCENT_COLUMNS or column.startswith("pct_share"):
            return f"{value * 100:.1f} %"
        if value.is_integer() and abs(value) < 1e9 and not column.endswith(("kappa", "_low", "_high")):
            return f"{int(value)}"
        return f"{value:.{digits}f}"
    try:
        if pd.isna(value):
            return "-"
    except (TypeError, ValueError):
        pass
    return str(value)


class FrameModel(QAbstractTableModel):
    """Shows a DataFrame. ``headers`` renames columns; ``highlight(row_dict)`` marks rows amber."""

    def __init__(self, frame: pd.DataFrame | None = None, parent: Any = None, *,
                 headers: Mapping[str, str] | None = None, columns: list[str] | None = None,
                 highlight: Callable[[dict], bool] | None = None):
        super().__init__(parent)
        self.headers = dict(headers or {})
        self.only = columns
        self.highlight = highlight
        self.frame = pd.DataFrame()
        self._rows: list[dict] = []
        self._values: list[list] = []
        self._names: list[str] = []
        self._marked: list[bool] = []
        self._n_rows = 0
        self._n_cols = 0
        self.set_frame(frame if frame is not None else pd.DataFrame())

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.beginResetModel()
        cols = [c for c in (self.only or list(frame.columns)) if c in frame.columns]
        self.frame = frame[cols].reset_index(drop=True) if len(cols) else pd.DataFrame(index=frame.index)
        # plain Python lists: a view asks for each cell many times, and pandas indexing is slow per cell
        self._values = [self.frame[c].tolist() for c in self.frame.columns]
        self._names = [str(c) for c in self.frame.columns]
        full = frame.reset_index(drop=True)
        self._rows = full.to_dict("records") if len(full.columns) else [{} for _ in range(len(full))]
        self._marked = [bool(self.highlight(r)) if self.highlight else False for r in self._rows]
        # counts as plain ints: a view asks for them on every cell, and len(DataFrame) is slow per call
        self._n_rows, self._n_cols = len(self.frame), len(self._names)
        self.endResetModel()

    def row(self, i: int) -> dict:
        return self._rows[i]

    def marked(self, i: int) -> bool:
        return self._marked[i]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._n_rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._n_cols

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in (_DISPLAY, _TOOLTIP, _ALIGNMENT, _BACKGROUND, _ROW):
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < self._n_rows and 0 <= column < self._n_cols):
            return None
        if role == _DISPLAY or role == _TOOLTIP:
            return format_cell(self._names[column], self._values[column][row])
        if role == _ALIGNMENT:
            value = self._values[column][row]
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            return _RIGHT if numeric else _LEFT
        if role == _BACKGROUND:
            return QBrush(HIGHLIGHT) if self._marked[row] else None
        return self._rows[row]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < self._n_cols:
                col = self._names[section]
                return self.headers.get(col, col.replace("_", " "))
            return None
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
