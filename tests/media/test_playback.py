"""Playback keeps time (the clock runs at real time x rate, frames are dropped to keep up), and the
frames before the playhead are prefetched nearest first.

Time here is a test clock the test moves by hand (and, to play a machine too slow for the rate,
that every decoded frame moves on): nothing depends on how fast this machine is.
"""

from __future__ import annotations

import threading
import time

import pytest

from ssp_coder.media.framedecoder import FrameDecoder
from ssp_coder.media.frameserver import FrameServer, FrameServerSettings
from ssp_coder.media.playback import (
    DecodeRate,
    Move,
    PlaybackClock,
    late_frames,
    lead_frames,
    plan_next,
)

from .formats import _cfr, _write, read_number

FPS = 25.0


class TestClock:
    """Monotonic seconds that move only when told to."""

    __test__ = False

    def __init__(self) -> None:
        self._t = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._t += seconds

    def at_least(self, t: float) -> None:
        with self._lock:
            self._t = max(self._t, t)


@pytest.fixture(scope="module")
def long_gop_video(tmp_path_factory):
    """24 s of numbered frames, a keyframe every 100 frames, two B-frames: long enough for 8x."""
    path = tmp_path_factory.mktemp("playback") / "camcorder.mp4"
    x264 = {"x264-params": "keyint=100:min-keyint=100:scenecut=0:bframes=2:log-level=error"}
    _write(path, None, "libx264", 320, 180, _cfr(600), options=x264)
    return path


@pytest.fixture
def served(long_gop_video):
    servers = []

    def make(clock, **settings):
        server = FrameServer(long_gop_video, FrameServerSettings(**settings), now=clock)
        servers.append(server)
        return server
    yield make
    for server in servers:
        server.close()


def until(cond, what: str, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(0.001)
    raise AssertionError(f"timed out waiting for {what}")


# -- the clock and the plan ---------------------------------------------------------------------------
def test_clock_runs_at_real_time_times_rate_and_a_new_rate_does_not_jump():
    clock = PlaybackClock(start_us=2_000_000, started_at=50.0, rate=8.0)
    assert clock.media_us(50.0) == 2_000_000
    assert clock.media_us(51.5) == 2_000_000 + 12_000_000
    slower = clock.with_rate(0.1, 51.5)
    assert slower.media_us(51.5) == clock.media_us(51.5)
    assert slower.media_us(61.5) == 14_000_000 + 1_000_000
    assert clock.real_seconds_until(clock.media_us(53.0), 51.0) == pytest.approx(2.0)


def test_decoder_waits_when_far_enough_ahead_and_decodes_when_on_time():
    assert plan_next(120, 100, 150, 100.0, FPS, 1.0).move is Move.WAIT
    on_time = plan_next(101, 100, 150, 100.0, FPS, 1.0)
    assert on_time.move is Move.DECODE and not on_time.skip


def test_behind_it_skips_unreferenced_frames_while_it_can_catch_up():
    # 20 frames behind at 1x, decoding 100 frames a second: on time again in 0.27 s,
    # long before the next keyframe (4 s away).
    plan = plan_next(80, 100, 200, 100.0, FPS, 1.0)
    assert plan.move is Move.DECODE and plan.skip


def test_behind_and_too_slow_for_the_rate_it_jumps_to_the_keyframe_after_the_clock():
    # 8x is 200 frames a second of video; a machine decoding 120 never catches up.
    plan = plan_next(400, 450, 500, 120.0, FPS, 8.0)
    assert (plan.move, plan.keyframe) == (Move.JUMP, 500)
    # Fast enough in the long run, but the keyframe comes sooner than catching up would.
    plan = plan_next(300, 450, 460, 250.0, FPS, 8.0)
    assert (plan.move, plan.keyframe) == (Move.JUMP, 460)


def test_in_the_last_keyframe_interval_it_decodes_on():
    plan = plan_next(400, 450, None, 50.0, FPS, 8.0)
    assert plan.move is Move.DECODE and plan.skip


def test_slack_grows_with_the_rate():
    assert lead_frames(FPS, 1.0) < lead_frames(FPS, 8.0)
    assert late_frames(FPS, 0.1) == 1 and late_frames(FPS, 8.0) == 12


def test_decode_rate_follows_the_recent_speed():
    rate = DecodeRate()
    assert rate.fps is None
    rate.add(1, 0.01)
    assert rate.fps == pytest.approx(100.0)
    for _ in range(40):
        rate.add(2, 0.1)
    assert rate.fps == pytest.approx(20.0, rel=0.05)


# -- the frame server playing --------------------------------------------------------------------------
def test_at_1x_every_frame_is_shown_once_in_order_at_its_time(served):
    clock = TestClock()
    server = served(clock)
    server.get(10)
    server.play(10, 1.0)
    until(lambda: server.clock is not None, "the clock to start")
    for i in range(10, 120):
        if i > 10:
            clock.advance(1 / FPS)
        frame = until(server.due_frame, f"frame {i}")
        assert frame.index == i and read_number(frame.pixels) == i
        assert frame.time_us == server.index.time_us(i)
        assert server.due_frame() is None, "one frame per frame time"


def test_after_a_hiccup_frames_catch_up_one_by_one_and_after_a_stall_the_oldest_are_dropped(served):
    clock = TestClock()
    server = served(clock)
    server.get(10)
    server.play(10, 1.0)
    until(lambda: server.clock is not None, "the clock to start")
    assert until(server.due_frame, "frame 10").index == 10
    until(lambda: server.caught_up, "frames decoded ahead")
    clock.advance(2 / FPS)                           # the window missed a frame time: 11 and 12 are due
    assert [server.due_frame().index, server.due_frame().index] == [11, 12]
    until(lambda: server.caught_up, "frames decoded ahead")
    clock.advance(4 / FPS)                           # it missed four: 13 and 14 would trail the clock
    assert [server.due_frame().index, server.due_frame().index] == [15, 16]
    assert server.due_frame() is None


def test_at_8x_on_a_machine_too_slow_for_it_what_is_shown_keeps_up_with_the_clock(served, monkeypatch):
    clock = TestClock()
    read = FrameDecoder.read

    def slow_read(self):
        clock.advance(0.04)               # every decoded frame costs 40 ms: 25 frames a second, not 200
        return read(self)
    server = served(clock)
    server.get(0)
    monkeypatch.setattr(FrameDecoder, "read", slow_read)
    server.play(0, 8.0)
    until(lambda: server.clock is not None, "the clock to start")
    shown: list[tuple[int, int]] = []     # (frame shown, the frame the clock was at)
    while True:
        clock.advance(0.002)
        at = server.index.index_at_us(server.clock.media_us(clock()))
        if at >= 500:
            break
        frame = server.due_frame()
        if frame is not None:
            assert read_number(frame.pixels) == frame.index
            shown.append((frame.index, at))
        time.sleep(0.0005)
    indices = [i for i, _ in shown]
    assert indices == sorted(set(indices)), "frames are shown in order, each once"
    assert len(indices) < 250, "frames were dropped"
    slack = server.index.longest_gop + lead_frames(FPS, 8.0) + late_frames(FPS, 8.0)
    assert indices[-1] >= 500 - slack, f"fell behind the clock: showing {indices[-1]} with the clock at 500"
    assert any(i >= 400 for i in indices)


def test_on_pause_the_frame_shown_is_where_steps_go_on_from(served):
    clock = TestClock()
    server = served(clock)
    server.get(30)
    server.play(30, 2.0)
    until(lambda: server.clock is not None, "the clock to start")
    last = None
    for _ in range(25):
        clock.advance(1 / FPS / 2)
        last = until(server.due_frame, "the next frame") or last
    server.stop()
    assert server.request(last.index) is last, "the paused frame is the one on screen, from memory"
    assert read_number(server.get(last.index + 1).pixels) == last.index + 1
    for i in range(last.index - 1, last.index - 20, -1):
        assert server.cached(i) is not None, "the frames just played are there to step back through"


# -- stepping back: the nearest frames first -------------------------------------------------------------
class Gate:
    """Lets the prefetching decoder read one frame per token; counts every frame read."""

    def __init__(self, server, monkeypatch):
        self.server, self.closed, self.reads, self.waiting, self.passed = server, False, 0, 0, 0
        self.tokens = threading.Semaphore(0)
        self.lock = threading.Lock()
        read = FrameDecoder.read
        gate = self

        def gated(decoder):
            with gate.lock:
                gate.reads += 1
            if gate.closed and decoder is gate.server._back:
                with gate.lock:
                    gate.waiting += 1
                gate.tokens.acquire()
                with gate.lock:
                    gate.waiting -= 1
                    gate.passed += 1
            return read(decoder)
        monkeypatch.setattr(FrameDecoder, "read", gated)

    def let_through(self, frames: int) -> None:
        until(lambda: self.waiting, "the prefetch to ask for a frame")
        goal = self.passed + frames
        self.tokens.release(frames)
        until(lambda: self.passed >= goal and (self.waiting or not self.server.busy), f"{frames} frames read")


def test_after_a_seek_the_frames_just_before_the_playhead_are_prefetched_first(served, monkeypatch):
    server = served(TestClock(), keep_on_seek=5, near_frames=20)
    added: list[int] = []
    add = server.cache.add
    monkeypatch.setattr(server.cache, "add", lambda frame: added.append(frame.index) or add(frame))
    p = 195                                          # late in the keyframe interval 100-199
    server.get(p)
    until(lambda: not server.busy and len(added) > 150, "the prefetch to finish")
    behind = [i for i in added if i < p]
    # The 5 frames the seek decoded on its way are there already (a step scales one at once): the
    # prefetch starts on the 20 before them, then makes the seek's ready, then fills in the rest.
    assert set(behind[:20]) == set(range(p - 25, p - 5)), f"first prefetched: {sorted(behind[:20])}"
    assert set(behind[20:25]) == set(range(p - 5, p)), f"then: {sorted(behind[20:25])}"
    assert set(range(p - 100, p)) <= set(behind), "then the rest of the stretch"


def test_a_key_held_back_after_a_seek_meets_the_prefetch_where_the_seeks_frames_run_out(served, monkeypatch):
    server = served(TestClock(), keep_on_seek=5, near_frames=20)
    gate = Gate(server, monkeypatch)

    def step_to(index: int) -> int:
        """Ask for a frame as a held key does; the prefetch reads a frame whenever it wants one meanwhile."""
        done = threading.Event()
        reads = gate.reads
        if server.request(index, lambda frame, exact: exact and done.set()) is not None:
            return 0                                 # there already
        while not done.is_set():
            if gate.waiting:
                gate.let_through(1)
            time.sleep(0.001)
        return gate.reads - reads

    p = 195
    server.get(p)                                    # holds 190-194, decoded on the way
    until(lambda: server._fwd.position > p + 8, "the frames ahead")
    gate.closed = True
    try:
        gate.let_through(75)                         # the prefetch is part-way from keyframe 100
        for i in range(1, 7):                        # the seek's frames, then one past them
            step_to(p - i)
        assert read_number(server.cached(p - 6).pixels) == p - 6
        # The prefetch was filling the 20 frames before the seek's; the step that went on with it kept
        # them, so the key held on finds them without decoding from the keyframe again.
        there = server.cache.indices() | set(server._unscaled)
        missing = [i for i in range(p - 25, p - 6) if i not in there]
        assert not missing, f"frames {missing} would be decoded again from keyframe 100"
    finally:
        gate.closed = False
        gate.tokens.release(1000)


@pytest.mark.parametrize("kind", ["h264-mpegts", "hevc-mp4", "mpeg2-ps-interlaced", "mjpeg-avi", "dv-avi",
                                  "h264-vfr-mp4", "h264-late-start-mp4"])
def test_every_format_plays_frame_by_frame_at_each_frames_own_time(kind, format_samples):
    if kind not in format_samples:
        pytest.skip(f"this FFmpeg build has no encoder for {kind}")
    sample = format_samples[kind]
    clock = TestClock()
    server = FrameServer(sample.path, now=clock)
    try:
        server.get(0)
        server.play(0, 1.0)
        until(lambda: server.clock is not None, "the clock to start")
        for i in range(min(40, sample.frames)):
            if i:
                clock.advance((sample.times_ms[i] - sample.times_ms[i - 1]) / 1000)
            frame = until(server.due_frame, f"frame {i}")
            assert frame.index == i and read_number(frame.pixels) == i
            assert abs(frame.time_us / 1000 - sample.times_ms[i]) <= 1
    finally:
        server.close()


def test_a_replay_after_stepping_back_drops_no_frame_where_the_frames_in_memory_run_out(served, monkeypatch):
    clock = TestClock()
    read = FrameDecoder.read

    def costly_read(self):
        clock.advance(0.01)               # decoding takes time, as on any machine
        return read(self)
    server = served(clock)
    for i in range(10, 61):               # stepped through 10-60 ...
        server.get(i)
    until(lambda: not server.busy, "the frames ahead")
    server.get(450)                       # ... looked elsewhere, and came back
    assert server.request(59) is not None
    until(lambda: not server.busy, "the decoder to get to where the frames in memory run out")
    monkeypatch.setattr(FrameDecoder, "read", costly_read)
    server.play(59, 1.0)
    until(lambda: server.clock is not None, "the clock to start")
    started = server.clock.started_at
    for i in range(59, 120):
        clock.at_least(started + (i - 59) / FPS)     # real time passes; decoding may make it pass faster
        frame = until(server.due_frame, f"frame {i}")
        assert frame.index == i, f"frame {i} was dropped"


def test_holding_the_key_back_after_a_seek_steps_through_the_frames_decoded_on_the_way(served, monkeypatch):
    server = served(TestClock())                     # keeps the 25 frames before a seek's target
    p = 195
    server.get(p)
    fwd_reads = []
    read = FrameDecoder.read

    def counted(decoder):
        if decoder is server._fwd:
            fwd_reads.append(decoder.position)
        return read(decoder)
    monkeypatch.setattr(FrameDecoder, "read", counted)
    for i in range(1, 26):                           # a held key: each step asked for at once
        frame = server.get(p - i)
        assert frame.index == p - i and read_number(frame.pixels) == p - i
    # (reading on after the target, for steps forward, is fine)
    assert all(at > p for at in fwd_reads), "a step back decoded the stretch from its keyframe again"


def test_play_on_the_frame_on_screen_starts_the_clock_at_once_and_the_decoder_catches_up(served, monkeypatch):
    """Played a stretch, went back to its start: "play" starts the clock without waiting for the decoder
    (which is far away, and would decode a keyframe interval to get to where the frames in memory end)."""
    clock = TestClock()
    server = served(clock)
    for i in range(150, 171):             # stepped through 150-170 (keyframe interval 100-199) ...
        server.get(i)
    server.get(450)                       # ... went elsewhere, and came straight back
    assert server.request(150) is not None
    gate = threading.Event()              # no frame is decoded until the clock has started
    read = FrameDecoder.read

    def held_read(decoder):
        gate.wait()
        return read(decoder)
    monkeypatch.setattr(FrameDecoder, "read", held_read)
    try:
        server.play(150, 4.0)
        until(lambda: server.clock is not None, "the clock to start without decoding a frame", timeout=10)
        assert until(server.due_frame, "the frame on screen").index == 150
    finally:
        gate.set()
    clock.advance(0.1)                     # 10 frames at 4x: in memory, shown without decoding
    shown = [until(server.due_frame, "the frames in memory").index]
    assert 150 < shown[0] <= 160
    for _ in range(40):                    # then decoded frames: the clock goes on, frames follow it
        clock.advance(0.04)
        until(lambda: server.caught_up, "the decoder to catch up with the clock")
        while (frame := server.due_frame()) is not None:
            shown.append(frame.index)
    assert shown == sorted(shown) and shown[-1] > 171
    at = server.index.index_at_us(server.clock.media_us(clock()))
    assert at - late_frames(FPS, 4.0) <= shown[-1] <= at, "the frame shown is where the clock is"


def test_resting_after_going_back_puts_the_decoder_where_the_frames_in_memory_run_out(served, monkeypatch):
    server = served(TestClock(), near_frames=10)
    for i in range(150, 171):             # stepped through 150-170 (the decoder read on to 178) ...
        server.get(i)
    until(lambda: not server.busy, "the frames ahead")
    server.get(450)                       # ... went elsewhere, came back and rests
    assert server.request(150) is not None
    until(lambda: not server.busy, "the prefetch")
    end = next(i for i in range(151, 600) if server.cached(i) is None)
    assert server._fwd.position == end, "the decoder waits where the frames in memory run out"
    seeks = []
    seek = FrameDecoder.seek
    monkeypatch.setattr(FrameDecoder, "seek", lambda dec, *a: seeks.append(a) or seek(dec, *a))
    for i in range(151, end + 5):         # stepping (or playing) on past them decodes on from there
        assert read_number(server.get(i).pixels) == i
    assert not [s for s in seeks], f"sought {seeks} to get past the frames in memory"
