"""Run by test_crash: open the real window, log events by key, report each one once it is committed."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from ssp_coder.gui.app import application, build_window  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402


def main(project_path: str, settings_path: str) -> None:
    app = application()
    project = Project.open(project_path, actor="child", backups=False)
    win = build_window(project, project.coder("Ana"), QSettings(settings_path, QSettings.Format.IniFormat),
                       decode_video=False, ask_relink=False)
    win.show()
    win.open_first_coding()
    keys = [Qt.Key.Key_A, Qt.Key.Key_B, Qt.Key.Key_L]
    n = {"i": 0}

    def after(change) -> None:
        # The command is on disk before ``changed`` fires: tell the parent, then press the next key.
        print(f"committed {change.applied.inverse.event_id}", flush=True)
        QTimer.singleShot(0, next_key)

    def next_key() -> None:
        n["i"] += 1
        win.player.show_frame(n["i"])
        QTest.keyClick(win.timeline, keys[n["i"] % 3])

    win.controller.changed.connect(after)
    def start() -> None:
        # Shortcuts need the window to be the active one; wait for that, then start typing.
        if app.activeWindow() is not win:
            win.activateWindow()
            QTimer.singleShot(10, start)
            return
        win.timeline.setFocus()
        next_key()

    QTimer.singleShot(0, start)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
