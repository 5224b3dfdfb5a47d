"""Read what a video is: duration, frame rate, frame count, size, codec.

Also the pure helpers for frame-accurate stepping. Frame ``i`` of a
constant-rate video covers the half-open interval
``[i * 1000 / fps, (i + 1) * 1000 / fps)`` milliseconds.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction

import av

from .errors import MediaError, undecodable, unreadable

__all__ = ["VideoInfo", "MediaError", "probe_video", "frame_index_at", "ms_at_frame"]

# Tolerance for float error when a time sits exactly on a frame boundary.
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What :func:`probe_video` found.

    ``frame_count_exact`` is False when the container does not state the
    number of frames and ``frame_count`` was estimated as
    ``round(duration_ms * fps / 1000)``.
    """

    duration_ms: int
    fps: float
    frame_count: int
    width: int
    height: int
    codec: str
    has_audio: bool
    frame_count_exact: bool = True


def _check_fps(fps: float) -> float:
    f = float(fps)
    if not math.isfinite(f) or f <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    return f


def frame_index_at(ms: float, fps: float) -> int:
    """Index of the frame shown at time ``ms`` (frame ``i`` covers
    ``[i*1000/fps, (i+1)*1000/fps)``). Negative times raise ValueError."""
    f = _check_fps(fps)
    if ms < 0:
        raise ValueError(f"time must not be negative, got {ms} ms")
    return int(math.floor(ms * f / 1000.0 + _EPS))


def ms_at_frame(index: int, fps: float) -> float:
    """Start time in ms of frame ``index``; ``frame_index_at(ms_at_frame(i), fps) == i``."""
    f = _check_fps(fps)
    if index < 0:
        raise ValueError(f"frame index must not be negative, got {index}")
    return index * 1000.0 / f


def _rate(stream: av.video.stream.VideoStream) -> Fraction | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and rate > 0:
            return Fraction(rate)
    return None


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Probe the first video stream of the file at ``path``.

    Raises :class:`MediaError` (never a decoder exception) for a missing
    file, a folder, an empty file or anything that is not a readable video.
    """
    name = os.fspath(path)
    if not os.path.exists(name):
        raise MediaError(name, f"{name} was not found. Check the path in the roster.")
    if os.path.isdir(name):
        raise MediaError(name, f"{name} is a folder, not a video file. Check the path in the roster.")
    try:
        if os.path.getsize(name) == 0:
            raise unreadable(name, "the file is empty")
    except OSError as exc:
        raise unreadable(name, exc.strerror or type(exc).__name__) from None
    try:
        container = av.open(name, mode="r")
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise unreadable(name, _reason(exc)) from None
    try:
        return _describe(name, container)
    except (av.FFmpegError, OSError, ValueError, ZeroDivisionError) as exc:
        raise unreadable(name, _reason(exc)) from None
    finally:
        container.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, av.error.InvalidDataError):
        return "its contents are not in a video format"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.strip().rstrip(".")


def _describe(name: str, container: av.container.InputContainer) -> VideoInfo:
    videos = container.streams.video
    if not videos:
        raise unreadable(name, "it has no video stream")
    stream = videos[0]
    ctx = stream.codec_context
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if width <= 0 or height <= 0:
        raise unreadable(name, "the video stream has no picture size")
    rate = _rate(stream)
    if rate is None:
        raise unreadable(name, "the frame rate is unknown")
    fps = float(rate)

    duration_s: float | None = None
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        duration_s = float(stream.duration * stream.time_base)
    elif container.duration is not None and container.duration > 0:
        duration_s = container.duration / av.time_base

    frames = int(stream.frames or 0)
    exact = frames > 0
    if not exact and duration_s is None:
        frames = sum(1 for packet in container.demux(stream) if packet.size)  # last resort
        exact = frames > 0
    if duration_s is None:
        duration_s = frames / fps
    if not exact:
        frames = int(round(duration_s * fps))
    if frames <= 0:
        raise unreadable(name, "the video stream has no frames")

    _check_decodes(name, container, stream)
    return VideoInfo(
        duration_ms=int(round(duration_s * 1000.0)),
        fps=fps,
        frame_count=frames,
        width=width,
        height=height,
        codec=str(ctx.name),
        has_audio=bool(container.streams.audio),
        frame_count_exact=exact,
    )


# Enough packets to get past leading frames a decoder may hold back or drop (B-frames, open GOPs).
_DECODE_CHECK_PACKETS = 300


def _check_decodes(name: str, container: av.container.InputContainer, stream) -> None:
    """Decode the first picture: a container that opens can still hold video this build cannot decode."""
    codec = str(getattr(stream.codec_context, "name", None) or "unknown codec")
    try:
        container.seek(0)
    except (av.FFmpegError, OSError):
        pass                      # not seekable: decode from where we are
    last_error = "no picture came out of the decoder"
    try:
        for n, packet in enumerate(container.demux(stream)):
            if n >= _DECODE_CHECK_PACKETS:
                break
            try:
                if any(True for _ in stream.decode(packet)):
                    return
            except av.error.InvalidDataError as exc:
                last_error = _reason(exc)
    except (av.FFmpegError, OSError, ValueError, NotImplementedError) as exc:
        raise undecodable(name, codec, _reason(exc)) from None
    raise undecodable(name, codec, last_error)
