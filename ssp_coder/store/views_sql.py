"""SQL for a session's camera views (schema version 2).

The main view is the ``sessions`` row itself (its video columns and
``view_name``); views 2, 3, ... are rows of ``session_views``. Reading them
together here gives every caller one list, main view first.
"""

from __future__ import annotations

import sqlite3

from ssp_coder.domain.model import SessionId
from ssp_coder.domain.views import MAIN_VIEW, SessionView

_VIEW_COLS = "session_id, view, name, video_path, video_sha256, duration_ms, fps, frame_count, offset_ms"


def _view(r: tuple) -> SessionView:
    return SessionView(SessionId(r[0]), int(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], int(r[8] or 0))


def main_view(conn: sqlite3.Connection, session_id: int) -> SessionView:
    r = conn.execute("SELECT id, view_name, video_path, video_sha256, duration_ms, fps, frame_count FROM sessions "
                     "WHERE id = ?", (session_id,)).fetchone()
    if r is None:
        raise KeyError("session")
    return SessionView(SessionId(r[0]), MAIN_VIEW, r[1], r[2], r[3], r[4], r[5], r[6], 0)


def session_views(conn: sqlite3.Connection, session_id: int) -> list[SessionView]:
    """Every view of a session, the main view first."""
    rest = conn.execute(f"SELECT {_VIEW_COLS} FROM session_views WHERE session_id = ? ORDER BY view",
                        (session_id,)).fetchall()
    return [main_view(conn, session_id), *(_view(r) for r in rest)]


def session_view(conn: sqlite3.Connection, session_id: int, number: int) -> SessionView:
    """One view; ``KeyError`` if the session has no such view."""
    if number == MAIN_VIEW:
        return main_view(conn, session_id)
    r = conn.execute(f"SELECT {_VIEW_COLS} FROM session_views WHERE session_id = ? AND view = ?",
                     (session_id, number)).fetchone()
    if r is None:
        raise KeyError("view")
    return _view(r)


def views_by_sha(conn: sqlite3.Connection) -> dict[str, SessionView]:
    """Every extra view's video, by its SHA-256 (roster import refuses a recording registered twice)."""
    # (A plain scan: a filtered query on an indexed column would make "PRAGMA optimize" at close analyse the
    # table, so a refused import would still leave the file changed.)
    rows = conn.execute(f"SELECT {_VIEW_COLS} FROM session_views")
    return {r[4]: _view(r) for r in rows if r[4]}


def insert_view(conn: sqlite3.Connection, view: SessionView) -> None:
    conn.execute(f"INSERT INTO session_views ({_VIEW_COLS}) VALUES (?,?,?,?,?,?,?,?,?)",
                 (view.session_id, view.number, view.name, view.video_path, view.video_sha256, view.duration_ms,
                  view.fps, view.frame_count, view.offset_ms))


def set_main_view_name(conn: sqlite3.Connection, session_id: int, name: str | None) -> None:
    conn.execute("UPDATE sessions SET view_name = ? WHERE id = ?", (name, session_id))


def set_offset(conn: sqlite3.Connection, session_id: int, number: int, offset_ms: int) -> None:
    conn.execute("UPDATE session_views SET offset_ms = ? WHERE session_id = ? AND view = ?",
                 (offset_ms, session_id, number))


def relink_view(conn: sqlite3.Connection, session_id: int, number: int, video_path: str) -> None:
    if number == MAIN_VIEW:
        conn.execute("UPDATE sessions SET video_path = ? WHERE id = ?", (video_path, session_id))
    else:
        conn.execute("UPDATE session_views SET video_path = ? WHERE session_id = ? AND view = ?",
                     (video_path, session_id, number))
