"""Atomic writes for every file a user keeps.

Write to a temporary file beside the target, fsync, then ``os.replace``: a
crash leaves either the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from pathlib import Path
from typing import IO, Iterator

from ssp_coder.errors import KnownError


class WriteError(KnownError):
    pass


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_umask_lock = threading.Lock()


def user_file_mode() -> int:
    """The mode a program gives a new file: 0666 less the user's umask (mkstemp alone makes 0600)."""
    with _umask_lock:  # the umask can only be read by setting it; no other thread may create files meanwhile
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def new_file_mode(target: Path) -> int:
    """Keep a replaced file's permissions; a new file gets the user's usual mode."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return user_file_mode()


def _read_only(path: Path) -> bool:
    # Mode bits as well as access(): an administrator account can write anything,
    # but a file the user marked read-only must still not be replaced.
    effective = os.access in os.supports_effective_ids
    return not os.access(path, os.W_OK, effective_ids=effective) or not (path.stat().st_mode & stat.S_IWUSR)


def ensure_folder(folder: str | Path) -> Path:
    """``folder``, created if missing; a file in its place or a folder that cannot be made is a ``WriteError``."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise WriteError(f"Cannot write into {folder}: it is a file, not a folder. Give the name of a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"Cannot create the folder {folder} ({exc.strerror}). Choose a folder you can write "
                         "to; nothing was written.") from None
    return folder


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``target`` atomically.

    For writers (pandas, openpyxl, pyreadstat) that want a file name rather
    than a file object.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise WriteError(f"Cannot write {target}: {folder} is a file, not a folder. Give a path in a folder.")
    if not folder.is_dir():
        raise WriteError(f"Cannot write {target}: the folder {folder} does not exist.")
    if target.is_dir():
        raise WriteError(f"Cannot write {target}: it is a folder. Give a file name (it may be in that folder).")
    if target.exists() and _read_only(target):
        raise WriteError(f"Cannot write {target}: the file is read-only. Choose another name or make it writable.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=(suffix or target.suffix) + ".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"Cannot write {target}: the folder {folder} cannot be written to ({exc.strerror}). "
                         "Choose another folder; nothing was written.") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # after the writer: some writers replace the file they were given
        os.chmod(tmp_path, new_file_mode(target))
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.replace(tmp_path, target)
        except PermissionError:
            raise WriteError(f"Cannot replace {target}: it is open in another program or read-only. "
                             "Close it and try again; the old file was left as it was.") from None
        except OSError as exc:
            raise WriteError(f"Cannot write {target} ({exc.strerror}); the old file was left as it was.") from None
        fsync_dir(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_open(target: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None) -> Iterator[IO]:
    if "b" in mode:
        encoding = None
    with atomic_path(target) as tmp:
        with open(tmp, mode, encoding=encoding, newline=newline) as fh:
            yield fh


def atomic_write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_open(target, "wb") as fh:
        fh.write(data)


def atomic_write_text(target: str | Path, text: str) -> None:
    with atomic_open(target, "w") as fh:
        fh.write(text)


def check_target(target: str | Path) -> Path:
    """Raise ``WriteError`` now if ``target`` could not be written, so that a command checks every output
    before it writes any (an error then leaves nothing half-done)."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"Cannot write {target}: the folder {folder} does not exist. Nothing was written.")
    if target.is_dir():
        raise WriteError(f"Cannot write {target}: it is a folder. Give a file name. Nothing was written.")
    if target.exists() and _read_only(target):
        raise WriteError(f"Cannot write {target}: the file is read-only. Choose another name or make it writable. "
                         "Nothing was written.")
    if not os.access(folder, os.W_OK):
        raise WriteError(f"Cannot write {target}: the folder {folder} is not writable. Nothing was written.")
    return target


def check_folder(folder: str | Path) -> Path:
    """Raise ``WriteError`` now if ``folder`` is neither a writable folder nor one that can be created."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise WriteError(f"Cannot write into {folder}: it is a file, not a folder. Nothing was written.")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        raise WriteError(f"Cannot write into {folder}: {existing} is not a writable folder. Nothing was written.")
    return folder
