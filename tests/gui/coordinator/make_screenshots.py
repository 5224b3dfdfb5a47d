"""Render the coordinator's windows on the demo trial at 1366x768 (offscreen) into docs/screenshots.

    QT_QPA_PLATFORM=offscreen python -m tests.gui.coordinator.make_screenshots [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _wait(app, signal, start) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(lambda *_: loop.quit())
    start()
    QTimer.singleShot(60000, loop.quit)
    loop.exec()
    app.processEvents()


def main(out: Path) -> None:
    from ssp_coder.demo import build_demo
    from ssp_coder.gui.app import application
    from ssp_coder.gui.coordinator.export_dialog import ExportDialog
    from ssp_coder.gui.coordinator.reliability_window import ReliabilityWindow
    from ssp_coder.gui.coordinator.summary_view import SummaryWindow
    from ssp_coder.store.project import Project

    app = application()
    out.mkdir(parents=True, exist_ok=True)
    demo = build_demo(Path(tempfile.mkdtemp()) / "demo", workers=1)
    with Project.open(demo.project_path, backups=False) as project:
        coder = project.coder("Dana Lead")
        rel = ReliabilityWindow(project, coder)
        rel.resize(1366, 768)
        rel.show()
        _wait(app, rel.reportReady, rel.refresh)
        rel.grab().save(str(out / "coordinator-reliability-overview.png"))
        rel.tabs.setCurrentWidget(rel.conference)
        rel.conference.select_row(0)
        app.processEvents()
        rel.grab().save(str(out / "coordinator-conference-diff.png"))
        rel.tabs.setCurrentIndex(3)
        app.processEvents()
        rel.grab().save(str(out / "coordinator-drift.png"))
        dlg = ExportDialog(project)
        dlg.show()
        dlg.set_choice("sav", "both", Path(tempfile.mkdtemp()) / "trial.sav")
        _wait(app, dlg.exported, dlg.start)
        dlg.grab().save(str(out / "coordinator-export-dialog.png"))
        summ = SummaryWindow(project)
        summ.resize(1366, 768)
        summ.show()
        _wait(app, summ.summaryReady, summ.refresh)
        summ.grab().save(str(out / "coordinator-summary.png"))
        summ.tabs.setCurrentIndex(5)
        app.processEvents()
        summ.grab().save(str(out / "coordinator-summary-figure.png"))
        for w in (rel, dlg, summ):
            w.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
