"""A change not saved yet (project server away) is drawn on the timeline so it can be seen, points included."""

from __future__ import annotations

from PySide6.QtGui import QColor

from ssp_coder.domain import commands as cmds

from .helpers import open_first

HATCH = QColor("#6b6b6b").rgb()


def _grey_columns(tl, lane: int, x: int) -> set[int]:
    """Columns from x-8 to x+8 in which the lane shows the waiting mark's grey."""
    img = tl.grab().toImage()
    top = tl.lane_top(lane)
    return {dx for dx in range(-8, 9) for y in range(top + 1, top + 16)
            if img.pixel(x + dx, y) & 0xFFFFFF == HATCH & 0xFFFFFF}


def test_a_waiting_point_event_is_marked_wider_than_its_tick(qtbot, window_factory, project) -> None:
    win = window_factory(project)
    open_first(qtbot, win)
    c = win.controller
    c.execute(cmds.AddEvent(c.coding_id, "approach", 2_000, None))
    eid = next(int(e.id) for e in c.state.events if e.code == "approach")
    tl = win.timeline
    tl.select(None)
    lane = tl._lane_index["approach"]
    x = int(tl.x_of(2_000))
    assert not _grey_columns(tl, lane, x)
    tl.set_waiting({eid})
    grey = _grey_columns(tl, lane, x)
    assert min(grey) <= -4 and max(grey) >= 4        # dashes and hatch on both sides of the 2-px tick
    win.close()
