"""Synthetic Strange Situation videos for the demo project and for tests.

Each video shows a cartoon playroom seen from above: a door in the right
wall (open while someone walks in or out), the parent (blue circle), the
stranger (orange square), the infant (small pink circle) and, in episode 1,
the observer (grey square) who shows parent and infant in and leaves. Who is
present follows the standard 8-episode table (Ainsworth et al. 1978):

====  ===========================  =========================================
Ep    Present                      Movements drawn
====  ===========================  =========================================
1     parent, infant, observer     parent carries infant in; observer leaves
2     parent, infant               infant explores the toys
3     parent, infant, stranger     stranger enters, later approaches infant;
                                   parent leaves at the end
4     stranger, infant             infant moves toward the door
5     parent, infant               parent enters; stranger leaves; infant
                                   approaches (or avoids) the parent; parent
                                   leaves at the end
6     infant alone                 infant moves toward the door
7     stranger, infant             stranger enters
8     parent, infant               parent enters; stranger leaves; infant
                                   approaches (or avoids) the parent
====  ===========================  =========================================

A banner shows "EPISODE n", the time of the frame (mm:ss.mmm, frame start),
the frame number and an optional label. Frames are drawn with numpy
straight into YUV 4:2:0 planes (colours are given in RGB and converted with
BT.601 coefficients), which avoids a colour conversion per frame, and
encoded with H.264 (libx264, preset ultrafast, one thread: fast and
byte-for-byte reproducible); if this PyAV build has no H.264 encoder, MPEG-4
Part 2 is used instead. :func:`video_encoder` names the encoder in use.

Episode boundaries fall on frame starts; :func:`ssp_episode_plan` gives them.
"""

from __future__ import annotations

import bisect
import math
import os
import secrets
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import av
import numpy as np

from ssp_coder.media._drawing import (
    _BANNER,
    _DOOR,
    _DOORWAY,
    _FLOOR,
    _INFANT,
    _OBSERVER,
    _PARENT,
    _STRANGER,
    _TOYS,
    _WALL,
    _Canvas,
    _Font,
    _Sprite,
)

from .errors import MediaError
from .probe import VideoInfo, probe_video

__all__ = ["make_ssp_video", "ssp_episode_plan", "video_encoder", "EPISODE_PRESENCE"]

#: Who is in the room during each episode (infant always).
EPISODE_PRESENCE: dict[int, tuple[str, ...]] = {
    1: ("parent", "infant", "observer"),
    2: ("parent", "infant"),
    3: ("parent", "infant", "stranger"),
    4: ("infant", "stranger"),
    5: ("parent", "infant"),
    6: ("infant",),
    7: ("infant", "stranger"),
    8: ("parent", "infant"),
}

_EPISODES = 8
_FIRST_EPISODE_SHARE = 0.5  # episode 1 is nominally 30 s against 3 min; drawn at half length


# --------------------------------------------------------------------------- #
# timing
# --------------------------------------------------------------------------- #
def _rate(fps: float | Fraction) -> Fraction:
    try:
        rate = Fraction(fps).limit_denominator(1001)
    except (TypeError, ValueError):
        raise ValueError(f"fps must be a positive number, got {fps!r}") from None
    if rate <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    return rate


def _frame_start_ms(index: int, rate: Fraction) -> int:
    """First whole millisecond inside frame ``index``."""
    return math.ceil(Fraction(index * 1000) / rate)


def _episode_frames(episode_seconds: float, rate: Fraction) -> list[int]:
    if not (isinstance(episode_seconds, (int, float)) and math.isfinite(episode_seconds) and episode_seconds > 0):
        raise ValueError(f"episode_seconds must be a positive number, got {episode_seconds!r}")
    full = max(2, round(Fraction(episode_seconds).limit_denominator(1000) * rate))
    first = max(1, round(full * _FIRST_EPISODE_SHARE))
    return [first] + [full] * (_EPISODES - 1)


def ssp_episode_plan(episode_seconds: float = 2.0, fps: float = 25) -> list[tuple[int, int, int]]:
    """Episode boundaries of a synthetic video: ``[(episode, onset_ms, offset_ms), ...]``.

    Episodes 2-8 last ``episode_seconds`` (rounded to whole frames) and
    episode 1 half that. Each onset is the first whole millisecond of the
    episode's first frame, each offset the next episode's onset, and the last
    offset equals the video's duration, so the episodes tile the video.
    """
    rate = _rate(fps)
    out = []
    start = 0
    for episode, n in enumerate(_episode_frames(episode_seconds, rate), start=1):
        out.append((episode, _frame_start_ms(start, rate), _frame_start_ms(start + n, rate)))
        start += n
    return out


# --------------------------------------------------------------------------- #
# encoder
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=1)
def video_encoder() -> str:
    """Name of the encoder used: "libx264" when available, else "mpeg4"."""
    for name in ("libx264", "mpeg4"):
        try:
            av.codec.Codec(name, "w")
        except (av.FFmpegError, ValueError, KeyError):  # pragma: no cover - build dependent
            continue
        return name
    raise MediaError("", "this installation cannot write videos (no H.264 or MPEG-4 encoder in PyAV)")  # pragma: no cover


# --------------------------------------------------------------------------- #
# the scene: where everyone is at time t
# --------------------------------------------------------------------------- #
Point = tuple[float, float] | None


class _Track:
    """Piecewise-linear path; ``None`` keyframes mean "outside the room"."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.points: list[Point] = []

    def add(self, t: float, point: Point) -> "_Track":
        if self.times and t < self.times[-1]:
            t = self.times[-1]
        self.times.append(t)
        self.points.append(point)
        return self

    def at(self, t: float) -> Point:
        k = bisect.bisect_right(self.times, t) - 1
        if k < 0:
            return None
        here = self.points[k]
        if here is None or k + 1 >= len(self.points):
            return here
        there = self.points[k + 1]
        t0, t1 = self.times[k], self.times[k + 1]
        if there is None or t1 <= t0:
            return here
        f = (t - t0) / (t1 - t0)
        return (here[0] + f * (there[0] - here[0]), here[1] + f * (there[1] - here[1]))

    def door_times(self, door: tuple[float, float]) -> list[float]:
        """Times when this person passes through the door (enters or leaves)."""
        out = []
        for i, p in enumerate(self.points):
            if p == door and (
                (i > 0 and self.points[i - 1] is None) or (i + 1 < len(self.points) and self.points[i + 1] is None)
                or i == 0
            ):
                out.append(self.times[i])
        return out


@dataclass
class _Scene:
    parent: _Track
    stranger: _Track
    infant: _Track
    observer: _Track
    door_open: list[tuple[float, float]]
    toys: list[tuple[float, float, int]]


def _build_scene(plan: list[tuple[int, int, int]], rng: np.random.Generator) -> _Scene:
    """Tracks in room coordinates (0..1 across, 0..1 down)."""
    on = {e: a for e, a, _ in plan}
    off = {e: b for e, _, b in plan}
    ep = off[2] - on[2]
    walk = 0.2 * ep
    door = (0.97, 0.5)
    jitter = lambda: float(rng.uniform(-0.04, 0.04))  # noqa: E731
    parent_seat = (0.22 + jitter(), 0.3 + jitter())
    stranger_seat = (0.72 + jitter(), 0.22 + jitter())
    toys_at = (0.45 + jitter(), 0.72 + jitter())
    near_door = (0.8 + jitter(), 0.55 + jitter())
    away = (0.6 + jitter(), 0.88)
    carried = (parent_seat[0] + 0.07, parent_seat[1] + 0.04)
    avoids = bool(rng.random() < 0.35)
    latency = float(rng.uniform(0.05, 0.25)) * ep

    parent = _Track()
    parent.add(on[1], door).add(on[1] + walk, parent_seat)
    parent.add(off[3] - walk, parent_seat).add(off[3], door).add(off[3], None)
    parent.add(on[5], door).add(on[5] + walk, parent_seat)
    parent.add(off[5] - walk, parent_seat).add(off[5], door).add(off[5], None)
    parent.add(on[8], door).add(on[8] + walk, parent_seat)

    stranger = _Track()
    beside_infant = (toys_at[0] + 0.12, toys_at[1] - 0.06)
    stranger.add(on[3], door).add(on[3] + walk, stranger_seat)
    stranger.add(on[3] + 0.66 * ep, stranger_seat).add(on[3] + 0.85 * ep, beside_infant)
    stranger.add(on[5] + 0.25 * ep, beside_infant).add(on[5] + 0.25 * ep + walk, door).add(on[5] + 0.25 * ep + walk, None)
    stranger.add(on[7], door).add(on[7] + walk, (near_door[0] - 0.15, near_door[1] - 0.1))
    stranger.add(on[8] + 0.3 * ep, (near_door[0] - 0.15, near_door[1] - 0.1))
    stranger.add(on[8] + 0.3 * ep + walk, door).add(on[8] + 0.3 * ep + walk, None)

    observer = _Track()
    observer.add(on[1], (0.78, 0.42)).add(on[1] + 0.4 * (off[1] - on[1]), (0.78, 0.42))
    observer.add(off[1] - 0.1 * (off[1] - on[1]), door).add(off[1] - 0.1 * (off[1] - on[1]), None)

    reunion_target = away if avoids else carried
    infant = _Track()
    infant.add(on[1], (door[0] - 0.02, door[1] + 0.06)).add(on[1] + walk, carried)
    infant.add(on[2] + 0.05 * ep, carried).add(on[2] + 0.4 * ep, toys_at)
    infant.add(on[4] + 0.2 * ep, toys_at).add(on[4] + 0.6 * ep, near_door)
    infant.add(on[5] + latency, near_door).add(on[5] + latency + 0.3 * ep, reunion_target)
    infant.add(on[5] + 0.55 * ep, reunion_target).add(on[5] + 0.85 * ep, toys_at)
    infant.add(on[6] + 0.15 * ep, toys_at).add(on[6] + 0.6 * ep, near_door)
    infant.add(on[7] + 0.3 * ep, near_door).add(on[7] + 0.7 * ep, (toys_at[0] + 0.1, toys_at[1]))
    infant.add(on[8] + latency, (toys_at[0] + 0.1, toys_at[1])).add(on[8] + latency + 0.3 * ep, reunion_target)

    door_open = []
    for track in (parent, stranger, observer):
        for t in track.door_times(door):
            door_open.append((t - 0.6 * walk, t + 0.6 * walk))
    toys = [(float(rng.uniform(0.3, 0.65)), float(rng.uniform(0.6, 0.92)), i % len(_TOYS)) for i in range(5)]
    return _Scene(parent, stranger, infant, observer, door_open, toys)


# --------------------------------------------------------------------------- #
# rendering and encoding
# --------------------------------------------------------------------------- #
def _timecode(ms: int) -> str:
    minutes, rest = divmod(ms, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{minutes:02d}:{seconds:02d}.{millis:03d}"


def make_ssp_video(
    path: str | os.PathLike[str],
    *,
    episode_seconds: float = 2.0,
    fps: float = 25,
    width: int = 320,
    height: int = 240,
    seed: int = 0,
    label: str = "",
    audio: bool = False,
) -> VideoInfo:
    """Write a synthetic SSP video to ``path`` (MP4) and return its :class:`VideoInfo`.

    The episodes follow :func:`ssp_episode_plan` ``(episode_seconds, fps)``.
    ``seed`` varies the furniture, the infant's reunion latency and whether
    the infant approaches or avoids the parent; the same arguments give the
    same bytes with the same PyAV/FFmpeg build. ``audio=True`` adds a mono
    AAC track with a short tone at each episode onset. The file is written
    to a temporary file in the same folder, flushed to disk and moved into
    place, so a reader never sees half a video.
    """
    if width % 2 or height % 2 or width < 160 or height < 120:
        raise ValueError(f"width and height must be even and at least 160 x 120, got {width} x {height}")
    rate = _rate(fps)
    plan = ssp_episode_plan(episode_seconds, rate)
    n_frames = sum(_episode_frames(episode_seconds, rate))
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise MediaError(target, f"cannot write {target}: the folder {folder} does not exist")

    tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.{secrets.token_hex(4)}.part")
    open(tmp, "xb").close()  # created with the usual permissions (umask), unlike mkstemp
    try:
        _encode(tmp, plan, rate, n_frames, width, height, seed, label, audio)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return probe_video(target)


def _encode(
    filename: str,
    plan: list[tuple[int, int, int]],
    rate: Fraction,
    n_frames: int,
    width: int,
    height: int,
    seed: int,
    label: str,
    audio: bool,
) -> None:
    rng = np.random.default_rng(seed)
    scene = _build_scene(plan, rng)
    scale = max(1, height // 120)
    font = _Font(scale)
    line = font.height + 2 * scale
    banner = 2 * line + 2 * scale
    wall = 3 * scale * 2 // 2 * 2
    room = (0, banner, width, height)  # x0, y0, x1, y1 including walls
    inner = (room[0] + wall, room[1] + wall, room[2] - wall, room[3] - wall)
    door_half = (inner[3] - inner[1]) // 8
    door_cy = (inner[1] + inner[3]) // 2

    def to_px(p: tuple[float, float]) -> tuple[float, float]:
        return (inner[0] + p[0] * (inner[2] - inner[0]), inner[1] + p[1] * (inner[3] - inner[1]))

    # backgrounds: door closed / open
    closed = _Canvas(width, height)
    closed.rect(0, 0, width, banner, _BANNER)
    closed.rect(*room, _WALL)
    closed.rect(*inner, _FLOOR)
    for tx, ty, colour in scene.toys:
        px, py = to_px((tx, ty))
        closed.rect(int(px) - 2 * scale, int(py) - 2 * scale, int(px) + 2 * scale, int(py) + 2 * scale, _TOYS[colour])
    opened = _Canvas(width, height)
    opened.copy_from(closed)
    closed.rect(inner[2], door_cy - door_half, room[2], door_cy + door_half, _DOOR)
    opened.rect(inner[2], door_cy - door_half, room[2], door_cy + door_half, _DOORWAY)
    opened.rect(inner[2] - 2 * door_half, door_cy - door_half, inner[2], door_cy - door_half + 2 * scale, _DOOR)
    label_text = label.upper()[: max(0, (width // 2) // font.advance)]
    label_x = width - len(label_text) * font.advance - 2 * scale
    for canvas in (closed, opened):
        canvas.text(font, label_x, scale + line, label_text)
        canvas.text(font, 2 * scale, scale + line, "F")
    backgrounds: dict[tuple[int, bool], _Canvas] = {}

    def background(episode: int, door_is_open: bool) -> _Canvas:
        key = (episode, door_is_open)
        if key not in backgrounds:
            canvas = _Canvas(width, height)
            canvas.copy_from(opened if door_is_open else closed)
            canvas.text(font, 2 * scale, scale, f"EPISODE {episode}")
            backgrounds[key] = canvas
        return backgrounds[key]

    unit = min(inner[2] - inner[0], inner[3] - inner[1])
    parent_sprite = _Sprite.disc(int(unit * 0.08))
    stranger_sprite = _Sprite.square(int(unit * 0.15))
    infant_sprite = _Sprite.disc(int(unit * 0.045))
    observer_sprite = _Sprite.square(int(unit * 0.11))
    people = (
        (scene.observer, observer_sprite, _OBSERVER),
        (scene.parent, parent_sprite, _PARENT),
        (scene.stranger, stranger_sprite, _STRANGER),
        (scene.infant, infant_sprite, _INFANT),
    )
    onsets = [onset for _, onset, _ in plan]

    out = av.open(filename, mode="w", format="mp4")
    try:
        encoder = video_encoder()
        stream = out.add_stream(encoder, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.thread_count = 1
        stream.codec_context.gop_size = max(1, int(round(rate)))  # a key frame every second: quick seeking
        if encoder == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "23"}
        else:
            stream.options = {"qscale": "5"}
        audio_stream = _add_audio_stream(out) if audio else None
        frame_canvas = _Canvas(width, height)
        wobble_phase = float(rng.uniform(0, 2 * math.pi))
        for i in range(n_frames):
            t_ms = float(Fraction(i * 1000) / rate)
            door_is_open = any(a <= t_ms <= b for a, b in scene.door_open)
            episode = bisect.bisect_right(onsets, math.ceil(t_ms)) or 1
            frame_canvas.copy_from(background(episode, door_is_open))
            for track, sprite, colour in people:
                p = track.at(t_ms)
                if p is None:
                    continue
                x, y = to_px(p)
                if track is scene.infant:
                    x += scale * 1.5 * math.sin(wobble_phase + t_ms / 180.0)
                frame_canvas.sprite(sprite, x, y, colour)
            frame_canvas.text(font, width - 9 * font.advance - 2 * scale, scale, _timecode(math.ceil(t_ms - 1e-9)))
            frame_canvas.text(font, 2 * scale + 2 * font.advance, scale + line, f"{i:06d}")
            frame = av.VideoFrame.from_ndarray(frame_canvas.buf, format="yuv420p")
            frame.pts = i
            frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        if audio_stream is not None:
            _encode_audio(out, audio_stream, plan)
    finally:
        out.close()


_AUDIO_RATE = 16_000


def _add_audio_stream(out: av.container.OutputContainer) -> av.audio.stream.AudioStream:
    stream = out.add_stream("aac", rate=_AUDIO_RATE)
    stream.layout = "mono"
    stream.codec_context.thread_count = 1
    return stream


def _encode_audio(
    out: av.container.OutputContainer, stream: av.audio.stream.AudioStream, plan: list[tuple[int, int, int]]
) -> None:
    sample_rate = _AUDIO_RATE
    total = int(math.ceil(plan[-1][2] * sample_rate / 1000))
    samples = np.zeros(total, np.float32)
    beep = int(0.12 * sample_rate)
    tone = (0.2 * np.sin(2 * np.pi * 660 * np.arange(beep) / sample_rate)).astype(np.float32)
    for _, onset, _ in plan:
        start = onset * sample_rate // 1000
        seg = samples[start : start + beep]
        seg += tone[: seg.size]
    chunk = 1024
    for start in range(0, total, chunk):
        block = samples[start : start + chunk]
        frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = sample_rate
        frame.pts = start
        frame.time_base = Fraction(1, sample_rate)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
