"""Several camera views of a session in the coding window, all on the main view's clock.

The main view (view 1) is the player the window already has: play, pause,
steps, jumps and seeks move it, and its displayed frame is the one clock.
Every other view *follows* it: whenever the main view shows a new frame (while
paused or playing), each other view asks its own frame server for the frame
that covers the same moment on its own clock (main time + the view's offset).
A follower never runs a clock of its own, so it cannot drift: at worst, when
decoding falls behind at a high rate, it skips frames and catches up.

Layouts (the coder's choice, kept per coder): the views side by side, or one
large with the others small beside it. Double-clicking a small view makes it
the large one. *View ▸ Synchronise views…* sets the offsets (see view_sync.py).

The *current view* is the one the coder last clicked (a double-click, which
shows a view large, picks it too); when a session opens it is the large view
in the one-large layout, else the main view. Events record it when the coder
asks for that (see event_views.py).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QActionGroup, QColor, QFont, QPainter
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ssp_coder.domain.model import Session
from ssp_coder.domain.views import SessionView
from ssp_coder.gui.controller import Change, fmt_ms
from ssp_coder.gui.event_views import EventViewRecording
from ssp_coder.gui.player import FrameSource, SimulatedFrameSource, VideoView, draw_fitted
from ssp_coder.gui.served_source import ServedFrameSource
from ssp_coder.media.frameserver import FrameServerSettings

if TYPE_CHECKING:
    from ssp_coder.gui.main_window import MainWindow

LAYOUTS = ("side", "large")
FOLLOWER_CACHE_SHARE = 4          # each other view keeps a quarter of the main view's frame memory


class ViewFollower(QObject):
    """One further view: shows the frame covering (main time + offset) on its own clock."""

    changed = Signal()

    def __init__(self, view: SessionView, source: FrameSource, path: Path | None, missing: str = "",
                 parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.source = source
        self.path = path
        self.missing = missing                 # why there is no picture ("Video not found: …")
        self.offset_ms = view.offset_ms        # may be a preview while the offsets are being set
        self.fps = view.fps or 25.0
        self.duration_ms = int(view.duration_ms or 0)
        self.main_ms = 0
        self.shown_ms: int | None = None       # the displayed frame's start on this view's clock
        self.shown_index: int | None = None
        self._requested: int | None = None
        source.frameShown.connect(self._on_frame)
        source.ready.connect(self._on_ready)
        source.failed.connect(self._on_failed)

    # -- where this view is --------------------------------------------------------------------
    @property
    def target_ms(self) -> int:
        """The moment the main view shows, on this view's clock."""
        return self.main_ms + self.offset_ms

    @property
    def outside(self) -> bool:
        """This camera was not recording at the moment the main view shows."""
        return self.target_ms < 0 or (self.duration_ms > 0 and self.target_ms >= self.duration_ms)

    def index_at(self, ms: int) -> int:
        known = self.source.index_at_ms(ms)
        if known is not None:
            return known
        count = max(1, int(math.floor(self.duration_ms * self.fps / 1000 + 1e-9)))
        return min(count - 1, max(0, int(math.floor(ms * self.fps / 1000 + 1e-6))))

    # -- following the main view -------------------------------------------------------------------
    def follow(self, main_ms: int) -> None:
        self.main_ms = int(main_ms)
        if self.outside:
            self.changed.emit()
            return
        index = self.index_at(self.target_ms)
        if index != self._requested:
            self._requested = index
            self.source.show_index(index, int(round((index + 0.5) * 1000 / self.fps)))
        else:
            self.changed.emit()

    def set_offset(self, offset_ms: int) -> None:
        self.offset_ms = int(offset_ms)
        self.follow(self.main_ms)

    def _on_frame(self, start_us: int) -> None:
        self.shown_ms = math.ceil(start_us / 1000 - 1e-6)
        known = self.source.index_of_us(start_us)
        self.shown_index = known if known is not None else int(round(start_us * self.fps / 1_000_000))
        self.changed.emit()

    def _on_ready(self) -> None:
        count = self.source.indexed_frame_count()
        if count:
            self.duration_ms = int(self.source.indexed_duration_ms() or self.duration_ms)
        self._requested = None          # the frame index is known now: ask again, exactly
        self.follow(self.main_ms)

    def _on_failed(self, message: str) -> None:
        self.missing = message
        self.changed.emit()

    def close(self) -> None:
        self.source.close()
        self.source.deleteLater()


class ViewTile(QWidget):
    """Paints a follower's frame, letterboxed, with the view's name; says plainly when there is nothing to show."""

    chosen = Signal(int)      # view number (double-click: make this the large view)
    picked = Signal(int)      # view number (a click: the view the coder is coding from)
    relinkRequested = Signal(int)   # view number (double-click on a view whose video is missing)

    def __init__(self, follower: ViewFollower, parent: QWidget | None = None):
        super().__init__(parent)
        self.follower = follower
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip(f"{follower.view.label}: double-click to show it large")
        follower.changed.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(480, 270)

    def message(self) -> str | None:
        f = self.follower
        if f.missing:
            return f.missing
        if f.outside:
            if f.target_ms < 0:
                return f"{f.view.label} starts {fmt_ms(-f.target_ms)} later"
            return f"{f.view.label} has ended"
        return None

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(16, 16, 16))
        text = self.message()
        img = self.follower.source.image() if text is None else None
        if not draw_fitted(p, self.size(), img):
            p.setPen(QColor(170, 170, 170))
            p.drawText(self.rect().adjusted(8, 8, -8, -8), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       text or "Loading video…")
        p.end()

    def mousePressEvent(self, _event: object) -> None:
        self.picked.emit(self.follower.view.number)

    def mouseDoubleClickEvent(self, _event: object) -> None:
        if self.follower.path is None and self.follower.view.video_path:
            self.relinkRequested.emit(self.follower.view.number)
        else:
            self.chosen.emit(self.follower.view.number)


class _MainTile(QWidget):
    """The main view's picture (the window's own VideoView) with its caption."""

    chosen = Signal(int)
    picked = Signal(int)

    def __init__(self, video: VideoView, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(video, 1)
        video.installEventFilter(self)
        self.video = video

    def eventFilter(self, obj: QObject, event) -> bool:
        if obj is self.video and event.type() == event.Type.MouseButtonDblClick:
            self.chosen.emit(1)
            return True
        if obj is self.video and event.type() == event.Type.MouseButtonPress:
            self.picked.emit(1)          # (not consumed: the picture keeps its own click behaviour)
        return False


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return label


class ViewsArea(QWidget):
    """The video area: the main view alone, or every view side by side / one large."""

    largeChosen = Signal(int)     # the coder double-clicked a view to show it large
    currentChanged = Signal(int)  # the view the coder is coding from (the one last clicked)

    def __init__(self, video: VideoView, parent: QWidget | None = None):
        super().__init__(parent)
        self.main = _MainTile(video)
        self.main.chosen.connect(self.set_large)
        self.main.picked.connect(self.set_current)
        self.tiles: list[ViewTile] = []
        self.labels: dict[int, str] = {1: "Main view"}
        self.layout_mode = "side"
        self.large = 1
        self.current = 1
        self.mark_current = False     # the captions say which view events are logged from
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self._captions: list[QLabel] = []
        self._arrange()

    def set_tiles(self, tiles: list[ViewTile], labels: dict[int, str]) -> None:
        for t in self.tiles:
            t.setParent(None)
            t.deleteLater()
        self.tiles = tiles
        self.labels = labels
        for t in tiles:
            t.chosen.connect(self.set_large)
            t.picked.connect(self.set_current)
        self.current = self.large if self.layout_mode == "large" and self.large in labels and tiles else 1
        self._arrange()          # (a large view this session lacks leaves the main view large, the choice kept)

    def set_layout_mode(self, mode: str) -> None:
        self.layout_mode = mode if mode in LAYOUTS else "side"
        self._arrange()

    def set_current(self, number: int) -> None:
        if number in self.labels and self.tiles and number != self.current:
            self.current = number
            self._arrange()
            self.currentChanged.emit(number)

    def set_marking(self, on: bool) -> None:
        self.mark_current = bool(on)
        self._arrange()

    def set_large(self, number: int) -> None:
        if number in self.labels and self.tiles:
            self.set_current(number)
            self.large = number
            if self.layout_mode != "large":
                self.layout_mode = "large"
            self._arrange()
            self.largeChosen.emit(number)

    def widget_of(self, number: int) -> QWidget:
        if number == 1:
            return self.main
        return next(t for t in self.tiles if t.follower.view.number == number)

    def _arrange(self) -> None:
        grid = self._grid
        while grid.count():
            item = grid.takeAt(0)
            w = item.widget()
            if w is not None and w not in (self.main, *self.tiles):
                w.deleteLater()            # an old caption
        for r in range(grid.rowCount()):
            grid.setRowStretch(r, 0)
        for c in range(grid.columnCount()):
            grid.setColumnStretch(c, 0)
        if not self.tiles:
            grid.addWidget(self.main, 0, 0)
            grid.setRowStretch(0, 1)
            grid.setColumnStretch(0, 1)
            return
        numbers = [1, *(t.follower.view.number for t in self.tiles)]
        if self.layout_mode == "large":
            big = self.large if self.large in numbers else 1
            small = [n for n in numbers if n != big]
            grid.addWidget(self.widget_of(big), 0, 0, 2 * len(small), 1)
            grid.addWidget(_caption(self._caption_text(big)), 2 * len(small), 0)
            for i, n in enumerate(small):
                grid.addWidget(self.widget_of(n), 2 * i, 1)
                grid.addWidget(_caption(self._caption_text(n)), 2 * i + 1, 1)
                grid.setRowStretch(2 * i, 1)
            grid.setColumnStretch(0, 3)
            grid.setColumnStretch(1, 1)
        else:
            cols = len(numbers) if len(numbers) <= 3 else math.ceil(math.sqrt(len(numbers)))
            for i, n in enumerate(numbers):
                r, c = divmod(i, cols)
                grid.addWidget(self.widget_of(n), 2 * r, c)
                grid.addWidget(_caption(self._caption_text(n)), 2 * r + 1, c)
                grid.setRowStretch(2 * r, 1)
                grid.setColumnStretch(c, 1)
        for w in (self.main, *self.tiles):
            w.show()

    def _caption_text(self, number: int) -> str:
        name = self.labels.get(number, f"View {number}")
        text = f"{name} (main view: the clock events are logged on)" if number == 1 else name
        if self.mark_current and number == self.current:
            text = f"● {text} — events are recorded as coded from this view"
        return text


def _offset_commands(change: Change) -> bool:
    from ssp_coder.domain.commands import Batch
    from ssp_coder.domain.views import SetViewOffset

    cmd = change.applied.command
    parts = cmd.commands if isinstance(cmd, Batch) else (cmd,)
    return any(isinstance(c, SetViewOffset) for c in parts)


class SessionViewSet(QObject):
    """The open session's further views in one window: loading, following, layout, offsets."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.area = ViewsArea(window.video)
        self.area.largeChosen.connect(self._remember_large)
        self.followers: list[ViewFollower] = []
        self.session: Session | None = None
        self.main_path: Path | None = None
        self.sync_dialog = None
        self.layout_actions: dict[str, object] = {}
        self.sync_action = None                  # (the View menu's items, once built)
        window.player.frameChanged.connect(self._on_main_frame)
        window.controller.changed.connect(self._on_change)
        self.area.set_layout_mode(self._setting("layout", "side"))
        self.area.large = int(self._setting("large", 1) or 1)
        self.recording = EventViewRecording(self)

    # -- settings, per coder ----------------------------------------------------------------------
    def _key(self, name: str) -> str:
        return f"coders/{self.window.controller.coder.name}/views/{name}"

    def _setting(self, name: str, default: object) -> object:
        settings: QSettings = self.window.settings
        return settings.value(self._key(name), default)

    def _remember_large(self, number: int) -> None:
        self.window.settings.setValue(self._key("large"), number)
        self.window.settings.setValue(self._key("layout"), self.area.layout_mode)
        self._sync_layout_actions()

    # -- the View menu ----------------------------------------------------------------------------
    def build_menu(self, menu) -> None:
        group = QActionGroup(self)
        for mode, label in (("side", "Views side by side"), ("large", "One view large, the others small")):
            act = menu.addAction(label)
            act.setCheckable(True)
            act.setObjectName(f"views_{mode}")
            group.addAction(act)
            act.triggered.connect(lambda _c=False, m=mode: self.set_layout(m))
            self.layout_actions[mode] = act
        self.sync_action = menu.addAction("Synchronise views…")
        self.sync_action.setObjectName("views_sync")
        self.sync_action.triggered.connect(self.open_sync_dialog)
        self.recording.build_menu(menu)
        self._sync_layout_actions()
        self._enable()

    def _sync_layout_actions(self) -> None:
        for mode, act in self.layout_actions.items():
            act.setChecked(mode == self.area.layout_mode)

    def _enable(self) -> None:
        many = bool(self.followers)
        for act in (*self.layout_actions.values(), self.sync_action):
            if act is not None:
                act.setEnabled(many)

    def set_layout(self, mode: str) -> None:
        self.area.set_layout_mode(mode)
        self.window.settings.setValue(self._key("layout"), self.area.layout_mode)
        self._sync_layout_actions()

    # -- a session opens --------------------------------------------------------------------------
    def load(self, session: Session | None, main_path: Path | None) -> None:
        self.unload()
        self.session, self.main_path = session, main_path
        if session is None:
            self._enable()
            return
        controller = self.window.controller
        same = controller.session is not None and int(controller.session.id) == int(session.id)
        views = list(controller.session_views) if same else controller.project.views(int(session.id))
        labels = {v.number: v.label for v in views}
        tiles = []
        for view in views[1:]:
            follower = self._make_follower(view)
            self.followers.append(follower)
            tile = ViewTile(follower)
            tile.relinkRequested.connect(self.relink)
            tiles.append(tile)
        self.area.set_tiles(tiles, labels)
        self.recording.refresh()
        self._enable()
        for f in self.followers:
            f.follow(self.window.player.position_ms)

    def _make_follower(self, view: SessionView) -> ViewFollower:
        w = self.window
        path = _find_view_video(w.videos, self.session, view)
        duration = int(view.duration_ms or self.session.duration_ms or 0)
        missing = ""
        if path is not None and w.decode_video:
            from ssp_coder.gui.settings import frame_cache_mb
            cache = max(64, frame_cache_mb(w.settings) // FOLLOWER_CACHE_SHARE)
            source: FrameSource = ServedFrameSource(path, FrameServerSettings(cache_mb=cache))
        else:
            source = SimulatedFrameSource(view.fps or 25.0, duration)
            if path is None:
                missing = (f"{view.label}: no video linked" if not view.video_path
                           else f"{view.label}: video not found ({Path(view.video_path).name}). "
                                "Double-click to locate it.")
        return ViewFollower(view, source, path, missing, self)

    def unload(self) -> None:
        if self.sync_dialog is not None:
            self.sync_dialog.close()
            self.sync_dialog = None
        for f in self.followers:
            f.close()
        self.followers = []
        self.area.set_tiles([], {1: "Main view"})

    def relink(self, number: int) -> None:
        """Locate a view's moved video (checked by SHA-256), then show the session again with it."""
        w = self.window
        view = next((f.view for f in self.followers if f.view.number == number), None)
        locate = getattr(w.videos, "relink_view", None)
        if view is None or locate is None or self.session is None:
            return
        if locate(self.session, view, w) is not None:
            self.window.controller.session_views = self.window.controller.project.views(int(self.session.id))
            self.load(self.session, self.main_path)

    # -- one clock --------------------------------------------------------------------------------
    def _on_main_frame(self, ms: int, _index: int) -> None:
        for f in self.followers:
            f.follow(ms)

    def _on_change(self, change: Change) -> None:
        if self.session is None or not _offset_commands(change):
            return
        views = self.window.controller.project.views(int(self.session.id))
        self.window.controller.session_views = views        # the offsets just changed
        stored = {v.number: v for v in views}
        for f in self.followers:
            v = stored.get(f.view.number)
            if v is not None:
                f.view = v
                f.set_offset(v.offset_ms)
        if self.sync_dialog is not None:
            self.sync_dialog.refresh()

    def open_sync_dialog(self) -> None:
        if not self.followers:
            self.window.show_message("This session has one camera view; there is nothing to synchronise.")
            return
        from ssp_coder.gui.view_sync import ViewSyncDialog

        if self.sync_dialog is None:
            self.sync_dialog = ViewSyncDialog(self, self.window)
            self.sync_dialog.finished.connect(lambda _r: setattr(self, "sync_dialog", None))
        self.sync_dialog.show()
        self.sync_dialog.raise_()


def _find_view_video(videos, session: Session, view: SessionView) -> Path | None:
    """The video file of a further view: the package's copy, or the project's (paths relative to its folder)."""
    finder = getattr(videos, "find_view", None)
    if finder is not None:
        return finder(session, view)
    if not view.video_path:
        return None
    p = Path(view.video_path)
    if not p.is_absolute():
        p = videos.project.path.parent / p
    return p if p.is_file() else None
