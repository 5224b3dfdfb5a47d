"""A PostgreSQL connection that speaks the project file's SQL.

The store's queries are written once, in the SQL both databases speak, with
``?`` placeholders as Python's sqlite3 module takes them. ``ServerConnection``
runs them on a psycopg 3 connection: it turns the placeholders into psycopg's,
gives inserts a ``lastrowid`` (via ``RETURNING id``), and turns the server's
errors into messages a researcher can act on. Transactions are explicit
(``BEGIN`` ... ``COMMIT``), as they are on the project file.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

from ssp_coder.errors import StoreError

SERVER_SCHEMES = ("postgresql://", "postgres://")

# Tables whose rows have a sequence-made id that an insert may want back.
_ID_TABLES = {"participants", "sessions", "coders", "codings", "events", "d_indices", "audit"}
_INSERT = re.compile(r"^\s*INSERT\s+(OR\s+IGNORE\s+)?INTO\s+([A-Za-z_]+)", re.IGNORECASE)


def is_server_url(path: object) -> bool:
    return str(path).strip().lower().startswith(SERVER_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages and the window title."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def translate(sql: str, has_params: bool) -> str:
    """sqlite3-style SQL -> psycopg: ``?`` -> ``%s`` outside quotes, ``%`` doubled, OR IGNORE -> ON CONFLICT."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" and has_params else ch)
            continue
        if ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%" and has_params:
            out.append("%%")
        else:
            out.append(ch)
    text = "".join(out)
    m = _INSERT.match(text)
    if m and m.group(1):
        text = text[:m.start(1)] + text[m.end(1):] + " ON CONFLICT DO NOTHING"
    return text


def connection_lost_message(url: str, exc: BaseException, *, opening: bool = False) -> str:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if opening:
        return (f"Cannot connect to the project server {redact(url)} ({detail}). Check the address, your login "
                "and password, and the network (or ask the coordinator whether the server is running); nothing was "
                "changed.")
    return (f"The connection to the project server {redact(url)} was lost ({detail}). Nothing from the last step "
            "was saved. Check the network (or ask the coordinator whether the server is running) and make the step "
            "again; ssp-coder reconnects by itself.")


class ServerCursor:
    """What ``execute`` returns: rows like sqlite3's cursor, and ``lastrowid`` / ``rowcount``."""

    def __init__(self, rows: list[tuple] | None, lastrowid: int | None, rowcount: int):
        self._rows = rows or []
        self._pos = 0
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    def fetchone(self) -> tuple | None:
        if self._pos >= len(self._rows):
            return None
        self._pos += 1
        return self._rows[self._pos - 1]

    def fetchall(self) -> list[tuple]:
        rest = self._rows[self._pos:]
        self._pos = len(self._rows)
        return rest

    def __iter__(self) -> Iterator[tuple]:
        while (row := self.fetchone()) is not None:
            yield row


class ServerConnection:
    """One psycopg connection used the way the store uses an sqlite3 connection."""

    def __init__(self, url: str, *, search_path: str | None = None, connect_timeout: int = 10):
        self.url = url
        self._search_path = search_path
        self._timeout = connect_timeout
        self._pg = self._connect()
        self.in_transaction = False

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise StoreError("Projects on a PostgreSQL server need the psycopg package, which is missing from this "
                             "installation. Install it with: pip install 'psycopg[binary]'") from None
        try:
            pg = psycopg.connect(self.url, autocommit=True, connect_timeout=self._timeout,
                                 application_name="ssp-coder")
        except psycopg.OperationalError as exc:
            raise StoreError(connection_lost_message(self.url, exc, opening=True)) from None
        except psycopg.Error as exc:
            raise StoreError(f"{redact(self.url)} is not a valid server address ({str(exc).splitlines()[0]}). It "
                             "looks like postgresql://USER@HOST/DATABASE.") from None
        if self._search_path:
            pg.execute(f"SET search_path = {self._search_path}")
        return pg

    @property
    def raw(self) -> Any:
        """The psycopg connection, for the store's PostgreSQL-only work (COPY, roles)."""
        return self._pg

    def set_search_path(self, path: str) -> None:
        self._search_path = path
        self._pg.execute(f"SET search_path = {path}")

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> ServerCursor:
        import psycopg

        head = sql.strip().split(None, 1)[0].upper() if sql.strip() else ""
        if head == "BEGIN":
            self._reconnect_if_closed()
            self._run("BEGIN", None)
            self.in_transaction = True
            return ServerCursor(None, None, -1)
        if head in ("COMMIT", "ROLLBACK"):
            try:
                self._run(head, None)
            except psycopg.OperationalError:
                if head == "COMMIT":
                    raise
            finally:
                self.in_transaction = False
            return ServerCursor(None, None, -1)
        if head == "PRAGMA":
            raise StoreError("This step works on project files only, not on a project on a server.")
        if not self.in_transaction:
            self._reconnect_if_closed()
        text = translate(sql, bool(params))
        m = _INSERT.match(sql)
        want_id = bool(m) and m.group(2).lower() in _ID_TABLES and " returning " not in text.lower()
        if want_id:
            text += " RETURNING id"
        cur = self._run(text, list(params) if params else None)
        rows = cur.fetchall() if cur.description is not None else None
        lastrowid = int(rows[0][0]) if want_id and rows else None
        return ServerCursor(None if want_id else rows, lastrowid, cur.rowcount)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> ServerCursor:
        total = 0
        for params in seq:
            total += max(self.execute(sql, params).rowcount, 0)
        return ServerCursor(None, None, total)

    def _run(self, sql: str, params: list | None) -> Any:
        import psycopg

        try:
            return self._pg.execute(sql, params)
        except psycopg.OperationalError as exc:
            self.in_transaction = False
            raise ServerConnectionLost(connection_lost_message(self.url, exc)) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(f"The server refused this for your database role ({str(exc).splitlines()[0]}). "
                             "Your role in the project does not allow it; ask the coordinator. Nothing was "
                             "changed.") from None

    def _reconnect_if_closed(self) -> None:
        if self._pg.closed or self._pg.broken:
            self._pg = self._connect()

    def close(self) -> None:
        self._pg.close()

    def __enter__(self) -> "ServerConnection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ServerConnectionLost(StoreError):
    """The server went away mid-step; the step was not saved (PostgreSQL rolls an unfinished transaction back)."""
