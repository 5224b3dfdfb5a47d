"""Key press -> event committed to disk, in the event table and on the timeline (5,000 events in the coding).

Prints median and p95 in milliseconds (target: p95 < 16 ms). Run: python benchmarks/bench_gui_keypress.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gui_common import busy_project, coding_window, percentile, temp_folder  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ssp_coder.gui.app import application  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402


def main(n: int = 300) -> None:
    folder = temp_folder()
    path = busy_project(folder, events=5000)
    app = application()
    project = Project.open(path, backups=False)
    win = coding_window(project, folder / "s.ini")
    win.activateWindow()
    while QApplication.activeWindow() is not win:
        app.processEvents()
    win.timeline.setFocus()
    app.processEvents()
    keys = [Qt.Key.Key_A, Qt.Key.Key_B, Qt.Key.Key_L, Qt.Key.Key_C]
    times = []
    for i in range(n):
        win.player.show_frame(1000 + i * 7)
        app.processEvents()
        revision = win.controller.coding.revision
        t0 = time.perf_counter()
        QTest.keyClick(win.timeline, keys[i % len(keys)])
        win.timeline.repaint()            # the timeline painted with the new event
        win.events.view.viewport().repaint()
        t1 = time.perf_counter()
        # committed (a C that ends a cry over another cry merges them, so the count may also drop)
        assert win.controller.coding.revision > revision
        times.append((t1 - t0) * 1000)
    total = len(win.controller.state.events)
    print(f"key press -> committed + table + timeline, {total} events: "
          f"median {percentile(times, 50):.2f} ms, p95 {percentile(times, 95):.2f} ms, max {max(times):.2f} ms "
          f"(n={n}; target p95 < 16 ms)")
    win.close()
    project.close()


if __name__ == "__main__":
    main()
