"""The frame source of a real video: the frame server, paused and playing; QtMultimedia for the sound.

Paused navigation (steps, jumps, seeks) goes through
:class:`ssp_coder.media.frameserver.FrameServer`, which keeps its decoder's
state, so a step on long-GOP camcorder footage costs one frame's decode or
nothing at all. Playback (0.1x-8x) is the frame server's too: its clock runs
at real time x rate and it drops frames rather than fall behind; a short
timer here shows the newest frame the clock has reached. On pause the frame
on screen is the server's, and steps go on from it. Sound comes from an
audio-only QMediaPlayer at every rate (its FFmpeg backend stretches the
sound, keeping the pitch if asked), put back on the clock when it drifts.
The time shown and logged is always the decoded frame's own timestamp (from
the video's first frame).

The frame index is loaded on a worker thread (from the cache: instant; the
first open of a file demuxes it once), so opening a session never blocks.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QApplication

from ssp_coder.errors import KnownError
from ssp_coder.gui.player import FrameSource
from ssp_coder.media.frameserver import FrameServer, FrameServerSettings, ServedFrame

TICK_MS = 5                    # how often playback looks at the clock (well under a frame at 8x, 25 fps)
SOUND_SETTLE_SECONDS = 1.0     # time the sound output gets to start (or to go on after a jump) before a check
SOUND_CHECK_SECONDS = 0.5
# Sound further than this from the clock, in real time, is put back: the sound's own position is
# media time, so at 8x the sound may be 1.2 s of media off ...
SOUND_DRIFT_MS = 150
# ... but never less than this, in media time: the sound player reports its position an audio frame
# at a time (1,024 samples of AAC, 21 ms), which at 0.1x is 210 ms of real time; a put-back is heard
# as a skip, so it is not made for less than a video frame's worth (at 25 fps).
SOUND_DRIFT_MIN_MEDIA_MS = 40


class _Bridge(QObject):
    """Carries the worker threads' results to the GUI thread (queued signals)."""

    frame = Signal(object, bool, int)     # ServedFrame, exact, request number
    opened = Signal(object)               # FrameServer
    failed = Signal(str)


class ServedFrameSource(FrameSource):
    def __init__(self, path: Path, settings: FrameServerSettings | None = None, parent: QObject | None = None,
                 *, now: Callable[[], float] = time.monotonic):
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
        # The server opened in the worker thread until the window adopts it. A queued "opened" signal is
        # dropped if this source is deleted first, so close() must be able to reach that server too.
        self._handover = threading.Lock()
        self._unadopted: FrameServer | None = None
        self._rate = 1.0
        self._muted = False
        self._pitch_kept: bool | None = None
        self._now = now
        self._sound: QMediaPlayer | None = None
        self._audio: QAudioOutput | None = None
        self._sound_started = False
        self._sound_check_at = 0.0
        self._playing = False
        # Playback: a short timer shows the newest frame the clock has reached.
        self._tick = QTimer(self)
        self._tick.setTimerType(Qt.TimerType.PreciseTimer)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        threading.Thread(target=self._open, name="frame-index", daemon=True).start()

    # -- opening ---------------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            server = FrameServer(self.path, self._settings, now=self._now)
        except KnownError as exc:
            self._emit(self._bridge.failed, str(exc))
            return
        except Exception as exc:         # noqa: BLE001 - a decoder problem is reported, not raised in a thread
            self._emit(self._bridge.failed, f"{self.path} cannot be decoded ({exc}).")
            return
        server.on_error = lambda message: self._emit(self._bridge.failed, message)
        with self._handover:
            if self._closed:
                server.close()
                return
            self._unadopted = server
        if not self._emit(self._bridge.opened, server):
            self._drop_unadopted()

    def _drop_unadopted(self) -> None:
        with self._handover:
            server, self._unadopted = self._unadopted, None
        if server is not None:
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
        if self._playing:                  # the decoder has stopped: so does playback, on the frame shown
            self._playing = False
            self._tick.stop()
            self._stop_sound()
            self.playingChanged.emit(False)
        self.failed.emit(message)

    def _on_opened(self, server: FrameServer) -> None:
        with self._handover:
            if self._closed or self._unadopted is not server:
                return                     # close() has closed it already
            self._unadopted = None
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
        index = self.index_at_ms(ms)
        if index is None:
            self._wanted = 0
            return
        if self._playing and self.server is not None:
            self.server.play(index, self._rate)        # playing on from there: the clock restarts
            self._sound_started = False
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
        return self._image

    # -- playback ----------------------------------------------------------------------------------------
    def play(self) -> None:
        if self._playing or self.server is None:
            return
        self._playing = True
        self._request_no += 1              # a paused request still on its way is no longer wanted
        self._set_busy(False)
        self._sound_started = False
        self.server.play(self._shown.index if self._shown is not None else 0, self._rate)
        self._tick.start()
        self.playingChanged.emit(True)

    def _on_tick(self) -> None:
        server = self.server
        if not self._playing or server is None:
            return
        clock = server.clock
        if clock is None:
            return                         # the decoder is getting to the first frame
        frame = server.due_frame()
        if frame is not None:
            self._show(frame)
        self._keep_sound(clock)
        if server.play_ended:
            self.pause()

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._tick.stop()
        self._stop_sound()
        if self.server is not None:
            self.server.stop()
            # The frame on screen becomes the paused frame the server steps from (it is in its cache:
            # playback kept it, and the frames played before it for stepping back).
            if self._shown is not None:
                self.show_index(self._shown.index)
        self.playingChanged.emit(False)

    def is_playing(self) -> bool:
        return self._playing

    def set_rate(self, rate: float) -> None:
        self._rate = rate
        if self._playing and self.server is not None:
            self.server.set_rate(rate)
            self._sound_started = False    # picked up again at the new rate

    # -- sound: QtMultimedia, audio only, kept with the clock -----------------------------------------------
    def _ensure_sound(self) -> QMediaPlayer:
        if self._sound is None:
            self._sound = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._audio.setMuted(self._muted)
            self._sound.setAudioOutput(self._audio)       # no video sink: it decodes no pictures
            if self._pitch_kept is not None:
                self._apply_pitch(self._pitch_kept)
            self._sound.mediaStatusChanged.connect(self._on_sound_status)
            self._sound.setSource(QUrl.fromLocalFile(str(self.path)))
        return self._sound

    def _on_sound_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._sound is not None:
            self._sound.setActiveVideoTrack(-1)

    def _keep_sound(self, clock) -> None:
        sound = self._ensure_sound()
        if sound.mediaStatus() in (QMediaPlayer.MediaStatus.LoadingMedia, QMediaPlayer.MediaStatus.NoMedia,
                                   QMediaPlayer.MediaStatus.InvalidMedia):
            return
        now = self._now()
        at_ms = clock.media_us(now) // 1000
        if not self._sound_started:
            sound.setPlaybackRate(self._rate)
            sound.setPosition(int(at_ms))
            sound.play()
            self._sound_started = True
            self._sound_check_at = now + SOUND_SETTLE_SECONDS
        elif now >= self._sound_check_at:
            # The pictures follow the clock; the sound is put back on it when it has drifted.
            self._sound_check_at = now + SOUND_CHECK_SECONDS
            if abs(sound.position() - at_ms) > max(SOUND_DRIFT_MS * self._rate, SOUND_DRIFT_MIN_MEDIA_MS):
                sound.setPosition(int(at_ms))
                self._sound_check_at = now + SOUND_SETTLE_SECONDS   # the output starts again from there

    def _stop_sound(self) -> None:
        if self._sound is not None and self._sound.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self._sound.pause()
        self._sound_started = False

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        if self._audio is not None:
            self._audio.setMuted(muted)

    def set_pitch_kept(self, kept: bool) -> bool:
        self._pitch_kept = kept
        return self._apply_pitch(kept)

    def _apply_pitch(self, kept: bool) -> bool:
        sound = self._ensure_sound()
        if sound.pitchCompensationAvailability() == QMediaPlayer.PitchCompensationAvailability.Unavailable:
            return False
        sound.setPitchCompensation(kept)
        return True

    def close(self) -> None:
        with self._handover:
            self._closed = True
        self._drop_unadopted()
        self._playing = False
        self._tick.stop()
        self._set_busy(False)
        if self._sound is not None:
            self._sound.stop()
            self._sound.setSource(QUrl())
        if self.server is not None:
            self.server.close()
            self.server = None
