"""The timeline: episode bands, one lane per behaviour code, D-index marks and the playhead.

Two layers. The static layer (ruler, closed episodes, D marks, lanes) is drawn
into an image kept until the view or the data changes; a key press that logs
an event redraws only that behaviour's lane in it. The live layer (playhead,
an open episode growing to the playhead, the selected event, a drag preview)
is drawn over the image on every paint, and moving the playhead repaints only
narrow strips around its old and new positions.

Drawing the static layer touches only what is visible: each lane keeps its
events as sorted numpy arrays (onset, end, running maximum of ends), the
visible slice is found by binary search, and spans that fall on the same
pixels merge in a per-pixel coverage row built with numpy, drawn with one
call per lane, so 5,000 events cost about as much as fifty.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import QLineF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ssp_coder.domain.model import CodingState, Event
from ssp_coder.domain.scheme import Scheme
from ssp_coder.gui.controller import fmt_ms
from ssp_coder.gui.sound_lanes import SoundLanes
from ssp_coder.gui.event_views import paint_view_tags
from ssp_coder.gui.timeline_edit import TimelineEditing
from ssp_coder.gui.timeline_geometry import (
    DLANE_H,
    EPISODE_COLOURS,
    EPISODE_H,
    GUTTER,
    LANE_H,
    PLAYHEAD_HALF_PX,
    RULER_H,
    RULER_STEPS,
)


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
    views: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))   # 0: no view said
    open_onsets: tuple[int, ...] = ()


class Timeline(TimelineEditing, QWidget):
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
        self._lane_index = {lane.code: i for i, lane in enumerate(self.lanes)}
        self.sound = SoundLanes()          # waveform and spectrogram lanes, between D indices and behaviours
        self._events: dict[int, Event] = {}
        self._by_code: dict[str, dict[int, Event]] = {lane.code: {} for lane in self.lanes}
        self._drag: dict | None = None
        self.selected_event: int | None = None
        self.waiting: set[int] = set()     # events of changes not saved yet (server away): hatched over
        # the static layer and what it was drawn for
        self._static: QImage | None = None
        self._static_key: tuple | None = None
        self._dirty_lanes: set[int] = set()
        self.static_renders = 0            # full redraws of the static layer (the benchmark reports them)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self.content_height())
        self.setToolTip("Click to seek · drag an episode boundary or an event edge to move it\n"
                        "Wheel: scroll · Ctrl+wheel or +/−: zoom · 0: show the whole video")

    # -- data ------------------------------------------------------------------------------
    def content_height(self) -> int:
        return RULER_H + EPISODE_H + DLANE_H + self.sound.height() + LANE_H * len(self.lanes) + 4

    # -- the sound lanes ---------------------------------------------------------------------
    def set_sound(self, overview) -> None:
        """Show a session's analysed sound track (``None`` or a silent overview: "no sound")."""
        self.sound.set_overview(overview)
        self.invalidate()

    def set_sound_status(self, text: str, progress: float | None = None) -> None:
        """What the sound lanes say while there is nothing to draw (analysing, no video, failed)."""
        self.sound.set_status(text, progress)
        self.invalidate()

    def set_sound_lanes(self, waveform: bool, spectrogram: bool) -> None:
        """Show or hide either lane; the behaviour lanes move up or down."""
        self.sound.show_waveform, self.sound.show_spectrogram = waveform, spectrogram
        self.setMinimumHeight(self.content_height())
        self.updateGeometry()
        self.invalidate()

    def sizeHint(self) -> QSize:
        return QSize(800, self.content_height())

    def set_duration(self, duration_ms: int) -> None:
        self.duration_ms = max(1, int(duration_ms))
        for lane in self.lanes:          # open states reach to the end of the video
            self._rebuild_lane(lane)
        self.invalidate()
        self.fit_all()

    def set_state(self, state: CodingState | None) -> None:
        """Show a whole coding (or a change to more than its events): every lane is rebuilt."""
        self.state = state
        self._events = {int(e.id): e for e in state.events} if state else {}
        self._by_code = {lane.code: {} for lane in self.lanes}
        for eid, ev in self._events.items():
            self._by_code.setdefault(ev.code, {})[eid] = ev
        for lane in self.lanes:
            self._rebuild_lane(lane)
        if self.selected_event is not None and self.selected_event not in self._events:
            self.selected_event = None
        self.invalidate()

    def apply_events(self, state: CodingState, added: tuple[Event, ...] = (), removed: tuple[int, ...] = (),
                     updated: tuple[Event, ...] = ()) -> None:
        """Patch in an event edit; only the lanes of the codes it touched are rebuilt and redrawn."""
        self.state = state
        codes: set[str] = set()
        for eid in removed:
            old = self._events.pop(eid, None)
            if old is not None:
                codes.add(old.code)
                self._by_code.get(old.code, {}).pop(eid, None)
        for ev in updated:
            old = self._events.get(int(ev.id))
            if old is not None:          # a changed code moves the event to another lane
                codes.add(old.code)
                self._by_code.get(old.code, {}).pop(int(ev.id), None)
        for ev in added + updated:
            self._events[int(ev.id)] = ev
            self._by_code.setdefault(ev.code, {})[int(ev.id)] = ev
            codes.add(ev.code)
        if self.selected_event is not None and self.selected_event not in self._events:
            self.selected_event = None
        for code in codes:
            i = self._lane_index.get(code)
            if i is not None:
                self._rebuild_lane(self.lanes[i])
                self._dirty_lanes.add(i)
        self.update()

    def event_by_id(self, event_id: int) -> Event | None:
        return self._events.get(event_id)

    def _rebuild_lane(self, lane: Lane) -> None:
        evs = sorted(self._by_code.get(lane.code, {}).values(), key=lambda e: e.onset_ms)
        n = len(evs)
        lane.onsets = np.fromiter((e.onset_ms for e in evs), np.int64, n)
        # An open state reaches to the end of the video until it is closed.
        lane.ends = np.fromiter((e.offset_ms if e.offset_ms is not None else
                                 (self.duration_ms if e.is_open else e.onset_ms) for e in evs), np.int64, n)
        lane.ids = np.fromiter((int(e.id) for e in evs), np.int64, n)
        lane.views = np.fromiter((e.view or 0 for e in evs), np.int64, n)
        lane.open_onsets = tuple(e.onset_ms for e in evs if e.is_open)
        lane.run_max = np.maximum.accumulate(lane.ends) if n else lane.ends

    def invalidate(self) -> None:
        """Forget the static layer: the next paint draws everything again."""
        self._static_key = None
        self.update()

    # -- view ------------------------------------------------------------------------------
    def plot_width(self) -> int:
        return max(10, self.width() - GUTTER)

    def visible_range(self) -> tuple[float, float]:
        return self.view_start, self.view_start + self.ms_per_px * self.plot_width()

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
        old = self.playhead_ms
        self.playhead_ms = ms
        span = self.ms_per_px * self.plot_width()
        if self.follow and not (self.view_start <= ms <= self.view_start + span):
            self.view_start = ms - span * 0.2
            self._clamp()
            self.update()
            return
        for rect in self.playhead_rects(old, ms):
            self.update(rect)

    def playhead_rects(self, old_ms: int, new_ms: int) -> list[QRect]:
        """What a playhead move changes: strips at both positions, and an open episode's growing band."""
        xo, xn = int(self.x_of(old_ms)), int(self.x_of(new_ms))
        h = self.height()
        rects = [QRect(xo - PLAYHEAD_HALF_PX, 0, 2 * PLAYHEAD_HALF_PX + 1, h),
                 QRect(xn - PLAYHEAD_HALF_PX, 0, 2 * PLAYHEAD_HALF_PX + 1, h)]
        if self._open_episodes():
            lo, hi = min(xo, xn), max(xo, xn)
            rects.append(QRect(lo - PLAYHEAD_HALF_PX, RULER_H, hi - lo + 2 * PLAYHEAD_HALF_PX + 1, EPISODE_H))
        return rects

    def x_of(self, ms: float) -> float:
        return GUTTER + (ms - self.view_start) / self.ms_per_px

    def ms_of(self, x: float) -> int:
        return int(round(max(0.0, min(self.duration_ms, self.view_start + (x - GUTTER) * self.ms_per_px))))

    def lane_top(self, i: int) -> int:
        return RULER_H + EPISODE_H + DLANE_H + self.sound.height() + i * LANE_H

    def sound_top(self) -> int:
        return RULER_H + EPISODE_H + DLANE_H

    # -- painting: the live layer over the cached static one ---------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_static()
        p = QPainter(self)
        dpr = self._static.devicePixelRatio()
        for r in event.region():
            p.drawImage(QRectF(r), self._static, QRectF(r.x() * dpr, r.y() * dpr, r.width() * dpr, r.height() * dpr))
        p.setClipRect(GUTTER + 1, 0, self.width() - GUTTER - 1, self.height())
        self._paint_open_episodes(p)
        self._paint_waiting(p)
        self._paint_selection(p)
        x = int(self.x_of(self.playhead_ms))
        p.setPen(QPen(QColor("#e53935"), 2))
        p.drawLine(x, 0, x, self.height())
        if self._drag and "preview_ms" in self._drag:
            px = int(self.x_of(self._drag["preview_ms"]))
            p.setPen(QPen(self.palette().color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DashLine))
            p.drawLine(px, 0, px, self.height())
            p.drawText(px + 4, RULER_H - 4, fmt_ms(self._drag["preview_ms"]))
        p.end()

    def _cache_key(self) -> tuple:
        return (self.width(), self.height(), self.devicePixelRatioF(), self.view_start, self.ms_per_px,
                self.duration_ms, self.palette().cacheKey(), self.font().key())

    def _ensure_static(self) -> None:
        key = self._cache_key()
        if self._static is None or key != self._static_key:
            self.render_static()
            return
        if self._dirty_lanes:
            p = QPainter(self._static)
            for i in sorted(self._dirty_lanes):
                self._paint_lane_row(p, i)
            p.end()
            self._dirty_lanes.clear()

    def render_static(self) -> None:
        """Draw the whole static layer again (what a cache-invalid repaint costs)."""
        dpr = self.devicePixelRatioF()
        size = self.size() * dpr
        if self._static is None or self._static.size() != size:
            self._static = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        self._static.setDevicePixelRatio(dpr)
        p = QPainter(self._static)
        pal = self.palette()
        text, mid = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Mid)
        p.fillRect(QRect(0, 0, self.width(), self.height()), pal.color(QPalette.ColorRole.Base))
        p.setPen(text)
        p.drawText(QRect(4, RULER_H, GUTTER - 6, EPISODE_H), Qt.AlignmentFlag.AlignVCenter, "Episodes")
        p.drawText(QRect(4, RULER_H + EPISODE_H, GUTTER - 6, DLANE_H), Qt.AlignmentFlag.AlignVCenter, "D indices")
        self.sound.paint_labels(p, self.sound_top(), GUTTER, pal)
        p.setClipRect(GUTTER, 0, self.width() - GUTTER, self.height())
        t0, t1 = self.visible_range()
        self._paint_ruler(p, t0, t1, text, mid)
        self._paint_episodes(p, t0, t1)
        self._paint_d(p, t0, t1)
        if self.sound.height():
            self.sound.paint(p, self.sound_top(), GUTTER, self.plot_width(), self.view_start, self.ms_per_px,
                             dpr, pal)
        for i in range(len(self.lanes)):
            self._paint_lane_row(p, i)
        p.setClipping(False)
        p.setPen(mid)
        p.drawLine(GUTTER, 0, GUTTER, self.height())
        p.end()
        self._static_key = self._cache_key()
        self._dirty_lanes.clear()
        self.static_renders += 1

    def _paint_ruler(self, p: QPainter, t0: float, t1: float, text: QColor, mid: QColor) -> None:
        span = max(1.0, t1 - t0)
        step = next((s for s in RULER_STEPS if span / s <= max(2, self.plot_width() // 90)), 1_200_000)
        ticks = range(int(t0 // step) * step, int(t1) + 1, step)
        xs = [int(self.x_of(t)) for t in ticks]
        p.setPen(mid)
        p.drawLines([QLineF(x, RULER_H - 5, x, RULER_H) for x in xs])
        p.setPen(text)
        for t, x in zip(ticks, xs):
            label = fmt_ms(t)
            p.drawText(x + 3, RULER_H - 5, label[:-4] if step >= 1000 else label)

    def _episode_band(self, p: QPainter, n: int, onset: int, end: int, is_open: bool, flag: bool) -> None:
        y = RULER_H
        x0, x1 = self.x_of(onset), self.x_of(max(end, onset))
        colour = QColor(EPISODE_COLOURS[(n - 1) % len(EPISODE_COLOURS)])
        if is_open:
            colour.setAlpha(120)
        p.fillRect(QRect(int(x0), y + 1, max(2, int(x1 - x0)), EPISODE_H - 2), colour)
        p.setPen(QColor("#111111"))
        # the label's box does not depend on the band's length, so an open band's label stays put
        p.drawText(QRect(int(x0) + 4, y, 40, EPISODE_H), Qt.AlignmentFlag.AlignVCenter, f"{n}{'*' if flag else ''}")
        p.setPen(QPen(QColor("#222222"), 2))
        p.drawLine(int(x0), y, int(x0), y + EPISODE_H)
        if not is_open:
            p.drawLine(int(x1), y, int(x1), y + EPISODE_H)

    def _paint_episodes(self, p: QPainter, t0: float, t1: float) -> None:
        if self.state is None:
            return
        for n, b in sorted(self.state.boundaries.items()):
            if b.onset_ms is None or b.offset_ms is None or b.offset_ms < t0 or b.onset_ms > t1:
                continue
            self._episode_band(p, n, b.onset_ms, b.offset_ms, False, b.flag)

    def _open_episodes(self) -> list:
        if self.state is None:
            return []
        return [(n, b) for n, b in sorted(self.state.boundaries.items())
                if b.onset_ms is not None and b.offset_ms is None]

    def _paint_open_episodes(self, p: QPainter) -> None:
        """An episode without an end runs to the playhead: live layer, it grows as the video plays."""
        t0, t1 = self.visible_range()
        for n, b in self._open_episodes():
            if self.playhead_ms >= t0 and b.onset_ms <= t1:
                self._episode_band(p, n, b.onset_ms, self.playhead_ms, True, b.flag)

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

    def _paint_lane_row(self, p: QPainter, i: int) -> None:
        """One lane, background to gutter line, clipped to its row (so it can be redrawn alone)."""
        lane, y, w = self.lanes[i], self.lane_top(i), self.width()
        pal = self.palette()
        row = QRect(0, y, w, LANE_H)
        p.setClipRect(row)
        p.fillRect(row, pal.color(QPalette.ColorRole.AlternateBase if i % 2 else QPalette.ColorRole.Base))
        p.fillRect(4, y + 3, 8, LANE_H - 6, lane.colour)
        p.setPen(pal.color(QPalette.ColorRole.Text))
        label = QFontMetrics(self.font()).elidedText(lane.label, Qt.TextElideMode.ElideRight, GUTTER - 20)
        p.drawText(QRect(16, y, GUTTER - 18, LANE_H), Qt.AlignmentFlag.AlignVCenter, label)
        p.setClipRect(QRect(GUTTER, y, w - GUTTER, LANE_H))
        self._paint_coverage(p, lane, y)
        if lane.views.any():
            t0, t1 = self.visible_range()
            lo = int(np.searchsorted(lane.run_max, t0, side="left"))
            hi = int(np.searchsorted(lane.onsets, t1, side="right"))
            paint_view_tags(p, self.x_of, lane.onsets, lane.views, lo, hi, y, LANE_H, w, pal, lane.ends)
        if lane.open_onsets:
            p.setPen(QPen(lane.colour.darker(160), 1, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            x_end = int(self.x_of(self.duration_ms))
            for onset in lane.open_onsets:
                xo = max(GUTTER - 2, int(self.x_of(onset)))
                p.drawRect(xo, y + 1, max(2, x_end - xo), LANE_H - 3)
        p.setClipRect(row)
        p.setPen(pal.color(QPalette.ColorRole.Mid))
        p.drawLine(GUTTER, y, GUTTER, y + LANE_H)

    def lane_coverage(self, lane: Lane, dpr: float = 1.0) -> np.ndarray | None:
        """Which device-pixel columns of the plot the lane's visible events cover.

        States are bars from onset to offset (at least one pixel wide), points 2 px ticks. Spans that
        land on the same pixels merge by construction: a difference array of starts and ends, summed.
        """
        t0, t1 = self.visible_range()
        hi = int(np.searchsorted(lane.onsets, t1, side="right"))
        lo = int(np.searchsorted(lane.run_max, t0, side="left"))
        if hi <= lo:
            return None
        n_px = int(round(self.plot_width() * dpr))
        one = max(1, int(round(dpr)))
        scale = dpr / self.ms_per_px
        x0 = np.floor((lane.onsets[lo:hi] - self.view_start) * scale).astype(np.int64)
        if lane.is_state:
            x1 = np.maximum(np.floor((lane.ends[lo:hi] - self.view_start) * scale).astype(np.int64), x0 + one)
        else:
            x0 -= one
            x1 = x0 + 2 * one
        np.clip(x0, 0, n_px, out=x0)
        np.clip(x1, 0, n_px, out=x1)
        diff = np.bincount(x0, minlength=n_px + 1) - np.bincount(x1, minlength=n_px + 1)
        return np.cumsum(diff[:n_px]) > 0

    def _paint_coverage(self, p: QPainter, lane: Lane, y: int) -> None:
        """The lane's bars as one image row stretched to the bar height: one draw call, whatever the count.

        (A ``drawRects`` of a few thousand merged rectangles costs milliseconds in the Python binding
        alone; a row of pixels built with numpy costs microseconds and paints the same pixels.)
        """
        dpr = self._static.devicePixelRatio() if self._static is not None else 1.0
        cover = self.lane_coverage(lane, dpr)
        if cover is None or not cover.any():
            return
        row = np.where(cover, np.uint32(lane.colour.rgba() | 0xFF000000), np.uint32(0))
        img = QImage(row.data, len(row), 1, 4 * len(row), QImage.Format.Format_ARGB32_Premultiplied)
        top, h = (y + 2, LANE_H - 4) if lane.is_state else (y + 1, LANE_H - 2)
        p.drawImage(QRectF(GUTTER, top, len(row) / dpr, h), img)

    def _paint_selection(self, p: QPainter) -> None:
        ev = self._events.get(self.selected_event) if self.selected_event is not None else None
        i = self._lane_index.get(ev.code) if ev is not None else None
        if i is None:
            return
        y = self.lane_top(i)
        x0s = int(self.x_of(ev.onset_ms))
        x1s = int(self.x_of(ev.offset_ms if ev.offset_ms is not None else ev.onset_ms))
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(x0s - 2, y, max(4, x1s - x0s + 4), LANE_H - 1)

    def set_waiting(self, event_ids: set[int]) -> None:
        if event_ids != self.waiting:
            self.waiting = set(event_ids)
            self.update()

    def _paint_waiting(self, p: QPainter) -> None:
        """Not saved yet: a grey hatch and dashed outline over the event (only a few ever wait)."""
        p.setPen(QPen(QColor("#6b6b6b"), 1, Qt.PenStyle.DashLine))
        p.setBrush(QBrush(QColor("#6b6b6b"), Qt.BrushStyle.BDiagPattern))
        for eid in self.waiting:
            ev = self._events.get(eid)
            i = self._lane_index.get(ev.code) if ev is not None else None
            if i is not None:
                x0 = int(self.x_of(ev.onset_ms))
                x1 = int(self.x_of(ev.offset_ms if ev.offset_ms is not None else ev.onset_ms))
                if x1 - x0 < 4:
                    # a point (or a very short state): a box as narrow as its tick shows neither hatch nor
                    # dashes, so it gets a few pixels on each side
                    x0, x1 = x0 - 3, x1 + 3
                p.drawRect(x0 - 2, self.lane_top(i) + 1, x1 - x0 + 4, LANE_H - 3)

    def select(self, event_id: int | None) -> None:
        if event_id != self.selected_event:
            self.selected_event = event_id
            self.update()

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
