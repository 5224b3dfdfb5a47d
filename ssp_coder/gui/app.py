"""Start the coding window: ``run(path_or_None) -> exit code``."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLoggingCategory, QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from ssp_coder import __version__
from ssp_coder.domain.model import Coder
from ssp_coder.errors import KnownError, StoreError
from ssp_coder.gui.controller import CodingController
from ssp_coder.gui.dialogs.relink import PackageVideos
from ssp_coder.gui.dialogs.start import CoderDialog, StartDialog
from ssp_coder.gui.main_window import MainWindow
from ssp_coder.gui.settings import app_settings, remember_project
from ssp_coder.gui.theme import apply_theme
from ssp_coder.store.access import unwritable_reason
from ssp_coder.shipped import shipped_folder
from ssp_coder.store.pg_conn import is_server_url, redact
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
    icon = QIcon()
    folder = shipped_folder("icons")
    for size in (16, 24, 32, 48, 64, 128, 256):
        ref = folder / f"ssp-coder-{size}.png"
        if ref.is_file():
            with resources.as_file(ref) as png:
                icon.addFile(str(png))
    if not icon.isNull():
        app.setWindowIcon(icon)
    return app


def build_window(project: Project, coder: Coder, settings: QSettings | None = None, **kwargs) -> MainWindow:
    controller = CodingController(project, coder)
    window = MainWindow(controller, settings or app_settings(), **kwargs)
    return window


def open_project_file(path: Path | str) -> tuple[Project, Any]:
    """A project file, a project on a server (postgresql:// URL), or a coder package (then also the opened
    package, which finds its videos)."""
    if is_server_url(path):
        return Project.open(str(path), actor="ssp-coder"), None
    path = Path(path)
    if path.suffix == ".sspkg":
        from ssp_coder.packages import open_package

        opened = open_package(path)
        return opened.project, opened
    try:
        return Project.open(path, actor="ssp-coder"), None
    except StoreError:
        if path.is_file() and unwritable_reason(path):
            # not damaged, only not writable here: open it read-only; the project says why
            return Project.open(path, actor="ssp-coder", fall_back_to_read_only=True), None
        raise


def close(project: Project, package: Any) -> None:
    if package is not None:
        try:
            returned = package.close()      # writes the returned package: always current
            if returned is not None:
                log.info("returned package written to %s", returned)
        except KnownError as exc:
            QMessageBox.warning(None, "Cannot write the returned package", str(exc))
    else:
        project.close()


def show_sized(window: QWidget, settings: QSettings, coder_name: str) -> None:
    """First time on this computer: fill the screen. Afterwards the coder's saved layout is restored."""
    if settings.value(f"layout/{coder_name}/geometry") is None:
        screen = window.screen() or QApplication.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.availableGeometry())
        window.showMaximized()
    else:
        window.show()


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
            chosen = path if is_server_url(path) else Path(path)
        try:
            project, package = open_project_file(chosen)
        except KnownError as exc:
            QMessageBox.warning(None, "Cannot open the project", str(exc))
            if path is not None:
                return exc.exit_code
            continue
        if not is_server_url(chosen):
            remember_project(settings, str(Path(chosen).resolve()))
        elif redact(str(chosen)) == str(chosen):    # never a password in the recent-projects list
            remember_project(settings, str(chosen))
        if package is not None:
            coder = project.coder(package.coder)      # a package belongs to one coder
        else:
            who = CoderDialog(project, settings)
            coder = who.coder() if who.exec() == QDialog.DialogCode.Accepted else None
        if coder is None:
            close(project, package)
            return 0
        videos = PackageVideos(package) if package is not None else None
        window = build_window(project, coder, settings, videos=videos)
        show_sized(window, settings, coder.name)
        window.open_first_coding()
        try:
            app.exec()
        finally:
            close(project, package)
        if not getattr(window, "open_other_requested", False):
            return 0
        path = None
