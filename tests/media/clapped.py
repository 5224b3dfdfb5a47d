"""Videos of one 'session' from two cameras: room noise, and a clap at a known moment on each camera's clock.

Made with PyAV (the program's own decoder library), so the tests need no FFmpeg command-line tool.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ssp_coder.media.synth import video_encoder


def clap_track(duration_s: float, rate: int, clap_s: float, *, noise: float, gain: float, seed: int,
               knock_s: float | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * rate))
    samples = (noise * rng.uniform(-1, 1, n)).astype(np.float32)
    burst = int(0.03 * rate)
    start = int(round(clap_s * rate))
    decay = np.exp(-np.arange(burst) / rate * 120)
    end = min(n, start + burst)
    samples[start:end] += (gain * rng.uniform(-1, 1, burst) * decay)[: end - start].astype(np.float32)
    if knock_s is not None:            # a softer sound only this camera heard (a cough near its mic)
        k = int(round(knock_s * rate))
        m = min(n, k + int(0.02 * rate))
        samples[k:m] += (gain / 3 * rng.uniform(-1, 1, m - k)).astype(np.float32)
    return np.clip(samples, -1, 1)


def make_clapped_view(path: Path, *, clap_s: float, duration_s: float = 8.0, rate: int = 48000,
                      noise: float = 0.01, gain: float = 0.9, size: tuple[int, int] = (160, 96), fps: int = 25,
                      knock_s: float | None = None, seed: int | None = None) -> Path:
    """A small video (a grey level that changes every frame) whose sound is faint noise plus a clap at ``clap_s``."""
    seed = int(clap_s * 1000) + rate if seed is None else seed
    sound = clap_track(duration_s, rate, clap_s, noise=noise, gain=gain, seed=seed, knock_s=knock_s)
    w, h = size
    with av.open(str(path), "w") as out:
        encoder = video_encoder()
        video = out.add_stream(encoder, rate=fps)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.codec_context.gop_size = 2 * fps
        audio = out.add_stream("aac", rate=rate)
        audio.layout = "mono"
        for i in range(int(round(duration_s * fps))):
            img = np.full((h * 3 // 2, w), 16 + (i * 7) % 200, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="yuv420p")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        for start in range(0, len(sound), 1024):
            block = sound[start:start + 1024]
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    return path
