"""Display-sized frames kept around the playhead, within a memory budget.

When the budget is full, the frame farthest from the playhead goes first,
counting frames ahead as four times farther than frames behind: a coder
steps back over what they just watched far more often than they jump ahead,
and the decoder reaches frames ahead cheaply anyway.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

__all__ = ["ServedFrame", "FrameCache", "DEFAULT_CACHE_MB"]

DEFAULT_CACHE_MB = 512
AHEAD_WEIGHT = 4


@dataclass(frozen=True)
class ServedFrame:
    """A decoded frame ready to paint: pixels at display size and the frame's own time.

    ``pixels`` is (height, width, 4) uint8 in the byte order of a 32-bit 0xffRRGGBB word on this
    machine (B, G, R, 255 on little-endian), which a toolkit paints without converting.
    """

    index: int
    time_us: int                 # the decoded frame's timestamp, from the video's first frame
    pixels: np.ndarray           # (height, width, 4) uint8, C-contiguous
    interlaced: bool = False     # the source frame was interlaced (and has been deinterlaced)

    @property
    def nbytes(self) -> int:
        return int(self.pixels.nbytes)

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


class FrameCache:
    """Thread-safe: the worker adds frames while the window reads them."""

    def __init__(self, budget_bytes: int):
        self.budget_bytes = max(0, int(budget_bytes))
        self._frames: dict[int, ServedFrame] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.playhead = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, index: int) -> bool:
        return index in self._frames

    def get(self, index: int) -> ServedFrame | None:
        return self._frames.get(index)

    def indices(self) -> set[int]:
        with self._lock:
            return set(self._frames)

    def capacity(self, frame_bytes: int) -> int:
        """How many frames of this size fit in the budget."""
        return self.budget_bytes // max(1, frame_bytes)

    def nearest(self, index: int) -> ServedFrame | None:
        with self._lock:
            if not self._frames:
                return None
            best = min(self._frames, key=lambda i: abs(i - index))
            return self._frames[best]

    def _distance(self, index: int) -> int:
        d = index - self.playhead
        return d * AHEAD_WEIGHT if d > 0 else -d

    def add(self, frame: ServedFrame) -> bool:
        """Keep ``frame`` unless it would be the first to go. Returns whether it was kept."""
        with self._lock:
            if frame.index in self._frames:
                return True
            if frame.nbytes > self.budget_bytes:
                return False
            mine = self._distance(frame.index)
            while self._bytes + frame.nbytes > self.budget_bytes:
                worst = max(self._frames, key=self._distance)
                if self._distance(worst) <= mine:
                    return False
                self._bytes -= self._frames.pop(worst).nbytes
            self._frames[frame.index] = frame
            self._bytes += frame.nbytes
            return True

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self._bytes = 0
