"""The video player: QtMultimedia (FFmpeg backend) with frame-exact stepping.

QMediaPlayer has no frame-step API. We step by seeking, paused, to the middle
of the wanted frame and then trust only the frame that comes back: its own
``QVideoFrame.startTime()`` is the time the window shows and the time an
event is logged at. (A seek to exactly a frame's start shows the frame
before it: Qt shows the frame with start < t <= end, so the middle of a
frame is the only unambiguous target.)

The decoding side is a *frame source* behind a small interface, so the
position logic runs the same with ``SimulatedFrameSource`` (no decoding: for
tests and sessions whose video is missing) as with ``QtFrameSource``.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtMultimedia import QAudioOutput, QMediaFormat, QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QSizePolicy, QWidget

RATES = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 4.0, 8.0)


def backend_reads_mp4() -> bool:
    """Whether this Qt build's multimedia backend (FFmpeg) decodes MP4.

    Only with an application object: Qt Multimedia set up before it exists is
    left half-wired (Qt says "requires a QCoreApplication instance" and its
    clean-up hooks on the application fail to connect), and a process in that
    state can crash on the way out.
    """
    if QCoreApplication.instance() is None:
        raise RuntimeError("create the QApplication before asking Qt Multimedia anything")
    # (supportedVideoCodecs under-reports: the FFmpeg backend decodes H.264 without listing it)
    return QMediaFormat.FileFormat.MPEG4 in QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)


class FrameSource(QObject):
    """What the player needs from a decoder. ``frameShown`` carries the frame's start in microseconds."""

    frameShown = Signal(int)
    playingChanged = Signal(bool)
    ready = Signal()
    failed = Signal(str)

    def set_position(self, ms: int) -> None:
        raise NotImplementedError

    def play(self) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def is_playing(self) -> bool:
        raise NotImplementedError

    def set_rate(self, rate: float) -> None:
        raise NotImplementedError

    def set_muted(self, muted: bool) -> None:
        pass

    def set_pitch_kept(self, kept: bool) -> bool:
        return False

    def image(self) -> QImage | None:
        return None

    def close(self) -> None:
        pass

    # A source that knows every frame's time (a frame index) overrides these; None means
    # "constant frame rate": the player then counts frames from the rate.
    def indexed_frame_count(self) -> int | None:
        return None

    def indexed_duration_ms(self) -> int | None:
        return None

    def index_of_us(self, us: int) -> int | None:
        return None

    def index_at_ms(self, ms: int) -> int | None:
        return None

    def show_index(self, index: int, center_ms: int) -> None:
        self.set_position(center_ms)

    def cache_bytes(self) -> int:
        """Memory held by decoded frames (shown in the status bar's tooltip)."""
        return 0


class SimulatedFrameSource(FrameSource):
    """Frames as numbers only: the same seek semantics as the FFmpeg backend, without decoding."""

    def __init__(self, fps: float, duration_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.fps = fps
        self.duration_ms = duration_ms
        self.frame_count = max(1, int(math.floor(duration_ms * fps / 1000 + 1e-9)))
        self._index = 0
        self._rate = 1.0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        # Frames arrive asynchronously, as from a decoder: one pending "frame decoded" at a time.
        self._decoded = QTimer(self)
        self._decoded.setSingleShot(True)
        self._decoded.setInterval(0)
        self._decoded.timeout.connect(self._show)
        self._first = True
        self._decoded.start()

    def _show(self) -> None:
        if self._first:
            self._first = False
            self.ready.emit()
        self.frameShown.emit(self._start_us(self._index))

    def _start_us(self, index: int) -> int:
        return int(round(index * 1_000_000 / self.fps))

    def set_position(self, ms: int) -> None:
        # Qt shows the frame with start < t <= end (frame 0 at t = 0).
        idx = max(0, math.ceil(ms * self.fps / 1000 - 1e-9) - 1)
        self._index = min(idx, self.frame_count - 1)
        self._decoded.start()

    def _tick(self) -> None:
        if self._index >= self.frame_count - 1:
            self.pause()
            return
        self._index += 1
        self.frameShown.emit(self._start_us(self._index))

    def play(self) -> None:
        self._timer.start(max(1, int(1000 / self.fps / self._rate)))
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.playingChanged.emit(False)

    def is_playing(self) -> bool:
        return self._timer.isActive()

    def set_rate(self, rate: float) -> None:
        self._rate = rate
        if self._timer.isActive():
            self._timer.start(max(1, int(1000 / self.fps / rate)))


class QtFrameSource(FrameSource):
    """QMediaPlayer + QVideoSink; the widget paints the sink's latest frame itself (and ``grab()`` sees it)."""

    def __init__(self, path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.sink = QVideoSink(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.player.setVideoSink(self.sink)
        self._frame: QVideoFrame | None = None
        self._image: QImage | None = None
        self._loaded = False
        self.sink.videoFrameChanged.connect(self._on_frame)
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.playbackStateChanged.connect(
            lambda s: self.playingChanged.emit(s == QMediaPlayer.PlaybackState.PlayingState))
        self.player.errorOccurred.connect(lambda _e, msg: self.failed.emit(msg or "The video cannot be played."))
        self.player.setSource(QUrl.fromLocalFile(str(path)))

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and not self._loaded:
            self._loaded = True
            self.player.pause()          # paused, not stopped: a paused player decodes the frame at a seek
            self.ready.emit()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.failed.emit(self.player.errorString() or "The video cannot be decoded.")

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        self._frame = frame
        self._image = None
        self.frameShown.emit(int(frame.startTime()))

    def image(self) -> QImage | None:
        if self._image is None and self._frame is not None:
            self._image = self._frame.toImage()
        return self._image

    def set_position(self, ms: int) -> None:
        self.player.setPosition(int(ms))

    def play(self) -> None:
        self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def is_playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def set_rate(self, rate: float) -> None:
        self.player.setPlaybackRate(rate)

    def set_muted(self, muted: bool) -> None:
        self.audio.setMuted(muted)

    def set_pitch_kept(self, kept: bool) -> bool:
        if (self.player.pitchCompensationAvailability()
                == QMediaPlayer.PitchCompensationAvailability.Unavailable):
            return False
        self.player.setPitchCompensation(kept)
        return True

    def close(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())


class VideoPlayer(QObject):
    """Position logic on top of a frame source: the displayed frame is the truth."""

    frameChanged = Signal(int, int)   # start ms of the displayed frame, frame index
    playingChanged = Signal(bool)
    rateChanged = Signal(float)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.source: FrameSource | None = None
        self.fps = 25.0
        self.duration_ms = 0
        self.frame_count = 1
        self.start_us = 0
        self._index = 0
        self.rate = 1.0
        self._target: int | None = None   # frame index of a step still in flight

    # -- loading ---------------------------------------------------------------------
    def load(self, source: FrameSource, fps: float, duration_ms: int, frame_count: int | None = None) -> None:
        self.unload()
        self.source = source
        self.fps = float(fps) if fps and fps > 0 else 25.0
        self.duration_ms = int(duration_ms or 0)
        self.frame_count = int(frame_count or max(1, math.floor(self.duration_ms * self.fps / 1000 + 1e-9)))
        self.start_us = 0
        self._index = 0
        self._target = None
        source.frameShown.connect(self._on_frame)
        source.playingChanged.connect(self.playingChanged)
        source.failed.connect(self.failed)
        source.ready.connect(self._on_ready)
        source.set_rate(self.rate)

    def _on_ready(self) -> None:
        # A frame index counts the frames exactly (variable frame rate, a probe's estimate corrected).
        count = self.source.indexed_frame_count() if self.source is not None else None
        if count:
            self.frame_count = int(count)
            self.duration_ms = int(self.source.indexed_duration_ms() or self.duration_ms)

    def unload(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source.deleteLater()
            self.source = None

    @property
    def loaded(self) -> bool:
        return self.source is not None

    # -- where we are ----------------------------------------------------------------
    @property
    def position_ms(self) -> int:
        """The displayed frame's start, rounded up to a whole millisecond so it stays inside the frame."""
        return math.ceil(self.start_us / 1000 - 1e-6)

    @property
    def frame_index(self) -> int:
        return self._index

    def frame_center_ms(self, index: int) -> int:
        return int(round((index + 0.5) * 1000 / self.fps))

    def index_at(self, ms: int) -> int:
        known = self.source.index_at_ms(ms) if self.source is not None else None
        if known is not None:
            return known
        return min(self.frame_count - 1, max(0, int(math.floor(ms * self.fps / 1000 + 1e-6))))

    def _on_frame(self, start_us: int) -> None:
        self.start_us = start_us
        known = self.source.index_of_us(start_us) if self.source is not None else None
        self._index = known if known is not None else int(round(start_us * self.fps / 1_000_000))
        if self._target is not None and self.frame_index == self._target:
            self._target = None
        self.frameChanged.emit(self.position_ms, self.frame_index)

    # -- moving ----------------------------------------------------------------------
    def show_frame(self, index: int) -> None:
        if self.source is None:
            return
        index = min(self.frame_count - 1, max(0, index))
        self._target = index
        self.source.show_index(index, self.frame_center_ms(index))

    def step(self, frames: int) -> None:
        """Frame step, counted from the displayed frame (or from a step still on its way)."""
        if self.source is None:
            return
        if self.source.is_playing():
            self.source.pause()
            self._target = None
        base = self._target if self._target is not None else self.frame_index
        self.show_frame(base + frames)

    def seek(self, ms: int) -> None:
        """Show the frame that covers ``ms``."""
        if self.source is None:
            return
        if self.source.is_playing():
            self._target = None
            self.source.set_position(max(0, min(int(ms), self.duration_ms)))
        else:
            self.show_frame(self.index_at(ms))

    def jump(self, delta_ms: int) -> None:
        base = self.frame_center_ms(self._target) if self._target is not None else self.position_ms
        self.seek(max(0, base + delta_ms))

    def toggle(self) -> None:
        if self.source is None:
            return
        if self.source.is_playing():
            self.source.pause()
        else:
            self._target = None
            self.source.play()

    def pause(self) -> None:
        if self.source is not None and self.source.is_playing():
            self.source.pause()

    def is_playing(self) -> bool:
        return self.source is not None and self.source.is_playing()

    def set_rate(self, rate: float) -> None:
        self.rate = max(RATES[0], min(RATES[-1], rate))
        if self.source is not None:
            self.source.set_rate(self.rate)
        self.rateChanged.emit(self.rate)

    def faster(self) -> None:
        self.set_rate(next((r for r in RATES if r > self.rate + 1e-9), RATES[-1]))

    def slower(self) -> None:
        self.set_rate(next((r for r in reversed(RATES) if r < self.rate - 1e-9), RATES[0]))


def draw_fitted(p: QPainter, area: QSize, img: QImage | None) -> bool:
    """Draw ``img`` as large as fits in ``area``, centred, keeping its aspect; False when there is none."""
    if img is None or img.isNull():
        return False
    size = img.size().scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
    x = (area.width() - size.width()) / 2
    y = (area.height() - size.height()) / 2
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.drawImage(QRectF(x, y, size.width(), size.height()), img)
    return True


class VideoView(QWidget):
    """Paints the current frame, letterboxed; says so plainly when there is no video."""

    def __init__(self, player: VideoPlayer, parent: QWidget | None = None):
        super().__init__(parent)
        self.player = player
        self.placeholder = "No session open"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 135)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        player.frameChanged.connect(lambda *_: self.update())

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(16, 16, 16))
        img = self.player.source.image() if self.player.source is not None else None
        if not draw_fitted(p, self.size(), img):
            p.setPen(QColor(170, 170, 170))
            text = self.placeholder
            if self.player.loaded:
                text += f"\nframe {self.player.frame_index}"
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text)
        p.end()
