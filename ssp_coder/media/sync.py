"""Find the offset between two camera views of one session from a sharp sound both recorded.

Labs clap (or shut a door) in front of both cameras at the start of a
session. Both sound tracks then share a sudden rise in loudness at that
moment, even though the microphones, their levels and the room noise
differ. We compare *onsets*, not waveforms: each track becomes a loudness
envelope (energy every ``hop_ms``, in decibels), its rises (the positive
part of its slope) are standardised, and the lag at which the two onset
curves agree best is the offset. A peak that does not stand out from the
next best lag means there is no shared sharp sound, and we say so rather
than guess.

Decoding is the sound lanes' (PyAV, mixed to mono at the track's own rate);
energies are taken on an exact millisecond grid whatever the sample rate,
so a 44.1 kHz camera and a 48 kHz camera line up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import av
import numpy as np
import scipy.signal

from .audio import _mono, _relative_start_ms
from ssp_coder.errors import KnownError

from .errors import MediaError, unreadable

__all__ = ["SoundEnvelope", "SyncError", "SyncResult", "SyncSettings", "find_offset", "offset_between",
           "sound_envelope"]


class SyncError(KnownError):
    """The sound tracks do not tell the offset (no shared sharp sound, silence); the message says what to do."""

Progress = Callable[[float], None]      # fraction done, 0..1; may raise to cancel
SILENCE_DB = -90.0                      # quieter than this is digital silence (a muted or starting track)


@dataclass(frozen=True)
class SyncSettings:
    """Conventions, not findings; a lab may change them."""

    hop_ms: int = 2                  # envelope resolution: well inside one frame at any camera rate
    max_offset_ms: int = 300_000     # cameras started within five minutes of each other
    search_ms: int | None = None     # only the first N ms of each recording (None: all of it)
    min_prominence: float = 1.3      # best lag's score over the next best lag's, for a clear answer
    min_agreement: float = 0.25      # how much of both tracks' sharp sounds the best lag lines up (0..1)


@dataclass(frozen=True)
class SoundEnvelope:
    """Loudness every ``hop_ms`` (dB), bin ``k`` covering ``[start_ms + k*hop_ms, start_ms + (k+1)*hop_ms)``."""

    start_ms: float
    hop_ms: int
    db: np.ndarray

    @property
    def duration_ms(self) -> float:
        return len(self.db) * self.hop_ms


@dataclass(frozen=True)
class SyncResult:
    offset_ms: int          # view time = main time + offset_ms
    prominence: float       # how far the best lag stands out (>= min_prominence)
    agreement: float        # how much of both tracks' sharp sounds line up at it (0..1, >= min_agreement)
    main_ms: int            # where the shared sound is on the main view's clock
    view_ms: int            # ... and on the other view's


class _EnergyGrid:
    """Sums of squared samples per ``hop_ms`` bin, on an exact ms grid, fed frame by frame."""

    def __init__(self, rate: int, hop_ms: int):
        self.rate = rate
        self.step = rate * hop_ms / 1000.0       # samples per bin (fractional for 44.1 kHz)
        self.total = 0.0                         # energy of everything fed so far
        self.samples = 0
        self.edges: list[np.ndarray] = [np.zeros(1)]   # cumulative energy at each bin edge
        self.next_edge = 1

    def feed(self, mono: np.ndarray) -> None:
        n = len(mono)
        if not n:
            return
        cum = self.total + np.cumsum(mono.astype(np.float64) ** 2)
        first = self.next_edge
        last = int(np.floor((self.samples + n) / self.step))
        if last >= first:
            pos = np.arange(first, last + 1) * self.step - self.samples    # edge positions within this block
            xs = np.arange(1, n + 1, dtype=np.float64)
            self.edges.append(np.interp(pos, xs, cum, left=self.total))
            self.next_edge = last + 1
        self.total = float(cum[-1])
        self.samples += n

    def energies(self) -> np.ndarray:
        edges = np.concatenate(self.edges)
        per_sample = np.diff(edges) / self.step
        return per_sample


def sound_envelope(path: str | os.PathLike[str], settings: SyncSettings = SyncSettings(),
                   progress: Progress | None = None) -> SoundEnvelope | None:
    """The loudness envelope of a video's first sound track on the video's clock; None if it has no sound."""
    p = Path(path)
    if not p.is_file():
        raise MediaError(p, f"{p} was not found: relink the view's video first.")
    try:
        container = av.open(str(p))
    except (av.FFmpegError, OSError) as exc:
        raise unreadable(p, str(exc).split(":")[0] or type(exc).__name__) from None
    with container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        video = container.streams.video[0] if container.streams.video else None
        start_ms = _relative_start_ms(stream, video)
        duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0.0
        grid: _EnergyGrid | None = None
        limit = settings.search_ms / 1000 if settings.search_ms else None
        try:
            for frame in container.decode(stream):
                if grid is None:
                    grid = _EnergyGrid(frame.sample_rate or stream.rate or 48000, settings.hop_ms)
                grid.feed(_mono(frame))
                done = grid.samples / grid.rate
                if progress is not None and duration:
                    progress(min(1.0, done / (min(duration, limit) if limit else duration)))
                if limit is not None and done >= limit:
                    break
        except av.FFmpegError as exc:
            raise MediaError(p, f"The sound track of {p} could not be decoded ({exc}). Set the offset by marking "
                                "the same moment in both views instead.") from None
    if grid is None:
        return None
    energy = grid.energies()
    db = 10 * np.log10(energy + 1e-10)
    return SoundEnvelope(float(start_ms), settings.hop_ms, db.astype(np.float32))


def _onsets(env: SoundEnvelope) -> np.ndarray:
    """Rises in loudness scaled to the recording's sharpest (1.0): a clap, a bang, a knock, whatever the mic's level."""
    db = env.db
    rise = np.maximum(np.diff(db, prepend=db[:1]), 0.0)
    # A track that starts (or resumes) from digital silence is not a sound in the room.
    rise[np.concatenate([[True], db[:-1] < SILENCE_DB])] = 0.0
    # A steady noise's envelope flickers by a dB or two from bin to bin; a clap or a bang rises by far more.
    # Only the sharpest rises (at least 3 dB, and the top 0.1 % of the recording) count as events.
    if len(rise):
        rise = np.where(rise >= max(3.0, float(np.percentile(rise, 99.9))), rise, 0.0)
    peak = float(rise.max()) if len(rise) else 0.0
    return rise / peak if peak > 0 else rise


def offset_between(main: SoundEnvelope, view: SoundEnvelope, settings: SyncSettings = SyncSettings()) -> SyncResult:
    """The offset (view time = main time + offset) at which the two envelopes' onsets agree best."""
    if main.hop_ms != view.hop_ms:
        raise ValueError("envelopes on different grids")
    a, b = _onsets(main), _onsets(view)
    if not a.any() or not b.any():
        raise SyncError("One of the sound tracks is silent, so the views cannot be synchronised from "
                               "sound. Mark the same moment in both views instead.")
    score = scipy.signal.correlate(b, a, mode="full", method="fft")
    lags = scipy.signal.correlation_lags(len(b), len(a), mode="full")
    hop = main.hop_ms
    # lag k: bin i of the main view lines up with bin i + k of the other view.
    base = view.start_ms - main.start_ms
    allowed = np.abs(lags * hop - base) <= settings.max_offset_ms
    if not allowed.any():
        raise SyncError("The two sound tracks do not overlap within the allowed offset.")
    score = np.where(allowed, score, -np.inf)
    best = int(np.argmax(score))
    peak = float(score[best])
    # Runner-up: the best lag at least 100 ms away (the same clap's echo sits right beside the peak).
    guard = max(1, int(100 / hop))
    rest = score.copy()
    rest[max(0, best - guard): best + guard + 1] = -np.inf
    runner = float(rest.max()) if np.isfinite(rest).any() else 0.0
    prominence = peak / runner if runner > 0 else float("inf")
    # A match of two faint flickers is no clap, however alone it stands: at the best lag, a good part of both
    # tracks' sharp sounds must line up (the cosine of the two onset curves, 1 = every onset matched).
    agreement = peak / float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    if agreement < settings.min_agreement or prominence < settings.min_prominence:
        raise SyncError("No sharp sound (a clap, a door) stands out in both sound tracks, so the offset "
                               "cannot be found from sound. Mark the same moment in both views instead.")
    # Sub-bin refinement: a parabola through the peak and its neighbours.
    frac = 0.0
    if 0 < best < len(score) - 1 and np.isfinite(score[best - 1]) and np.isfinite(score[best + 1]):
        y0, y1, y2 = score[best - 1], score[best], score[best + 1]
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            frac = float(np.clip(0.5 * (y0 - y2) / denom, -0.5, 0.5))
    lag = lags[best] + frac
    offset = lag * hop + base
    k = int(lags[best])
    lo, hi = max(0, -k), min(len(a), len(b) - k)
    i = lo + int(np.argmax(a[lo:hi] * b[lo + k:hi + k]))      # where the shared sound is, on the main clock
    main_ms = int(round(main.start_ms + i * hop))
    return SyncResult(int(round(offset)), prominence, agreement, main_ms, int(round(main_ms + offset)))


def find_offset(main_path: str | os.PathLike[str], view_path: str | os.PathLike[str],
                settings: SyncSettings = SyncSettings(), progress: Progress | None = None) -> SyncResult:
    """Decode both sound tracks and find the offset of the second view (see the module docstring)."""
    def part(lo: float, hi: float) -> Progress | None:
        return None if progress is None else (lambda f: progress(lo + (hi - lo) * f))
    main = sound_envelope(main_path, settings, part(0.0, 0.5))
    view = sound_envelope(view_path, settings, part(0.5, 1.0))
    for env, path in ((main, main_path), (view, view_path)):
        if env is None:
            raise SyncError(f"{Path(path).name} has no sound track, so the views cannot be synchronised from sound. "
                            "Mark the same moment in both views instead.")
    return offset_between(main, view, settings)
