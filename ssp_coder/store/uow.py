"""The store's side of the command protocol: reads and writes inside one transaction."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ssp_coder.domain.model import (
    Coder, CoderId, Coding, CodingId, CodingResult, CodingState, DIndexId, DIndexMark,
    EpisodeBoundary, Event, EventId, Participant, ParticipantId, Session, SessionId,
)
from ssp_coder.domain.scheme import Scheme
from ssp_coder.errors import DomainError
from ssp_coder.domain.views import SessionView
from ssp_coder.store import views_sql

if TYPE_CHECKING:  # pragma: no cover
    from ssp_coder.domain.commands import Command


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


AUDIT_INSERT = ("INSERT INTO audit (at, actor, command, coding_id, payload, inverse, origin) "
                "VALUES (?,?,?,?,?,?,?)")


def audit_row(at: str, actor: str, cmd: "Command", coding_id: CodingId | None, inverse: "Command",
              origin: str, change_id: str | None = None) -> tuple:
    """The audit table's row for one applied command.

    ``change_id`` is the window's own name for the change: a change sent again after a lost connection
    is found by it (``Project.find_change``).
    """
    payload = cmd.to_dict()
    if change_id is not None:
        payload["change_id"] = change_id
    return (at, actor, type(cmd).__name__, coding_id, json.dumps(payload), json.dumps(inverse.to_dict()), origin)


def apply_checked(uow: Any, cmd: "Command", *, within: str = "this project",
                  refused_by: str = "the project file") -> tuple[CodingId | None, "Command"]:
    """Apply ``cmd`` (validated, with messages a coder can act on): its coding and its inverse.

    ``within`` and ``refused_by`` name where the command was applied, for the messages (the project,
    or the private copy a coding's waiting changes are shown on).
    """
    try:
        coding_id = cmd.coding_id_in(uow)
    except KeyError:
        coding_id = None
    try:
        inverse = cmd.apply(uow)
    except KeyError as exc:
        raise DomainError(f"{cmd.describe()}: the {exc.args[0] if exc.args else 'item'} it refers to does not "
                          f"exist in {within}.") from None
    except sqlite3.IntegrityError as exc:
        raise DomainError(f"{cmd.describe()}: refused by {refused_by} ({exc}).") from None
    return coding_id, inverse


SESSION_COLS = ("id, participant_id, timepoint, blinded_code, video_path, video_sha256, duration_ms, fps, "
                "frame_count, date_of_visit, age_months")
CODING_COLS = "id, session_id, coder_id, purpose, status, origin, revision, created_at, updated_at"
EVENT_COLS = "id, code, kind, onset_ms, offset_ms, subject, note, view"


def session_from_row(r: tuple) -> Session:
    return Session(SessionId(r[0]), ParticipantId(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10])


def coding_from_row(r: tuple) -> Coding:
    return Coding(CodingId(r[0]), SessionId(r[1]), CoderId(r[2]), r[3], r[4], r[5], r[6], r[7], r[8])


def event_from_row(r: tuple) -> Event:
    return Event(EventId(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7])


def participant_from_row(r: tuple) -> Participant:
    return Participant(ParticipantId(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "{}"))


class SqliteUnitOfWork:
    """Implements ``ssp_coder.domain.ports.UnitOfWork`` on an open connection.

    The caller owns the transaction; nothing here commits.
    """

    def __init__(self, conn: sqlite3.Connection, scheme: Scheme, settings: dict[str, Any]):
        self.conn = conn
        self.scheme = scheme
        self._settings = settings

    # -- reads -----------------------------------------------------------------
    def _one(self, sql: str, args: tuple, what: str) -> tuple:
        row = self.conn.execute(sql, args).fetchone()
        if row is None:
            raise KeyError(what)
        return row

    def coding(self, coding_id: CodingId) -> Coding:
        return coding_from_row(self._one(f"SELECT {CODING_COLS} FROM codings WHERE id = ?", (coding_id,), "coding"))

    def session(self, session_id: SessionId) -> Session:
        return session_from_row(self._one(f"SELECT {SESSION_COLS} FROM sessions WHERE id = ?", (session_id,), "session"))

    def coder(self, coder_id: CoderId) -> Coder:
        r = self._one("SELECT id, name, role FROM coders WHERE id = ?", (coder_id,), "coder")
        return Coder(CoderId(r[0]), r[1], r[2])

    def coder_by_name(self, name: str) -> Coder | None:
        r = self.conn.execute("SELECT id, name, role FROM coders WHERE lower(name) = lower(?)", (name,)).fetchone()
        return Coder(CoderId(r[0]), r[1], r[2]) if r else None

    def find_coding(self, session_id: SessionId, coder_id: CoderId, purpose: str) -> Coding | None:
        r = self.conn.execute(f"SELECT {CODING_COLS} FROM codings WHERE session_id = ? AND coder_id = ? AND purpose = ?",
                              (session_id, coder_id, purpose)).fetchone()
        return coding_from_row(r) if r else None

    def codings_of_session(self, session_id: SessionId) -> list[Coding]:
        rows = self.conn.execute(f"SELECT {CODING_COLS} FROM codings WHERE session_id = ? ORDER BY id", (session_id,))
        return [coding_from_row(r) for r in rows]

    def coding_has_content(self, coding_id: CodingId) -> bool:
        for table in ("events", "episodes", "scale_ratings", "d_indices", "results"):
            if self.conn.execute(f"SELECT 1 FROM {table} WHERE coding_id = ? LIMIT 1", (coding_id,)).fetchone():
                return True
        return False

    def coder_has_codings(self, coder_id: CoderId) -> bool:
        return self.conn.execute("SELECT 1 FROM codings WHERE coder_id = ? LIMIT 1", (coder_id,)).fetchone() is not None

    def event(self, event_id: EventId) -> Event:
        return event_from_row(self._one(f"SELECT {EVENT_COLS} FROM events WHERE id = ?", (event_id,), "event"))

    def event_coding(self, event_id: EventId) -> CodingId:
        return CodingId(self._one("SELECT coding_id FROM events WHERE id = ?", (event_id,), "event")[0])

    def boundary(self, coding_id: CodingId, episode: int) -> EpisodeBoundary | None:
        r = self.conn.execute("SELECT episode, onset_ms, offset_ms, flag, reason FROM episodes "
                              "WHERE coding_id = ? AND episode = ?", (coding_id, episode)).fetchone()
        return EpisodeBoundary(*r) if r else None

    def scale_value(self, coding_id: CodingId, scale: str, episode: int, partner: str) -> float | None:
        r = self.conn.execute("SELECT value FROM scale_ratings WHERE coding_id = ? AND scale = ? AND episode = ? "
                              "AND partner = ?", (coding_id, scale, episode, partner)).fetchone()
        return r[0] if r else None

    def result(self, coding_id: CodingId) -> CodingResult:
        r = self.conn.execute("SELECT classification, forced_secondary, d_rating, note FROM results WHERE coding_id = ?",
                              (coding_id,)).fetchone()
        return CodingResult(*r) if r else CodingResult()

    def d_index(self, mark_id: DIndexId) -> DIndexMark:
        r = self._one("SELECT id, group_code, time_ms, sub_item, note FROM d_indices WHERE id = ?", (mark_id,), "d index")
        return DIndexMark(DIndexId(r[0]), r[1], r[2], r[3], r[4])

    def d_index_coding(self, mark_id: DIndexId) -> CodingId:
        return CodingId(self._one("SELECT coding_id FROM d_indices WHERE id = ?", (mark_id,), "d index")[0])

    def coding_state(self, coding_id: CodingId) -> CodingState:
        return read_coding_state(self.conn, coding_id)

    def setting(self, key: str) -> Any:
        return self._settings.get(key)

    def session_view(self, session_id: SessionId, number: int) -> SessionView:
        return views_sql.session_view(self.conn, session_id, number)

    def session_views(self, session_id: SessionId) -> list[SessionView]:
        return views_sql.session_views(self.conn, session_id)

    # -- writes ----------------------------------------------------------------
    def insert_coder(self, name: str, role: str, coder_id: CoderId | None = None) -> CoderId:
        cur = self.conn.execute("INSERT INTO coders (id, name, role) VALUES (?, ?, ?)", (coder_id, name, role))
        return CoderId(cur.lastrowid)

    def delete_coder(self, coder_id: CoderId) -> None:
        self.conn.execute("DELETE FROM coders WHERE id = ?", (coder_id,))

    def update_coder(self, coder: Coder) -> None:
        self.conn.execute("UPDATE coders SET name = ?, role = ? WHERE id = ?", (coder.name, coder.role, coder.id))

    def insert_coding(self, session_id: SessionId, coder_id: CoderId, purpose: str,
                      coding_id: CodingId | None = None, origin: str = "app") -> CodingId:
        t = now_iso()
        cur = self.conn.execute(
            "INSERT INTO codings (id, session_id, coder_id, purpose, status, origin, revision, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 'draft', ?, 0, ?, ?)", (coding_id, session_id, coder_id, purpose, origin, t, t))
        return CodingId(cur.lastrowid)

    def delete_coding(self, coding_id: CodingId) -> None:
        self.conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))

    def set_coding_status(self, coding_id: CodingId, status: str) -> None:
        self.conn.execute("UPDATE codings SET status = ? WHERE id = ?", (status, coding_id))

    def insert_event(self, coding_id: CodingId, event: Event, event_id: EventId | None = None) -> EventId:
        cur = self.conn.execute(
            "INSERT INTO events (id, coding_id, code, kind, onset_ms, offset_ms, subject, note, view) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (event_id, coding_id, event.code, event.kind, event.onset_ms, event.offset_ms, event.subject, event.note,
             event.view))
        return EventId(cur.lastrowid)

    def update_event(self, event: Event) -> None:
        self.conn.execute("UPDATE events SET code = ?, kind = ?, onset_ms = ?, offset_ms = ?, subject = ?, note = ?, "
                          "view = ? WHERE id = ?", (event.code, event.kind, event.onset_ms, event.offset_ms,
                                                    event.subject, event.note, event.view, event.id))

    def delete_event(self, event_id: EventId) -> None:
        self.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))

    def put_boundary(self, coding_id: CodingId, b: EpisodeBoundary) -> None:
        self.conn.execute("DELETE FROM episodes WHERE coding_id = ? AND episode = ?", (coding_id, b.episode))
        self.conn.execute("INSERT INTO episodes (coding_id, episode, onset_ms, offset_ms, flag, reason) "
                          "VALUES (?,?,?,?,?,?)", (coding_id, b.episode, b.onset_ms, b.offset_ms, b.flag, b.reason))

    def delete_boundary(self, coding_id: CodingId, episode: int) -> None:
        self.conn.execute("DELETE FROM episodes WHERE coding_id = ? AND episode = ?", (coding_id, episode))

    def put_scale(self, coding_id: CodingId, scale: str, episode: int, partner: str, value: float | None) -> None:
        self.conn.execute("DELETE FROM scale_ratings WHERE coding_id = ? AND scale = ? AND episode = ? AND partner = ?",
                          (coding_id, scale, episode, partner))
        if value is not None:
            self.conn.execute("INSERT INTO scale_ratings (coding_id, scale, episode, partner, value) VALUES (?,?,?,?,?)",
                              (coding_id, scale, episode, partner, value))

    def put_result(self, coding_id: CodingId, r: CodingResult) -> None:
        self.conn.execute("DELETE FROM results WHERE coding_id = ?", (coding_id,))
        if any(v is not None for v in (r.classification, r.forced_secondary, r.d_rating, r.note)):
            self.conn.execute("INSERT INTO results (coding_id, classification, forced_secondary, d_rating, note) "
                              "VALUES (?,?,?,?,?)", (coding_id, r.classification, r.forced_secondary, r.d_rating, r.note))

    def insert_d_index(self, coding_id: CodingId, mark: DIndexMark, mark_id: DIndexId | None = None) -> DIndexId:
        cur = self.conn.execute("INSERT INTO d_indices (id, coding_id, group_code, time_ms, sub_item, note) "
                                "VALUES (?,?,?,?,?,?)", (mark_id, coding_id, mark.group, mark.time_ms, mark.sub_item,
                                                         mark.note))
        return DIndexId(cur.lastrowid)

    def update_d_index(self, mark: DIndexMark) -> None:
        self.conn.execute("UPDATE d_indices SET group_code = ?, time_ms = ?, sub_item = ?, note = ? WHERE id = ?",
                          (mark.group, mark.time_ms, mark.sub_item, mark.note, mark.id))

    def delete_d_index(self, mark_id: DIndexId) -> None:
        self.conn.execute("DELETE FROM d_indices WHERE id = ?", (mark_id,))

    def put_setting(self, key: str, value: Any) -> None:
        self.conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        if value is not None:
            self.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value)))
        self._settings[key] = value

    def set_view_offset(self, session_id: SessionId, number: int, offset_ms: int) -> None:
        views_sql.set_offset(self.conn, session_id, number, offset_ms)

    def touch(self, coding_id: CodingId) -> None:
        self.conn.execute("UPDATE codings SET revision = revision + 1, updated_at = ? WHERE id = ?",
                          (now_iso(), coding_id))


def read_coding_state(conn: sqlite3.Connection, coding_id: CodingId) -> CodingState:
    r = conn.execute(f"SELECT {CODING_COLS} FROM codings WHERE id = ?", (coding_id,)).fetchone()
    if r is None:
        raise KeyError(coding_id)
    coding = coding_from_row(r)
    boundaries = {row[0]: EpisodeBoundary(*row) for row in conn.execute(
        "SELECT episode, onset_ms, offset_ms, flag, reason FROM episodes WHERE coding_id = ? ORDER BY episode",
        (coding_id,))}
    events = tuple(event_from_row(row) for row in conn.execute(
        f"SELECT {EVENT_COLS} FROM events WHERE coding_id = ? ORDER BY onset_ms, id", (coding_id,)))
    scales = {(row[0], row[1], row[2]): row[3] for row in conn.execute(
        "SELECT scale, episode, partner, value FROM scale_ratings WHERE coding_id = ?", (coding_id,))}
    marks = tuple(DIndexMark(DIndexId(row[0]), row[1], row[2], row[3], row[4]) for row in conn.execute(
        "SELECT id, group_code, time_ms, sub_item, note FROM d_indices WHERE coding_id = ? ORDER BY time_ms, id",
        (coding_id,)))
    res = conn.execute("SELECT classification, forced_secondary, d_rating, note FROM results WHERE coding_id = ?",
                       (coding_id,)).fetchone()
    return CodingState(coding, boundaries, events, scales, marks, CodingResult(*res) if res else CodingResult())
