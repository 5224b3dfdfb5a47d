"""Which camera view each event is coded from: the coder's setting, and how the window shows it.

Optional, per coder (*View ▸ Record which view each event is coded from*,
off by default). When on, and the open session has more than one view, every
event logged takes the *current view*: the view the coder last clicked (a
double-click, which shows a view large, picks it too). The captions mark it
with ● so the coder always sees which view new events will carry. A state
records the view it was started from; closing it later does not change that.
When off, or for a session filmed by one camera, nothing is recorded.

The event table's *View* column shows an event's view and takes a new one
(a number, ``V2`` or the view's name; empty clears it); the timeline writes
``V2`` beside events that carry a view when there is room.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import QObject, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette

from ssp_coder.domain.views import SessionView

if TYPE_CHECKING:
    from ssp_coder.gui.views import SessionViewSet

SETTING = "record_event_view"
#: The timeline writes view tags only when this few of a lane's events are in sight (they would not be
#: readable anyway when more are, and a repaint must stay cheap with thousands of events).
MAX_TAGS_PER_LANE = 200


def view_tag(view: int | None) -> str:
    """``V2`` for an event coded from view 2; empty when the event says no view."""
    return "" if view is None else f"V{view}"


def view_text(view: int | None, names: dict[int, str | None]) -> str:
    """``V2 room`` in the event table (the roster's name for the view when it has one)."""
    if view is None:
        return ""
    name = names.get(view)
    return f"V{view} {name}" if name else f"V{view}"


def parse_view(text: str, views: Sequence[SessionView]) -> int | None:
    """A view typed by the coder: ``2``, ``V2`` or the view's name; empty for no view. ``ValueError`` otherwise."""
    t = text.strip()
    if not t:
        return None
    low = t.lower()
    for v in views:
        said = (str(v.number), f"v{v.number}", (v.name or "").lower(), view_text(v.number, {v.number: v.name}).lower())
        if low in said:
            return v.number
    raise ValueError(t)


class EventViewRecording(QObject):
    """The per-coder setting, the View menu's check item, and the view handed to each new event."""

    def __init__(self, view_set: "SessionViewSet"):
        super().__init__(view_set)
        self.view_set = view_set
        self.window = view_set.window
        self.action = None
        self.window.controller.event_view = self.view_for_new_event
        self.refresh()

    def _key(self) -> str:
        return f"coders/{self.window.controller.coder.name}/views/{SETTING}"

    @property
    def enabled(self) -> bool:
        return bool(self.window.settings.value(self._key(), False, type=bool))

    def set_enabled(self, on: bool) -> None:
        self.window.settings.setValue(self._key(), bool(on))
        self.refresh()

    def build_menu(self, menu) -> None:
        self.action = menu.addAction("Record which view each event is coded from")
        self.action.setObjectName("views_record_event_view")
        self.action.setCheckable(True)
        self.action.setChecked(self.enabled)
        self.action.setToolTip("For sessions filmed by more than one camera: each event you log records the view "
                               "you last clicked (marked ●). Kept for you on this computer.")
        self.action.toggled.connect(self.set_enabled)

    def refresh(self) -> None:
        """Mark the current view in the captions while events record it."""
        self.view_set.area.set_marking(self.enabled and bool(self.view_set.followers))

    def view_for_new_event(self) -> int | None:
        if not self.enabled or not self.view_set.followers:
            return None           # off, or a session with one camera: nothing recorded
        return int(self.view_set.area.current)


_TAGS: dict[tuple, QImage] = {}


def _tag_image(view: int, font: QFont, colour: QColor, dpr: float) -> QImage:
    """``V2`` drawn once per font, colour and pixel ratio: a repaint then copies pixels instead of laying out text."""
    key = (view, font.key(), colour.rgba(), dpr)
    img = _TAGS.get(key)
    if img is None:
        metrics = QFontMetrics(font)
        w, h = metrics.horizontalAdvance(view_tag(view)) + 2, metrics.height()
        img = QImage(int(w * dpr), int(h * dpr), QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setFont(font)
        p.setPen(colour)
        p.drawText(QRect(0, 0, w, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, view_tag(view))
        p.end()
        _TAGS[key] = img
    return img


def paint_view_tags(p: QPainter, x_of, onsets, views, lo: int, hi: int, y: int, height: int, right: int,
                    palette: QPalette, ends=None) -> None:
    """``V2`` after each visible event that carries a view, skipping tags that would overlap the last one.

    The tag goes inside a state's bar when the bar is wide enough to hold it, otherwise just after the bar's
    end: half on the bar and half on the lane the two letters would read as neither.
    """
    if hi - lo > MAX_TAGS_PER_LANE:
        return
    font = QFont(p.font())
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
    colour = palette.color(QPalette.ColorRole.Text)
    dpr = p.device().devicePixelRatioF() if p.device() is not None else 1.0
    free_from = -1
    for k in range(lo, hi):
        view = int(views[k])
        if view <= 0:
            continue
        img = _tag_image(view, font, colour, dpr)
        w = img.width() / dpr
        x = int(x_of(int(onsets[k]))) + 3
        if ends is not None and int(ends[k]) > int(onsets[k]):
            x_end = int(x_of(int(ends[k])))
            if x_end - x < w + 2:
                x = x_end + 3
        if x < free_from or x > right:
            continue
        p.drawImage(QPoint(x, y + int((height - img.height() / dpr) / 2)), img)
        free_from = x + int(w) + 2
