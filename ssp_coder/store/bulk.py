"""Many writes in one transaction: a roster import adds participants, sessions and views, and runs commands.

``Project.bulk()`` hands out a :class:`BulkWriter`; every row it adds carries its audit row, as a command does.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from ssp_coder.domain.commands import Command
from ssp_coder.domain.model import Participant, Session
from ssp_coder.domain.views import SessionView
from ssp_coder.store import views_sql
from ssp_coder.store.uow import SESSION_COLS, SqliteUnitOfWork, now_iso, participant_from_row, session_from_row

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
