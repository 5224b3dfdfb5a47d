"""Analyses the open session's sound track in the background and hands it to the timeline.

Coding never waits for it: the analysis runs in a plain thread (PyAV and
numpy's FFT release the GIL for their heavy parts), reports progress to the
sound lanes, and is abandoned when another session opens or the window
closes. A finished analysis is cached per video file (``ssp_coder.media.audio``),
so the second open shows the lanes at once.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from ssp_coder.caches import cache_folder
from ssp_coder.errors import KnownError
from ssp_coder.media.audio import AnalysisCancelled, AudioOverview, AudioSettings, load_or_analyse

log = logging.getLogger(__name__)


def sound_settings(settings: QSettings) -> AudioSettings:
    """The analysis settings: defaults unless the lab changed ``sound/max_hz`` (and friends) in the settings."""
    base = AudioSettings()

    def number(key: str, default, kind):
        try:
            value = kind(settings.value(f"sound/{key}", default))
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    return AudioSettings(max_hz=number("max_hz", base.max_hz, int), hop_ms=number("hop_ms", base.hop_ms, int),
                         window_ms=number("window_ms", base.window_ms, int), floor_db=base.floor_db)


class SoundTrack(QObject):
    """One analysis at a time; a newer request makes the older one stop at its next progress report."""

    progressed = Signal(int, float)        # generation, fraction
    finished = Signal(int, object)         # generation, AudioOverview
    failed = Signal(int, str)              # generation, message

    def __init__(self, timeline, settings: AudioSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.timeline = timeline
        self.settings = settings or AudioSettings()
        self.generation = 0
        self.overview: AudioOverview | None = None
        self._thread: threading.Thread | None = None
        self.progressed.connect(self._on_progress)
        self.finished.connect(self._on_finished)
        self.failed.connect(self._on_failed)

    def load(self, path: Path | None, why_none: str = "No video: no sound to show") -> None:
        """Start analysing ``path`` (or show ``why_none`` in the lanes when there is no video to read)."""
        self.generation += 1
        self.overview = None
        if path is None:
            self.timeline.set_sound_status(why_none)
            return
        gen = self.generation
        self.timeline.set_sound_status("Reading the sound track…", 0.0)
        self._thread = threading.Thread(target=self._run, args=(gen, Path(path)), name="sound-analysis", daemon=True)
        self._thread.start()

    def _run(self, gen: int, path: Path) -> None:
        last = [-1.0]

        def progress(fraction: float) -> None:
            if gen != self.generation:
                raise AnalysisCancelled
            if fraction - last[0] >= 0.02:
                last[0] = fraction
                self.progressed.emit(gen, fraction)

        try:
            overview = load_or_analyse(path, cache_folder("sound"), self.settings, progress)
        except AnalysisCancelled:
            return
        except KnownError as exc:
            self.failed.emit(gen, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the sound lanes must never take the window down
            log.exception("sound analysis of %s failed", path)
            self.failed.emit(gen, f"The sound track could not be read ({type(exc).__name__}); see the log.")
            return
        if gen == self.generation:          # a closed window has moved the generation on: say nothing
            self.finished.emit(gen, overview)

    def _on_progress(self, gen: int, fraction: float) -> None:
        if gen == self.generation and self.overview is None:
            self.timeline.set_sound_status(f"Analysing the sound track… {fraction:.0%}", fraction)

    def _on_finished(self, gen: int, overview: AudioOverview) -> None:
        if gen == self.generation:
            self.overview = overview
            self.timeline.set_sound(overview)

    def _on_failed(self, gen: int, message: str) -> None:
        if gen == self.generation:
            self.timeline.set_sound_status(message)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Stop the analysis (it notices at its next progress report) and wait for its thread."""
        self.generation += 1
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout_s)
