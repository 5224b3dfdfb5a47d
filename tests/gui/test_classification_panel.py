"""The classification panel: forced secondary choices for D."""

from __future__ import annotations

from .helpers import open_first


def test_forced_secondary_lists_main_categories_first_then_subgroups(qtbot, project, window_factory):
    win = window_factory(project)
    open_first(qtbot, win)
    panel = win.classification
    listed = [panel.secondary.itemData(i) for i in range(panel.secondary.count())]
    assert listed == [None, "A", "B", "C", "A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2"]
    i = panel.classification.findData("D")
    panel.classification.setCurrentIndex(i)
    panel.classification.activated.emit(i)
    assert panel.secondary.isEnabled()
    j = panel.secondary.findData("B")
    panel.secondary.setCurrentIndex(j)
    panel.secondary.activated.emit(j)
    r = win.controller.project.coding_state(win.controller.coding_id).result
    assert (r.classification, r.forced_secondary) == ("D", "B")
