"""The sound track of a session, as the timeline draws it: a waveform envelope and a spectrogram.

Crying is heard before it is seen, so the timeline shows the audio under the
behaviour lanes. Both lanes come from one pass over the session's first audio
stream: decoded with PyAV, mixed down to mono and resampled to twice the
highest frequency shown (8 kHz for the default 0-4 kHz band, where an infant
cry's fundamental and first harmonics lie), then

- a waveform envelope: the minimum and maximum sample in every ``hop_ms``
  slice, as int16 (a 25-minute session is 150,000 pairs, 600 kB);
- a spectrogram: Hann-windowed short-time Fourier magnitudes every
  ``hop_ms`` over ``window_ms``, in decibels relative to the loudest bin,
  stored as uint8 levels (0 = ``floor_db`` or quieter, 255 = the loudest).

The result is cached beside the other per-user caches (keyed by the file's
path, size and modification time plus the analysis settings), so a session
opens with its lanes at once the second time. Times are milliseconds of the
video's own clock: the audio stream's start time relative to the video
stream's is kept as ``start_ms``.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import av
import numpy as np

from ssp_coder.atomic import atomic_write_bytes

from .errors import MediaError, unreadable

__all__ = [
    "AudioSettings",
    "AudioOverview",
    "AnalysisCancelled",
    "analyse_audio",
    "load_or_analyse",
    "cache_file",
]

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class AudioSettings:
    """How the sound track is analysed. The defaults are conventions, not findings: a lab may change them."""

    max_hz: int = 4000          # top of the spectrogram; the analysis rate is twice this
    hop_ms: int = 10            # one waveform pair and one spectrogram column per hop
    window_ms: int = 32         # the spectrogram's analysis window (Hann)
    floor_db: float = -80.0     # quieter than this (relative to the loudest bin) draws as silence

    @property
    def rate_hz(self) -> int:
        return 2 * self.max_hz

    def key(self) -> str:
        return f"{self.max_hz}-{self.hop_ms}-{self.window_ms}-{self.floor_db:g}"


class AnalysisCancelled(Exception):
    """The caller asked the analysis to stop (a session was closed before its lanes were ready)."""


@dataclass(frozen=True)
class AudioOverview:
    """What the timeline draws for one session's sound track.

    ``has_audio`` is False for a video without sound; the arrays are then empty.
    ``peaks[i]`` is the (min, max) sample of slice ``i``, covering
    ``[start_ms + i*hop_ms, start_ms + (i+1)*hop_ms)``; ``spectrogram[i]`` is the
    column centred on the middle of that slice, row 0 the lowest frequency.
    """

    has_audio: bool
    hop_ms: int
    start_ms: int
    duration_ms: int
    max_hz: int
    peaks: np.ndarray            # (n, 2) int16
    spectrogram: np.ndarray      # (n, bins) uint8
    floor_db: float = -80.0

    @property
    def bins(self) -> int:
        return int(self.spectrogram.shape[1]) if self.spectrogram.ndim == 2 else 0

    def bin_hz(self, row: int) -> float:
        """The centre frequency of spectrogram row ``row``."""
        return row * self.max_hz / max(1, self.bins - 1)

    def slice_at(self, ms: float) -> int:
        """The slice (waveform pair, spectrogram column) that covers time ``ms``."""
        return int((ms - self.start_ms) // self.hop_ms)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(
            buf, version=np.int64(FORMAT_VERSION), has_audio=np.bool_(self.has_audio),
            hop_ms=np.int64(self.hop_ms), start_ms=np.int64(self.start_ms),
            duration_ms=np.int64(self.duration_ms), max_hz=np.int64(self.max_hz),
            floor_db=np.float64(self.floor_db), peaks=self.peaks, spectrogram=self.spectrogram)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "AudioOverview":
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if int(z["version"]) != FORMAT_VERSION:
                raise ValueError("cached audio overview from another version")
            return cls(bool(z["has_audio"]), int(z["hop_ms"]), int(z["start_ms"]), int(z["duration_ms"]),
                       int(z["max_hz"]), z["peaks"].astype(np.int16), z["spectrogram"].astype(np.uint8),
                       float(z["floor_db"]))

    @classmethod
    def silent(cls, settings: AudioSettings, duration_ms: int = 0) -> "AudioOverview":
        bins = settings.window_ms * settings.rate_hz // 1000 // 2 + 1
        return cls(False, settings.hop_ms, 0, duration_ms, settings.max_hz,
                   np.zeros((0, 2), np.int16), np.zeros((0, bins), np.uint8), settings.floor_db)


Progress = Callable[[float], None]     # fraction done, 0..1; raise AnalysisCancelled to stop


def _decode_mono(path: Path, settings: AudioSettings, progress: Progress | None) -> tuple[np.ndarray, int, int, bool]:
    """The first audio stream as mono float32 at ``settings.rate_hz``; (samples, start_ms, duration_ms, has_audio)."""
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise unreadable(path, str(exc).split(":")[0] or type(exc).__name__) from None
    with container:
        if not container.streams.audio:
            video = container.streams.video[0] if container.streams.video else None
            dur = _stream_duration_ms(video, container)
            return np.zeros(0, np.float32), 0, dur, False
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        video = container.streams.video[0] if container.streams.video else None
        start_ms = _relative_start_ms(stream, video)
        total_ms = max(1, _stream_duration_ms(stream, container))
        resampler = av.AudioResampler(format="flt", layout="mono", rate=settings.rate_hz)
        chunks: list[np.ndarray] = []
        last_report = -1.0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                if progress is not None and frame.time is not None:
                    done = min(1.0, max(0.0, (frame.time * 1000 - start_ms) / total_ms))
                    if done - last_report >= 0.01:
                        progress(done * 0.9)
                        last_report = done
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            raise MediaError(path, f"The sound track of {path} could not be decoded ({exc}). "
                                   "The video can still be coded; convert the file to MP4 to see its sound.") from None
    samples = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    duration_ms = int(round(len(samples) * 1000 / settings.rate_hz))
    return samples, start_ms, duration_ms, True


def _relative_start_ms(audio, video) -> int:
    """Where the sound starts on the video's clock (camcorder files often start both streams late)."""
    def start(s) -> float:
        return float(s.start_time * s.time_base) if s is not None and s.start_time is not None else 0.0
    return int(round((start(audio) - (start(video) if video is not None else start(audio))) * 1000))


def _stream_duration_ms(stream, container) -> int:
    if stream is not None and stream.duration is not None and stream.time_base is not None:
        return int(stream.duration * stream.time_base * 1000)
    if container.duration is not None:
        return int(container.duration / 1000)
    return 0


def _envelope(samples: np.ndarray, hop: int) -> np.ndarray:
    n = -(-len(samples) // hop)
    padded = np.zeros(n * hop, np.float32)
    padded[: len(samples)] = samples
    blocks = padded.reshape(n, hop)
    pairs = np.stack([blocks.min(axis=1), blocks.max(axis=1)], axis=1)
    return np.clip(np.round(pairs * 32767), -32768, 32767).astype(np.int16)


def _spectrogram(samples: np.ndarray, hop: int, window: int, floor_db: float,
                 progress: Progress | None) -> np.ndarray:
    """Column ``i`` is centred on the middle of slice ``i`` (``i*hop + hop/2``)."""
    n = -(-len(samples) // hop)
    bins = window // 2 + 1
    if n == 0:
        return np.zeros((0, bins), np.uint8)
    half = window // 2
    padded = np.zeros(n * hop + window, np.float32)
    padded[half - hop // 2 + 0: half - hop // 2 + len(samples)] = samples   # centre windows on the slices
    taper = np.hanning(window).astype(np.float32)
    mags = np.empty((n, bins), np.float32)
    step = 20_000                     # columns per block: bounded memory, a progress report per block
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        frames = np.lib.stride_tricks.sliding_window_view(padded[lo * hop: hi * hop + window], window)[::hop][: hi - lo]
        mags[lo:hi] = np.abs(np.fft.rfft(frames * taper, axis=1))
        if progress is not None:
            progress(0.9 + 0.1 * hi / n)
    peak = float(mags.max())
    if peak <= 0:
        return np.zeros((n, bins), np.uint8)
    db = 20 * np.log10(np.maximum(mags / peak, 1e-12))
    levels = (db - floor_db) / -floor_db * 255
    return np.clip(np.round(levels), 0, 255).astype(np.uint8)


def analyse_audio(path: str | os.PathLike[str], settings: AudioSettings = AudioSettings(),
                  progress: Progress | None = None) -> AudioOverview:
    """Decode and analyse a video's sound track (no cache). ``progress`` may raise AnalysisCancelled."""
    p = Path(path)
    if not p.is_file():
        raise MediaError(p, f"{p} was not found: relink the session's video to see its sound.")
    samples, start_ms, duration_ms, has_audio = _decode_mono(p, settings, progress)
    if not has_audio:
        return AudioOverview.silent(settings, duration_ms)
    hop = settings.hop_ms * settings.rate_hz // 1000
    window = settings.window_ms * settings.rate_hz // 1000
    peaks = _envelope(samples, hop)
    spec = _spectrogram(samples, hop, window, settings.floor_db, progress)
    return AudioOverview(True, settings.hop_ms, start_ms, duration_ms, settings.max_hz, peaks, spec,
                         settings.floor_db)


def cache_file(path: str | os.PathLike[str], cache_dir: str | os.PathLike[str],
               settings: AudioSettings = AudioSettings()) -> Path:
    """Where the overview of ``path`` is cached: named by the file's identity and the settings."""
    p = Path(path).resolve()
    st = p.stat()
    ident = f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0{settings.key()}\0{FORMAT_VERSION}"
    return Path(cache_dir) / f"{hashlib.sha256(ident.encode()).hexdigest()[:32]}.npz"


def load_or_analyse(path: str | os.PathLike[str], cache_dir: str | os.PathLike[str],
                    settings: AudioSettings = AudioSettings(),
                    progress: Progress | None = None) -> AudioOverview:
    """The cached overview when there is one for this very file, else analyse and cache it.

    A damaged or foreign cache file is ignored and replaced; a cache folder that
    cannot be written costs only the next open's speed.
    """
    target = cache_file(path, cache_dir, settings)
    if target.is_file():
        try:
            return AudioOverview.from_bytes(target.read_bytes())
        except (OSError, ValueError, KeyError, EOFError):
            pass
    overview = analyse_audio(path, settings, progress)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, overview.to_bytes())
    except OSError:
        pass
    return overview
