"""How the coordinator's tables show values: missing stays missing, shares as %, ratings as typed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from ssp_coder.gui.coordinator.frame_model import FrameModel, format_cell


def test_format_cell():
    assert format_cell("kappa", math.nan) == "-" and format_cell("x", None) == "-" and format_cell("x", pd.NA) == "-"
    assert format_cell("percent_agreement", 0.756) == "75.6 %"
    assert format_cell("kappa", 1.0) == "1.00" and format_cell("icc_a1", 0.8765) == "0.88"
    assert format_cell("n", 4.0) == "4"
    assert format_cell("d_rating_primary", 5.5) == "5.5" and format_cell("d_rating_reliability", 4.0) == "4"
    assert format_cell("abcd_agree", np.bool_(False)) == "no" and format_cell("has_consensus", True) == "yes"
    assert format_cell("variable", "abcd") == "abcd"


def test_frame_model_highlights_and_renames(qtmodeltester):
    frame = pd.DataFrame({"pair": ["A & B", "A & C"], "kappa": [0.5, math.nan], "ok": [True, False]})
    m = FrameModel(frame, headers={"kappa": "Cohen's κ"}, highlight=lambda r: not r["ok"])
    qtmodeltester.check(m)
    assert m.headerData(1, Qt.Orientation.Horizontal) == "Cohen's κ"
    assert m.index(1, 1).data() == "-" and m.index(0, 1).data() == "0.50"
    assert m.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert m.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    m.set_frame(pd.DataFrame())
    assert m.rowCount() == 0 and m.columnCount() == 0
    qtmodeltester.check(m)
