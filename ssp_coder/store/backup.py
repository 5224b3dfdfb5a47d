"""Rotating online backups of a project file.

Uses SQLite's online backup API, so a backup is a consistent snapshot even
while a coder keeps working; each one is written to a temporary name and
renamed, so a crash never leaves half a backup under a real name.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)


class DamagedProjectError(Exception):
    pass


def backup_folder(project_path: Path) -> Path:
    return project_path.with_name(project_path.stem + ".backups")


def list_backups(project_path: Path) -> list[Path]:
    folder = backup_folder(project_path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{project_path.stem}-*.sspc") if not p.name.startswith("."))


def take_backup(project_path: Path, keep: int) -> Path:
    """Copy the project into its backups folder and drop all but the newest ``keep``."""
    folder = backup_folder(project_path)
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{project_path.stem}-{stamp}.sspc"
    tmp = folder / f".{target.name}.tmp"
    src = sqlite3.connect(f"file:{project_path.as_posix()}?mode=ro", uri=True)
    try:
        # The full check runs here, off the coder's thread; a damaged project must
        # never push good backups out of the rotation.
        check = [r[0] for r in src.execute("PRAGMA integrity_check(5)")]
        if check != ["ok"]:
            raise DamagedProjectError(f"{project_path} failed its integrity check ({'; '.join(check)}); no backup "
                                      "was taken and the existing backups were kept.")
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    for old in list_backups(project_path)[:-max(keep, 1)]:
        try:
            old.unlink()
        except OSError:  # a backup someone opened elsewhere: keep it, try next time
            log.warning("could not remove old backup %s", old)
    for stale in folder.glob(".*.tmp"):
        if stale != tmp:
            try:
                stale.unlink()
            except OSError:
                pass
    return target


class BackgroundBackup:
    """Runs one backup at a time on a worker thread, so coding never waits."""

    def __init__(self, project_path: Path, keep: int):
        self.project_path = project_path
        self.keep = keep
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.last_path: Path | None = None

    def start(self) -> bool:
        if self._thread is not None and self._thread.is_alive():
            return False
        self._thread = threading.Thread(target=self._run, name="ssp-coder-backup", daemon=True)
        self._thread.start()
        return True

    def _run(self) -> None:
        try:
            self.last_path = take_backup(self.project_path, self.keep)
            self.last_error = None
        except Exception as exc:  # a failed backup must never stop coding; it is logged
            self.last_error = str(exc)
            log.exception("backup of %s failed", self.project_path)

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
