"""Mouse editing on the timeline: hit-testing edges and turning a finished drag into one command.

A mixin of :class:`ssp_coder.gui.timeline.Timeline`; it reads the timeline's
lanes, state and coordinate mapping and emits its signals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import Event
from ssp_coder.gui.timeline_geometry import EPISODE_H, GRAB_PX, GUTTER, LANE_H, RULER_H


class TimelineEditing:
    """Click to seek or select, drag an episode boundary or an event edge."""

    lanes: list[Any]
    state: Any
    _events: dict[int, Event]
    _drag: dict | None

    # -- hit testing and dragging -----------------------------------------------------------------
    def lane_at(self, y: int) -> int | None:
        i = (y - self.lane_top(0)) // LANE_H
        return i if 0 <= i < len(self.lanes) and y >= self.lane_top(0) else None

    def _boundary_near(self, x: int) -> tuple[int, str, int] | None:
        if self.state is None:
            return None
        best = None
        for n, b in self.state.boundaries.items():
            for which, ms in (("onset", b.onset_ms), ("offset", b.offset_ms)):
                if ms is None:
                    continue
                d = abs(self.x_of(ms) - x)
                if d <= GRAB_PX and (best is None or d < best[0]):
                    best = (d, (n, which, ms))
        return best[1] if best else None

    def _event_near(self, lane_i: int, x: int) -> tuple[Event, str] | None:
        lane = self.lanes[lane_i]
        ms = self.ms_of(x)
        tol = GRAB_PX * self.ms_per_px
        hi = int(np.searchsorted(lane.onsets, ms + tol, side="right"))
        lo = int(np.searchsorted(lane.run_max, ms - tol, side="left"))
        best = None
        for k in range(lo, hi):
            ev = self._events.get(int(lane.ids[k]))
            if ev is None:
                continue
            edges = [("onset", ev.onset_ms)]
            if ev.offset_ms is not None:
                edges.append(("offset", ev.offset_ms))
            for which, t in edges:
                d = abs(t - ms)
                if d <= tol and (best is None or d < best[0]):
                    best = (d, ev, which)
            if best is None and ev.onset_ms <= ms <= (ev.offset_ms if ev.offset_ms is not None else ev.onset_ms):
                best = (tol + 1, ev, "body")
        return (best[1], best[2]) if best else None

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton or e.position().x() < GUTTER:
            return super().mousePressEvent(e)
        x, y = int(e.position().x()), int(e.position().y())
        self._drag = None
        if RULER_H <= y < RULER_H + EPISODE_H:
            hit = self._boundary_near(x)
            if hit:
                self._drag = {"kind": "boundary", "episode": hit[0], "which": hit[1], "from": hit[2]}
        lane_i = self.lane_at(y)
        if lane_i is not None:
            hit_ev = self._event_near(lane_i, x)
            if hit_ev:
                ev, which = hit_ev
                self.selected_event = int(ev.id)
                self.eventClicked.emit(int(ev.id))
                if which != "body":
                    self._drag = {"kind": "event", "event": ev, "which": which,
                                  "from": ev.onset_ms if which == "onset" else ev.offset_ms}
                self.update()
                if which == "body":
                    self.seekRequested.emit(ev.onset_ms)
                    return
        if self._drag is None:
            self.follow = True
            self.seekRequested.emit(self.ms_of(x))

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        x = int(e.position().x())
        if self._drag is not None:
            self._drag["preview_ms"] = self.ms_of(x)
            self.update()
            return
        y = int(e.position().y())
        near = (RULER_H <= y < RULER_H + EPISODE_H and self._boundary_near(x)) or (
            self.lane_at(y) is not None and (h := self._event_near(self.lane_at(y), x)) and h[1] != "body")
        self.setCursor(Qt.CursorShape.SizeHorCursor if near else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None or "preview_ms" not in drag or drag["preview_ms"] == drag["from"]:
            self.update()
            return
        cmd = self.drag_command(drag, drag["preview_ms"])
        if cmd is not None:
            self.commandRequested.emit(cmd)
        self.update()

    def drag_command(self, drag: dict, to_ms: int) -> cmds.Command | None:
        """The one undoable command a finished drag stands for."""
        st = self.state
        if st is None:
            return None
        cid = int(st.coding.id)
        if drag["kind"] == "event":
            ev: Event = drag["event"]
            onset, offset = ev.onset_ms, ev.offset_ms
            if drag["which"] == "onset":
                onset = to_ms
            else:
                offset = to_ms
            return cmds.UpdateEvent(int(ev.id), ev.code, onset, offset, ev.subject, ev.note)
        n, which, old = drag["episode"], drag["which"], drag["from"]
        b = st.boundaries[n]
        steps: list[cmds.Command] = []
        if which == "onset":
            steps.append(cmds.SetBoundary(cid, n, to_ms, b.offset_ms))
            prev = st.boundaries.get(n - 1)
            if prev is not None and prev.offset_ms == old:   # a shared boundary moves for both episodes
                steps.insert(0 if to_ms > old else 1, cmds.SetBoundary(cid, n - 1, prev.onset_ms, to_ms))
        else:
            steps.append(cmds.SetBoundary(cid, n, b.onset_ms, to_ms))
            nxt = st.boundaries.get(n + 1)
            if nxt is not None and nxt.onset_ms == old:
                steps.insert(1 if to_ms > old else 0, cmds.SetBoundary(cid, n + 1, to_ms, nxt.offset_ms))
        if len(steps) == 1:
            return steps[0]
        return cmds.Batch(f"Move episode {n} boundary", tuple(steps))
