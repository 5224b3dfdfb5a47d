"""The frame source of a real video: the frame server while paused, QtMultimedia while playing.

Paused navigation (steps, jumps, seeks) goes through
:class:`ssp_coder.media.frameserver.FrameServer`, which keeps its decoder's
state, so a step on long-GOP camcorder footage costs one frame's decode or
nothing at all. Playback with sound at 0.1x-8x stays with QMediaPlayer; on
pause the frame the server shows for the paused time is the frame shown, and
steps go on from it. The time shown and logged is always the decoded frame's
own timestamp (from the video's first frame).

The frame index is loaded on a worker thread (from the cache: instant; the
first open of a file demuxes it once), so opening a session never blocks.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QApplication

from ssp_coder.errors import KnownError
from ssp_coder.gui.player import FrameSource
from ssp_coder.media.frameserver import FrameServer, FrameServerSettings, ServedFrame


class _Bridge(QObject):
    """Carries the worker threads' results to the GUI thread (queued signals)."""

    frame = Signal(object, bool, int)     # ServedFrame, exact, request number
    opened = Signal(object)               # FrameServer
    failed = Signal(str)


class ServedFrameSource(FrameSource):
    def __init__(self, path: Path, settings: FrameServerSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.server: FrameServer | None = None
        self._settings = settings or FrameServerSettings()
        self._bridge = _Bridge(self)
        self._bridge.frame.connect(self._on_served)
        self._bridge.opened.connect(self._on_opened)
        self._bridge.failed.connect(self._on_failed)
        self._image: QImage | None = None
        self._pixels = None                # keeps the numpy buffer under the QImage alive
        self._shown: ServedFrame | None = None
        self._wanted: int | None = None    # index asked for while the server was still opening
        self._request_no = 0
        self._busy_cursor = False
        self._closed = False
        self._rate = 1.0
        self._muted = False
        self._pitch_kept: bool | None = None
        self._media: QMediaPlayer | None = None
        self._sink: QVideoSink | None = None
        self._audio: QAudioOutput | None = None
        self._media_frame: QVideoFrame | None = None
        self._media_image: QImage | None = None
        self._play_when_loaded = False
        self._playing = False
        threading.Thread(target=self._open, name="frame-index", daemon=True).start()

    # -- opening ---------------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            server = FrameServer(self.path, self._settings)
        except KnownError as exc:
            self._emit(self._bridge.failed, str(exc))
            return
        except Exception as exc:         # noqa: BLE001 - a decoder problem is reported, not raised in a thread
            self._emit(self._bridge.failed, f"{self.path} cannot be decoded ({exc}).")
            return
        server.on_error = lambda message: self._emit(self._bridge.failed, message)
        if not self._emit(self._bridge.opened, server):
            server.close()

    def _emit(self, signal, *args) -> bool:
        """Emit from a worker thread; False if the window already let this source go."""
        try:
            signal.emit(*args)
        except RuntimeError:             # the Qt side was deleted (session closed meanwhile)
            return False
        return True

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        self.failed.emit(message)

    def _on_opened(self, server: FrameServer) -> None:
        if self._closed:
            server.close()
            return
        self.server = server
        self.ready.emit()
        self.show_index(self._wanted if self._wanted is not None else 0)

    def indexed_frame_count(self) -> int | None:
        return self.server.frame_count if self.server is not None else None

    def indexed_duration_ms(self) -> int | None:
        return self.server.index.duration_ms if self.server is not None else None

    def cache_bytes(self) -> int:
        return self.server.cache.nbytes if self.server is not None else 0

    # -- frame index <-> time ----------------------------------------------------------------------
    def index_of_us(self, us: int) -> int | None:
        return self.server.index.index_at_us(us) if self.server is not None else None

    def index_at_ms(self, ms: int) -> int | None:
        return self.server.index.index_at_us(int(ms) * 1000) if self.server is not None else None

    # -- paused navigation -------------------------------------------------------------------------------
    def show_index(self, index: int, center_ms: int | None = None) -> None:
        if self._playing:
            self.pause()
        if self.server is None:
            self._wanted = index
            return
        index = min(max(0, index), self.server.frame_count - 1)
        self._request_no += 1
        number = self._request_no
        far = self._shown is None or abs(index - self._shown.index) > 1
        if self.server.needs_decoding(index) and not far:
            self._set_busy(True)           # a step back into a stretch not decoded yet
        hit = self.server.request(index, lambda f, exact: self._emit(self._bridge.frame, f, exact, number),
                                  preview=far)
        if hit is not None:
            self._set_busy(False)
            self._show(hit)

    def set_position(self, ms: int) -> None:
        if self._playing and self._media is not None:
            self._media.setPosition(int(ms))
            return
        index = self.index_at_ms(ms)
        if index is None:
            self._wanted = 0
            return
        self.show_index(index)

    def _on_served(self, frame: ServedFrame, exact: bool, number: int) -> None:
        if number != self._request_no or self._playing:
            return                         # superseded by a newer request, or playback took over
        if exact:
            self._set_busy(False)
        self._show(frame)

    def _show(self, frame: ServedFrame) -> None:
        self._shown = frame
        self._pixels = frame.pixels
        self._image = QImage(frame.pixels.data, frame.width, frame.height, frame.width * 4,
                             QImage.Format.Format_RGB32)
        self.frameShown.emit(frame.time_us)

    def _set_busy(self, on: bool) -> None:
        if on and not self._busy_cursor:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self._busy_cursor = True
        elif not on and self._busy_cursor:
            QApplication.restoreOverrideCursor()
            self._busy_cursor = False

    def image(self) -> QImage | None:
        if self._playing and self._media_frame is not None:
            if self._media_image is None:
                self._media_image = self._media_frame.toImage()
            return self._media_image
        return self._image

    # -- playback (QtMultimedia, with sound) --------------------------------------------------------------
    def _ensure_media(self) -> QMediaPlayer:
        if self._media is None:
            self._media = QMediaPlayer(self)
            self._sink = QVideoSink(self)
            self._audio = QAudioOutput(self)
            self._audio.setMuted(self._muted)
            self._media.setAudioOutput(self._audio)
            self._media.setVideoSink(self._sink)
            self._media.setPlaybackRate(self._rate)
            if self._pitch_kept is not None:
                self.set_pitch_kept(self._pitch_kept)
            self._sink.videoFrameChanged.connect(self._on_media_frame)
            self._media.mediaStatusChanged.connect(self._on_media_status)
            self._media.playbackStateChanged.connect(self._on_media_state)
            self._media.errorOccurred.connect(lambda _e, msg: self.failed.emit(msg or "The video cannot be played."))
            self._media.setSource(QUrl.fromLocalFile(str(self.path)))
        return self._media

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._play_when_loaded:
            self._play_when_loaded = False
            self._start_media()
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.pause()

    def _on_media_state(self, state: QMediaPlayer.PlaybackState) -> None:
        if state != QMediaPlayer.PlaybackState.PlayingState and self._playing:
            self.pause()

    def _on_media_frame(self, frame: QVideoFrame) -> None:
        if not self._playing or not frame.isValid():
            return
        self._media_frame = frame
        self._media_image = None
        self.frameShown.emit(int(frame.startTime()))

    def _start_media(self) -> None:
        media = self._media
        start = self._shown.time_us // 1000 if self._shown is not None else 0
        media.setPosition(int(start))
        media.play()

    def play(self) -> None:
        if self._playing or self.server is None:
            return
        self._playing = True
        self._set_busy(False)
        media = self._ensure_media()
        if media.mediaStatus() in (QMediaPlayer.MediaStatus.LoadingMedia, QMediaPlayer.MediaStatus.NoMedia):
            self._play_when_loaded = True
        else:
            self._start_media()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._play_when_loaded = False
        if self._media is not None:
            self._media.pause()
        # The frame the server shows for the paused time is the frame shown: steps go on from it.
        if self._media_frame is not None and self.server is not None:
            self.show_index(self.server.index.index_at_us(int(self._media_frame.startTime())))
        self._media_frame = None
        self.playingChanged.emit(False)

    def is_playing(self) -> bool:
        return self._playing

    def set_rate(self, rate: float) -> None:
        self._rate = rate
        if self._media is not None:
            self._media.setPlaybackRate(rate)

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        if self._audio is not None:
            self._audio.setMuted(muted)

    def set_pitch_kept(self, kept: bool) -> bool:
        self._pitch_kept = kept
        media = self._ensure_media()
        if media.pitchCompensationAvailability() == QMediaPlayer.PitchCompensationAvailability.Unavailable:
            return False
        media.setPitchCompensation(kept)
        return True

    def close(self) -> None:
        self._closed = True
        self._set_busy(False)
        if self._media is not None:
            self._media.stop()
            self._media.setSource(QUrl())
        if self.server is not None:
            self.server.close()
            self.server = None
