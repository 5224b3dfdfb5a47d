"""One decoder that remembers where it is: read the next frame, or seek to a keyframe and read on.

Every frame it returns carries its index in the :class:`FrameIndex`, found
from the decoded frame's own timestamp (or, for a frame without one, by
counting on from the frame before). Interlaced frames (tapes digitised to
MPEG-2 or DV, 1080i camcorders) go through FFmpeg's yadif deinterlacer, one
output frame per input frame, so a coder never sees combing.

Not thread-safe: one thread owns a decoder (the frame server's worker).
PyAV releases the GIL while FFmpeg decodes, so the window stays responsive.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from .frameindex import FrameIndex

__all__ = ["DecodedFrame", "FrameDecoder", "display_size", "DEINTERLACER", "MAX_SEEK_ATTEMPTS"]

# yadif, one frame out per frame in, only frames flagged interlaced; bwdif if this FFmpeg lacks yadif.
MAX_SEEK_ATTEMPTS = 4
DEINTERLACER = next((f for f in ("yadif", "bwdif") if f in av.filter.filters_available), None)


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    frame: av.VideoFrame
    interlaced: bool


def display_size(width: int, height: int, sar: Fraction | None, box: tuple[int, int]) -> tuple[int, int]:
    """The picture's shape on screen (pixel aspect applied), fitted into ``box``; never enlarged; even sizes."""
    aspect_w = width * float(sar) if sar and sar > 0 else float(width)
    bw, bh = box
    scale = min(bw / aspect_w, bh / height, 1.0 if aspect_w <= width else bw / width)
    w = max(2, int(round(aspect_w * scale)) // 2 * 2)
    h = max(2, int(round(height * scale)) // 2 * 2)
    return w, h


class FrameDecoder:
    def __init__(self, path: str | os.PathLike[str], index: FrameIndex, threads: int = 0):
        self.index = index
        self.container = av.open(os.fspath(path))
        self.stream = self.container.streams.video[0]
        ctx = self.stream.codec_context
        ctx.thread_type = "AUTO"
        ctx.thread_count = max(0, threads)        # 0: FFmpeg picks (cores + 1)
        self._step_pts = max(1, int(round(1 / (index.fps * index.time_base)))) if index.fps > 0 else 1
        self.interlaced_seen = False
        self._reset(floor=0)
        self._packets = self.container.demux(self.stream)

    # -- where the decoder is ----------------------------------------------------------------
    @property
    def position(self) -> int:
        """Index of the next frame :meth:`read` returns (an estimate until the first frame after a seek)."""
        if self._ready:
            return self._ready[0].index
        if self._fifo:
            return self._fifo[0][0]
        return self._last + 1 if self._last is not None else self._floor

    def skip_until(self, index: int | None) -> None:
        """While seeking far ahead of the frames anyone will look at, skip frames no other frame
        refers to (most B-frames): they are never shown, so decoding them is wasted. ``None`` decodes
        every frame again."""
        self._skip_until = index
        self.stream.codec_context.skip_frame = "NONREF" if index is not None else "DEFAULT"

    @property
    def skipping(self) -> bool:
        return self._skip_until is not None

    @property
    def skip_target(self) -> int:
        """The first frame decoded in full again while skipping (-1 when not skipping)."""
        return self._skip_until if self._skip_until is not None else -1

    @property
    def sample_aspect_ratio(self) -> Fraction | None:
        """Pixel shape (DV and DVD video have non-square pixels); known once a frame is decoded."""
        sar = self.stream.codec_context.sample_aspect_ratio or self.stream.sample_aspect_ratio
        return Fraction(sar) if sar else None

    @property
    def at_end(self) -> bool:
        return self._eof and not self._ready

    def _reset(self, floor: int) -> None:
        self._ready: deque[DecodedFrame] = deque()
        self._eof = False
        self._drained = False
        self._last: int | None = None
        self._floor = floor                # frames before it are open-GOP leftovers of a seek: dropped
        self._graph = None
        self._fifo: deque[tuple[int, bool]] = deque()
        self.skip_until(None)

    def seek(self, keyframe: int, attempt: int = 0) -> None:
        """Go to the keyframe ``keyframe`` (an index that is a keyframe). The next read returns it, or
        a later frame if the container landed late (MPEG-TS seeks by searching timestamps): the caller
        then seeks again with ``attempt + 1``, which aims further back and finally at the file's start."""
        if attempt >= MAX_SEEK_ATTEMPTS - 1:
            self.container.seek(0, unsupported_byte_offset=True)     # byte 0: the very beginning
        else:
            margin = attempt * self.index.longest_gop * self._step_pts
            target = int(self.index.pts[keyframe]) - margin
            self.container.seek(target, stream=self.stream, backward=True, any_frame=False)
        self._packets = self.container.demux(self.stream)
        self._reset(floor=keyframe)

    def close(self) -> None:
        self.container.close()

    # -- reading -------------------------------------------------------------------------------
    def read(self) -> DecodedFrame | None:
        """The next frame in presentation order, or None at the end of the video."""
        while not self._ready:
            if self._drained:
                return None
            self._pump()
        out = self._ready.popleft()
        return out

    def _pump(self) -> None:
        if self._eof:
            self._flush_graph()
            self._drained = True
            return
        try:
            packet = next(self._packets)
        except StopIteration:
            packet = None
            self._eof = True
        try:
            frames = self.stream.decode(packet)
        except av.error.EOFError:
            frames = []                     # already flushed by the demuxer's final empty packet
        except av.error.InvalidDataError:
            frames = []                     # a damaged packet: skip it, as players do
        for frame in frames:
            self._accept(frame)

    def _place(self, frame: av.VideoFrame) -> int | None:
        if frame.pts is not None:
            exact = self.index.index_of_pts(int(frame.pts))
            if exact is not None:
                return exact
            i = int(np.searchsorted(self.index.pts, int(frame.pts)))
            return min(i, self.index.frame_count - 1)
        return self._last + 1 if self._last is not None else None

    def _accept(self, frame: av.VideoFrame) -> None:
        idx = self._place(frame)
        if idx is None or idx < self._floor or (self._last is not None and idx <= self._last):
            return
        if idx >= self.index.frame_count:
            return
        self._last = idx
        if self._skip_until is not None and idx >= self._skip_until:
            self.skip_until(None)
        interlaced = bool(frame.interlaced_frame)
        if interlaced and DEINTERLACER is not None:
            self.interlaced_seen = True
        if self._graph is None and interlaced and DEINTERLACER is not None:
            self._build_graph(frame)
        if self._graph is None:
            self._ready.append(DecodedFrame(idx, frame, interlaced))
            return
        self._fifo.append((idx, interlaced))
        self._graph.push(frame)
        self._pull()

    # -- deinterlacing ----------------------------------------------------------------------------
    def _build_graph(self, frame: av.VideoFrame) -> None:
        graph = av.filter.Graph()
        src = graph.add_buffer(width=frame.width, height=frame.height, format=frame.format.name,
                               time_base=self.stream.time_base)
        args = "mode=send_frame:parity=auto:deint=interlaced"
        flt = graph.add(DEINTERLACER, args)
        sink = graph.add("buffersink")
        src.link_to(flt)
        flt.link_to(sink)
        graph.configure()
        self._graph = graph

    def _pull(self) -> None:
        # One frame out per frame in, in order (send_frame mode); the FIFO says which frame each one is.
        while self._fifo:
            try:
                out = self._graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return
            idx, interlaced = self._fifo.popleft()
            self._ready.append(DecodedFrame(idx, out, interlaced))

    def _flush_graph(self) -> None:
        if self._graph is None or not self._fifo:
            return
        try:
            self._graph.push(None)
        except (av.error.EOFError, ValueError):
            pass
        self._pull()
