"""Put a backup in place of a project file, safely.

Copying a backup over a project by hand leaves the old file's write-ahead log
(``-wal``) and shared-memory file (``-shm``) beside it: SQLite would then
apply the old log to the backup, bringing back changes made after the backup
or damaging the file. The restore here does the whole procedure:

1. refuses while the project is open anywhere (its lock);
2. copies the backup to a temporary file beside the project and checks the
   copy: an ssp-coder project, from this program's version or older, passing
   SQLite's full integrity check, and the same project (project id) as the
   file it replaces, when that one can still be read;
3. moves the old project file, its ``-wal`` and its ``-shm`` aside, together,
   under one time-stamped name (``trial.replaced-20250301-142501.sspc`` and
   ``...sspc-wal``), so nothing is deleted and the old state can still be
   opened;
4. renames the checked copy to the project's name (atomic).

Until step 3 nothing beside the project has changed; if step 4 fails, the old
files are moved back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ssp_coder.atomic import fsync_dir, user_file_mode
from ssp_coder.errors import StoreError
from ssp_coder.store.access import can_write
from ssp_coder.store.backup import backup_folder, list_backups
from ssp_coder.store.lock import ProjectLock
from ssp_coder.store.schema import APPLICATION_ID, SCHEMA_VERSION
from ssp_coder.store.walcheck import shm_path, wal_path

SIDE_FILES = ("", "-wal", "-shm")


@dataclass(frozen=True)
class RestoreResult:
    project: Path
    backup: Path
    project_id: str
    moved_aside: tuple[tuple[Path, Path], ...]   # (old name, new name) of the replaced files

    def summary(self) -> str:
        lines = [f"Restored {self.project} from the backup {self.backup} (checked: whole, same project)."]
        if self.moved_aside:
            lines.append("The files it replaced were moved aside, not deleted:")
            lines += [f"  {old.name} -> {new.name}" for old, new in self.moved_aside]
        else:
            lines.append("There was no project file to replace.")
        lines.append("Changes made after the backup was taken are not in the restored project.")
        return "\n".join(lines)


def newest_backup(project_path: Path) -> Path:
    found = list_backups(project_path)
    if not found:
        raise StoreError(f"There are no backups of {project_path} in {backup_folder(project_path)}. Give the "
                         "backup file to restore.")
    return found[-1]


def _project_id_of(path: Path) -> str | None:
    """The project id the file itself records, read without its log and without writing anything."""
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?immutable=1", uri=True)
        try:
            row = conn.execute("SELECT value FROM project_info WHERE key = 'project_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _check_copy(copy: Path, backup: Path) -> str:
    """Check the copied backup; return its project id."""
    try:
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] not in (0, APPLICATION_ID) or not conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'project_info'").fetchone():
                raise StoreError(f"{backup} is not an ssp-coder project; nothing was changed.")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{backup} was made by a newer version of ssp-coder (file format {version}); "
                                 "update ssp-coder to restore it. Nothing was changed.")
            check = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
            if check != ["ok"]:
                raise StoreError(f"{backup} is damaged ({'; '.join(check[:2])}); choose an older backup. Nothing "
                                 "was changed.")
            row = conn.execute("SELECT value FROM project_info WHERE key = 'project_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"{backup} is not a readable ssp-coder project ({exc}); choose another backup. Nothing "
                         "was changed.") from None
    return row[0] if row else ""


def _aside_name(project: Path, stamp: str) -> Path:
    n = 0
    while True:
        tag = stamp if n == 0 else f"{stamp}-{n}"
        base = project.with_name(f"{project.stem}.replaced-{tag}{project.suffix}")
        if not any(base.with_name(base.name + side).exists() for side in SIDE_FILES):
            return base
        n += 1


def restore_backup(project: str | Path, backup: str | Path | None = None, *, actor: str = "ssp-coder") -> RestoreResult:
    """Replace ``project`` by ``backup`` (default: its newest backup); see the module docstring."""
    project = Path(project)
    backup = newest_backup(project) if backup is None else Path(backup)
    folder = project.parent if str(project.parent) else Path(".")
    if not backup.is_file():
        raise StoreError(f"There is no backup file at {backup}. Nothing was changed.")
    if project.is_dir():
        raise StoreError(f"{project} is a folder, not a project file (*.sspc). Nothing was changed.")
    if not folder.is_dir():
        raise StoreError(f"The folder {folder} does not exist. Nothing was changed.")
    if project.exists() and os.path.samefile(project, backup):
        raise StoreError(f"{backup} is the project file itself; choose a backup. Nothing was changed.")
    backup_log = wal_path(backup)
    if backup_log.exists() and backup_log.stat().st_size > 0:
        raise StoreError(f"{backup} has a write-ahead log beside it ({backup_log.name}), so the file alone is not "
                         "the whole copy. Open it once with ssp-coder (which completes it), then restore it. "
                         "Nothing was changed.")
    if not can_write(folder):
        raise StoreError(f"Cannot restore into {folder}: the folder cannot be written to. Nothing was changed.")
    lock = ProjectLock(project)
    if not lock.acquire(actor):
        raise StoreError(f"{project} is open in another ssp-coder window ({lock.holder()}). Close it there first; "
                         "nothing was changed.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{project.name}.", suffix=".restoring", dir=folder)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            shutil.copyfile(backup, tmp)
            restored_id = _check_copy(tmp, backup)
            current_id = _project_id_of(project) if project.exists() else None
            if current_id and restored_id != current_id:
                raise StoreError(f"{backup} is a backup of another project (project id {restored_id}), not of "
                                 f"{project} ({current_id}). Nothing was changed. To replace the project by it "
                                 "anyway, move the project file away first.")
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            mode = (project.stat().st_mode & 0o777) if project.exists() else user_file_mode()
            os.chmod(tmp, mode)
            moved = _move_aside(project)
            try:
                os.replace(tmp, project)
            except OSError as exc:
                for old, new in reversed(moved):
                    with contextlib.suppress(OSError):
                        os.replace(new, old)
                raise StoreError(f"Cannot put the backup in place of {project} ({exc.strerror}); the old files "
                                 "were put back. Nothing was changed.") from None
            fsync_dir(folder)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    finally:
        lock.release()
    return RestoreResult(project, backup, restored_id, tuple(moved))


def _move_aside(project: Path) -> list[tuple[Path, Path]]:
    """Move the project file, its log and its shared-memory file aside under one time-stamped name."""
    aside = _aside_name(project, datetime.now().strftime("%Y%m%d-%H%M%S"))
    moved: list[tuple[Path, Path]] = []
    try:
        for old, new in ((project, aside), (wal_path(project), wal_path(aside)), (shm_path(project), shm_path(aside))):
            if old.exists():
                os.replace(old, new)
                moved.append((old, new))
    except OSError as exc:
        for old, new in reversed(moved):
            with contextlib.suppress(OSError):
                os.replace(new, old)
        raise StoreError(f"Cannot move {project} aside ({exc.strerror}); nothing was changed.") from None
    return moved
