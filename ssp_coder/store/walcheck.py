"""Does the write-ahead log beside a project file belong to it?

SQLite applies any valid ``-wal`` file it finds beside a database, whatever
database wrote it, and a writing connection then copies the log into the file
(a checkpoint) when it closes. A log left by another copy of the file (a
backup copied over the project after a crash, a file copied in from another
computer with the wrong ``-wal`` beside it) would then damage a healthy
project for good. So before a writing connection is made, the log is read as
the SQLite file format describes it (https://sqlite.org/fileformat2.html#walformat):
a 32-byte header (magic, format version, page size, checkpoint sequence, two
salts, a checksum of the header), then frames whose 24-byte headers repeat the
two salts and carry a running checksum; only frames up to the last valid
commit count. A log with no valid frame changes nothing and is left to SQLite.
A log with frames must

- have the page size of the file;
- sit beside a file in WAL mode (header bytes 18-19 = 2): a file in
  rollback-journal mode (a backup, a package's coding file) never wrote it;
- replay cleanly onto a copy of the file: the copy passes the integrity check,
  is still the same project (project id) and still holds the newest audit row
  the file alone holds (the audit log only grows, so a log of this project
  never removes one).

The replay is done on copies in a temporary folder; the project file, its log
and its ``-shm`` are only read.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path

from ssp_coder.errors import StoreError
from ssp_coder.store.lock import ProjectLock

WAL_MAGIC_LE = 0x377F0682      # checksums over little-endian words
WAL_MAGIC_BE = 0x377F0683      # checksums over big-endian words
WAL_VERSION = 3007000
WAL_HEADER = 32
FRAME_HEADER = 24
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class WalInfo:
    page_size: int
    checkpoint_seq: int
    salts: tuple[int, int]
    frames: int             # valid frames up to the last commit frame
    pages: frozenset[int]   # pages those frames write


def wal_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-wal")


def shm_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-shm")


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    words = array("I")
    words.frombytes(data)
    if big_endian != (struct.pack("=I", 1) == struct.pack(">I", 1)):
        words.byteswap()
    mask = 0xFFFFFFFF
    it = iter(words)
    for x0, x1 in zip(it, it):
        s0 = (s0 + x0 + s1) & mask
        s1 = (s1 + x1 + s0) & mask
    return s0, s1


def read_wal(path: Path, *, first_commit_only: bool = False) -> WalInfo | None:
    """The log's header and its valid committed frames; None if SQLite would ignore the whole log.

    ``first_commit_only`` stops at the first valid commit: enough to know that the log holds changes
    (the checksums are summed word by word, about 1 s for a 10 MB log).
    """
    try:
        with open(path, "rb") as fh:
            header = fh.read(WAL_HEADER)
            if len(header) < WAL_HEADER:
                return None
            magic, version, page_size, seq, salt1, salt2, c1, c2 = struct.unpack(">8I", header)
            if magic not in (WAL_MAGIC_LE, WAL_MAGIC_BE) or version != WAL_VERSION:
                return None
            if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
                return None
            big = magic == WAL_MAGIC_BE
            s0, s1 = _checksum(header[:24], big, 0, 0)
            if (s0, s1) != (c1, c2):
                return None
            frames = committed = 0
            pages: set[int] = set()
            pending: set[int] = set()
            while True:
                fhdr = fh.read(FRAME_HEADER)
                page = fh.read(page_size)
                if len(fhdr) < FRAME_HEADER or len(page) < page_size:
                    break
                pgno, db_size, fs1, fs2, fc1, fc2 = struct.unpack(">6I", fhdr)
                if (fs1, fs2) != (salt1, salt2) or pgno == 0:
                    break
                s0, s1 = _checksum(fhdr[:8], big, s0, s1)
                s0, s1 = _checksum(page, big, s0, s1)
                if (s0, s1) != (fc1, fc2):
                    break
                frames += 1
                pending.add(pgno)
                if db_size:
                    committed = frames
                    pages |= pending
                    pending = set()
                    if first_commit_only:
                        break
    except OSError:
        return None
    return WalInfo(page_size, seq, (salt1, salt2), committed, frozenset(pages))


def _db_header(path: Path) -> tuple[int, bool] | None:
    """(page size, in WAL mode) from the database header, or None if it is not an SQLite file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return None
    size = struct.unpack(">H", head[16:18])[0]
    return (65536 if size == 1 else size), head[18] == 2 and head[19] == 2


def _facts(conn: sqlite3.Connection) -> tuple[str | None, tuple | None]:
    """The project id and the newest audit row, as far as this connection sees them."""
    pid = conn.execute("SELECT value FROM project_info WHERE key = 'project_id'").fetchone()
    last = conn.execute("SELECT id, at, command, payload FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return (pid[0] if pid else None), (tuple(last) if last else None)


def _replay_problem(db: Path, wal: Path) -> str | None:
    """Apply the log to copies of the file and the log; what is wrong with the result, if anything."""
    with tempfile.TemporaryDirectory(prefix="ssp-walcheck-") as tmp:
        alone = Path(tmp) / "alone.sspc"
        shutil.copyfile(db, alone)
        try:
            # immutable: read the file exactly as it is on disk, without any log
            conn = sqlite3.connect(f"file:{alone.as_posix()}?immutable=1", uri=True)
            try:
                base = _facts(conn)
            finally:
                conn.close()
        except sqlite3.Error:
            base = None      # the file alone may need its log to be read at all
        copy = Path(tmp) / "replay.sspc"
        shutil.copyfile(db, copy)
        shutil.copyfile(wal, wal_path(copy))
        try:
            conn = sqlite3.connect(copy, isolation_level=None)
            try:
                check = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
                if check != ["ok"]:
                    return "applying it would damage the file (" + "; ".join(check[:2]) + ")"
                after = _facts(conn)
                kept = None
                if base is not None and base[1] is not None:
                    kept = conn.execute("SELECT id, at, command, payload FROM audit WHERE id = ?",
                                        (base[1][0],)).fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            return f"applying it leaves a file that cannot be read ({exc})"
    if base is not None:
        if base[0] != after[0]:
            return "it holds the changes of another project"
        if base[1] is not None and (kept is None or tuple(kept) != base[1]):
            return "applying it would remove changes the file already holds"
    return None


def check_wal(db: Path, *, replay: bool) -> None:
    """Refuse (``StoreError``) a log that does not belong to ``db``; see the module docstring.

    ``replay`` also applies the log to a copy; only do that while holding the
    project's lock, so no writer changes the log meanwhile.
    """
    wal = wal_path(db)
    try:
        if not wal.is_file() or wal.stat().st_size == 0:
            return
    except OSError:
        return
    head = _db_header(db)
    if head is None:
        return          # not an SQLite file: the ordinary open reports it
    info = read_wal(wal, first_commit_only=True)
    if info is None or info.frames == 0:
        return          # SQLite ignores such a log and starts a new one
    page_size, wal_mode = head
    problem = None
    if info.page_size != page_size:
        problem = f"its page size ({info.page_size}) is not the file's ({page_size})"
    elif not wal_mode:
        problem = ("the project file is in rollback-journal mode (a backup or a copy), so it did not write this "
                   "log")
    elif replay:
        problem = _replay_problem(db, wal)
    if problem:
        raise StoreError(
            f"{db}: the write-ahead log beside it ({wal.name}, holding committed changes) does not belong to "
            f"this project file: {problem}. It was not applied and nothing was changed. If you copied a backup or "
            f"another copy over this project, move {wal.name} (and {shm_path(db).name}, if present) to another "
            f"folder and open the project again, or use 'ssp-coder restore {db.name} BACKUP', which does this for "
            "you. If the computer crashed while this project was open, keep all three files together and ask for "
            "help before opening it.")


def check_log_before_open(path: Path, lock: ProjectLock | None) -> None:
    """Refuse a log that is not this file's. The replay is only meaningful while no one writes: under the
    caller's lock (``lock``), or, for a reader, the lock taken for a moment when it is free."""
    if lock is not None:
        check_wal(path, replay=True)
        return
    probe = ProjectLock(path)
    try:
        held = probe.acquire("ssp-coder (checking the log)")
    except StoreError:
        held = False
    try:
        check_wal(path, replay=held)
    finally:
        probe.release()
