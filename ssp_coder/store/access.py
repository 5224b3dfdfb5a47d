"""Can this project file be written, and what does an SQLite error on opening it mean?

A project on a read-only share, a file marked read-only or unchangeable, or a
folder the user may not write to (SQLite and the lock need files beside the
project) is not damaged: it can be read. These are told apart before any
connection is made, so the user hears what is wrong and where, not "damaged,
restore a backup".
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from ssp_coder.errors import StoreError
from ssp_coder.store.walcheck import shm_path, wal_path

_EFFECTIVE = os.access in os.supports_effective_ids


def can_write(path: Path) -> bool:
    """Whether this process may write ``path`` (its effective user, as the kernel decides)."""
    return os.access(path, os.W_OK, effective_ids=_EFFECTIVE)


def unwritable_reason(path: Path) -> str | None:
    """Why ``path`` (a project file) cannot be written in place, or None if it can."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"the file cannot be examined ({exc.strerror})"
    # The mode bits count even for an administrator, who could write anyway:
    # a file someone marked read-only must stay as it is.
    if not mode & stat.S_IWUSR:
        return f"the file {path.name} is marked read-only"
    if not can_write(path):
        return f"you may not write to the file {path.name} (its permissions, or it is marked unchangeable)"
    if not can_write(folder):
        return (f"the folder {folder} cannot be written to (the project needs to keep its lock and log files "
                "beside it)")
    for side in ("-wal", "-shm", ".lock"):
        other = path.with_name(path.name + side)
        if other.exists() and not can_write(other):
            return f"the file {other.name} beside it cannot be written to"
    return None


def refuse_unwritable(path: Path, reason: str) -> StoreError:
    return StoreError(f"{path} cannot be changed: {reason}. Nothing was changed. Make the file and its folder "
                      "writable, or copy the project into a folder you can write to and use that copy; to only "
                      "look at it, open it read-only.")


def open_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """The message for an SQLite error met while opening ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_READONLY") or "readonly" in str(exc):
        why = unwritable_reason(path) or "the file or its folder cannot be written to"
        return refuse_unwritable(path, why)
    if name.startswith("SQLITE_CANTOPEN") or name.startswith("SQLITE_PERM") or name.startswith("SQLITE_IOERR"):
        return StoreError(f"{path} cannot be opened ({exc}). Check that the file and its folder can be read and "
                          "written (a network share may have gone away); nothing was changed.")
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return StoreError(f"{path} is busy in another program ({exc}). Close it there and try again; nothing was "
                          "changed.")
    return StoreError(f"{path} is not a readable ssp-coder project ({exc}). If it is damaged, restore the newest "
                      f"copy from {path.stem}.backups/ with 'ssp-coder restore'.")


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """The project's connection: foreign keys on, waiting for a busy file rather than failing at once."""
    if read_only:
        uri = f"file:{path.as_posix()}?mode=ro"
        wal = wal_path(path)
        if (not can_write(path.parent) and not shm_path(path).exists()
                and (not wal.exists() or wal.stat().st_size == 0)):
            # In a folder it may not write, SQLite cannot make the shared-memory file a WAL file needs;
            # with no log beside it, the file on disk is the whole project and is read as it is.
            uri += "&immutable=1"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn
