"""A project on a PostgreSQL server: the same project, shared by the coders of several sites.

``ServerProject`` is ``Project`` over a ``ServerConnection``: the same
queries, the same commands, the same audit rows and undo; each command is one
transaction with its audit row. What differs lives here:

- no lock file and no backups (several people work at once; the server's own
  backups keep the data), no ``PRAGMA``;
- a **revision check**: each coding carries a revision that every change
  raises. A window that changes a coding someone else changed since it last
  read it is refused, with who changed it and when, and never overwrites;
- a coder's database role sees the schema ``blinded`` (see ``pg_schema``),
  so the server itself keeps arm, timepoint, participant and other coders'
  work from the coder.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any, Iterator

from ssp_coder.domain.commands import Command
from ssp_coder.domain.model import Coding, CodingId, CodingState
from ssp_coder.domain.scheme import SETTING_DEFAULTS, scheme_from_json
from ssp_coder.errors import DomainError, SchemeError, StoreError
from ssp_coder.store.pg_conn import ServerConnection, database_name, redact
from ssp_coder.store.pg_schema import (
    BLINDED_VIEWS, CODER_WRITABLE, PG_MIGRATIONS, PG_SCHEMA_VERSION,
)
from ssp_coder.store.project import Applied, Project
from ssp_coder.store.uow import SqliteUnitOfWork, now_iso


class ServerLocation:
    """Where a server project is, standing in for a project file's path.

    Prints without the password. Files a command writes "beside the project"
    (exports, packages) go to the current folder, and video paths relative to
    the project are taken from there too.
    """

    suffix = ""

    def __init__(self, url: str):
        self.url = url

    def __str__(self) -> str:
        return redact(self.url)

    def __repr__(self) -> str:
        return f"ServerLocation({redact(self.url)!r})"

    @property
    def name(self) -> str:
        return database_name(self.url)

    stem = name

    @property
    def parent(self) -> Path:
        return Path.cwd()

    def with_name(self, name: str) -> Path:
        return Path.cwd() / name

    def exists(self) -> bool:
        return True


def new_group_roles(url: str) -> tuple[str, str]:
    """Names for a database's two group roles (coders; coordinators and trainers): roles are server-wide."""
    db = "".join(ch if ch.isalnum() else "_" for ch in database_name(url).lower())[:40]
    return f"ssp_{db}_coders", f"ssp_{db}_staff"


def group_roles(conn: ServerConnection) -> tuple[str, str]:
    """The group roles this database was prepared with."""
    rows = dict(conn.execute("SELECT kind, role_name FROM ssp.server_groups").fetchall())
    return rows["coders"], rows["staff"]


class ServerUnitOfWork(SqliteUnitOfWork):
    """The unit of work on the server: one fewer round trip per command where it is safe.

    The revision was already raised when the command began (``ServerProject._claim_revision``), so the
    touch at its end only stamps the time; a coding row read twice in one command is read once.
    """

    claimed: int | None = None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._codings: dict[int, Coding] = {}

    def coding(self, coding_id: CodingId) -> Coding:
        key = int(coding_id)
        if key not in self._codings:
            self._codings[key] = super().coding(coding_id)
        return self._codings[key]

    def set_coding_status(self, coding_id: CodingId, status: str) -> None:
        self._codings.pop(int(coding_id), None)
        super().set_coding_status(coding_id, status)

    def delete_coding(self, coding_id: CodingId) -> None:
        self._codings.pop(int(coding_id), None)
        super().delete_coding(coding_id)

    def touch(self, coding_id: CodingId) -> None:
        self._codings.pop(int(coding_id), None)
        if self.claimed == int(coding_id):
            self.claimed = None
            return
        super().touch(coding_id)


class RevisionConflict(StoreError):
    """Someone else changed the coding since this window last read it."""


class ServerProject(Project):
    """A project in a PostgreSQL database. Open it with ``Project.open(URL)``."""

    _unit_of_work = ServerUnitOfWork

    def __init__(self, url: str, conn: ServerConnection, *, read_only: bool, actor: str, blinded: bool):
        self.path = ServerLocation(url)  # type: ignore[assignment]
        self.url = url
        self.conn = conn  # type: ignore[assignment]
        self._lock = None
        self.read_only = read_only
        self.read_only_reason = "the server allows this person to read only" if read_only else ""
        self.blinded = blinded
        self._seen: dict[int, int] = {}
        info = dict(conn.execute("SELECT key, value FROM project_info").fetchall())
        if "scheme" not in info:
            raise StoreError(f"The server database {redact(url)} is prepared but holds no project yet. Copy one "
                             "into it with 'ssp-coder server push PROJECT.sspc URL'.")
        self.project_id = info.get("project_id", "")
        self.name = info.get("name", database_name(url))
        try:
            self.scheme = scheme_from_json(info["scheme"], origin=f"{redact(url)} (coding scheme)")
        except SchemeError as exc:
            raise StoreError(str(exc)) from None
        merged = dict(SETTING_DEFAULTS)
        merged.update(self.scheme.settings)
        for key, value in conn.execute("SELECT key, value FROM settings").fetchall():
            merged[key] = json.loads(value)
        self._settings = merged
        self._backups_enabled = False
        self._last_backup = time.monotonic()
        self.actor = actor
        if actor == "ssp-coder":
            # The person the database role belongs to signs the audit rows.
            # (a coder's view of the coders holds only their own row)
            row = conn.execute("SELECT name FROM coders" if blinded else
                               "SELECT k.name FROM server_users u JOIN coders k ON k.id = u.coder_id "
                               "WHERE u.role_name = current_user").fetchone()
            if row:
                self.actor = row[0]

    # -- opening and closing ------------------------------------------------------
    @classmethod
    def open_url(cls, url: str, *, read_only: bool = False, actor: str = "ssp-coder") -> "ServerProject":
        conn = ServerConnection(url)
        try:
            blinded = _choose_schema(conn, url)
            version = _server_version(conn)
            if version > PG_SCHEMA_VERSION:
                raise StoreError(f"The project on {redact(url)} was made by a newer version of ssp-coder (format "
                                 f"{version}, this program reads up to {PG_SCHEMA_VERSION}). Update ssp-coder.")
            if version < PG_SCHEMA_VERSION:
                raise StoreError(f"The project on {redact(url)} is in an older format ({version}). The coordinator "
                                 f"upgrades it with 'ssp-coder server init {redact(url)}'; nothing was changed.")
            if read_only:
                conn.execute("SET default_transaction_read_only = on")
            return cls(url, conn, read_only=read_only, actor=actor, blinded=blinded)
        except BaseException:
            conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    # -- changing things -----------------------------------------------------------
    def _apply(self, uow: SqliteUnitOfWork, cmd: Command, actor: str, origin: str,
               change_id: str | None = None) -> Applied:
        import psycopg

        try:
            coding_id = cmd.coding_id_in(uow)
        except KeyError:
            coding_id = None
        if coding_id is not None:
            self._claim_revision(uow, int(coding_id))
        try:
            return super()._apply(uow, cmd, actor, origin, change_id)
        except psycopg.IntegrityError as exc:
            raise DomainError(f"{cmd.describe()}: refused by the server ({str(exc).splitlines()[0]}).") from None

    def _claim_revision(self, uow: SqliteUnitOfWork, coding_id: int) -> None:
        """Raise the coding's revision first: that locks the row (a second writer waits here until the first
        commits) and tells whether someone else changed the coding since this client last read it."""
        row = self.conn.execute("UPDATE codings SET revision = revision + 1, updated_at = ? WHERE id = ? "
                                "RETURNING revision", (now_iso(), coding_id)).fetchone()
        if row is None:
            return
        new = int(row[0])
        seen = self._seen.get(coding_id)
        if seen is not None and new - 1 != seen:
            who = self.conn.execute("SELECT actor, at FROM audit WHERE coding_id = ? ORDER BY id DESC LIMIT 1",
                                    (coding_id,)).fetchone()
            by = f"{who[0]} at {who[1][11:16]} UTC" if who else "someone else"
            raise RevisionConflict(
                f"This coding was changed by {by} since you loaded it (revision {seen} → {new - 1}). Your change "
                "was not saved, so nothing of theirs is overwritten. Reload the coding and make the change again if "
                "it is still needed.")
        self._seen[coding_id] = new
        assert isinstance(uow, ServerUnitOfWork)
        uow.claimed = coding_id
        uow._codings.pop(coding_id, None)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[SqliteUnitOfWork]:
        seen = dict(self._seen)
        try:
            with super()._transaction() as uow:
                yield uow
        except BaseException:
            self._seen = seen   # rolled back: the server keeps the revisions this client saw before
            raise

    def seen_revision(self, coding_id: int) -> int | None:
        """The coding's revision as this client last read or wrote it (what the next change is checked against)."""
        return self._seen.get(int(coding_id))

    def expect_revision(self, coding_id: int, revision: int) -> None:
        """Check the next change against ``revision``: changes kept while the server was away were made on it."""
        self._seen[int(coding_id)] = int(revision)

    def forget_revision(self, coding_id: int) -> None:
        """After a reload: the next change is checked against what is read next."""
        self._seen.pop(int(coding_id), None)

    def coding_state(self, coding_id: int) -> CodingState:
        state = super().coding_state(coding_id)
        self._seen[int(coding_id)] = int(state.coding.revision)
        return state

    def _maybe_backup(self) -> None:
        return

    def backup_now(self, wait: bool = True) -> Path | None:
        raise StoreError("A project on a server is backed up by the server (pg_dump or the server's own backups), "
                         "not by ssp-coder. To keep a copy as a file: 'ssp-coder server pull URL -o COPY.sspc'.")

    def backups(self) -> list[Path]:
        return []


def server_reachable(url: str, timeout: int = 3) -> str | None:
    """None when the server at ``url`` answers on a new connection, else why not (for the window's status)."""
    try:
        with ServerConnection(url, connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except StoreError as exc:
        return str(exc)
    return None


def _choose_schema(conn: ServerConnection, url: str) -> bool:
    """Point the connection at the schema this role may use; True when it is the coders' blinded one."""
    rows = {r[0]: r[1] for r in conn.execute(
        "SELECT nspname, has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname IN ('ssp', 'blinded')"
    ).fetchall()}
    if not rows:
        raise StoreError(f"The database {redact(url)} holds no ssp-coder project. Prepare it with "
                         f"'ssp-coder server init {redact(url)}', then copy a project in with 'ssp-coder server push'.")
    if rows.get("ssp"):
        conn.set_search_path("ssp")
        return False
    if rows.get("blinded"):
        conn.set_search_path("blinded")
        return True
    raise StoreError(f"Your database role may not open the project on {redact(url)}. Ask the coordinator to add you "
                     "with 'ssp-coder server add-user'.")


def _server_version(conn: ServerConnection) -> int:
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


# -- preparing a database --------------------------------------------------------------

def init_server(url: str) -> int:
    """Create (or bring up to date) the project schema in the database at ``url``; returns the version.

    One transaction: a database is either prepared completely or left as it was.
    """
    with ServerConnection(url) as conn:
        pg = conn.raw
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(53535043)")
            pg.execute("CREATE SCHEMA IF NOT EXISTS ssp")
            pg.execute("CREATE TABLE IF NOT EXISTS ssp.schema_version (version integer NOT NULL)")
            row = pg.execute("SELECT version FROM ssp.schema_version").fetchone()
            if row is None:
                pg.execute("INSERT INTO ssp.schema_version VALUES (0)")
            version = int(row[0]) if row else 0
            if version > PG_SCHEMA_VERSION:
                raise StoreError(f"The project on {redact(url)} was made by a newer version of ssp-coder (format "
                                 f"{version}); update ssp-coder. Nothing was changed.")
            pg.execute("SET LOCAL search_path = ssp")
            for target in range(version, PG_SCHEMA_VERSION):
                pg.execute(PG_MIGRATIONS[target])
                pg.execute("UPDATE ssp.schema_version SET version = %s", (target + 1,))
            if not pg.execute("SELECT 1 FROM ssp.server_groups").fetchone():
                for kind, name in zip(("coders", "staff"), new_group_roles(url)):
                    pg.execute("INSERT INTO ssp.server_groups (kind, role_name) VALUES (%s, %s)", (kind, name))
            coders_role, staff_role = group_roles(conn)
            # The views follow the tables: made afresh after every migration.
            pg.execute("DROP SCHEMA IF EXISTS blinded CASCADE")
            pg.execute("CREATE SCHEMA blinded")
            pg.execute(BLINDED_VIEWS)
            pg.execute("CREATE VIEW blinded.schema_version AS SELECT version FROM ssp.schema_version")
            for role in (coders_role, staff_role):
                exists = pg.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                if not exists:
                    pg.execute(f'CREATE ROLE "{role}" NOLOGIN')
            _grant(pg, coders_role, staff_role)
    return PG_SCHEMA_VERSION


def _grant(pg: Any, coders_role: str, staff_role: str) -> None:
    c, s = f'"{coders_role}"', f'"{staff_role}"'
    for statement in (
        "REVOKE ALL ON SCHEMA ssp FROM PUBLIC",
        "REVOKE ALL ON SCHEMA blinded FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA ssp TO {s}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ssp TO {s}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON ssp.audit FROM {s}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ssp.server_users, ssp.server_groups, ssp.schema_version FROM {s}",
        f"GRANT USAGE ON SCHEMA blinded TO {c}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA blinded TO {c}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join('blinded.' + t for t in CODER_WRITABLE)} TO {c}",
        f"GRANT UPDATE (status, revision, updated_at) ON blinded.codings TO {c}",
        f"GRANT INSERT ON blinded.audit TO {c}",
    ):
        pg.execute(statement)
