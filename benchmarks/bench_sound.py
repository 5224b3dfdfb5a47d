"""Sound lanes: analysing a 25-minute camcorder-like sound track, and what drawing the lanes adds to a repaint.

Targets: lanes ready < 10 s (first open, 2 cores); drawing both lanes adds < 4 ms to a full timeline repaint.
The test file (25 min, 48 kHz stereo AAC under a small video, like AVCHD's sound) is made once with the
ffmpeg command-line tool into the system's temporary folder and reused.
Run: PYTHONPATH=. python benchmarks/bench_sound.py [--minutes 25]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentile, report  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # the repaint is measured offscreen, as in CI


def sound_file(minutes: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"ssp-bench-sound-{minutes}min.mp4"
    if path.is_file():
        return path
    if shutil.which("ffmpeg") is None:
        sys.exit("bench_sound: the ffmpeg command-line tool is needed to make the test file")
    seconds = minutes * 60
    tmp = path.with_suffix(".part.mp4")
    # speech-band noise with a 450 Hz "cry" (plus harmonics) every 30 s, under a tiny video
    cry = "sin(2*PI*450*t)*0.3+sin(2*PI*900*t)*0.15+sin(2*PI*1350*t)*0.08"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"color=c=gray:s=160x120:r=25:d={seconds}",
         "-f", "lavfi", "-i", f"anoisesrc=d={seconds}:c=pink:r=48000:a=0.05",
         "-f", "lavfi", "-i", f"aevalsrc='if(lt(mod(t\\,30)\\,3)\\,{cry}\\,0)':s=48000:d={seconds}",
         "-filter_complex", "[1:a][2:a]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo[a]",
         "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "250",
         "-c:a", "aac", "-b:a", "192k", str(tmp)],
        check=True)
    tmp.replace(path)
    return path


def bench_analysis(path: Path, runs: int) -> None:
    from ssp_coder.media.audio import analyse_audio

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        ov = analyse_audio(path)
        times.append(time.perf_counter() - t0)
    verdict = "OK" if statistics.median(times) < 10 else "OVER TARGET"
    print(f"analysis of {ov.duration_ms / 60000:.1f} min of sound: median {statistics.median(times):.2f} s, "
          f"best {min(times):.2f} s over {runs} run(s) (target < 10 s) {verdict}")
    print(f"  overview: {len(ov.peaks):,} slices x {ov.bins} bins, "
          f"{(ov.peaks.nbytes + ov.spectrogram.nbytes) / 1e6:.1f} MB in memory, {len(ov.to_bytes()) / 1e6:.1f} MB cached")


def bench_repaint(path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from ssp_coder.domain.scheme import load_builtin_scheme
    from ssp_coder.gui.timeline import Timeline
    from ssp_coder.media.audio import analyse_audio

    app = QApplication.instance() or QApplication([])
    ov = analyse_audio(path)
    tl = Timeline(load_builtin_scheme())
    tl.resize(1920 - 420, tl.content_height())
    tl.show()
    tl.set_duration(ov.duration_ms)
    app.processEvents()

    def full_repaints(n: int = 60) -> list[float]:
        out = []
        for i in range(n):
            tl.zoom(0.7 if i % 8 < 4 else 1 / 0.7, ov.duration_ms * (i % 10) / 10)   # a new view each time
            tl.invalidate()
            t0 = time.perf_counter()
            tl.repaint()
            out.append((time.perf_counter() - t0) * 1000)
        return out

    tl.set_sound_lanes(False, False)
    without = full_repaints()
    tl.set_sound_lanes(True, True)
    tl.set_sound(ov)
    with_lanes = full_repaints()
    report("full timeline repaint without sound lanes", without)
    report("full timeline repaint with both sound lanes", with_lanes)
    added = statistics.median(with_lanes) - statistics.median(without)
    added95 = percentile(with_lanes, 0.95) - percentile(without, 0.95)
    print(f"drawing the sound lanes adds: median {added:.2f} ms, p95 {added95:.2f} ms (target < 4 ms) "
          f"{'OK' if added < 4 else 'OVER TARGET'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=25)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    path = sound_file(args.minutes)
    bench_analysis(path, args.runs)
    bench_repaint(path)


if __name__ == "__main__":
    main()
