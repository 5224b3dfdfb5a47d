"""Sound at every playback rate: how far the sound is from the frame server's clock, 0.1x to 8x.

The coding window plays pictures from the frame server (its clock runs at real time x rate) and sound
from an audio-only QMediaPlayer that is put back on the clock when it drifts by more than
``SOUND_DRIFT_MS`` of real time. This plays a generated 1080p25 camcorder-like file with sound
(``camcorder_video.py``; made once into the system's temporary folder) in a ServedFrameSource at each
rate and samples, every 20 ms, the sound's position against the clock's time.

Printed for each rate: how long after play the clock (and the sound with it) started, and how long
the sound then took to move; then, from one second
after play (the output's start-up, ``SOUND_SETTLE_SECONDS``), the drift in media time and in real
time (media time / rate), the share of samples within the tolerance, the times it was put back, and
the sound's own speed against the clock's.

With no sound device (a server, CI) Qt's player keeps its position on its own clock; with one (for a
measurement without speakers, a PulseAudio null sink: ``pulseaudio -n -L module-null-sink
-L module-native-protocol-unix``) the position follows what the device has played.

    PYTHONPATH=. python benchmarks/bench_sound_rates.py [--seconds 6] [--pitch off]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentile  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

RATES = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def sound_video() -> Path:
    from camcorder_video import make_camcorder_video

    path = Path(tempfile.gettempdir()) / "ssp-bench-sound-rates-1080p.mp4"
    if not path.is_file():
        print(f"generating {path} (96 s of 1080p25 with sound; a few minutes) ...", flush=True)
        make_camcorder_video(path, episode_seconds=12)     # written whole or not at all
    return path


def spin(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)


def measure(app, player, rate: float, seconds: float, start_ms: int) -> dict:
    from ssp_coder.gui import served_source as ss

    source = player.source
    player.pause()
    player.set_rate(rate)
    player.seek(start_ms)
    spin(app, 1.0)
    put_back = []
    sound = source._ensure_sound()
    original = sound.setPosition

    def counted(ms: int) -> None:
        put_back.append(ms)
        original(ms)
    sound.setPosition = counted
    samples: list[tuple[float, float, float]] = []     # wall seconds since the sound started, clock ms, sound ms
    player.toggle()
    pressed = time.monotonic()
    # The clock starts once the decoder has the first frame (a seek's worth of decoding); the sound with it.
    while not source._sound_started and time.monotonic() - pressed < 30:
        spin(app, 0.005)
    t0 = time.monotonic()
    clock_wait_ms = (t0 - pressed) * 1000
    started_at = None
    while time.monotonic() - t0 < seconds:
        spin(app, 0.02)
        clock = source.server.clock if source.server is not None else None
        if clock is None or not source._sound_started:
            continue
        now = time.monotonic()
        at = clock.media_us(now) / 1000
        pos = sound.position()
        samples.append((now - t0, at, pos))
    player.toggle()
    sound.setPosition = original
    first = samples[0][2] if samples else 0
    for t, _at, pos in samples:
        if abs(pos - first) > 5:
            started_at = t
            break
    steady = [(t, at, pos) for t, at, pos in samples if t >= ss.SOUND_SETTLE_SECONDS]
    signed = [pos - at for _t, at, pos in steady]
    drift_media = [abs(d) for d in signed]
    # How finely the player reports its position: the median step between two different readings.
    steps = [b[2] - a[2] for a, b in itertools.pairwise(samples) if b[2] != a[2]]
    drift_real = [d / rate for d in drift_media]
    tolerance = max(ss.SOUND_DRIFT_MS * rate, ss.SOUND_DRIFT_MIN_MEDIA_MS)
    within = sum(1 for d in drift_media if d <= tolerance) / max(1, len(drift_media))
    # The sound's own speed between put-backs: position against the clock over the longest run without one.
    slope = float("nan")
    if len(steady) > 10:
        a, b = steady[len(steady) // 3], steady[-1]
        if b[1] != a[1]:
            slope = (b[2] - a[2]) / (b[1] - a[1])
    return {"clock_wait_ms": clock_wait_ms, "started_ms": None if started_at is None else started_at * 1000, "n": len(steady),
            "median": statistics.median(drift_real) if drift_real else float("nan"),
            "p95": percentile(drift_real, 0.95), "max": max(drift_real, default=float("nan")),
            "median_media": statistics.median(drift_media) if drift_media else float("nan"),
            "within": within, "tolerance": tolerance, "ahead": statistics.median(signed) / rate if signed else float("nan"),
            "grain": statistics.median(steps) if steps else float("nan"), "put_back": len(put_back) - 1, "slope": slope}



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0, help="real time played at each rate")
    ap.add_argument("--pitch", choices=("on", "off"), default="on", help="keep pitch (the window's default: on)")
    args = ap.parse_args()
    path = sound_video()

    from PySide6.QtMultimedia import QMediaDevices
    from PySide6.QtWidgets import QApplication

    from ssp_coder.gui import served_source as ss
    from ssp_coder.gui.player import VideoPlayer
    from ssp_coder.media.probe import probe_video

    app = QApplication.instance() or QApplication([])
    info = probe_video(path)
    device = QMediaDevices.defaultAudioOutput()
    print(f"file: {path.name}, {info.width}x{info.height} {info.fps:g} fps, {info.duration_ms / 1000:.0f} s")
    print(f"sound device: {device.description() if not device.isNull() else 'none (Qt player on its own clock)'}; "
          f"keep pitch {args.pitch}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"tolerance: {ss.SOUND_DRIFT_MS} ms of real time, at least {ss.SOUND_DRIFT_MIN_MEDIA_MS} ms of media; checked every {ss.SOUND_CHECK_SECONDS} s after "
          f"{ss.SOUND_SETTLE_SECONDS} s to start")
    player = VideoPlayer()
    source = ss.ServedFrameSource(path)
    player.load(source, info.fps, info.duration_ms, info.frame_count)
    end = time.monotonic() + 60
    while source.server is None and time.monotonic() < end:
        spin(app, 0.05)
    source.set_pitch_kept(args.pitch == "on")
    try:
        for rate in RATES:
            span_ms = args.seconds * rate * 1000 + 3000
            start_ms = int(max(0, min(20000, info.duration_ms - span_ms)))
            r = measure(app, player, rate, args.seconds, start_ms)
            started = "never" if r["started_ms"] is None else f"{r['started_ms']:.0f} ms"
            print(f"{rate:>5g}x: clock and sound started {r['clock_wait_ms']:.0f} ms after play; sound moving "
                  f"{started} after that; from {ss.SOUND_SETTLE_SECONDS:g} s on (n={r['n']}): "
                  f"drift median {r['median']:.0f} ms, p95 {r['p95']:.0f} ms, max {r['max']:.0f} ms real time "
                  f"(median {r['median_media']:.0f} ms of media; sound ahead by {r['ahead']:+.0f} ms at the median; "
                  f"position read in steps of {r['grain']:.0f} ms of media); within the tolerance ({r['tolerance']:.0f} ms of media) "
                  f"{r['within'] * 100:.0f} %; put back {r['put_back']}x; sound speed {r['slope']:.3f} x the clock",
                  flush=True)
    finally:
        player.unload()


if __name__ == "__main__":
    main()
