"""Paused navigation through the frame server, in the player and in the coding window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ssp_coder.gui.player import VideoPlayer
from ssp_coder.gui.served_source import ServedFrameSource
from ssp_coder.media.frameserver import FrameServerSettings

from .conftest import VIDEO_FPS
from .helpers import open_first, press
from .test_player import mp4_backend  # noqa: F401  (fixture)

FRAME_MS = 1000 // VIDEO_FPS


def load(qtbot, path, info, **settings):
    player = VideoPlayer()
    with qtbot.waitSignal(player.frameChanged, timeout=20000):
        player.load(ServedFrameSource(path, FrameServerSettings(**settings)), info.fps, info.duration_ms,
                    info.frame_count)
    return player


def step(qtbot, player, n):
    with qtbot.waitSignal(player.frameChanged, timeout=20000):
        player.step(n)


def wait_exact(qtbot, player, index):
    qtbot.waitUntil(lambda: player.frame_index == index, timeout=20000)


def test_steps_and_seeks_show_the_decoded_frames_own_time(qtbot, ssp_video):
    path, info = ssp_video
    player = load(qtbot, path, info)
    assert player.frame_index == 0 and player.frame_count == info.frame_count
    for i in range(1, 30):
        step(qtbot, player, 1)
        assert (player.frame_index, player.position_ms) == (i, i * FRAME_MS)
    for i in range(28, 20, -1):
        step(qtbot, player, -1)
        assert player.frame_index == i
    player.seek(4480)                                   # episode 6 starts on this frame
    wait_exact(qtbot, player, 112)
    assert player.position_ms == 4480
    img = player.source.image()
    assert img is not None and not img.isNull() and img.width() == info.width
    assert player.source.cache_bytes() > 0
    player.unload()


def test_step_back_into_a_stretch_not_decoded_shows_a_busy_cursor(qtbot, ssp_video):
    path, info = ssp_video
    player = load(qtbot, path, info, cache_mb=1)         # room for a few frames only
    player.seek(6000)
    wait_exact(qtbot, player, 150)
    busy_seen = False
    for i in range(149, 125, -1):
        with qtbot.waitSignal(player.frameChanged, timeout=20000):
            player.step(-1)
            busy_seen |= QApplication.overrideCursor() is not None
        wait_exact(qtbot, player, i)
        assert QApplication.overrideCursor() is None, "the busy cursor goes once the frame is shown"
    assert busy_seen
    player.unload()


def test_window_steps_and_logs_at_the_frame_shown(qtbot, project, window_factory):
    win = window_factory(project, decode_video=True)
    open_first(qtbot, win)
    qtbot.waitUntil(lambda: win.player.source.server is not None, timeout=20000)
    assert isinstance(win.player.source, ServedFrameSource)
    for expected in (1, 2, 3, 4, 5):
        press(qtbot, win, Qt.Key.Key_Right, frame=True)
        assert win.player.frame_index == expected
    press(qtbot, win, Qt.Key.Key_Left, frame=True)
    assert win.player.position_ms == 4 * FRAME_MS
    press(qtbot, win, Qt.Key.Key_A)                     # "approach": a point behaviour
    events = win.controller.state.events
    assert events and events[-1].onset_ms == 4 * FRAME_MS
    assert "MB" in win.statusBar().toolTip()
    assert "frame 4" in win.transport.time.text()


def test_pause_after_playback_shows_the_servers_frame_and_steps_from_it(qtbot, ssp_video, mp4_backend):
    path, info = ssp_video
    player = load(qtbot, path, info)
    with qtbot.waitSignal(player.playingChanged, timeout=10000):
        player.toggle()
    qtbot.waitUntil(lambda: player.frame_index >= 10, timeout=20000)
    with qtbot.waitSignal(player.playingChanged, timeout=10000):
        player.toggle()
    paused_at = player.frame_index
    qtbot.waitUntil(lambda: player.source._shown is not None and player.source._shown.index == player.frame_index,
                    timeout=20000)
    assert player.source.image() is player.source._image      # painted from the frame server now
    step(qtbot, player, 1)
    wait_exact(qtbot, player, player.source._shown.index)
    assert player.frame_index in (paused_at + 1, paused_at + 2)
    player.unload()


class TestClock:
    """Monotonic seconds that move only when the test says so: once playback has caught up (time
    passing in the middle of a decode would read as a machine too slow for the rate)."""

    __test__ = False

    def __init__(self, qtbot) -> None:
        self.t = 500.0
        self.qtbot = qtbot
        self.server = None

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.qtbot.waitUntil(lambda: self.server.caught_up, timeout=20000)
        self.t += seconds


def test_playback_follows_real_time_times_rate_and_pauses_on_the_frame_shown(qtbot, ssp_video):
    path, info = ssp_video
    clock = TestClock(qtbot)
    player = VideoPlayer()
    with qtbot.waitSignal(player.frameChanged, timeout=20000):
        player.load(ServedFrameSource(path, now=clock), info.fps, info.duration_ms, info.frame_count)
    qtbot.waitUntil(lambda: player.source.server is not None, timeout=20000)
    server = clock.server = player.source.server
    player.show_frame(20)
    wait_exact(qtbot, player, 20)
    for rate, seconds in ((0.1, 4.0), (1.0, 2.0), (8.0, 0.5)):      # 10, 50, 100 frames on
        player.set_rate(rate)
        start = player.frame_index
        with qtbot.waitSignal(player.playingChanged, timeout=10000):
            player.toggle()
        qtbot.waitUntil(lambda: server.clock is not None, timeout=20000)
        clock.advance(seconds)
        want = start + round(seconds * rate * VIDEO_FPS)
        wait_exact(qtbot, player, want)
        assert player.position_ms == want * FRAME_MS, "the time shown is the frame's own"
        with qtbot.waitSignal(player.playingChanged, timeout=10000):
            player.toggle()
        assert player.frame_index == want
    # Paused where playback was: the server steps on from the frame on screen.
    step(qtbot, player, 1)
    wait_exact(qtbot, player, want + 1)
    assert player.source.image() is player.source._image
    player.unload()


def test_a_new_rate_or_a_seek_while_playing_keeps_the_clock_going_from_there(qtbot, ssp_video):
    path, info = ssp_video
    clock = TestClock(qtbot)
    player = VideoPlayer()
    with qtbot.waitSignal(player.frameChanged, timeout=20000):
        player.load(ServedFrameSource(path, now=clock), info.fps, info.duration_ms, info.frame_count)
    qtbot.waitUntil(lambda: player.source.server is not None, timeout=20000)
    server = clock.server = player.source.server
    player.toggle()
    qtbot.waitUntil(lambda: server.clock is not None, timeout=20000)
    clock.advance(1.0)
    wait_exact(qtbot, player, 25)
    player.set_rate(4.0)                                # no jump: 4x from frame 25 on
    clock.advance(1.0)
    wait_exact(qtbot, player, 125)
    player.seek(2000)                                   # frame 50, still playing at 4x
    assert player.is_playing()
    qtbot.waitUntil(lambda: server.clock is not None and server.clock.start_us == 2_000_000, timeout=20000)
    wait_exact(qtbot, player, 50)
    clock.advance(0.5)
    wait_exact(qtbot, player, 100)
    player.pause()
    player.unload()


def test_sound_plays_at_every_rate_from_the_clocks_time_and_is_put_back_on_it(qtbot, ssp_video, mp4_backend):
    from PySide6.QtMultimedia import QMediaPlayer

    from ssp_coder.gui import served_source

    path, info = ssp_video
    clock = TestClock(qtbot)
    player = VideoPlayer()
    with qtbot.waitSignal(player.frameChanged, timeout=20000):
        player.load(ServedFrameSource(path, now=clock), info.fps, info.duration_ms, info.frame_count)
    qtbot.waitUntil(lambda: player.source.server is not None, timeout=20000)
    server = clock.server = player.source.server
    try:
        player.show_frame(50)
        wait_exact(qtbot, player, 50)
        playing = QMediaPlayer.PlaybackState.PlayingState
        player.toggle()
        sound = lambda: player.source._sound                # noqa: E731
        qtbot.waitUntil(lambda: sound() is not None and sound().playbackState() == playing, timeout=20000)
        assert abs(sound().position() - 2000) < 500, "the sound starts where the picture is"
        assert sound().activeVideoTrack() == -1, "the sound player decodes no pictures"
        # Where the sound is sent (there is no sound device here: the player runs on its own clock).
        put_at: list[int] = []
        set_position = sound().setPosition
        sound().setPosition = lambda ms: put_at.append(ms) or set_position(ms)
        clock_ms = lambda: server.clock.media_us(clock()) // 1000   # noqa: E731

        def rate_taken(rate):
            return sound().playbackState() == playing and abs(sound().playbackRate() - rate) < 1e-6 and bool(put_at)

        player.set_rate(0.1)
        qtbot.waitUntil(lambda: rate_taken(0.1), timeout=20000)
        assert put_at == [clock_ms()], "at 0.1x the sound starts from the clock's time"
        # The clock moves on 1.5 s (150 ms of media) while the sound, on its own, has moved a few ms of
        # media: more than SOUND_DRIFT_MS of real time off (at 0.1x 15 ms of media, so the floor of
        # SOUND_DRIFT_MIN_MEDIA_MS counts), so it is put back.
        clock.advance(served_source.SOUND_SETTLE_SECONDS + 0.5)
        qtbot.waitUntil(lambda: len(put_at) == 2, timeout=20000)
        assert put_at[1] == clock_ms()
        assert abs(put_at[1] - put_at[0] - 150) <= 1
        put_at.clear()
        player.source.set_pitch_kept(False)
        player.set_rate(8.0)
        qtbot.waitUntil(lambda: rate_taken(8.0), timeout=20000)
        assert put_at == [clock_ms()], "at 8x the sound starts from the clock's time"
        assert sound().pitchCompensation() is False, "the window's keep-pitch setting still holds"
        player.source.set_pitch_kept(True)
        assert sound().pitchCompensation() is True
        player.source.set_muted(True)
        assert player.source._audio.isMuted()
        player.toggle()
        assert sound().playbackState() != playing
    finally:
        player.unload()
