"""Copying a whole project between a project file and a server: ``server push`` and ``server pull``.

Both copy every table row for row (ids, audit log, package records and the
package-signing key included), so the copy is the same project, not a
re-creation of it. A push is one server transaction: the server holds the
whole project or nothing. A pull writes a temporary file beside the target
and renames it into place only when complete.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ssp_coder.errors import StoreError
from ssp_coder.store.lock import ProjectLock
from ssp_coder.store.pg_conn import ServerConnection, redact
from ssp_coder.store.pg_schema import SEQUENCED_TABLES
from ssp_coder.store.project import PROJECT_SUFFIX, Project, migrate
from ssp_coder.store.schema import APPLICATION_ID
from ssp_coder.store.server import _choose_schema, _server_version, init_server
from ssp_coder.store.walcheck import shm_path, wal_path

# Parents before children (foreign keys).
TABLES = ("project_info", "settings", "participants", "sessions", "session_views", "coders", "codings", "episodes",
          "events", "scale_ratings", "d_indices", "results", "gold_standards", "consensus_sources", "packages", "audit")

Progress = Callable[[float, float, str], None]


@dataclass(frozen=True)
class CopyReport:
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def push(project_path: Path, url: str, *, progress: Progress | None = None) -> CopyReport:
    """Copy the project file into the (prepared or empty) database at ``url``, all or nothing."""
    init_server(url)  # prepares an empty database, brings an older one up to date; refuses a newer one
    with Project.open(project_path, read_only=True, backups=False, check="full") as project:
        src = project.conn
        counts = {t: int(src.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}
        total = max(1, sum(counts.values()))
        done = 0
        with ServerConnection(url, search_path="ssp") as server:
            pg = server.raw
            with pg.transaction():
                pg.execute("LOCK TABLE ssp.project_info IN EXCLUSIVE MODE")
                row = pg.execute("SELECT value FROM ssp.project_info WHERE key = 'name'").fetchone()
                if row is not None or pg.execute("SELECT 1 FROM ssp.sessions LIMIT 1").fetchone():
                    name = row[0] if row else "a project"
                    raise StoreError(f"The database {redact(url)} already holds {name!r}. Nothing was copied. Push "
                                     "into a new, empty database (create one with 'createdb'), or pull that project "
                                     "first if it is the one you want.")
                for table in TABLES:
                    cols = _columns(src, table)
                    with pg.cursor().copy(f"COPY ssp.{table} ({', '.join(cols)}) FROM STDIN") as copy:
                        for n, values in enumerate(src.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1")):
                            copy.write_row(values)
                            if progress and n % 5000 == 0:
                                progress(done + n, total, table)
                    done += counts[table]
                for table in SEQUENCED_TABLES:
                    pg.execute(f"SELECT setval('ssp.{table}_id_seq', coalesce((SELECT max(id) FROM ssp.{table}), 0) "
                               "+ 1, false)")
                got = {t: int(pg.execute(f"SELECT count(*) FROM ssp.{t}").fetchone()[0]) for t in TABLES}
                if got != counts:
                    raise StoreError(f"The copy on the server does not match {project_path} ({got} vs {counts}); "
                                     "nothing was copied.")
    if progress:
        progress(total, total, "done")
    return CopyReport(counts)


def pull(url: str, target: Path, *, replace: bool = False, progress: Progress | None = None) -> CopyReport:
    """Copy the project on the server into a new project file at ``target`` (written atomically)."""
    target = Path(target)
    if target.suffix != PROJECT_SUFFIX:
        raise StoreError(f"{target} does not end in {PROJECT_SUFFIX}; name the copy like PROJECT{PROJECT_SUFFIX}.")
    if not target.parent.is_dir():
        raise StoreError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    if target.exists() and not replace:
        raise StoreError(f"{target} already exists; nothing was written. Choose another name, or add --replace to "
                         "put the server's copy in its place.")
    lock = None
    if target.exists():
        # Never swap a file under a window that has it open, nor beside a log SQLite would replay onto the copy.
        lock = ProjectLock(target)
        if not lock.acquire("ssp-coder server pull"):
            raise StoreError(f"{target} is open in another ssp-coder window ({lock.holder()}); close it there "
                             "first. Nothing was written.")
        leftovers = [p.name for p in (wal_path(target), shm_path(target)) if p.exists()]
        if leftovers:
            lock.release()
            raise StoreError(f"{target} still has its log files beside it ({', '.join(leftovers)}): it was not "
                             "closed cleanly. Open it once in ssp-coder and close it (that finishes the log), or "
                             "pull into another name. Nothing was written.")
    tmp = target.with_name(f".{target.name}.pulling")
    tmp.unlink(missing_ok=True)
    try:
        with ServerConnection(url) as server:
            if _choose_schema(server, url):
                raise StoreError("A coder's role sees only blinded codes and their own codings, so it cannot copy the "
                                 "whole project. A coordinator pulls the project; coders get coder packages.")
            if not server.execute("SELECT 1 FROM project_info WHERE key = 'scheme'").fetchone():
                raise StoreError(f"The database {redact(url)} holds no project yet; nothing was written.")
            if _server_version(server) != len(_sqlite_migrations()):
                raise StoreError(f"The project on {redact(url)} is in another format than this program's project "
                                 "files; bring both to the same ssp-coder version first. Nothing was written.")
            out = sqlite3.connect(tmp, isolation_level=None)
            try:
                out.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                migrate(out, target)
                counts = _copy_out(server, out, progress)
                out.execute("PRAGMA journal_mode = DELETE")
                problems = [r[0] for r in out.execute("PRAGMA integrity_check")]
                if problems != ["ok"]:
                    raise StoreError(f"The pulled copy failed its check ({problems[:3]}); nothing was written.")
            finally:
                out.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        with contextlib.suppress(OSError):
            fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        tmp.unlink(missing_ok=True)
        if lock is not None:
            lock.release()
    return CopyReport(counts)


def _copy_out(server: ServerConnection, out: sqlite3.Connection, progress: Progress | None) -> dict[str, int]:
    pg = server.raw
    counts: dict[str, int] = {}
    # One snapshot of the server for the whole copy, while others keep working.
    with pg.transaction():
        pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        total = sum(int(pg.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES) or 1
        done = 0
        out.execute("BEGIN")
        try:
            for table in TABLES:
                cols = _columns(out, table)
                insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                n = 0
                with pg.cursor(name=f"pull_{table}") as cur:
                    cur.itersize = 5000
                    cur.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1")
                    while rows := cur.fetchmany(5000):
                        out.executemany(insert, rows)
                        n += len(rows)
                        if progress:
                            progress(done + n, total, table)
                counts[table] = n
                done += n
            out.execute("COMMIT")
        except BaseException:
            out.execute("ROLLBACK")
            raise
    return counts


def _sqlite_migrations() -> list[str]:
    from ssp_coder.store.schema import MIGRATIONS

    return MIGRATIONS
