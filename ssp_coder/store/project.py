"""The project file: one SQLite database per trial (``*.sspc``).

Every command runs in its own transaction and is on disk (WAL, synchronous
FULL) before ``execute`` returns, with an audit row in the same transaction.
A second program cannot write the same file (OS lock); a file from a newer
version or a damaged file is refused with a clear message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ssp_coder import __version__
from ssp_coder.domain.commands import Command, command_from_dict
from ssp_coder.domain.model import (
    Coder, CoderId, Coding, CodingId, CodingState, Participant, Session,
)
from ssp_coder.domain.views import SessionView
from ssp_coder.domain.scheme import SETTING_DEFAULTS, Scheme, load_builtin_scheme, scheme_from_json
from ssp_coder.errors import SchemeError, StoreError
from ssp_coder.store.access import connect, open_error, refuse_unwritable, unwritable_reason
from ssp_coder.store.backup import BackgroundBackup, list_backups
from ssp_coder.store.bulk import BulkWriter
from ssp_coder.store.lock import ProjectLock
from ssp_coder.store.pg_conn import is_server_url, redact
from ssp_coder.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from ssp_coder.store.uow import (
    AUDIT_INSERT, apply_checked, CODING_COLS, SESSION_COLS, SqliteUnitOfWork, audit_row, coding_from_row, now_iso,
    participant_from_row,
    read_coding_state, session_from_row,
)
from ssp_coder.store import views_sql
from ssp_coder.store.walcheck import check_log_before_open

log = logging.getLogger(__name__)
PROJECT_SUFFIX = ".sspc"


@dataclass(frozen=True)
class Applied:
    """What ``execute`` did: the command, its inverse (for undo), and the coding it touched."""

    command: Command
    inverse: Command
    coding_id: CodingId | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    command: str
    coding_id: int | None
    payload: dict
    inverse: dict | None
    origin: str


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring a file up to ``SCHEMA_VERSION``; each step in its own transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was made by a newer version of ssp-coder (file format {version}, this program "
                         f"reads up to {SCHEMA_VERSION}). Update ssp-coder to open it; the file was not changed.")
    for target in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(MIGRATIONS[target]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def upgrade_copy(path: Path) -> None:
    """Bring a private copy of a project file (e.g. a returned package's coding file, extracted to a temporary
    folder) up to this program's file format, so it can then be opened read-only. A file from a newer
    version is left as it is (opening it says so)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if 0 < version < SCHEMA_VERSION:
            migrate(conn, path)
    except sqlite3.DatabaseError:
        pass                 # not a readable project file: opening it reports what is wrong
    finally:
        conn.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN ... END)."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            out.append(joined)
            buf = []
    if "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out


class Project:
    """An open project file. Use ``Project.create`` or ``Project.open``; close it (or use ``with``)."""

    _unit_of_work = SqliteUnitOfWork

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: ProjectLock | None, *, read_only: bool,
                 actor: str, read_only_reason: str = "", backups: bool = True):
        self.path = path
        self.conn = conn
        self._lock = lock
        self.read_only = read_only
        self.read_only_reason = read_only_reason
        self.actor = actor
        info = dict(conn.execute("SELECT key, value FROM project_info"))
        self.project_id: str = info.get("project_id", "")
        self.name: str = info.get("name", path.stem)
        try:
            self.scheme: Scheme = scheme_from_json(info["scheme"], origin=f"{path} (coding scheme)")
        except KeyError:
            raise StoreError(f"{path} has no coding scheme; it is not a complete ssp-coder project.") from None
        except SchemeError as exc:
            raise StoreError(str(exc)) from None
        self._settings = self._load_settings()
        self._backup = BackgroundBackup(path, int(self._settings.get("backup_keep", 10)))
        self._last_backup = time.monotonic()
        self._backups_enabled = backups and not read_only
        if self._backups_enabled:
            self._backup.start()

    # -- opening and closing ------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, name: str | None = None, scheme: Scheme | None = None,
               actor: str = "ssp-coder", backups: bool = True) -> "Project":
        if is_server_url(path):
            raise StoreError(f"{redact(str(path))} is a server address. Prepare the database with 'ssp-coder server "
                             "init URL' and copy a project into it with 'ssp-coder server push PROJECT.sspc URL'.")
        path = Path(path)
        if path.suffix != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        if path.exists():
            raise StoreError(f"{path} already exists. Choose another name, or open it instead.")
        if not path.parent.is_dir():
            raise StoreError(f"Cannot create {path}: the folder {path.parent} does not exist.")
        scheme = scheme or load_builtin_scheme()
        tmp = path.with_name(f".{path.name}.creating")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            migrate(conn, path)
            conn.execute("BEGIN")
            for key, value in (("project_id", str(uuid.uuid4())), ("name", name or path.stem),
                               ("created_at", now_iso()), ("created_with", __version__),
                               ("scheme", scheme.to_json())):
                conn.execute("INSERT INTO project_info (key, value) VALUES (?, ?)", (key, value))
            conn.execute("COMMIT")
        finally:
            conn.close()
        tmp.replace(path)
        return cls.open(path, actor=actor, backups=backups)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, actor: str = "ssp-coder",
             fall_back_to_read_only: bool = False, backups: bool = True, check: str = "full") -> "Project":
        """Open a project file.

        ``check`` is the damage check run on open: "full" (PRAGMA
        integrity_check), "quick" (quick_check: every page and row, without
        cross-checking index contents) or "none".

        A ``postgresql://`` URL opens the project on that server instead.
        """
        if is_server_url(path) or hasattr(path, "url"):
            from ssp_coder.store.server import ServerProject

            return ServerProject.open_url(getattr(path, "url", str(path)), read_only=read_only, actor=actor)
        path = Path(path)
        if not path.exists():
            raise StoreError(f"There is no project file at {path}. Check the path, or create one with "
                             "'ssp-coder init'.")
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a project file (*.sspc).")
        lock: ProjectLock | None = None
        reason = ""
        if not read_only:
            why = unwritable_reason(path)
            if why:
                if not fall_back_to_read_only:
                    raise refuse_unwritable(path, why)
                read_only, reason = True, why
        if not read_only:
            lock = ProjectLock(path)
            if not lock.acquire(actor):
                holder = lock.holder()
                if not fall_back_to_read_only:
                    raise StoreError(f"{path} is open in another ssp-coder window ({holder}). Close it there first, "
                                     "or open this project read-only.")
                read_only, lock = True, None
                reason = f"it is open in another window ({holder})"
        try:
            # Before any connection that could write: a log that is not this file's must never be applied.
            check_log_before_open(path, lock)
            conn = connect(path, read_only)
            try:
                _check_file(conn, path, check)
                # The version is checked before any pragma that writes (journal mode), so a file from a newer
                # version really is left as it was.
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    migrate(conn, path)  # raises the "newer version" message
                if not read_only:
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    if mode.lower() != "wal":
                        log.warning("journal mode %s instead of WAL for %s", mode, path)
                    conn.execute("PRAGMA synchronous = FULL")
                    migrate(conn, path)
                elif version != SCHEMA_VERSION:
                    raise StoreError(f"{path} is in an older file format; open it once for writing to upgrade it.")
                return cls(path, conn, lock, read_only=read_only, actor=actor, read_only_reason=reason,
                           backups=backups)
            except BaseException:
                conn.close()
                raise
        except sqlite3.DatabaseError as exc:
            if lock:
                lock.release()
            raise open_error(path, exc) from None
        except BaseException:
            if lock:
                lock.release()
            raise

    def close(self) -> None:
        self._backup.wait(30)
        with contextlib.suppress(sqlite3.Error):
            if not self.read_only:
                self.conn.execute("PRAGMA optimize")
        self.conn.close()
        if self._lock:
            self._lock.release()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- settings ------------------------------------------------------------------
    def _load_settings(self) -> dict[str, Any]:
        merged = dict(SETTING_DEFAULTS)
        merged.update(self.scheme.settings)
        for key, value in self.conn.execute("SELECT key, value FROM settings"):
            merged[key] = json.loads(value)
        return merged

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self._settings)

    # -- changing things -----------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            why = f" because {self.read_only_reason}" if self.read_only_reason else ""
            raise StoreError(f"This project is open read-only{why}; nothing was changed.")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[SqliteUnitOfWork]:
        self._writable()
        self.conn.execute("BEGIN IMMEDIATE")
        uow = self._unit_of_work(self.conn, self.scheme, dict(self._settings))
        try:
            yield uow
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
            self._settings = uow._settings

    def _apply(self, uow: SqliteUnitOfWork, cmd: Command, actor: str, origin: str,
               change_id: str | None = None) -> Applied:
        coding_id, inverse = apply_checked(uow, cmd)
        if coding_id is not None:
            uow.touch(coding_id)
        self.conn.execute(AUDIT_INSERT, audit_row(now_iso(), actor, cmd, coding_id, inverse, origin,
                                                       change_id))
        return Applied(cmd, inverse, coding_id)

    def execute(self, cmd: Command, *, actor: str | None = None, origin: str = "app",
                change_id: str | None = None) -> Applied:
        """Apply one command in its own transaction; it is on disk when this returns.

        ``change_id`` (the window's own id for the change) is kept in the audit row, so that a change whose
        commit was cut off can be recognised when it is sent again (``find_change``).
        """
        with self._transaction() as uow:
            applied = self._apply(uow, cmd, actor or self.actor, origin, change_id)
        self._maybe_backup()
        return applied

    def execute_many(self, commands: Iterable[Command], *, actor: str | None = None,
                     origin: str = "app") -> list[Applied]:
        """Apply several commands all-or-nothing (imports, merges)."""
        with self._transaction() as uow:
            done = [self._apply(uow, c, actor or self.actor, origin) for c in commands]
        self._maybe_backup()
        return done

    @contextlib.contextmanager
    def bulk(self, *, actor: str | None = None, origin: str = "app",
             rehearse: bool = False) -> Iterator["BulkWriter"]:
        """One transaction for imports that add participants and sessions as well as commands.

        With ``rehearse`` every write is made and checked exactly as in the real
        run, then rolled back: a dry run that goes through the same code path
        reports exactly what the real run would do.
        """
        try:
            with self._transaction() as uow:
                yield BulkWriter(self, uow, actor or self.actor, origin)
                if rehearse:
                    raise _Rehearsed
        except _Rehearsed:
            return
        self._maybe_backup()

    def _maybe_backup(self) -> None:
        if not self._backups_enabled:
            return
        interval = float(self._settings.get("backup_interval_min", 5)) * 60
        if time.monotonic() - self._last_backup >= interval:
            if self._backup.start():
                self._last_backup = time.monotonic()

    def backup_now(self, wait: bool = True) -> Path | None:
        self._backup.wait()
        self._backup.start()
        self._last_backup = time.monotonic()
        if wait:
            self._backup.wait()
            if self._backup.last_error:
                raise StoreError(f"The backup of {self.path} failed: {self._backup.last_error}")
            return self._backup.last_path
        return None

    def backups(self) -> list[Path]:
        return list_backups(self.path)

    # -- reading -------------------------------------------------------------------
    def participants(self) -> list[Participant]:
        rows = self.conn.execute("SELECT id, external_id, arm, site, age_months, sex, extra FROM participants "
                                 "ORDER BY id")
        return [participant_from_row(r) for r in rows]

    def sessions(self) -> list[Session]:
        return [session_from_row(r) for r in self.conn.execute(f"SELECT {SESSION_COLS} FROM sessions ORDER BY id")]

    def session(self, session_id: int) -> Session:
        r = self.conn.execute(f"SELECT {SESSION_COLS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if r is None:
            raise StoreError(f"There is no session {session_id} in this project.")
        return session_from_row(r)

    def session_by_code(self, blinded_code: str) -> Session:
        r = self.conn.execute(f"SELECT {SESSION_COLS} FROM sessions WHERE upper(blinded_code) = upper(?)",
                              (blinded_code.strip(),)).fetchone()
        if r is None:
            raise StoreError(f"There is no session with the code {blinded_code!r} in this project.")
        return session_from_row(r)

    def views(self, session_id: int) -> list[SessionView]:
        """A session's camera views, the main view first (one for a session filmed by one camera)."""
        return views_sql.session_views(self.conn, session_id)

    def coders(self) -> list[Coder]:
        return [Coder(CoderId(r[0]), r[1], r[2]) for r in self.conn.execute("SELECT id, name, role FROM coders "
                                                                             "ORDER BY name")]

    def coder(self, name: str) -> Coder:
        r = self.conn.execute("SELECT id, name, role FROM coders WHERE lower(name) = lower(?)",
                              (name.strip(),)).fetchone()
        if r is None:
            names = ", ".join(c.name for c in self.coders()) or "none yet"
            raise StoreError(f"There is no coder called {name!r} in this project (coders: {names}). "
                             "Add one with 'ssp-coder coder add'.")
        return Coder(CoderId(r[0]), r[1], r[2])

    def codings(self, *, session_id: int | None = None, coder_id: int | None = None,
                purpose: str | None = None, status: str | None = None) -> list[Coding]:
        where, args = [], []
        for col, val in (("session_id", session_id), ("coder_id", coder_id), ("purpose", purpose),
                         ("status", status)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        sql = f"SELECT {CODING_COLS} FROM codings"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [coding_from_row(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def coding(self, coding_id: int) -> Coding:
        r = self.conn.execute(f"SELECT {CODING_COLS} FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if r is None:
            raise StoreError(f"There is no coding {coding_id} in this project.")
        return coding_from_row(r)

    def coding_state(self, coding_id: int) -> CodingState:
        try:
            return read_coding_state(self.conn, CodingId(coding_id))
        except KeyError:
            raise StoreError(f"There is no coding {coding_id} in this project.") from None

    def counts(self) -> dict[str, int]:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"participants": one("SELECT count(*) FROM participants"),
                "sessions": one("SELECT count(*) FROM sessions"),
                "coders": one("SELECT count(*) FROM coders"),
                "codings": one("SELECT count(*) FROM codings"),
                "events": one("SELECT count(*) FROM events")}

    def audit_log(self, *, coding_id: int | None = None, limit: int | None = None) -> list[AuditEntry]:
        sql = "SELECT id, at, actor, command, coding_id, payload, inverse, origin FROM audit"
        args: list[Any] = []
        if coding_id is not None:
            sql += " WHERE coding_id = ?"
            args.append(coding_id)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]) if r[6] else None, r[7])
                for r in self.conn.execute(sql, args)]

    def find_change(self, coding_id: int, change_id: str) -> Command | None:
        """The inverse of the change ``change_id`` if its audit row is in the project (it was saved), else None."""
        needle = f'%"change_id": "{change_id}"%'
        row = self.conn.execute("SELECT inverse FROM audit WHERE coding_id = ? AND payload LIKE ? ORDER BY id DESC "
                                "LIMIT 1", (coding_id, needle)).fetchone()
        return command_from_dict(json.loads(row[0])) if row and row[0] else None

    def info(self) -> dict[str, str]:
        # the scheme is large and the package-signing secret must never be shown or exported
        return dict(self.conn.execute("SELECT key, value FROM project_info WHERE key NOT IN ('scheme', "
                                      "'package_secret')"))


def _check_file(conn: sqlite3.Connection, path: Path, check: str) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(f"{path} is an SQLite file but not an ssp-coder project.")
    has_info = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'project_info'").fetchone()
    if not has_info:
        raise StoreError(f"{path} is an SQLite file but not an ssp-coder project.")
    if check == "none":
        return
    pragma = "integrity_check" if check == "full" else "quick_check"
    rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(20)")]
    if rows != ["ok"]:
        detail = "; ".join(rows[:3])
        raise StoreError(f"{path} is damaged ({detail}). Nothing was changed. Restore the newest copy from "
                         f"{path.stem}.backups/ with 'ssp-coder restore {path.name}' (it keeps the damaged file "
                         "aside) and open that.")


class _Rehearsed(Exception):
    """Raised at the end of a rehearsed bulk transaction so that it rolls back."""
