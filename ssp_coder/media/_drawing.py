"""Drawing for the synthetic demo videos: YUV 4:2:0 canvas, sprites and a 3 x 5 bitmap font."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


# --------------------------------------------------------------------------- #
# drawing helpers (YUV 4:2:0, even geometry)
# --------------------------------------------------------------------------- #
def _yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = (c / 255.0 for c in rgb)
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    u = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    v = 128 + 112.0 * r - 93.786 * g - 18.214 * b
    return tuple(int(round(min(255.0, max(0.0, c)))) for c in (y, u, v))  # type: ignore[return-value]


_BANNER = _yuv((40, 40, 48))
_TEXT = _yuv((240, 240, 240))
_FLOOR = _yuv((222, 206, 170))
_WALL = _yuv((120, 104, 90))
_DOOR = _yuv((140, 82, 40))
_DOORWAY = _yuv((30, 30, 30))
_PARENT = _yuv((40, 90, 210))
_STRANGER = _yuv((236, 120, 30))
_INFANT = _yuv((236, 100, 160))
_OBSERVER = _yuv((130, 130, 130))
_TOYS = [_yuv(c) for c in ((220, 40, 40), (40, 170, 70), (250, 210, 40), (120, 60, 200))]


class _Canvas:
    """A yuv420p buffer with plane views, shaped as PyAV expects."""

    def __init__(self, width: int, height: int, buffer: np.ndarray | None = None):
        self.w, self.h = width, height
        self.buf = np.empty((height * 3 // 2, width), np.uint8) if buffer is None else buffer
        flat = self.buf.reshape(-1)
        n, q = width * height, width * height // 4
        self.y = flat[:n].reshape(height, width)
        self.u = flat[n : n + q].reshape(height // 2, width // 2)
        self.v = flat[n + q : n + 2 * q].reshape(height // 2, width // 2)

    def copy_from(self, other: "_Canvas") -> None:
        np.copyto(self.buf, other.buf)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        x0, y0 = max(0, x0 & ~1), max(0, y0 & ~1)
        x1, y1 = min(self.w, (x1 + 1) & ~1), min(self.h, (y1 + 1) & ~1)
        if x1 <= x0 or y1 <= y0:
            return
        self.y[y0:y1, x0:x1] = colour[0]
        self.u[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = colour[1]
        self.v[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = colour[2]

    def sprite(self, sprite: "_Sprite", cx: float, cy: float, colour: tuple[int, int, int]) -> None:
        size = sprite.full.shape[0]
        x0 = (int(round(cx)) - size // 2) & ~1
        y0 = (int(round(cy)) - size // 2) & ~1
        if x0 < 0 or y0 < 0 or x0 + size > self.w or y0 + size > self.h:
            x0 = min(max(0, x0), (self.w - size) & ~1)
            y0 = min(max(0, y0), (self.h - size) & ~1)
        self.y[y0 : y0 + size, x0 : x0 + size][sprite.full] = colour[0]
        hx, hy, hs = x0 // 2, y0 // 2, size // 2
        self.u[hy : hy + hs, hx : hx + hs][sprite.half] = colour[1]
        self.v[hy : hy + hs, hx : hx + hs][sprite.half] = colour[2]

    def text(self, glyphs: "_Font", x: int, y: int, string: str) -> None:
        for ch in string:
            mask = glyphs.mask(ch)
            gh, gw = mask.shape
            if x + gw > self.w:
                break
            self.y[y : y + gh, x : x + gw][mask] = _TEXT[0]
            x += gw + glyphs.scale


@dataclass(frozen=True)
class _Sprite:
    full: np.ndarray
    half: np.ndarray

    @staticmethod
    def disc(radius: int) -> "_Sprite":
        size = 2 * max(2, (radius + 1) // 2 * 2)
        c = (size - 1) / 2.0
        yy, xx = np.mgrid[0:size, 0:size]
        full = (yy - c) ** 2 + (xx - c) ** 2 <= (size / 2.0) ** 2
        return _Sprite(full, full.reshape(size // 2, 2, size // 2, 2).any(axis=(1, 3)))

    @staticmethod
    def square(side: int) -> "_Sprite":
        size = max(4, side // 2 * 2)
        full = np.ones((size, size), bool)
        return _Sprite(full, np.ones((size // 2, size // 2), bool))


# 3 x 5 bitmap font: each glyph is five rows of three bits.
_FONT_ROWS = {
    "0": "111 101 101 101 111", "1": "010 110 010 010 111", "2": "111 001 111 100 111",
    "3": "111 001 111 001 111", "4": "101 101 111 001 001", "5": "111 100 111 001 111",
    "6": "111 100 111 101 111", "7": "111 001 010 010 010", "8": "111 101 111 101 111",
    "9": "111 101 111 001 111", "A": "010 101 111 101 101", "B": "110 101 110 101 110",
    "C": "011 100 100 100 011", "D": "110 101 101 101 110", "E": "111 100 110 100 111",
    "F": "111 100 110 100 100", "G": "011 100 101 101 011", "H": "101 101 111 101 101",
    "I": "111 010 010 010 111", "J": "001 001 001 101 010", "K": "101 101 110 101 101",
    "L": "100 100 100 100 111", "M": "101 111 111 101 101", "N": "110 101 101 101 101",
    "O": "010 101 101 101 010", "P": "110 101 110 100 100", "Q": "010 101 101 110 011",
    "R": "110 101 110 101 101", "S": "011 100 010 001 110", "T": "111 010 010 010 010",
    "U": "101 101 101 101 111", "V": "101 101 101 101 010", "W": "101 101 111 111 101",
    "X": "101 101 010 101 101", "Y": "101 101 010 010 010", "Z": "111 001 010 100 111",
    ":": "000 010 000 010 000", ".": "000 000 000 000 010", "-": "000 000 111 000 000",
    "_": "000 000 000 000 111", "/": "001 001 010 100 100", "#": "101 111 101 111 101",
    " ": "000 000 000 000 000", "?": "111 001 010 000 010",
}


class _Font:
    def __init__(self, scale: int):
        self.scale = scale
        block = np.ones((scale, scale), bool)
        self._masks = {
            ch: np.kron(np.array([[c == "1" for c in row] for row in rows.split()], bool), block)
            for ch, rows in _FONT_ROWS.items()
        }

    def mask(self, ch: str) -> np.ndarray:
        return self._masks.get(ch.upper(), self._masks["?"])

    @property
    def advance(self) -> int:
        return 4 * self.scale

    @property
    def height(self) -> int:
        return 5 * self.scale
