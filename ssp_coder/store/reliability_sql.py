"""SQL for the reliability workflow: bulk reads for reports, gold standards, consensus provenance.

Reads take a ``Project`` (or an open connection inside a transaction, for
writes that must commit together with domain commands). Bulk reads fetch
every coding at once: a report on a 2,000-session project must not issue a
query per coding.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from ssp_coder.domain.model import DIndexId, DIndexMark, EpisodeBoundary, Event, EventId
from ssp_coder.store.uow import now_iso


@dataclass(frozen=True)
class CodingRow:
    """One coding with what reliability needs to know about it, from one joined query."""

    coding_id: int
    session_id: int
    coder_id: int
    coder: str
    coder_role: str
    purpose: str
    status: str
    updated_at: str
    created_at: str
    blinded_code: str
    timepoint: str
    arm: str
    participant_id: int
    completed_at: str | None = None   # when the coder marked it complete (see ``completion_times``)


@dataclass(frozen=True)
class GoldStandard:
    session_id: int
    blinded_code: str
    coding_id: int
    marked_by: str
    marked_at: str


@dataclass(frozen=True)
class ConsensusSource:
    coding_id: int
    field: str
    source_coding_id: int | None
    decided_by: str
    reason: str | None
    decided_at: str


def _conn(project_or_conn: Any) -> sqlite3.Connection:
    return project_or_conn if isinstance(project_or_conn, sqlite3.Connection) else project_or_conn.conn


def coding_rows(project: Any) -> list[CodingRow]:
    sql = ("SELECT c.id, c.session_id, c.coder_id, k.name, k.role, c.purpose, c.status, c.updated_at, c.created_at, "
           "s.blinded_code, s.timepoint, p.arm, p.id FROM codings c JOIN coders k ON k.id = c.coder_id "
           "JOIN sessions s ON s.id = c.session_id JOIN participants p ON p.id = s.participant_id ORDER BY c.id")
    done = completion_times(project)
    return [CodingRow(*r, completed_at=done.get(int(r[0]))) for r in _conn(project).execute(sql)]


COMPLETED_IN_PACKAGE = "CodingCompleted"


def completion_times(project: Any) -> dict[int, str]:
    """coding id -> when it was last marked complete, from the audit log.

    A coding completed in a coder package is merged later; the merge records the time the coder marked
    it complete in the package (an audit row ``CodingCompleted`` with ``completed_at``), which then
    counts instead of the time of the merge.
    """
    out: dict[int, str] = {}
    rows = _conn(project).execute(
        "SELECT coding_id, command, at, payload FROM audit WHERE coding_id IS NOT NULL AND command IN "
        "('MarkComplete', 'SetStatus', ?) ORDER BY id", (COMPLETED_IN_PACKAGE,))
    for coding_id, command, at, payload in rows:
        if command == "MarkComplete":
            out[int(coding_id)] = at
            continue
        data = json.loads(payload)
        if command == "SetStatus" and data.get("args", {}).get("status") == "complete":
            out[int(coding_id)] = at
        elif command == COMPLETED_IN_PACKAGE and data.get("completed_at"):
            out[int(coding_id)] = data["completed_at"]
    return out


def _in_chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    # SQLite limits the number of bound parameters; stay well below it.
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


@dataclass(frozen=True)
class TimedData:
    boundaries: dict[int, EpisodeBoundary]
    events: tuple[Event, ...]
    d_indices: tuple[DIndexMark, ...]


def timed_for(project: Any, coding_ids: Iterable[int]) -> dict[int, TimedData]:
    """coding id -> boundaries, events and D-index marks, read in three queries per chunk."""
    ids = sorted(set(coding_ids))
    bounds: dict[int, dict[int, EpisodeBoundary]] = {i: {} for i in ids}
    events: dict[int, list[Event]] = {i: [] for i in ids}
    marks: dict[int, list[DIndexMark]] = {i: [] for i in ids}
    conn = _conn(project)
    for chunk in _in_chunks(ids):
        q = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT coding_id, episode, onset_ms, offset_ms, flag, reason FROM episodes "
                              f"WHERE coding_id IN ({q})", chunk):
            bounds[r[0]][r[1]] = EpisodeBoundary(r[1], r[2], r[3], r[4], r[5])
        for r in conn.execute(f"SELECT coding_id, id, code, kind, onset_ms, offset_ms, subject, note, view FROM events "
                              f"WHERE coding_id IN ({q}) ORDER BY coding_id, onset_ms, id", chunk):
            events[r[0]].append(Event(EventId(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8]))
        for r in conn.execute(f"SELECT coding_id, id, group_code, time_ms, sub_item, note FROM d_indices "
                              f"WHERE coding_id IN ({q}) ORDER BY coding_id, time_ms, id", chunk):
            marks[r[0]].append(DIndexMark(DIndexId(r[1]), r[2], r[3], r[4], r[5]))
    return {i: TimedData(bounds[i], tuple(events[i]), tuple(marks[i])) for i in ids}


# -- gold standards --------------------------------------------------------------

def gold_standards(project: Any) -> list[GoldStandard]:
    rows = _conn(project).execute(
        "SELECT g.session_id, s.blinded_code, g.coding_id, g.marked_by, g.marked_at FROM gold_standards g "
        "JOIN sessions s ON s.id = g.session_id ORDER BY s.blinded_code")
    return [GoldStandard(*r) for r in rows]


def put_gold(conn: sqlite3.Connection, session_id: int, coding_id: int, marked_by: str) -> GoldStandard | None:
    """Mark (or re-mark) a session's gold coding; returns the row it replaced, if any."""
    old = conn.execute("SELECT g.session_id, s.blinded_code, g.coding_id, g.marked_by, g.marked_at "
                       "FROM gold_standards g JOIN sessions s ON s.id = g.session_id WHERE g.session_id = ?",
                       (session_id,)).fetchone()
    conn.execute("DELETE FROM gold_standards WHERE session_id = ?", (session_id,))
    conn.execute("INSERT INTO gold_standards (session_id, coding_id, marked_by, marked_at) VALUES (?,?,?,?)",
                 (session_id, coding_id, marked_by, now_iso()))
    return GoldStandard(*old) if old else None


def delete_gold(conn: sqlite3.Connection, session_id: int) -> bool:
    return conn.execute("DELETE FROM gold_standards WHERE session_id = ?", (session_id,)).rowcount > 0


# -- consensus provenance -----------------------------------------------------------

def put_consensus_sources(conn: sqlite3.Connection, coding_id: int,
                          rows: Iterable[tuple[str, int | None, str, str | None]]) -> None:
    """rows: (field, source coding id or None for a value typed in, decided by, reason)."""
    at = now_iso()
    conn.executemany(
        "INSERT INTO consensus_sources (coding_id, field, source_coding_id, decided_by, reason, decided_at) "
        "VALUES (?,?,?,?,?,?)", [(coding_id, f, src, who, why, at) for f, src, who, why in rows])


def delete_consensus_sources(conn: sqlite3.Connection, coding_id: int) -> None:
    """Before a revised consensus records its decisions (the previous ones are kept in the audit log)."""
    conn.execute("DELETE FROM consensus_sources WHERE coding_id = ?", (coding_id,))


def consensus_sources(project: Any, coding_id: int) -> list[ConsensusSource]:
    rows = _conn(project).execute(
        "SELECT coding_id, field, source_coding_id, decided_by, reason, decided_at FROM consensus_sources "
        "WHERE coding_id = ? ORDER BY field", (coding_id,))
    return [ConsensusSource(*r) for r in rows]
