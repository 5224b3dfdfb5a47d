"""SQL for coder packages: the blinded copy of a coder's work, and the project's record of packages.

The coder file inside a package is built here by copying rows, not by
replaying commands: it is a new, derived file (like a backup), and copying
lets every row be renumbered so that nothing in it (ids, order, timestamps)
hints at a participant, an arm or a timepoint.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ssp_coder.errors import StoreError
from ssp_coder.store.project import Project
from ssp_coder.store.uow import now_iso

SECRET_KEY = "package_secret"


def package_secret(project: Project) -> bytes:
    """The project's key for signing package manifests; made on first use, never leaves the project."""
    row = project.conn.execute("SELECT value FROM project_info WHERE key = ?", (SECRET_KEY,)).fetchone()
    if row:
        return bytes.fromhex(row[0])
    project._writable()
    value = secrets.token_hex(32)
    project.conn.execute("BEGIN IMMEDIATE")
    try:
        project.conn.execute("INSERT OR IGNORE INTO project_info (key, value) VALUES (?, ?)", (SECRET_KEY, value))
        project.conn.execute("COMMIT")
    except BaseException:
        project.conn.execute("ROLLBACK")
        raise
    row = project.conn.execute("SELECT value FROM project_info WHERE key = ?", (SECRET_KEY,)).fetchone()
    return bytes.fromhex(row[0])


# -- the project's record of issued packages --------------------------------------------

@dataclass(frozen=True)
class PackageRecord:
    id: str
    coder_id: int
    exported_at: str
    record: dict[str, Any]          # {"issued": ..., "coding_map": ..., "merge_state": ...}
    imported_at: str | None


def insert_package(conn: sqlite3.Connection, package_id: str, coder_id: int, record: dict[str, Any]) -> None:
    conn.execute("INSERT INTO packages (id, coder_id, exported_at, manifest, imported_at) VALUES (?,?,?,?,NULL)",
                 (package_id, coder_id, now_iso(), json.dumps(record, sort_keys=True)))


def update_package(conn: sqlite3.Connection, package_id: str, record: dict[str, Any]) -> None:
    conn.execute("UPDATE packages SET manifest = ?, imported_at = ? WHERE id = ?",
                 (json.dumps(record, sort_keys=True), now_iso(), package_id))


def get_package(conn: sqlite3.Connection, package_id: str) -> PackageRecord | None:
    r = conn.execute("SELECT id, coder_id, exported_at, manifest, imported_at FROM packages WHERE id = ?",
                     (package_id,)).fetchone()
    return PackageRecord(r[0], r[1], r[2], json.loads(r[3]), r[4]) if r else None


def list_packages(conn: sqlite3.Connection) -> list[PackageRecord]:
    rows = conn.execute("SELECT id, coder_id, exported_at, manifest, imported_at FROM packages ORDER BY exported_at")
    return [PackageRecord(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]


def coding_revisions(conn: sqlite3.Connection, coding_ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for cid in coding_ids:
        r = conn.execute("SELECT revision FROM codings WHERE id = ?", (cid,)).fetchone()
        if r is not None:
            out[cid] = int(r[0])
    return out


def file_package_id(path: Path) -> str | None:
    """The package id recorded in a coding file (None if it has none)."""
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM project_info WHERE key = 'package_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"The coding file {path} cannot be read ({exc}).") from None
    return row[0] if row else None


# -- building the coder file --------------------------------------------------------------

@dataclass(frozen=True)
class BlindView:
    """A further camera view of a blinded session: its member name in the package, never its file name."""

    number: int
    name: str | None
    video_name: str | None
    sha256: str | None
    duration_ms: int | None
    fps: float | None
    frame_count: int | None
    offset_ms: int = 0


@dataclass(frozen=True)
class BlindSession:
    """What the coder file keeps of a session: nothing that names a child, an arm, a time or a file."""

    code: str
    video_name: str | None
    sha256: str | None
    duration_ms: int | None
    fps: float | None
    frame_count: int | None
    view_name: str | None = None
    views: tuple[BlindView, ...] = ()


def fill_coder_file(target: Project, source: Project, coder_name: str, sessions: list[BlindSession],
                    codings: list[tuple[int, str, int]], info: dict[str, str]) -> None:
    """Copy the blinded subset into the freshly created coder project ``target``.

    ``codings`` is ``[(project coding id, session code, package coding id)]``;
    the package ids are assigned by the caller. Participants become
    placeholders named by the blinded code; timepoint, site, age, sex, extra
    columns and visit dates are not copied; timestamps are the export time.
    """
    t = target.conn
    src = source.conn
    stamp = now_iso()
    t.execute("BEGIN IMMEDIATE")
    try:
        for key, value in info.items():
            t.execute("INSERT OR REPLACE INTO project_info (key, value) VALUES (?, ?)", (key, value))
        for key, value in src.execute("SELECT key, value FROM settings ORDER BY key"):
            t.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
        t.execute("INSERT INTO coders (id, name, role) VALUES (1, ?, 'coder')", (coder_name,))
        session_ids: dict[str, int] = {}
        for n, s in enumerate(sessions, start=1):
            t.execute("INSERT INTO participants (id, external_id, arm, extra) VALUES (?, ?, '', '{}')", (n, s.code))
            t.execute("INSERT INTO sessions (id, participant_id, timepoint, blinded_code, video_path, video_sha256, "
                      "duration_ms, fps, frame_count) VALUES (?,?,?,?,?,?,?,?,?)",
                      (n, n, "", s.code, s.video_name, s.sha256, s.duration_ms, s.fps, s.frame_count))
            session_ids[s.code] = n
            if s.view_name:
                t.execute("UPDATE sessions SET view_name = ? WHERE id = ?", (s.view_name, n))
            for v in s.views:
                t.execute("INSERT INTO session_views (session_id, view, name, video_path, video_sha256, duration_ms, "
                          "fps, frame_count, offset_ms) VALUES (?,?,?,?,?,?,?,?,?)",
                          (n, v.number, v.name, v.video_name, v.sha256, v.duration_ms, v.fps, v.frame_count,
                           v.offset_ms))
        for project_cid, code, package_cid in codings:
            purpose, status = src.execute("SELECT purpose, status FROM codings WHERE id = ?",
                                          (project_cid,)).fetchone()
            t.execute("INSERT INTO codings (id, session_id, coder_id, purpose, status, origin, revision, created_at, "
                      "updated_at) VALUES (?, ?, 1, ?, ?, 'package', 0, ?, ?)",
                      (package_cid, session_ids[code], purpose, status, stamp, stamp))
            _copy_content(src, t, project_cid, package_cid)
        t.execute("COMMIT")
    except BaseException:
        t.execute("ROLLBACK")
        raise


def _copy_content(src: sqlite3.Connection, t: sqlite3.Connection, from_id: int, to_id: int) -> None:
    # Event and D-index rows get new ids in time order: project ids would tell
    # the coder in which order sessions were coded across the whole trial.
    for row in src.execute("SELECT episode, onset_ms, offset_ms, flag, reason FROM episodes WHERE coding_id = ? "
                           "ORDER BY episode", (from_id,)).fetchall():
        t.execute("INSERT INTO episodes (coding_id, episode, onset_ms, offset_ms, flag, reason) VALUES (?,?,?,?,?,?)",
                  (to_id, *row))
    for row in src.execute("SELECT code, kind, onset_ms, offset_ms, subject, note, view FROM events "
                           "WHERE coding_id = ? ORDER BY onset_ms, id", (from_id,)).fetchall():
        t.execute("INSERT INTO events (coding_id, code, kind, onset_ms, offset_ms, subject, note, view) "
                  "VALUES (?,?,?,?,?,?,?,?)", (to_id, *row))
    for row in src.execute("SELECT scale, episode, partner, value FROM scale_ratings WHERE coding_id = ? "
                           "ORDER BY scale, episode, partner", (from_id,)).fetchall():
        t.execute("INSERT INTO scale_ratings (coding_id, scale, episode, partner, value) VALUES (?,?,?,?,?)",
                  (to_id, *row))
    for row in src.execute("SELECT group_code, time_ms, sub_item, note FROM d_indices WHERE coding_id = ? "
                           "ORDER BY time_ms, id", (from_id,)).fetchall():
        t.execute("INSERT INTO d_indices (coding_id, group_code, time_ms, sub_item, note) VALUES (?,?,?,?,?)",
                  (to_id, *row))
    row = src.execute("SELECT classification, forced_secondary, d_rating, note FROM results WHERE coding_id = ?",
                      (from_id,)).fetchone()
    if row:
        t.execute("INSERT INTO results (coding_id, classification, forced_secondary, d_rating, note) "
                  "VALUES (?,?,?,?,?)", (to_id, *row))


def compact_copy(source: Path, target: Path) -> None:
    """A consistent, compact copy of an SQLite file with no free pages and no WAL.

    ``VACUUM INTO`` writes only live rows, so text deleted earlier (and still
    sitting in free pages of the source) never reaches the copy.
    """
    conn = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    finally:
        conn.close()
    out = sqlite3.connect(target, isolation_level=None)
    try:
        out.execute("PRAGMA journal_mode = DELETE")
    finally:
        out.close()


# -- reading a coder file that came back ------------------------------------------------------

@dataclass(frozen=True)
class CoderFileContents:
    info: dict[str, str]
    coders: list[tuple[str, str]]
    sessions: dict[str, tuple[str | None, int | None]]     # code -> (sha256, duration_ms)
    codings: dict[int, tuple[str, str, str, int]]         # package coding id -> (code, purpose, status, revision)
    participants: int


def read_coder_file(conn: sqlite3.Connection) -> CoderFileContents:
    info = dict(conn.execute("SELECT key, value FROM project_info WHERE key <> 'scheme'"))
    coders = [(r[0], r[1]) for r in conn.execute("SELECT name, role FROM coders ORDER BY id")]
    sessions = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT blinded_code, video_sha256, duration_ms FROM sessions")}
    codings = {int(r[0]): (r[1], r[2], r[3], int(r[4])) for r in conn.execute(
        "SELECT c.id, s.blinded_code, c.purpose, c.status, c.revision FROM codings c "
        "JOIN sessions s ON s.id = c.session_id")}
    n = conn.execute("SELECT count(*) FROM participants").fetchone()[0]
    return CoderFileContents(info, coders, sessions, codings, int(n))
