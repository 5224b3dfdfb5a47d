"""The timeline's sound lanes: a waveform and a 0-4 kHz spectrogram of the session's audio.

The overview (``ssp_coder.media.audio``) has one waveform pair and one
spectrogram column per 10 ms: 150,000 of each for a 25-minute session. To
draw any view in a few milliseconds, both are kept as pyramids: level ``k``
holds the minimum/maximum (waveform) or maximum (spectrogram) of ``2**k``
slices. A repaint picks the level with one or two slices per device pixel,
reads at most three slices per pixel column, and paints each lane as one image.
Maxima, not samples, so a short click or cry never vanishes when zoomed out.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette

from ssp_coder.media.audio import AudioOverview

WAVE_H = 30
SPEC_H = 44


def _colour_table() -> np.ndarray:
    """256 ARGB colours from silence (dark) through violet and orange to loud (pale yellow)."""
    anchors = np.array([(0, 0x10, 0x0c, 0x24), (70, 0x4a, 0x12, 0x6b), (140, 0xb5, 0x36, 0x5b),
                        (200, 0xf0, 0x7f, 0x2a), (255, 0xfb, 0xf0, 0xa0)], float)
    x = np.arange(256)
    rgb = [np.interp(x, anchors[:, 0], anchors[:, c]).astype(np.uint32) for c in (1, 2, 3)]
    return (np.uint32(0xFF000000) | (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]).astype(np.uint32)


_COLOURS = _colour_table()


def _pyramid(level0: np.ndarray, combine) -> list[np.ndarray]:
    levels = [level0]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        if len(prev) % 2:
            prev = np.concatenate([prev, prev[-1:]])
        levels.append(combine(prev[0::2], prev[1::2]))
    return levels


class SoundLanes:
    """What the two lanes show, and how to draw them for a view of the timeline."""

    def __init__(self) -> None:
        self.overview: AudioOverview | None = None
        self.status = "No sound track loaded"
        self.progress: float | None = None       # 0..1 while the analysis runs
        self.show_waveform = True
        self.show_spectrogram = True
        self._lo: list[np.ndarray] = []
        self._hi: list[np.ndarray] = []
        self._spec: list[np.ndarray] = []
        self._gain = 1.0

    # -- state ------------------------------------------------------------------------------
    def height(self) -> int:
        return (WAVE_H if self.show_waveform else 0) + (SPEC_H if self.show_spectrogram else 0)

    def set_status(self, text: str, progress: float | None = None) -> None:
        self.overview, self.status, self.progress = None, text, progress
        self._lo = self._hi = self._spec = []

    def set_overview(self, overview: AudioOverview | None) -> None:
        self.progress = None
        if overview is None or not overview.has_audio or len(overview.peaks) == 0:
            self.set_status("This video has no sound track")
            return
        self.overview, self.status = overview, ""
        self._lo = _pyramid(overview.peaks[:, 0].astype(np.int16), np.minimum)
        self._hi = _pyramid(overview.peaks[:, 1].astype(np.int16), np.maximum)
        self._spec = _pyramid(overview.spectrogram, np.maximum)
        loudest = max(int(np.abs(overview.peaks.astype(np.int32)).max()), 1)
        self._gain = 32767 / loudest                  # quiet recordings still fill the lane

    # -- geometry: which slices each device pixel column shows ---------------------------------
    def _columns(self, view_start: float, ms_per_px: float, dpr: float, n_px: int):
        """(level, slice indices (3, n_px), valid mask) for the pixel columns of the plot."""
        ov = self.overview
        ms_dev = ms_per_px / dpr
        level = int(max(0, min(len(self._lo) - 1, np.floor(np.log2(max(ms_dev / ov.hop_ms, 1.0))))))
        span = ov.hop_ms * (1 << level)
        t_lo = view_start + np.arange(n_px) * ms_dev - ov.start_ms
        first = np.floor(t_lo / span).astype(np.int64)
        last = np.floor((t_lo + ms_dev) / span - 1e-9).astype(np.int64)
        idx = np.stack([first, np.minimum(first + 1, last), last])
        n = len(self._lo[level])
        valid = (last >= 0) & (first < n)
        np.clip(idx, 0, n - 1, out=idx)
        return level, idx, valid

    # -- drawing ------------------------------------------------------------------------------
    def paint(self, p: QPainter, top: int, left: int, width: int, view_start: float, ms_per_px: float,
              dpr: float, palette: QPalette) -> None:
        """Both visible lanes, from ``top``, the plot from ``left`` for ``width`` logical pixels."""
        y = top
        lanes = [(WAVE_H, self._paint_waveform)] if self.show_waveform else []
        if self.show_spectrogram:
            lanes.append((SPEC_H, self._paint_spectrogram))
        columns = None
        for h, draw in lanes:
            rect = QRect(left, y, width, h)
            p.fillRect(rect, palette.color(QPalette.ColorRole.Base))
            if self.overview is None:
                self._paint_status(p, rect, palette)
            else:
                if columns is None:          # the same slices feed both lanes
                    columns = self._columns(view_start, ms_per_px, dpr, max(1, int(round(width * dpr))))
                draw(p, rect, *columns, dpr, palette)
            y += h

    def _paint_status(self, p: QPainter, rect: QRect, palette: QPalette) -> None:
        if self.progress is not None:
            bar = QRect(rect.x() + 4, rect.bottom() - 5, int((rect.width() - 8) * self.progress), 3)
            p.fillRect(bar, palette.color(QPalette.ColorRole.Highlight))
        p.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        p.drawText(rect.adjusted(8, 0, -8, -4), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   self.status)

    def _paint_waveform(self, p, rect: QRect, level: int, idx: np.ndarray, valid: np.ndarray, dpr: float,
                        palette: QPalette) -> None:
        lo = self._lo[level][idx].min(axis=0).astype(np.float32) * self._gain
        hi = self._hi[level][idx].max(axis=0).astype(np.float32) * self._gain
        rows = max(2, int(round(rect.height() * dpr)))
        # row r shows the amplitude at its centre; a column is inked from its minimum to its maximum
        level_of_row = (1 - 2 * (np.arange(rows, dtype=np.float32) + 0.5) / rows)[:, None] * 32767
        half_row = 32767 / rows
        ink = (level_of_row <= hi + half_row) & (level_of_row >= lo - half_row) & valid
        colour = np.uint32(QColor("#2e7d32").rgba() | 0xFF000000)
        img = np.where(ink, colour, np.uint32(0)).astype(np.uint32)
        self._blit(p, rect, img, QImage.Format.Format_ARGB32_Premultiplied)
        p.setPen(palette.color(QPalette.ColorRole.Mid))
        p.drawLine(rect.x(), rect.center().y(), rect.right(), rect.center().y())

    def _paint_spectrogram(self, p, rect: QRect, level: int, idx: np.ndarray, valid: np.ndarray, dpr: float,
                           palette: QPalette) -> None:
        spec = self._spec[level]
        cols = np.maximum(np.maximum(spec[idx[0]], spec[idx[1]]), spec[idx[2]])   # (n_px, bins)
        cols[~valid] = 0
        rows, bins = max(2, int(round(rect.height() * dpr))), cols.shape[1]
        by_bin = np.ascontiguousarray(cols.T)               # (bins, n_px): reducing along rows is contiguous
        if rows < bins:          # several bins share a pixel row: keep the loudest, so a pure tone stays visible
            by_row = np.maximum.reduceat(by_bin, np.arange(rows) * bins // rows, axis=0)
        else:
            by_row = by_bin[np.arange(rows) * bins // rows]
        img = _COLOURS[by_row[::-1]]                        # low frequencies at the bottom
        self._blit(p, rect, img, QImage.Format.Format_RGB32)

    @staticmethod
    def _blit(p: QPainter, rect: QRect, pixels: np.ndarray, fmt: QImage.Format) -> None:
        pixels = np.ascontiguousarray(pixels)
        h, w = pixels.shape
        img = QImage(pixels.data, w, h, 4 * w, fmt)
        p.drawImage(QRectF(rect), img)            # nearest-neighbour: no smoothing asked for

    def paint_labels(self, p: QPainter, top: int, gutter: int, palette: QPalette) -> None:
        p.setPen(palette.color(QPalette.ColorRole.Text))
        y = top
        if self.show_waveform:
            p.drawText(QRect(4, y, gutter - 6, WAVE_H), Qt.AlignmentFlag.AlignVCenter, "Sound")
            y += WAVE_H
        if self.show_spectrogram:
            max_hz = self.overview.max_hz if self.overview is not None else 4000
            p.drawText(QRect(4, y, gutter - 6, SPEC_H), Qt.AlignmentFlag.AlignVCenter,
                       f"Spectrogram\n0–{max_hz / 1000:g} kHz")
