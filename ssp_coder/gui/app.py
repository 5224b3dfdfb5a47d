"""Start the coding window: ``run(path_or_None) -> exit code``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLoggingCategory, QSettings
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ssp_coder import __version__
from ssp_coder.domain.model import Coder
from ssp_coder.errors import KnownError
from ssp_coder.gui.controller import CodingController
from ssp_coder.gui.dialogs.start import CoderDialog, StartDialog
from ssp_coder.gui.main_window import MainWindow
from ssp_coder.gui.settings import app_settings, remember_project
from ssp_coder.gui.theme import apply_theme
from ssp_coder.store.project import Project

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("ssp-coder")
    app.setApplicationName("ssp-coder")
    app.setApplicationVersion(__version__)
    # The FFmpeg backend reports every optional library it does not find; coders need none of that.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false\nqt.multimedia.ffmpeg=false\n"
                                    "qt.multimedia.playbackengine.codec=false")
    apply_theme(app)
    return app


def build_window(project: Project, coder: Coder, settings: QSettings | None = None, **kwargs) -> MainWindow:
    controller = CodingController(project, coder)
    window = MainWindow(controller, settings or app_settings(), **kwargs)
    return window


def open_project_file(path: Path) -> Project:
    if path.suffix == ".sspkg":
        try:
            from ssp_coder.packages import open_package  # type: ignore[attr-defined]
        except ImportError:
            raise KnownError(f"{path.name} is a coder package; this version of ssp-coder cannot open packages "
                             "yet. Ask your coordinator for the project file.") from None
        return open_package(path)
    return Project.open(path, actor="ssp-coder")


def run(path: str | None = None) -> int:
    app = application()
    settings = app_settings()
    while True:
        if path is None:
            start = StartDialog(settings)
            if start.exec() != QDialog.DialogCode.Accepted or start.chosen is None:
                return 0
            chosen = start.chosen
        else:
            chosen = Path(path)
        try:
            project = open_project_file(chosen)
        except KnownError as exc:
            QMessageBox.warning(None, "Cannot open the project", str(exc))
            if path is not None:
                return exc.exit_code
            continue
        remember_project(settings, str(chosen.resolve()))
        who = CoderDialog(project, settings)
        coder = who.coder() if who.exec() == QDialog.DialogCode.Accepted else None
        if coder is None:
            project.close()
            return 0
        window = build_window(project, coder, settings)
        window.show()
        try:
            app.exec()
        finally:
            project.close()
        if not getattr(window, "open_other_requested", False):
            return 0
        path = None
