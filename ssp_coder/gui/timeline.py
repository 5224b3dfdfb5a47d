"""The timeline: episode bands, one lane per behaviour code, D-index marks and the playhead.

Painting touches only what is visible: each lane keeps its events as sorted
numpy arrays (onset, end, running maximum of ends), the visible slice is found
by binary search, and spans that fall on the same pixels are merged before
drawing, so 5,000 events cost about as much as 500.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import QLine, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPalette, QPen, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import CodingState, Event
from ssp_coder.domain.scheme import Scheme
from ssp_coder.gui.controller import fmt_ms

EPISODE_COLOURS = ("#9aa7b8", "#8fb3d9", "#a8c99a", "#e0b07a", "#7fc6b8", "#d99a9a", "#c7a6d9", "#86c2a0",
                   "#b8b08f", "#a0a0c8")
GUTTER = 128
RULER_H = 18
EPISODE_H = 20
DLANE_H = 14
LANE_H = 15
GRAB_PX = 5


@dataclasses.dataclass
class Lane:
    code: str
    label: str
    colour: QColor
    is_state: bool
    onsets: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    ends: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    run_max: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    ids: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    open_ids: tuple[int, ...] = ()


class Timeline(QWidget):
    seekRequested = Signal(int)
    eventClicked = Signal(int)
    commandRequested = Signal(object)   # a domain command from a drag

    def __init__(self, scheme: Scheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.scheme = scheme
        self.state: CodingState | None = None
        self.duration_ms = 0
        self.playhead_ms = 0
        self.view_start = 0.0
        self.ms_per_px = 100.0
        self.follow = True
        self.lanes: list[Lane] = [Lane(b.code, f"{b.name}", QColor(b.color), b.is_state) for b in scheme.behaviours]
        self._lane_of = {lane.code: lane for lane in self.lanes}
        self._events: dict[int, Event] = {}
        self._drag: dict | None = None
        self.selected_event: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self.content_height())
        self.setToolTip("Click to seek · drag an episode boundary or an event edge to move it\n"
                        "Wheel: scroll · Ctrl+wheel or +/−: zoom · 0: show the whole video")

    # -- data ------------------------------------------------------------------------------
    def content_height(self) -> int:
        return RULER_H + EPISODE_H + DLANE_H + LANE_H * len(self.lanes) + 4

    def sizeHint(self) -> QSize:
        return QSize(800, self.content_height())

    def set_duration(self, duration_ms: int) -> None:
        self.duration_ms = max(1, int(duration_ms))
        self.fit_all()

    def set_state(self, state: CodingState | None) -> None:
        self.state = state
        self._events = {int(e.id): e for e in state.events} if state else {}
        for lane in self.lanes:
            self._rebuild_lane(lane)
        self.update()

    def apply_change(self, state: CodingState, codes: set[str] | None) -> None:
        """Refresh after a command; ``codes`` limits the work to the lanes an event edit touched."""
        self.state = state
        self._events = {int(e.id): e for e in state.events}
        for lane in self.lanes:
            if codes is None or lane.code in codes:
                self._rebuild_lane(lane)
        self.update()

    def _rebuild_lane(self, lane: Lane) -> None:
        evs = [e for e in self._events.values() if e.code == lane.code]
        evs.sort(key=lambda e: e.onset_ms)
        lane.onsets = np.fromiter((e.onset_ms for e in evs), np.int64, len(evs))
        lane.ends = np.fromiter((e.offset_ms if e.offset_ms is not None else
                                 (-1 if e.is_open else e.onset_ms) for e in evs), np.int64, len(evs))
        lane.ids = np.fromiter((int(e.id) for e in evs), np.int64, len(evs))
        lane.open_ids = tuple(int(e.id) for e in evs if e.is_open)
        # An open state reaches to the end of the video until it is closed.
        ends = np.where(lane.ends < 0, self.duration_ms, lane.ends)
        lane.ends = ends
        lane.run_max = np.maximum.accumulate(ends) if len(ends) else ends

    # -- view ------------------------------------------------------------------------------
    def plot_width(self) -> int:
        return max(10, self.width() - GUTTER)

    def fit_all(self) -> None:
        self.view_start = 0.0
        self.ms_per_px = max(1.0, self.duration_ms / self.plot_width())
        self.update()

    def zoom(self, factor: float, around_ms: float | None = None) -> None:
        around = self.playhead_ms if around_ms is None else around_ms
        frac = (around - self.view_start) / (self.ms_per_px * self.plot_width())
        max_mpp = max(1.0, self.duration_ms / self.plot_width())
        self.ms_per_px = min(max_mpp * 1.0, max(0.5, self.ms_per_px * factor))
        self.view_start = around - frac * self.ms_per_px * self.plot_width()
        self._clamp()
        self.update()

    def scroll_by(self, px: float) -> None:
        self.view_start += px * self.ms_per_px
        self.follow = False
        self._clamp()
        self.update()

    def _clamp(self) -> None:
        span = self.ms_per_px * self.plot_width()
        self.view_start = max(0.0, min(self.view_start, max(0.0, self.duration_ms - span)))

    def set_playhead(self, ms: int) -> None:
        self.playhead_ms = ms
        span = self.ms_per_px * self.plot_width()
        if self.follow and not (self.view_start <= ms <= self.view_start + span):
            self.view_start = ms - span * 0.2
            self._clamp()
        self.update()

    def x_of(self, ms: float) -> float:
        return GUTTER + (ms - self.view_start) / self.ms_per_px

    def ms_of(self, x: float) -> int:
        return int(round(max(0.0, min(self.duration_ms, self.view_start + (x - GUTTER) * self.ms_per_px))))

    def lane_top(self, i: int) -> int:
        return RULER_H + EPISODE_H + DLANE_H + i * LANE_H

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        pal = self.palette()
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        alt = pal.color(QPalette.ColorRole.AlternateBase)
        mid = pal.color(QPalette.ColorRole.Mid)
        p.fillRect(self.rect(), base)
        w = self.width()
        t0, t1 = self.view_start, self.view_start + self.ms_per_px * self.plot_width()
        fm = QFontMetrics(self.font())
        # lane backgrounds and labels
        for i, lane in enumerate(self.lanes):
            y = self.lane_top(i)
            if i % 2:
                p.fillRect(0, y, w, LANE_H, alt)
            p.fillRect(4, y + 3, 8, LANE_H - 6, lane.colour)
            p.setPen(text)
            label = fm.elidedText(lane.label, Qt.TextElideMode.ElideRight, GUTTER - 20)
            p.drawText(QRect(16, y, GUTTER - 18, LANE_H), Qt.AlignmentFlag.AlignVCenter, label)
        p.setPen(text)
        p.drawText(QRect(4, RULER_H, GUTTER - 6, EPISODE_H), Qt.AlignmentFlag.AlignVCenter, "Episodes")
        p.drawText(QRect(4, RULER_H + EPISODE_H, GUTTER - 6, DLANE_H), Qt.AlignmentFlag.AlignVCenter, "D indices")
        p.setClipRect(GUTTER, 0, w - GUTTER, self.height())
        self._paint_ruler(p, t0, t1, text, mid)
        self._paint_episodes(p, t0, t1)
        self._paint_d(p, t0, t1)
        for i, lane in enumerate(self.lanes):
            self._paint_lane(p, lane, self.lane_top(i), t0, t1)
        # playhead
        x = int(self.x_of(self.playhead_ms))
        p.setPen(QPen(QColor("#e53935"), 2))
        p.drawLine(x, 0, x, self.height())
        if self._drag and "preview_ms" in self._drag:
            px = int(self.x_of(self._drag["preview_ms"]))
            p.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
            p.drawLine(px, 0, px, self.height())
            p.drawText(px + 4, RULER_H - 4, fmt_ms(self._drag["preview_ms"]))
        p.setClipping(False)
        p.setPen(mid)
        p.drawLine(GUTTER, 0, GUTTER, self.height())
        p.end()

    def _paint_ruler(self, p: QPainter, t0: float, t1: float, text: QColor, mid: QColor) -> None:
        span = max(1.0, t1 - t0)
        steps = (100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000)
        step = next((s for s in steps if span / s <= max(2, self.plot_width() // 90)), 1_200_000)
        first = int(t0 // step) * step
        p.setPen(text)
        t = first
        while t <= t1:
            x = int(self.x_of(t))
            p.setPen(mid)
            p.drawLine(x, RULER_H - 5, x, RULER_H)
            p.setPen(text)
            label = fmt_ms(t)
            if step >= 1000:
                label = label[:-4]
            p.drawText(x + 3, RULER_H - 5, label)
            t += step

    def _paint_episodes(self, p: QPainter, t0: float, t1: float) -> None:
        if self.state is None:
            return
        y = RULER_H
        for n, b in sorted(self.state.boundaries.items()):
            if b.onset_ms is None:
                continue
            end = b.offset_ms if b.offset_ms is not None else self.playhead_ms
            if end < t0 or b.onset_ms > t1:
                continue
            x0, x1 = self.x_of(b.onset_ms), self.x_of(max(end, b.onset_ms))
            colour = QColor(EPISODE_COLOURS[(n - 1) % len(EPISODE_COLOURS)])
            rect = QRect(int(x0), y + 1, max(2, int(x1 - x0)), EPISODE_H - 2)
            if b.offset_ms is None:
                colour.setAlpha(120)
            p.fillRect(rect, colour)
            p.setPen(QColor("#111111"))
            flag = "*" if b.flag else ""
            p.drawText(rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, f"{n}{flag}")
            p.setPen(QPen(QColor("#222222"), 2))
            p.drawLine(int(x0), y, int(x0), y + EPISODE_H)
            if b.offset_ms is not None:
                p.drawLine(int(x1), y, int(x1), y + EPISODE_H)

    def _paint_d(self, p: QPainter, t0: float, t1: float) -> None:
        if self.state is None:
            return
        y = RULER_H + EPISODE_H
        p.setPen(QPen(QColor("#8e24aa"), 2))
        for m in self.state.d_indices:
            if t0 <= m.time_ms <= t1:
                x = int(self.x_of(m.time_ms))
                p.drawLine(x, y + 2, x, y + DLANE_H - 2)
                p.drawText(x + 3, y + DLANE_H - 3, m.group)

    def _paint_lane(self, p: QPainter, lane: Lane, y: int, t0: float, t1: float) -> None:
        n = len(lane.onsets)
        if n == 0:
            return
        hi = int(np.searchsorted(lane.onsets, t1, side="right"))
        lo = int(np.searchsorted(lane.run_max, t0, side="left"))
        if hi <= lo:
            return
        on = lane.onsets[lo:hi]
        end = lane.ends[lo:hi]
        x0 = ((on - self.view_start) / self.ms_per_px).astype(np.int64) + GUTTER
        if lane.is_state:
            x1 = ((end - self.view_start) / self.ms_per_px).astype(np.int64) + GUTTER
            x1 = np.maximum(x1, x0 + 1)
            # merge spans that touch on screen: starts of new runs are where x0 passes the running max of x1
            runmax = np.maximum.accumulate(x1)
            starts = np.ones(len(x0), bool)
            starts[1:] = x0[1:] > runmax[:-1]
            idx = np.flatnonzero(starts)
            seg_x0 = x0[idx]
            seg_x1 = np.maximum.reduceat(x1, idx)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(lane.colour)
            h = LANE_H - 4
            p.drawRects([QRect(int(a), y + 2, int(b - a), h) for a, b in zip(seg_x0, seg_x1)])
            if lane.open_ids:
                pen = QPen(lane.colour.darker(160), 1, Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                for eid in lane.open_ids:
                    ev = self._events.get(eid)
                    if ev is not None:
                        xo = int(self.x_of(ev.onset_ms))
                        p.drawRect(xo, y + 1, max(2, int(self.x_of(self.duration_ms)) - xo), LANE_H - 3)
        else:
            xs = np.unique(x0)
            p.setPen(QPen(lane.colour, 2))
            p.drawLines([QLine(int(x), y + 1, int(x), y + LANE_H - 1) for x in xs])
        if self.selected_event is not None:
            ev = self._events.get(self.selected_event)
            if ev is not None and ev.code == lane.code:
                x0s = int(self.x_of(ev.onset_ms))
                x1s = int(self.x_of(ev.offset_ms if ev.offset_ms is not None else ev.onset_ms))
                p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(x0s - 2, y, max(4, x1s - x0s + 4), LANE_H - 1)

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

    # -- wheel and keys --------------------------------------------------------------------------
    def wheelEvent(self, e: QWheelEvent) -> None:
        dy = e.angleDelta().y() or e.angleDelta().x()
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(0.8 if dy > 0 else 1.25, self.ms_of(e.position().x()))
        else:
            self.scroll_by(-dy / 120 * 60)
        e.accept()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        key = e.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(0.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom(2.0)
        elif key == Qt.Key.Key_0:
            self.fit_all()
        else:
            super().keyPressEvent(e)
