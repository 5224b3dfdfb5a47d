"""Relink a session whose video moved: pick the file, check its SHA-256 in a worker thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from ssp_coder.domain.model import Session
from ssp_coder.errors import KnownError
from ssp_coder.media import sha256_file
from ssp_coder.store.project import Project


class HashWorker(QObject):
    progress = Signal(int)           # per mille
    finished = Signal(str)           # hex digest, "" when cancelled
    failed = Signal(str)

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.cancel = threading.Event()

    def run(self) -> None:
        size = max(1, self.path.stat().st_size)

        def on_progress(done: int, *_: object) -> None:
            if self.cancel.is_set():
                raise _Cancelled
            self.progress.emit(int(done * 1000 / size))
        try:
            digest = _sha256(self.path, on_progress)
        except _Cancelled:
            self.finished.emit("")
            return
        except (OSError, KnownError) as exc:
            self.failed.emit(str(exc))
            return
        self.finished.emit(digest)


class _Cancelled(Exception):
    pass


def _sha256(path: Path, on_progress) -> str:
    return sha256_file(path, progress=on_progress)


def resolve_video(project: Project, session: Session) -> Path | None:
    """The session's video on this computer, or None if it is not where the project says."""
    if not session.video_path:
        return None
    p = Path(session.video_path)
    if not p.is_absolute():
        p = project.path.parent / p
    return p if p.is_file() else None


def relink(project: Project, session: Session, actor: str, parent: QWidget | None = None) -> Path | None:
    """Ask for the moved video, check it is the same file (SHA-256), store the new path. None if not relinked."""
    answer = QMessageBox.question(
        parent, "Video not found",
        f"The video for session {session.blinded_code} is not at\n{session.video_path}\n\n"
        "Locate it now? The file is checked against the project's SHA-256 before it is linked.")
    if answer != QMessageBox.StandardButton.Yes:
        return None
    name, _ = QFileDialog.getOpenFileName(parent, f"Video for {session.blinded_code}", str(project.path.parent),
                                          "Videos (*.mp4 *.mov *.avi *.mkv *.m4v *.mts *.wmv);;All files (*)")
    if not name:
        return None
    path = Path(name)
    digest = hash_with_progress(path, parent)
    if not digest:
        return None
    if session.video_sha256 and digest.lower() != session.video_sha256.lower():
        QMessageBox.warning(parent, "Not the same video",
                            f"{path.name} is not the video registered for session {session.blinded_code} (its "
                            "SHA-256 differs). Nothing was changed.")
        return None
    try:
        rel = path.relative_to(project.path.parent).as_posix()
    except ValueError:
        rel = str(path)
    with project.bulk(actor=actor) as bw:
        bw.relink_video(int(session.id), rel)
    return path


def hash_with_progress(path: Path, parent: QWidget | None) -> str:
    """SHA-256 of a (possibly huge) file off the UI thread, with a cancellable progress dialog."""
    dialog = QProgressDialog(f"Checking {path.name} …", "Cancel", 0, 1000, parent)
    dialog.setWindowTitle("Checking video")
    dialog.setMinimumDuration(300)
    worker = HashWorker(path)
    thread = QThread()
    worker.moveToThread(thread)
    result: dict[str, str] = {}
    thread.started.connect(worker.run)
    worker.progress.connect(dialog.setValue)
    worker.finished.connect(lambda d: (result.__setitem__("digest", d), dialog.reset(), dialog.accept()))
    worker.failed.connect(lambda m: (result.__setitem__("error", m), dialog.reset(), dialog.accept()))
    dialog.canceled.connect(worker.cancel.set)
    thread.start()
    dialog.exec()
    worker.cancel.set()
    thread.quit()
    thread.wait()
    if "error" in result:
        QMessageBox.warning(parent, "Cannot read the video", result["error"])
        return ""
    return result.get("digest", "")
