"""Many writes in one transaction: a roster import adds participants, sessions and views, and runs commands.

``Project.bulk()`` hands out a :class:`BulkWriter`; every row it adds carries its audit row, as a command does.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from typing import Any, Sequence

from ssp_coder.domain.commands import AddEvent, Command, SetBoundary
from ssp_coder.domain.model import Coding, CodingId, Participant, Session, SessionId
from ssp_coder.domain.views import SessionView
from ssp_coder.store import views_sql
from ssp_coder.store.uow import (
    AUDIT_INSERT, apply_checked, SESSION_COLS, SqliteUnitOfWork, audit_row, now_iso, participant_from_row, session_from_row,
)

# Commands that change a coding's content but never its row (status, session) nor a session's row: for these the
# coding and session can be read once per batch instead of once per check.
CONTENT_COMMANDS = (AddEvent, SetBoundary)

if TYPE_CHECKING:
    from ssp_coder.store.project import Applied, Project


class BulkWriter:
    """Adds participants and sessions (roster import) and runs commands, in one transaction."""

    def __init__(self, project: Project, uow: SqliteUnitOfWork, actor: str, origin: str):
        self.project = project
        self.uow = uow
        self.actor = actor
        self.origin = origin

    @property
    def conn(self) -> sqlite3.Connection:
        return self.uow.conn

    def execute(self, cmd: Command) -> Applied:
        return self.project._apply(self.uow, cmd, self.actor, self.origin)

    def execute_for_coding(self, coding_id: int, commands: Sequence[Command]) -> list[Applied]:
        """Apply content commands (episode boundaries, new events) of one coding, in order.

        The same checks, messages, rows and audit rows as :meth:`execute` for each command in turn (the first
        refusal raises, after what came before it was written), but a coding's thousands of events cost two
        statements each instead of seven: the coding and its session are read once, the audit rows are written
        together, and the coding's revision goes up by one per command in a single update.
        """
        for cmd in commands:
            if not isinstance(cmd, CONTENT_COMMANDS) or getattr(cmd, "coding_id", None) != coding_id:
                raise ValueError(f"execute_for_coding takes episode and new-event commands of coding {coding_id}, "
                                 f"not {cmd!r}")
        reads = _OneCodingReads(self.uow)
        at = now_iso()
        done: list[Applied] = []
        rows: list[tuple] = []
        from ssp_coder.store.project import Applied

        try:
            for cmd in commands:
                cid, inverse = apply_checked(reads, cmd)
                rows.append(audit_row(at, self.actor, cmd, cid, inverse, self.origin))
                done.append(Applied(cmd, inverse, cid))
        finally:
            if rows:
                self.conn.execute("UPDATE codings SET revision = revision + ?, updated_at = ? WHERE id = ?",
                                  (len(rows), now_iso(), coding_id))
                self.conn.executemany(AUDIT_INSERT, rows)
        return done

    def audit(self, command: str, payload: dict, coding_id: int | None = None) -> None:
        self.conn.execute("INSERT INTO audit (at, actor, command, coding_id, payload, inverse, origin) "
                          "VALUES (?,?,?,?,?,?,?)",
                          (now_iso(), self.actor, command, coding_id, json.dumps(payload), None, self.origin))

    def participant_by_external_id(self, external_id: str) -> Participant | None:
        r = self.conn.execute("SELECT id, external_id, arm, site, age_months, sex, extra FROM participants "
                              "WHERE external_id = ?", (external_id,)).fetchone()
        return participant_from_row(r) if r else None

    def add_participant(self, external_id: str, arm: str, site: str | None = None, age_months: float | None = None,
                        sex: str | None = None, extra: dict[str, str] | None = None) -> int:
        cur = self.conn.execute("INSERT INTO participants (external_id, arm, site, age_months, sex, extra) "
                                "VALUES (?,?,?,?,?,?)", (external_id, arm, site, age_months, sex,
                                                         json.dumps(extra or {}, sort_keys=True)))
        self.audit("AddParticipant", {"external_id": external_id, "arm": arm, "site": site})
        return int(cur.lastrowid)

    def add_session(self, participant_id: int, timepoint: str, blinded_code: str, *, video_path: str | None,
                    video_sha256: str | None, duration_ms: int | None, fps: float | None, frame_count: int | None,
                    date_of_visit: str | None = None, age_months: float | None = None) -> int:
        cur = self.conn.execute(
            "INSERT INTO sessions (participant_id, timepoint, blinded_code, video_path, video_sha256, duration_ms, fps, "
            "frame_count, date_of_visit, age_months) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (participant_id, timepoint, blinded_code, video_path, video_sha256, duration_ms, fps, frame_count,
             date_of_visit, age_months))
        self.audit("AddSession", {"participant_id": participant_id, "blinded_code": blinded_code})
        return int(cur.lastrowid)

    def relink_video(self, session_id: int, video_path: str) -> None:
        self.conn.execute("UPDATE sessions SET video_path = ? WHERE id = ?", (video_path, session_id))
        self.audit("RelinkVideo", {"session_id": session_id, "video_path": video_path})

    def add_view(self, view: SessionView) -> None:
        """A further camera view of a session (roster import); the main view's name goes on the session."""
        if view.is_main:
            views_sql.set_main_view_name(self.conn, int(view.session_id), view.name)
        else:
            views_sql.insert_view(self.conn, view)
        self.audit("AddView", {"session_id": int(view.session_id), "view": view.number, "name": view.name})

    def relink_view(self, session_id: int, number: int, video_path: str) -> None:
        views_sql.relink_view(self.conn, session_id, number, video_path)
        self.audit("RelinkVideo", {"session_id": session_id, "view": number, "video_path": video_path})

    def existing_codes(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT blinded_code FROM sessions")}

    def session_for(self, participant_id: int, timepoint: str) -> Session | None:
        r = self.conn.execute(f"SELECT {SESSION_COLS} FROM sessions WHERE participant_id = ? AND timepoint = ?",
                              (participant_id, timepoint)).fetchone()
        return session_from_row(r) if r else None

    def session_by_sha(self, sha: str) -> Session | None:
        r = self.conn.execute(f"SELECT {SESSION_COLS} FROM sessions WHERE video_sha256 = ?", (sha,)).fetchone()
        return session_from_row(r) if r else None


class _OneCodingReads:
    """The unit of work, with the coding and session rows read once: the checks of every event ask for both, and
    content commands change neither (see ``CONTENT_COMMANDS``)."""

    def __init__(self, uow: SqliteUnitOfWork):
        self._uow = uow
        self._codings: dict[int, Coding] = {}
        self._sessions: dict[int, Session] = {}

    def coding(self, coding_id: CodingId) -> Coding:
        key = int(coding_id)
        if key not in self._codings:
            self._codings[key] = self._uow.coding(coding_id)     # a missing coding raises KeyError, as before
        return self._codings[key]

    def session(self, session_id: SessionId) -> Session:
        key = int(session_id)
        if key not in self._sessions:
            self._sessions[key] = self._uow.session(session_id)
        return self._sessions[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)
