"""Small files in the formats labs have, each frame carrying its own number as a barcode.

The barcode (a row of black or white blocks across the top) survives lossy
coding and scaling, so a test can read which frame it is looking at from the
pixels the frame server hands out, not from a timestamp it might have made
up. The lower half holds a bar that moves between the two fields of an
interlaced frame, as a camera's would: shown without deinterlacing it combs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BITS = 10
BLOCK_ROW = 0.12          # barcode centre, as a fraction of the height


@dataclass(frozen=True)
class Sample:
    kind: str
    path: Path
    frames: int
    times_ms: tuple[int, ...]     # each frame's start from the first frame
    first_pts_ms: int             # where the file's clock starts (at least; a muxer may add a little)
    interlaced: bool = False


def draw(n: int, width: int, height: int, interlaced: bool = False) -> np.ndarray:
    img = np.full((height, width, 3), 96, np.uint8)
    bw = width // (BITS + 2)
    top, bottom = int(height * (BLOCK_ROW - 0.08)), int(height * (BLOCK_ROW + 0.08))
    for b in range(BITS):
        x = (b + 1) * bw
        img[top:bottom, x + 2:x + bw - 2] = 255 if (n >> b) & 1 else 0
    y0 = height // 2
    bar = width // 8
    x_even = (n * 7) % (width - 2 * bar)
    x_odd = x_even + (bar if interlaced else 0)       # the second field sees the bar moved on
    rows = np.arange(y0, height)
    for r in rows:
        x = x_even if (r % 2 == 0) else x_odd
        img[r, x:x + bar] = 240
    return img


def read_number(pixels: np.ndarray) -> int:
    """The frame number from served pixels (any size, 3 or 4 channels; gray levels only)."""
    h, w = pixels.shape[:2]
    row = int(h * BLOCK_ROW)
    bw = w / (BITS + 2)
    n = 0
    for b in range(BITS):
        x = int((b + 1.5) * bw)
        if int(pixels[row, x, :3].astype(int).mean()) > 128:
            n |= 1 << b
    return n


def combing(pixels: np.ndarray) -> float:
    """Mean difference between neighbouring rows minus rows two apart, over the lower half:
    large when the two fields disagree (combing), near zero for a progressive picture."""
    g = pixels[pixels.shape[0] // 2:, :, :3].astype(float).mean(axis=2)
    adjacent = np.abs(g[1:-1] - g[:-2]).mean()
    two_apart = np.abs(g[2:] - g[:-2]).mean()
    return float(adjacent - two_apart)


def _write(path: Path, fmt: str | None, codec: str, width: int, height: int, times_ms: list[int],
           *, pix_fmt: str = "yuv420p", options: dict | None = None, offset_ms: int = 0,
           interlaced: bool = False, tb: Fraction = Fraction(1, 1000), rate: int = 25,
           flags: tuple[str, ...] = ()) -> None:
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, options=options or {})
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.codec_context.time_base = tb
        stream.time_base = tb
        for flag in flags:
            stream.codec_context.flags |= getattr(av.codec.context.Flags, flag)
        for n, t in enumerate(times_ms):
            frame = av.VideoFrame.from_ndarray(draw(n, width, height, interlaced), format="rgb24")
            frame = frame.reformat(format=pix_fmt)
            frame.pts = round(Fraction(t + offset_ms, 1000) / tb)
            frame.time_base = tb
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _cfr(n: int, fps: float = 25.0) -> list[int]:
    return [int(round(i * 1000 / fps)) for i in range(n)]


def make_samples(folder: Path) -> dict[str, Sample]:
    samples: dict[str, Sample] = {}
    x264 = {"x264-params": "keyint=48:min-keyint=48:scenecut=0:bframes=2:log-level=error"}

    def add(kind: str, path: Path, times: list[int], first: int = 0, interlaced: bool = False) -> None:
        samples[kind] = Sample(kind, path, len(times), tuple(times), first, interlaced)

    times = _cfr(100)
    p = folder / "camcorder.mp4"
    _write(p, None, "libx264", 320, 180, times, options=x264)
    add("h264-mp4", p, times)

    p = folder / "avchd.mts"
    _write(p, "mpegts", "libx264", 320, 180, times, options=x264, tb=Fraction(1, 90000), offset_ms=1400)
    add("h264-mpegts", p, times, first=1400)

    if "libx265" in av.codecs_available:
        p = folder / "phone-hevc.mp4"
        _write(p, None, "libx265", 320, 180, times,
               options={"x265-params": "keyint=48:min-keyint=48:bframes=2:log-level=error"})
        add("hevc-mp4", p, times)

    # A digitised tape: MPEG-2 program stream, 720x576 interlaced, as DVD recorders and capture cards write.
    tape = _cfr(50)
    p = folder / "tape.mpg"
    _write(p, "vob", "mpeg2video", 720, 576, tape, interlaced=True, tb=Fraction(1, 25),
           options={"g": "12", "bf": "2", "b": "4000000"}, flags=("interlaced_dct", "interlaced_me"))
    add("mpeg2-ps-interlaced", p, tape, interlaced=True)

    p = folder / "capture.avi"
    _write(p, "avi", "mjpeg", 320, 240, tape, pix_fmt="yuvj420p", tb=Fraction(1, 25))
    add("mjpeg-avi", p, tape)

    p = folder / "dv.avi"
    _write(p, "avi", "dvvideo", 720, 576, _cfr(25), tb=Fraction(1, 25))
    add("dv-avi", p, _cfr(25))

    # A phone: variable frame rate (frames 33, 40 or 50 ms apart).
    gaps = [33, 40, 50]
    vfr = [0]
    for i in range(1, 90):
        vfr.append(vfr[-1] + gaps[i % 3])
    p = folder / "phone-vfr.mp4"
    _write(p, None, "libx264", 320, 180, vfr, options=x264)
    add("h264-vfr-mp4", p, vfr)

    p = folder / "late-start.mp4"
    _write(p, None, "libx264", 320, 180, times, options=x264, offset_ms=10_000)
    add("h264-late-start-mp4", p, times, first=10_000)
    return samples
