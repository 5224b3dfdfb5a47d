"""Timeline repaint (5,000 events; playhead strips, cached, and full with the cache invalid), frame step (720p H.264, paused), cold start (2,000 sessions).

Targets: repaint < 8 ms; frame step median < 40 ms; cold start < 1.5 s.
Run: PYTHONPATH=. python benchmarks/bench_gui_other.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gui_common import busy_project, coding_window, percentile, temp_folder  # noqa: E402

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtGui import QRegion  # noqa: E402

from ssp_coder.gui.app import application, build_window  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402


def settings(folder: Path) -> QSettings:
    return QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)


def wait_frame(player) -> None:
    loop = QEventLoop()
    player.frameChanged.connect(loop.quit)
    QTimer.singleShot(5000, loop.quit)
    loop.exec()
    player.frameChanged.disconnect(loop.quit)


def bench_repaint() -> None:
    folder = temp_folder()
    path = busy_project(folder, events=5000)
    project = Project.open(path, backups=False)
    win = coding_window(project, folder / "s.ini", (1920, 1080))
    tl = win.timeline
    strips, cached, full = [], [], []
    for i in range(200):
        old, new = tl.playhead_ms, 1000 + i * 5000
        tl.set_playhead(new)
        region = QRegion()
        for r in tl.playhead_rects(old, new):
            region += r
        t0 = time.perf_counter()
        tl.repaint(region)                # what playback costs: strips around the old and new playhead
        strips.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        tl.repaint()                      # the whole widget from the cached static layer
        cached.append((time.perf_counter() - t0) * 1000)
        tl.invalidate()
        t0 = time.perf_counter()
        tl.repaint()                      # cache invalid: every lane, band and tick drawn again
        full.append((time.perf_counter() - t0) * 1000)
    assert tl.static_renders >= 200
    n = len(win.controller.state.events)
    for name, xs in (("playhead move, strips only", strips), ("whole widget, cached static layer", cached),
                     ("full repaint, cache invalid", full)):
        print(f"timeline {name}, {n} events, whole session in view, {tl.width()} px: "
              f"median {statistics.median(xs):.2f} ms, p95 {percentile(xs, 95):.2f} ms (target < 8 ms)")
    win.close()
    project.close()


def bench_frame_step() -> None:
    from ssp_coder.media import make_ssp_video

    folder = temp_folder()
    video = folder / "720p.mp4"
    info = make_ssp_video(video, episode_seconds=3, fps=25, width=1280, height=720)
    path = busy_project(folder, events=500, video=video, video_info=info)
    project = Project.open(path, backups=False)
    win = coding_window(project, folder / "s.ini", decode_video=True)
    wait_frame(win.player)
    times = []
    for i in range(120):
        t0 = time.perf_counter()
        win.player.step(1 if i % 10 else -3)
        wait_frame(win.player)
        win.video.repaint()
        times.append((time.perf_counter() - t0) * 1000)
    print(f"frame step, paused, 1280x720 H.264: median {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms (target median < 40 ms)")
    win.close()
    project.close()


def bench_cold_start() -> None:
    folder = temp_folder()
    path = busy_project(folder, events=200, sessions=2000)
    t0 = time.perf_counter()
    app = application()
    project = Project.open(path, backups=False)
    win = build_window(project, project.coder("Ana"), settings(folder), decode_video=False, ask_relink=False)
    win.show()
    win.open_first_coding()
    app.processEvents()
    dt = time.perf_counter() - t0
    print(f"cold start to a usable window, 2,000 sessions (QApplication already imported): {dt:.2f} s "
          "(target < 1.5 s)")
    win.close()
    project.close()


if __name__ == "__main__":
    bench_cold_start()
    bench_repaint()
    bench_frame_step()
