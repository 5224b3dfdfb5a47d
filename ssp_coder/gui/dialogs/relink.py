"""Find a session's video, and relink it when it moved (matched by SHA-256, hashed off the UI thread)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from ssp_coder.domain.model import Session
from ssp_coder.errors import KnownError
from ssp_coder.media import sha256_file
from ssp_coder.store.project import Project

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.m4v *.mts *.wmv *.webm);;All files (*)"


class _Cancelled(Exception):
    pass


class Worker(QObject):
    """Runs ``job(progress)`` in a thread; ``progress(done, total, detail="")`` raises once cancelled."""

    progress = Signal(int)           # per mille
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, job: Callable[[Callable[..., None]], Any]):
        super().__init__()
        self.job = job
        self.cancel = threading.Event()

    def run(self) -> None:
        def on_progress(done: float, total: float, *_: object) -> None:
            if self.cancel.is_set():
                raise _Cancelled
            self.progress.emit(int(done * 1000 / total) if total else 0)
        try:
            result = self.job(on_progress)
        except _Cancelled:
            self.finished.emit(None)
        except (OSError, KnownError) as exc:
            self.failed.emit(str(exc))
        else:
            self.finished.emit(result)


class _Outcome(QObject):
    def __init__(self, dialog: QProgressDialog, result: dict[str, Any]):
        super().__init__(dialog)
        self.dialog = dialog
        self.result = result

    @Slot(object)
    def done(self, value: object) -> None:
        self.result["value"] = value
        self.dialog.reset()
        self.dialog.accept()

    @Slot(str)
    def failed(self, message: str) -> None:
        self.result["error"] = message
        self.dialog.reset()
        self.dialog.accept()


def run_with_progress(job: Callable[[Callable[..., None]], Any], label: str, parent: QWidget | None) -> Any:
    """Long work (hashing a 4 GB video) in a worker thread behind a cancellable progress dialog."""
    dialog = QProgressDialog(label, "Cancel", 0, 1000, parent)
    dialog.setWindowTitle("ssp-coder")
    dialog.setMinimumDuration(300)
    worker = Worker(job)
    thread = QThread()
    worker.moveToThread(thread)
    result: dict[str, Any] = {}
    thread.started.connect(worker.run)
    worker.progress.connect(dialog.setValue)
    # The worker's signals come from its thread: a receiver living in this (the GUI) thread makes Qt queue
    # them here. (A bare lambda would run in the worker's thread and close the dialog from there.)
    outcome = _Outcome(dialog, result)
    worker.finished.connect(outcome.done)
    worker.failed.connect(outcome.failed)
    dialog.canceled.connect(worker.cancel.set)
    thread.start()
    dialog.exec()
    worker.cancel.set()
    thread.quit()
    thread.wait()
    if "error" in result:
        QMessageBox.warning(parent, "Cannot read the video", result["error"])
        return None
    return result.get("value")


class ProjectVideos:
    """Videos of a project file: paths relative to the project's folder (or absolute)."""

    def __init__(self, project: Project, actor: str):
        self.project = project
        self.actor = actor

    def find(self, session: Session) -> Path | None:
        return self._existing(session.video_path)

    def find_view(self, session: Session, view: Any) -> Path | None:
        """A further camera view's video (``view`` is a SessionView)."""
        return self._existing(view.video_path)

    def _existing(self, stored: str | None) -> Path | None:
        """The stored path (relative to the project's folder unless absolute), if a file is there."""
        if not stored:
            return None
        p = Path(stored)
        if not p.is_absolute():
            p = self.project.path.parent / p
        return p if p.is_file() else None

    def relink(self, session: Session, parent: QWidget | None) -> Path | None:
        """Ask for the moved video; link it only if its SHA-256 is the registered one."""
        answer = QMessageBox.question(
            parent, "Video not found",
            f"The video for session {session.blinded_code} is not at\n{session.video_path}\n\n"
            "Locate it now? The file is checked against the project's SHA-256 before it is linked.")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        path = self._pick_checked(parent, f"Video for {session.blinded_code}", session.video_sha256,
                                  f"the video registered for session {session.blinded_code}")
        if path is None:
            return None
        self.store_link(session, path)
        return path

    def relink_view(self, session: Session, view: Any, parent: QWidget | None) -> Path | None:
        """Locate a further camera view's moved video; linked only if its SHA-256 is the registered one."""
        path = self._pick_checked(parent, f"{view.label} video for {session.blinded_code}", view.video_sha256,
                                  f"the video registered as {view.label} of session {session.blinded_code}")
        if path is None:
            return None
        with self.project.bulk(actor=self.actor) as bw:
            bw.relink_view(int(session.id), view.number, self._stored_path(path))
        return path

    def _pick_checked(self, parent: QWidget | None, title: str, sha256: str | None, what: str) -> Path | None:
        """A file the coder picks, or None if cancelled or not the registered video (checked by SHA-256)."""
        name, _ = QFileDialog.getOpenFileName(parent, title, str(self.project.path.parent), VIDEO_FILTER)
        if not name:
            return None
        path = Path(name)
        digest = run_with_progress(lambda progress: sha256_file(path, progress=progress),
                                   f"Checking {path.name} …", parent)
        if not digest:
            return None
        if sha256 and digest.lower() != sha256.lower():
            QMessageBox.warning(parent, "Not the same video",
                                f"{path.name} is not {what} (its SHA-256 differs). Nothing was changed.")
            return None
        return path

    def _stored_path(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project.path.parent.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def store_link(self, session: Session, path: Path) -> None:
        try:
            rel = path.resolve().relative_to(self.project.path.parent.resolve()).as_posix()
        except ValueError:
            rel = str(path.resolve())
        with self.project.bulk(actor=self.actor) as bw:
            bw.relink_video(int(session.id), rel)


class PackageVideos:
    """Videos of a coder package: inside it, beside it, or found in a folder by SHA-256."""

    def __init__(self, opened: Any):
        self.opened = opened

    def find(self, session: Session) -> Path | None:
        return self.opened.video_for(session)

    def find_view(self, session: Session, view: Any) -> Path | None:
        return self.opened.video_for(session, view=view.number)

    def relink_view(self, session: Session, view: Any, parent: QWidget | None) -> Path | None:
        """Choose a folder; every missing video of the package (this view's too) is found there by SHA-256."""
        folder = QFileDialog.getExistingDirectory(parent, f"Folder with the {view.label} video")
        if not folder:
            return None
        run_with_progress(lambda progress: self.opened.relink(folder, progress=progress),
                          "Looking for the videos …", parent)
        return self.opened.video_for(session, view=view.number)

    def relink(self, session: Session, parent: QWidget | None) -> Path | None:
        answer = QMessageBox.question(
            parent, "Video not found",
            f"The video for session {session.blinded_code} is not in the package or beside it.\n\n"
            "Choose the folder that holds the videos? They are recognised by SHA-256, whatever their names.")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        folder = QFileDialog.getExistingDirectory(parent, "Folder with the videos")
        if not folder:
            return None
        found = run_with_progress(lambda progress: self.opened.relink(folder, progress=progress),
                                  "Looking for the videos …", parent)
        return (found or {}).get(session.blinded_code)
