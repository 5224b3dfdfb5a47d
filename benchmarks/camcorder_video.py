"""A camcorder-like SSP recording for screenshots and benchmarks: 1080p25, long GOP, room sound, crying.

The demo's synthetic videos are flat drawings; real sessions are filmed rooms: a textured carpet and
wall, soft-edged people who move, sensor noise, a vignette, x264 with a 250-frame keyframe interval and
B-frames, and a sound track with room noise, door sounds at the episode changes and crying (a harmonic
series with its fundamental near 450 Hz, in bursts) in the separations. Nothing here is a measurement of
infants; it only makes the window look and load as it does on a lab's files.

    python benchmarks/camcorder_video.py OUT.mp4 [--episode-seconds 12]
"""

from __future__ import annotations

import argparse
import os
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssp_coder.media import ssp_episode_plan  # noqa: E402

W, H, FPS, RATE = 1920, 1080, 25, 48000
# Who is in the room in each episode (1-8): parent, stranger; the infant is always there.
PRESENT = {1: (True, False), 2: (True, False), 3: (True, True), 4: (False, True),
           5: (True, False), 6: (False, False), 7: (False, True), 8: (True, False)}
CRYING_EPISODES = (4, 6, 7)


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Low-frequency texture in 0..1 (blurred noise), for walls and carpet."""
    small = rng.random((max(2, int(shape[0] / scale)), max(2, int(shape[1] / scale))))
    big = ndimage.zoom(small, (shape[0] / small.shape[0], shape[1] / small.shape[1]), order=3)
    big = big[:shape[0], :shape[1]]
    return (big - big.min()) / (np.ptp(big) or 1.0)


def _room(rng: np.random.Generator) -> np.ndarray:
    """The static room, float RGB 0..255: wall, skirting, carpet in perspective, chairs, a door, toys."""
    img = np.zeros((H, W, 3), np.float32)
    horizon = int(H * 0.38)
    wall = 0.85 + 0.15 * _smooth_noise(rng, (horizon, W), 90)
    img[:horizon] = wall[..., None] * np.array([214, 205, 188], np.float32)
    carpet = 0.7 + 0.2 * _smooth_noise(rng, (H - horizon, W), 40) + 0.1 * rng.random((H - horizon, W))
    rows = np.linspace(0.8, 1.05, H - horizon, dtype=np.float32)[:, None]   # lighter towards the camera
    img[horizon:] = (carpet * rows)[..., None] * np.array([120, 132, 150], np.float32)
    img[horizon - 14:horizon] = np.array([236, 232, 224], np.float32)          # skirting board
    img[int(H * 0.06):horizon - 14, int(W * 0.86):int(W * 0.95)] = np.array([132, 92, 60], np.float32)  # door
    img[int(H * 0.22):int(H * 0.24), int(W * 0.87):int(W * 0.88)] = np.array([200, 190, 120], np.float32)
    for x0, tint in ((int(W * 0.16), (70, 74, 96)), (int(W * 0.66), (92, 70, 62))):             # two chairs
        img[int(H * 0.30):int(H * 0.52), x0:x0 + 190] = np.array(tint, np.float32)
        img[int(H * 0.44):int(H * 0.50), x0 - 20:x0 + 210] = np.array(tint, np.float32) * 1.15
    for _ in range(7):                                                                         # toys on the floor
        cx, cy, r = int(rng.uniform(0.3, 0.7) * W), int(rng.uniform(0.62, 0.9) * H), int(rng.uniform(14, 30))
        yy, xx = np.ogrid[-r:r, -r:r]
        disc = (xx * xx + yy * yy) < r * r
        img[cy - r:cy + r, cx - r:cx + r][disc] = rng.uniform(60, 230, 3).astype(np.float32)
    img = ndimage.gaussian_filter(img, sigma=(1.2, 1.2, 0))                                    # lens softness
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    vignette = 1 - 0.35 * (((xx - W / 2) / (W / 2)) ** 2 + ((yy - H / 2) / (H / 2)) ** 2)
    return img * vignette[..., None]


def _person(height: int, colour: tuple[int, int, int], skin: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A soft-edged figure (torso, head) as an RGB sprite and its alpha, ``height`` pixels tall."""
    w = int(height * 0.45)
    yy, xx = np.mgrid[0:height, 0:w].astype(np.float32)
    head_r = height * 0.11
    head = ((xx - w / 2) ** 2 + (yy - head_r * 1.1) ** 2) < head_r ** 2
    body = (((xx - w / 2) / (w * 0.46)) ** 2 + ((yy - height * 0.6) / (height * 0.4)) ** 2) < 1
    alpha = ndimage.gaussian_filter((head | body).astype(np.float32), 2.5)
    rgb = np.where(head[..., None], np.array(skin, np.float32), np.array(colour, np.float32))
    shade = 0.75 + 0.25 * np.clip(1 - np.abs(xx - w / 2) / (w / 2), 0, 1)
    return rgb * shade[..., None], alpha


def _paste(frame: np.ndarray, sprite: tuple[np.ndarray, np.ndarray], x: int, y: int) -> None:
    rgb, alpha = sprite
    h, w = alpha.shape
    x, y = max(0, min(W - w, x)), max(0, min(H - h, y))
    region = frame[y:y + h, x:x + w]
    region += (rgb - region) * alpha[..., None]


def _sound(plan: list[tuple[int, int, int]], rng: np.random.Generator) -> np.ndarray:
    """Mono float32 at 48 kHz: room noise, a door sound at each episode start, crying bursts."""
    total = plan[-1][2] * RATE // 1000
    pink = np.cumsum(rng.normal(0, 1, total)).astype(np.float32)
    pink -= ndimage.uniform_filter1d(pink, 2001)
    sound = 0.004 * pink / (np.abs(pink).max() or 1)
    for _, start, _ in plan:
        i = start * RATE // 1000
        n = min(int(0.08 * RATE), total - i)
        sound[i:i + n] += 0.5 * rng.normal(0, 1, n).astype(np.float32) * np.exp(-np.arange(n) / (0.015 * RATE))
    for ep, start, end in plan:
        if ep not in CRYING_EPISODES:
            continue
        t = start / 1000 + 1.0
        while t < end / 1000 - 1.5:
            length = rng.uniform(0.6, 1.4)
            n = int(length * RATE)
            i = int(t * RATE)
            tt = np.arange(n) / RATE
            f0 = 450 + 40 * np.sin(2 * np.pi * 5 * tt) + rng.uniform(-30, 30)
            phase = 2 * np.pi * np.cumsum(f0) / RATE
            burst = sum(np.sin(k * phase) / k for k in range(1, 6))
            envelope = np.sin(np.pi * tt / length) ** 0.6
            sound[i:i + n] += (0.18 * envelope * burst).astype(np.float32)
            t += length + rng.uniform(0.3, 0.9)
    return np.clip(sound, -1, 1)


def make_camcorder_video(path: str | os.PathLike[str], episode_seconds: float = 12, seed: int = 3) -> Path:
    """Write the recording to ``path`` (MP4, H.264 + AAC) and return it."""
    rng = np.random.default_rng(seed)
    plan = ssp_episode_plan(episode_seconds, Fraction(FPS))
    room = _room(rng)
    grain = [rng.normal(0, 5, (H // 2, W // 2, 1)).astype(np.float32) for _ in range(6)]
    parent = _person(420, (58, 84, 130), (226, 186, 160))
    stranger = _person(440, (120, 60, 70), (200, 160, 130))
    infant = _person(170, (230, 210, 120), (236, 196, 170))
    sound = _sound(plan, rng)
    out = Path(path)
    tmp = out.with_name(out.name + ".part")
    with av.open(str(tmp), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = W, H, "yuv420p"
        video.options = {"crf": "23", "preset": "veryfast", "g": "250", "bf": "2"}
        audio = container.add_stream("aac", rate=RATE)
        audio.layout = "mono"
        n_frames = plan[-1][2] * FPS // 1000
        for i in range(n_frames):
            ms = i * 1000 // FPS
            ep = next((e for e, s, end in plan if s <= ms < end), 8)
            with_parent, with_stranger = PRESENT[ep]
            frame = room.copy()
            t = i / FPS
            if with_parent:
                _paste(frame, parent, int(W * 0.17 + 60 * np.sin(t / 3)), int(H * 0.22))
            if with_stranger:
                _paste(frame, stranger, int(W * 0.66 + 40 * np.sin(t / 4 + 1)), int(H * 0.21))
            _paste(frame, infant, int(W * 0.45 + 260 * np.sin(t / 7)), int(H * 0.55 + 60 * np.sin(t / 5)))
            noise = np.repeat(np.repeat(grain[i % len(grain)], 2, axis=0), 2, axis=1)
            pixels = np.clip(frame + noise, 0, 255).astype(np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        step = 1024
        for start in range(0, len(sound), step):
            chunk = sound[start:start + step][None, :]
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate, frame.pts = RATE, start
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    os.replace(tmp, out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--episode-seconds", type=float, default=12)
    args = ap.parse_args()
    print("wrote", make_camcorder_video(args.out, args.episode_seconds))


if __name__ == "__main__":
    main()
