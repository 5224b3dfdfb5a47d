"""The sound track of a session, as the timeline draws it: a waveform envelope and a spectrogram.

Crying is heard before it is seen, so the timeline shows the audio under the
behaviour lanes. Both lanes come from one pass over the session's first audio
stream, decoded with PyAV and mixed down to mono at its own sample rate, up
to ``max_hz`` (0-4 kHz by default, where an infant cry's fundamental and first
harmonics lie):

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
import scipy.fft

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
    def bins(self) -> int:
        """Spectrogram rows: 0 Hz to ``max_hz``, ``1000 / window_ms`` Hz apart."""
        return self.window_ms * self.max_hz // 1000 + 1

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
        bins = settings.bins
        return cls(False, settings.hop_ms, 0, duration_ms, settings.max_hz,
                   np.zeros((0, 2), np.int16), np.zeros((0, bins), np.uint8), settings.floor_db)


Progress = Callable[[float], None]     # fraction done, 0..1; raise AnalysisCancelled to stop

_SAMPLE_TYPES = {"u8": (np.uint8, 128.0, 128.0), "s16": (np.int16, 0.0, 32768.0), "s32": (np.int32, 0.0, 2.0**31),
                 "s64": (np.int64, 0.0, 2.0**63), "flt": (np.float32, 0.0, 1.0), "dbl": (np.float64, 0.0, 1.0)}


def _mono(frame: av.AudioFrame) -> np.ndarray:
    """A decoded frame mixed down to mono float32 in [-1, 1], read straight from its planes.

    (``to_ndarray`` and PyAV's resampler cost several times the decoding itself on
    a 25-minute track: one small Python-level copy per 1,024 samples.)
    """
    name = frame.format.name
    dtype, offset, scale = _SAMPLE_TYPES[name.rstrip("p")]
    channels = len(frame.layout.channels)
    n = frame.samples
    if frame.format.is_planar:
        planes = [np.frombuffer(plane, dtype, count=n) for plane in frame.planes[:channels]]
    else:
        inter = np.frombuffer(frame.planes[0], dtype, count=n * channels)
        planes = [inter[c::channels] for c in range(channels)]
    mixed = planes[0].astype(np.float32)          # a copy: the frame's buffer is reused by the decoder
    for plane in planes[1:]:
        mixed += plane
    gain = 1.0 / (scale * channels)
    if offset:
        mixed -= np.float32(offset * channels)
    if gain != 1.0:
        mixed *= np.float32(gain)
    return mixed


class _Analyser:
    """Waveform pairs and spectrogram columns computed block by block as the sound is decoded.

    Works at the track's own sample rate (no resampling): the analysis window is
    ``window_ms`` long at any rate, so its bins are ``1000 / window_ms`` Hz apart and
    the rows up to ``max_hz`` are the same whatever the rate. Column ``i`` is centred
    on the middle of slice ``i``.
    """

    BLOCK_S = 30

    def __init__(self, rate: int, settings: AudioSettings):
        self.rate = rate
        self.hop = max(1, round(rate * settings.hop_ms / 1000))
        self.window = max(4, round(rate * settings.window_ms / 1000))
        self.hop_ms = self.hop * 1000 / rate
        self.bins = settings.bins
        self.taper = np.hanning(self.window).astype(np.float32)
        lead = max(0, self.window // 2 - self.hop // 2)
        self._spec_buf = np.zeros(lead, np.float32)      # the padded stream, from the next column's window start
        self._wave_buf = np.zeros(0, np.float32)         # the unpadded stream, from the next slice's start
        self._pending: list[np.ndarray] = []
        self._pending_n = 0
        self.total = 0
        self.peaks: list[np.ndarray] = []
        self.mags: list[np.ndarray] = []
        self._columns = 0

    def feed(self, mono: np.ndarray) -> None:
        self._pending.append(mono)
        self._pending_n += len(mono)
        self.total += len(mono)
        if self._pending_n >= self.BLOCK_S * self.rate:
            self._process(final=False)

    def _process(self, final: bool) -> None:
        new = np.concatenate(self._pending) if self._pending else np.zeros(0, np.float32)
        self._pending, self._pending_n = [], 0
        wave = np.concatenate([self._wave_buf, new])
        slices = len(wave) // self.hop if not final else -(-len(wave) // self.hop)
        if final and slices * self.hop > len(wave):
            wave = np.concatenate([wave, np.zeros(slices * self.hop - len(wave), np.float32)])
        if slices:
            blocks = wave[: slices * self.hop].reshape(slices, self.hop)
            self.peaks.append(np.stack([blocks.min(axis=1), blocks.max(axis=1)], axis=1))
        self._wave_buf = wave[slices * self.hop:]

        spec = np.concatenate([self._spec_buf, new])
        wanted = -(-self.total // self.hop) if final else None
        if final:
            need = (wanted - self._columns - 1) * self.hop + self.window
            if need > len(spec):
                spec = np.concatenate([spec, np.zeros(need - len(spec), np.float32)])
        cols = 0 if len(spec) < self.window else (len(spec) - self.window) // self.hop + 1
        if final:
            cols = max(0, min(cols, wanted - self._columns))
        if cols:
            frames = np.lib.stride_tricks.sliding_window_view(spec, self.window)[:: self.hop][:cols]
            spectra = scipy.fft.rfft(frames * self.taper, axis=1, workers=-1)   # float32 in, complex64 out
            self.mags.append(np.abs(spectra[:, : self.bins]))
            self._columns += cols
        self._spec_buf = spec[cols * self.hop:]

    def finish(self, floor_db: float) -> tuple[np.ndarray, np.ndarray]:
        self._process(final=True)
        peaks = np.concatenate(self.peaks) if self.peaks else np.zeros((0, 2), np.float32)
        mags = np.concatenate(self.mags) if self.mags else np.zeros((0, self.bins), np.float32)
        n = min(len(peaks), len(mags))
        peaks, mags = peaks[:n], mags[:n]
        pairs = np.clip(np.round(peaks * 32767), -32768, 32767).astype(np.int16)
        peak = float(mags.max()) if mags.size else 0.0
        if peak <= 0:
            return pairs, np.zeros(mags.shape, np.uint8)
        db = 20 * np.log10(np.maximum(mags / peak, 1e-12))
        levels = (db - floor_db) / -floor_db * 255
        return pairs, np.clip(np.round(levels), 0, 255).astype(np.uint8)


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


def analyse_audio(path: str | os.PathLike[str], settings: AudioSettings = AudioSettings(),
                  progress: Progress | None = None) -> AudioOverview:
    """Decode and analyse a video's first sound track (no cache). ``progress`` may raise AnalysisCancelled."""
    p = Path(path)
    if not p.is_file():
        raise MediaError(p, f"{p} was not found: relink the session's video to see its sound.")
    try:
        container = av.open(str(p))
    except (av.FFmpegError, OSError) as exc:
        raise unreadable(p, str(exc).split(":")[0] or type(exc).__name__) from None
    with container:
        video = container.streams.video[0] if container.streams.video else None
        if not container.streams.audio:
            return AudioOverview.silent(settings, _stream_duration_ms(video, container))
        stream = container.streams.audio[0]
        start_ms = _relative_start_ms(stream, video)
        total = max(1, (_stream_duration_ms(stream, container) or 1) * (stream.rate or 48000) / 1000)
        analyser: _Analyser | None = None
        resampler: av.AudioResampler | None = None
        step = max(1.0, total / 100)
        next_report = 0.0
        try:
            for frame in container.decode(stream):
                if analyser is None:
                    rate = frame.sample_rate or stream.rate or 48000
                    if (rate * settings.hop_ms) % 1000:
                        # a slice would not be a whole number of samples (22,050 Hz...): the slices
                        # would drift off the clock, so such rare tracks are resampled to 48 kHz
                        resampler = av.AudioResampler(format="fltp", layout="mono", rate=48000)
                        rate = 48000
                    analyser = _Analyser(rate, settings)
                for piece in (resampler.resample(frame) if resampler is not None else (frame,)):
                    analyser.feed(_mono(piece))
                if progress is not None and analyser.total >= next_report:
                    progress(min(0.95, analyser.total / total))
                    next_report += step
        except av.FFmpegError as exc:
            raise MediaError(p, f"The sound track of {p} could not be decoded ({exc}). "
                                "The video can still be coded; convert the file to MP4 to see its sound.") from None
        except KeyError as exc:
            raise MediaError(p, f"The sound track of {p} has a sample format that cannot be read ({exc}). "
                                "Convert the file to MP4 to see its sound.") from None
    if analyser is None:
        return AudioOverview.silent(settings, 0)
    if resampler is not None:
        for piece in resampler.resample(None):
            analyser.feed(_mono(piece))
    peaks, spec = analyser.finish(settings.floor_db)
    if progress is not None:
        progress(1.0)
    duration_ms = int(round(analyser.total * 1000 / analyser.rate))
    return AudioOverview(True, settings.hop_ms, start_ms, duration_ms, settings.max_hz, peaks, spec, settings.floor_db)


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
