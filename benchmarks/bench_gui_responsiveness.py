"""Does the window stay responsive while the Reliability window computes the report of 2,000 sessions?

A 1 ms QTimer records when the event loop gets a turn; the longest gap between
two turns is how long the window was frozen (target < 50 ms). Measured for the
report computed in a separate process (what the window does) and, for
comparison, in a worker thread of the window's process (what it did before).
The gap while the result is shown (tables filled) is reported on its own.

    python benchmarks/bench_gui_responsiveness.py [--dir DIR] [--sessions 2000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 50.0
started_ms: list[float] = []      # how long starting the child took (the window's part of a refresh)


class LoopProbe:
    """Timestamps of event-loop turns, from a 1 ms timer."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.stamps: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def start(self) -> None:
        self.stamps = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def gaps_ms(self, until: float | None = None) -> list[float]:
        s = [t for t in self.stamps if until is None or t <= until]
        return [(b - a) * 1000 for a, b in zip(s, s[1:])]


def wait_for(signal, timeout_s: float = 600, start=None) -> list:
    """Run the event loop until ``signal`` (connected before ``start()`` is called, so it cannot be missed)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    got: list = []

    def done(*args) -> None:
        got.extend(args)
        loop.quit()

    signal.connect(done)
    if start is not None:
        start()
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    try:
        signal.disconnect(done)
    except RuntimeError:
        pass                      # a job's signals object is deleted once its final signal was delivered
    return got


def measure_process(window, probe: LoopProbe) -> dict:
    """The window's own path: ``refresh()`` starts the child process; ``reportReady`` once the tables are filled."""
    arrived: list[float] = []
    show = type(window)._on_report

    def on_report(result) -> None:          # the result has been read from the pipe; now the tables are filled
        arrived.append(time.perf_counter())
        show(window, result)

    window._on_report = on_report
    probe.start()
    t0 = time.perf_counter()

    def start() -> None:
        window.refresh()
        started_ms.append((time.perf_counter() - t0) * 1000)

    wait_for(window.reportReady, start=start)
    shown = time.perf_counter()
    probe.stop()
    del window._on_report
    return summarize(probe, t0, arrived[0], shown)


def measure_thread(window, probe: LoopProbe) -> dict:
    """For comparison: the same computation in a worker thread of the window's process (the former way)."""
    from ssp_coder.background import tasks
    from ssp_coder.gui.coordinator.workers import Job, read_only_copy

    def run(progress):
        with read_only_copy(window.project) as ro:
            return tasks.reliability_window_report(ro, progress)

    probe.start()
    t0 = time.perf_counter()
    job = Job(run)
    result = wait_for(job.signals.finished, start=job.start)
    arrived = time.perf_counter()
    window._on_report(result[0])          # fill the tables as the window does
    wait_for(window.reportReady)
    shown = time.perf_counter()
    probe.stop()
    return summarize(probe, t0, arrived, shown)


def summarize(probe: LoopProbe, t0: float, arrived: float, shown: float) -> dict:
    """Gaps while computing (and reading the result), and while the tabs are filled until ``reportReady``."""
    computing = probe.gaps_ms(until=arrived)
    last = max(t for t in probe.stamps if t <= arrived)
    showing = [last] + [t for t in probe.stamps if arrived < t <= shown] + [shown]
    show_gap = max((b - a) * 1000 for a, b in zip(showing, showing[1:]))
    return {"total_s": shown - t0, "turns": len(computing), "max_gap_ms": max(computing),
            "p99_gap_ms": sorted(computing)[int(0.99 * (len(computing) - 1))],
            "median_gap_ms": statistics.median(computing), "show_gap_ms": show_gap}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=None, help="folder for the project (reused when it exists)")
    ap.add_argument("--sessions", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-thread", action="store_true", help="skip the worker-thread comparison")
    args = ap.parse_args()

    from bench_reliability import build

    folder = args.dir or Path(tempfile.mkdtemp(prefix="ssp-bench-resp-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"irr{args.sessions}.sspc"
    if not path.exists():
        print(f"building {args.sessions} sessions in {path} …")
        build(path, args.sessions)

    from ssp_coder.gui.app import application
    from ssp_coder.gui.coordinator.reliability_window import ReliabilityWindow
    from ssp_coder.store.project import Project

    application()
    project = Project.open(path, backups=False)
    coordinator = project.coders()[0]
    window = ReliabilityWindow(project, coordinator)
    window.resize(1366, 768)
    window.show()
    probe = LoopProbe()
    runs = [("separate process", measure_process)]
    if not args.no_thread:
        runs.append(("worker thread (before)", measure_thread))
    for label, fn in runs:
        for i in range(args.repeat):
            r = fn(window, probe)
            verdict = "OK" if r["max_gap_ms"] < TARGET_MS else "OVER TARGET"
            print(f"reliability report, {args.sessions} sessions, {label}, run {i + 1}: "
                  f"{r['total_s']:.2f} s; event loop while computing: longest gap {r['max_gap_ms']:.1f} ms "
                  f"(target < {TARGET_MS:g} ms: {verdict}), p99 {r['p99_gap_ms']:.1f} ms, "
                  f"median {r['median_gap_ms']:.2f} ms, {r['turns']} turns; "
                  f"while the tabs fill: longest gap {r['show_gap_ms']:.1f} ms")
    if started_ms:
        print(f"starting the child process (inside one event-loop turn): "
              f"{', '.join(f'{x:.1f}' for x in started_ms)} ms")
    window.close()
    project.close()


if __name__ == "__main__":
    main()
