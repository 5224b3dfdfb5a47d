"""The frame index of a video: every frame's timestamp and which frames are keyframes.

Built on first open by demuxing only (reading packets, decoding nothing), so
it costs about as much as reading the file once; then saved in the user's
cache folder so the next open of the same file is instant. The frame server
uses it to know the exact frame count, to map a time to the frame that
covers it, and to find the keyframe a seek must start from.

Times are measured from the video's first frame: frame 0 is at 0 ms even in
an MPEG-TS file whose clock starts at 1.4 s, as every player shows it.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ssp_coder.atomic import atomic_write_bytes

from ssp_coder.caches import cache_folder

from .errors import MediaError, unreadable

__all__ = ["FrameIndex", "build_frame_index", "load_frame_index", "cache_dir"]

# Bump when the saved layout or the way it is built changes: older files are then rebuilt.
INDEX_FORMAT = 2


def cache_dir() -> Path:
    """Where frame indexes are kept: the user's cache folder (``SSP_CODER_CACHE_DIR`` overrides it)."""
    return cache_folder("frame-index")


@dataclass(frozen=True)
class FrameIndex:
    """Frames in presentation order: ``pts[i]`` (stream time base) and whether frame ``i`` is a keyframe."""

    pts: np.ndarray            # int64, strictly increasing
    keyframes: np.ndarray      # int64 frame indices of keyframes, increasing, keyframes[0] == 0
    time_base: Fraction
    fps: float                 # nominal rate (average); steps never use it, times come from ``pts``
    width: int
    height: int
    codec: str

    @property
    def frame_count(self) -> int:
        return int(len(self.pts))

    @property
    def start_pts(self) -> int:
        return int(self.pts[0])

    @property
    def times_us(self) -> np.ndarray:
        """Each frame's start in microseconds from the first frame."""
        tb = self.time_base
        return ((self.pts - self.start_pts) * tb.numerator * 1_000_000) // tb.denominator

    @property
    def duration_ms(self) -> int:
        """From the first frame's start to the end of the last frame."""
        t = self.times_us
        last = int(t[-1]) + (int(t[-1] - t[-2]) if len(t) > 1 else int(round(1e6 / self.fps)))
        return int(round(last / 1000))

    def time_us(self, index: int) -> int:
        return int(self.times_us_cached[index])

    @property
    def times_us_cached(self) -> np.ndarray:
        cached = self.__dict__.get("_times")
        if cached is None:
            cached = self.times_us
            object.__setattr__(self, "_times", cached)
        return cached

    def index_at_us(self, us: int) -> int:
        """The frame that covers ``us`` (its start <= us < next start), clamped to the video."""
        i = bisect.bisect_right(self.times_us_cached, int(us)) - 1
        return min(max(i, 0), self.frame_count - 1)

    def index_of_pts(self, pts: int) -> int | None:
        """The frame with exactly this timestamp, or None."""
        i = int(np.searchsorted(self.pts, pts))
        return i if i < len(self.pts) and int(self.pts[i]) == pts else None

    def keyframe_at_or_before(self, index: int) -> int:
        k = int(np.searchsorted(self.keyframes, index, side="right")) - 1
        return int(self.keyframes[max(k, 0)])

    def keyframe_before(self, keyframe: int) -> int:
        """The keyframe before ``keyframe`` (or the first one)."""
        return self.keyframe_at_or_before(max(0, keyframe - 1))

    @property
    def longest_gop(self) -> int:
        edges = np.append(self.keyframes, self.frame_count)
        return int(np.max(np.diff(edges))) if len(edges) > 1 else self.frame_count


def _cache_key(path: Path) -> str:
    st = path.stat()
    ident = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{INDEX_FORMAT}"
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


def load_frame_index(path: str | os.PathLike[str], *, use_cache: bool = True) -> FrameIndex:
    """The index of ``path``: from the cache if the file is unchanged (same size and time), else built and saved."""
    p = Path(path)
    if not p.is_file():
        raise MediaError(p, f"{p} was not found. Check the path in the roster.")
    key = _cache_key(p)
    saved = cache_dir() / f"{key}.npz"
    if use_cache and saved.is_file():
        try:
            return _read(saved)
        except (OSError, ValueError, KeyError):
            pass                      # a damaged cache entry is rebuilt, never trusted
    index = build_frame_index(p)
    if use_cache:
        try:
            saved.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(saved, _serialise(index))
        except OSError:
            pass                      # no writable cache: the next open just builds it again
    return index


def _serialise(index: FrameIndex) -> bytes:
    meta = {"format": INDEX_FORMAT, "tb": [index.time_base.numerator, index.time_base.denominator],
            "fps": index.fps, "width": index.width, "height": index.height, "codec": index.codec}
    buf = io.BytesIO()
    np.savez_compressed(buf, pts=index.pts, keyframes=index.keyframes, meta=np.array(json.dumps(meta)))
    return buf.getvalue()


def _read(saved: Path) -> FrameIndex:
    with np.load(saved, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != INDEX_FORMAT:
            raise ValueError("old index format")
        pts = z["pts"].astype(np.int64)
        keys = z["keyframes"].astype(np.int64)
    if len(pts) == 0 or len(keys) == 0:
        raise ValueError("empty index")
    return FrameIndex(pts, keys, Fraction(*meta["tb"]), float(meta["fps"]), int(meta["width"]),
                      int(meta["height"]), str(meta["codec"]))


def build_frame_index(path: str | os.PathLike[str]) -> FrameIndex:
    """Demux every video packet once. Falls back to decoding only for a file whose packets carry no
    presentation times (some MPEG program streams): then the decoder's own frame times are used."""
    name = os.fspath(path)
    try:
        container = av.open(name)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise unreadable(name, str(exc).strip().rstrip(".") or type(exc).__name__) from None
    try:
        if not container.streams.video:
            raise unreadable(name, "it has no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 25.0
        if stream.time_base is None:
            raise unreadable(name, "the video stream has no time base")
        tb = Fraction(stream.time_base)
        pts_list, key_pts, complete = [], [], True
        for packet in container.demux(stream):
            if not packet.size:
                continue
            if packet.pts is None:
                complete = False
                break
            pts_list.append(int(packet.pts))
            if packet.is_keyframe:
                key_pts.append(int(packet.pts))
        if not complete or not pts_list:
            container.seek(0)
            pts_list, key_pts = _decoded_times(container, stream, fps, tb)
        width, height, codec = int(ctx.width or 0), int(ctx.height or 0), str(ctx.name)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise unreadable(name, str(exc).strip().rstrip(".") or type(exc).__name__) from None
    finally:
        container.close()
    if not pts_list:
        raise unreadable(name, "the video stream has no frames")
    pts = np.unique(np.asarray(pts_list, dtype=np.int64))   # presentation order; drops duplicated times
    keys = np.searchsorted(pts, np.asarray(sorted(set(key_pts)), dtype=np.int64))
    keys = np.unique(np.concatenate([[0], keys[keys < len(pts)]])).astype(np.int64)
    return FrameIndex(pts, keys, tb, fps, width, height, codec)


def _decoded_times(container, stream, fps: float, tb: Fraction) -> tuple[list[int], list[int]]:
    step = max(1, int(round(1 / (fps * tb)))) if fps > 0 else 1
    pts_list: list[int] = []
    key_pts: list[int] = []
    for frame in container.decode(stream):
        pts = frame.pts if frame.pts is not None else (pts_list[-1] + step if pts_list else 0)
        pts_list.append(int(pts))
        if frame.key_frame:
            key_pts.append(int(pts))
    return pts_list, key_pts
