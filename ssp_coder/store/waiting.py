"""Changes a coder made while the project server could not be reached: held, kept on disk, sent later.

Nothing a coder types may be lost, and nothing may be shown as saved that is
not. While the server cannot be reached, the coding window hands each change
to ``WaitingChanges`` instead of the server:

- the change is checked and applied to a private copy of the coding (an
  in-memory SQLite database run by the same unit of work as a project file),
  so the window can show it, marked as waiting, and the coder can go on
  (stop a state event, undo, correct a time);
- the list of waiting changes is written to a small journal file in the
  user's data folder (atomically, fsynced) after every change, one file per
  server and coding, so a crash or a killed window loses nothing;
- when the server answers again the changes are sent in order, each one a
  normal command (its own transaction and audit row) checked against the
  revision the changes were made on. Someone else's change meanwhile stops
  the sending; nothing of theirs is overwritten.

A change is never applied twice: each carries an id that goes into its audit
row. A change is sent only when the coding is still at the revision it was
made on; when it is not, the audit log is asked whether the change itself got
there (a commit whose answer was cut off, or a crash just after sending).

Events and D-index marks added while waiting get temporary negative ids;
once a change is saved the server's ids replace them in every later change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from platformdirs import user_data_dir

from ssp_coder.atomic import atomic_write_text
from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import Coder, CodingId, CodingState, Session
from ssp_coder.domain.scheme import Scheme
from ssp_coder.errors import DomainError, KnownError, StoreError
from ssp_coder.store import views_sql
from ssp_coder.store.pg_conn import ServerConnectionLost
from ssp_coder.store.project import Applied, Project, migrate
from ssp_coder.store.uow import SqliteUnitOfWork, apply_checked, now_iso, read_coding_state

JOURNAL_FORMAT = 1
_ID_FIELDS = ("event_id", "mark_id")
_ADDS = {cmds.AddEvent: "event_id", cmds.AddDIndex: "mark_id"}
_DELETES = {cmds.DeleteEvent: "event_id", cmds.DeleteDIndex: "mark_id"}


def journal_folder() -> Path:
    """Where waiting changes are kept: the user's data folder (not the cache: they cannot be made again)."""
    return Path(user_data_dir("ssp-coder", appauthor=False)) / "waiting-changes"


def server_key(url: str) -> str:
    """The server address without its password (a journal never holds one)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) == 2:
        netloc = [netloc[0].split(":", 1)[0], netloc[1]]
    return urlunsplit(parts._replace(netloc="@".join(netloc)))


def journal_path(url: str, project_id: str, coding_id: int) -> Path:
    digest = hashlib.sha256(f"{server_key(url)}|{project_id}".encode()).hexdigest()[:16]
    return journal_folder() / f"{digest}-coding{int(coding_id)}.json"


def journals_for(url: str, project_id: str) -> dict[int, Path]:
    """The codings of this server project that have waiting changes on this computer."""
    digest = hashlib.sha256(f"{server_key(url)}|{project_id}".encode()).hexdigest()[:16]
    found: dict[int, Path] = {}
    folder = journal_folder()
    if folder.is_dir():
        for path in folder.glob(f"{digest}-coding*.json"):
            try:
                found[int(path.stem.split("-coding", 1)[1])] = path
            except ValueError:
                continue
    return found


# -- temporary ids -----------------------------------------------------------------------------------------

def remap(cmd: cmds.Command, ids: dict[int, int], *, for_server: bool = False) -> cmds.Command:
    """``cmd`` with temporary ids replaced by the server's; ``for_server`` also lets the server number new items."""
    if isinstance(cmd, cmds.Batch):
        return dataclasses.replace(cmd, commands=tuple(remap(c, ids, for_server=for_server) for c in cmd.commands))
    changes: dict[str, Any] = {}
    for name in _ID_FIELDS:
        value = getattr(cmd, name, None)
        if isinstance(value, int) and value < 0:
            if value in ids:
                changes[name] = ids[value]
            elif for_server and _ADDS.get(type(cmd)) == name:
                changes[name] = None
    return dataclasses.replace(cmd, **changes) if changes else cmd


def with_temporary_ids(cmd: cmds.Command, next_id: int) -> tuple[cmds.Command, int]:
    """Give each event or D index the command adds a negative id of its own (the server numbers it later)."""
    if isinstance(cmd, cmds.Batch):
        out = []
        for c in cmd.commands:
            c, next_id = with_temporary_ids(c, next_id)
            out.append(c)
        return dataclasses.replace(cmd, commands=tuple(out)), next_id
    name = _ADDS.get(type(cmd))
    if name and getattr(cmd, name) is None:
        return dataclasses.replace(cmd, **{name: next_id}), next_id - 1
    return cmd, next_id


def ids_created(cmd: cmds.Command, inverse: cmds.Command) -> dict[int, int]:
    """Temporary id -> the server's id, for each item ``cmd`` added (its inverse deletes it by the new id)."""
    if isinstance(cmd, cmds.Batch) and isinstance(inverse, cmds.Batch):
        found: dict[int, int] = {}
        for c, i in zip(cmd.commands, reversed(inverse.commands)):
            found.update(ids_created(c, i))
        return found
    name = _ADDS.get(type(cmd))
    if name and _DELETES.get(type(inverse)) == name:
        old, new = getattr(cmd, name), getattr(inverse, name)
        if isinstance(old, int) and old < 0 and new is not None:
            return {old: int(new)}
    return {}


def event_ids_in(cmd: cmds.Command) -> set[int]:
    """Every event id a command names."""
    if isinstance(cmd, cmds.Batch):
        return set().union(*(event_ids_in(c) for c in cmd.commands)) if cmd.commands else set()
    value = getattr(cmd, "event_id", None)
    return {int(value)} if isinstance(value, int) else set()


# -- the coding as the coder sees it while changes wait ------------------------------------------------------

class CodingCopy:
    """One coding in a private in-memory database: the same checks and writes as a saved change, nowhere saved."""

    def __init__(self, state: CodingState, session: Session, coder: Coder, views: list, scheme: Scheme,
                 settings: dict[str, Any]):
        self.coding_id = int(state.coding.id)
        self.scheme = scheme
        self._settings = dict(settings)
        conn = sqlite3.connect(":memory:", isolation_level=None)
        migrate(conn, Path("(waiting changes)"))
        c = state.coding
        conn.execute("INSERT INTO participants (id, external_id, arm) VALUES (?, '-', '-')", (session.participant_id,))
        conn.execute("INSERT INTO sessions (id, participant_id, timepoint, blinded_code, video_path, video_sha256, "
                     "duration_ms, fps, frame_count) VALUES (?,?,?,?,?,?,?,?,?)",
                     (session.id, session.participant_id, session.timepoint or "-", session.blinded_code,
                      session.video_path, session.video_sha256, session.duration_ms, session.fps, session.frame_count))
        for view in views[1:]:
            views_sql.insert_view(conn, view)
        conn.execute("INSERT INTO coders (id, name, role) VALUES (?, ?, ?)", (c.coder_id, coder.name, coder.role))
        conn.execute("INSERT INTO codings (id, session_id, coder_id, purpose, status, origin, revision, created_at, "
                     "updated_at) VALUES (?,?,?,?,?,?,?,?,?)", (c.id, c.session_id, c.coder_id, c.purpose, c.status,
                                                               c.origin, c.revision, c.created_at, c.updated_at))
        conn.executemany("INSERT INTO episodes (coding_id, episode, onset_ms, offset_ms, flag, reason) VALUES "
                         "(?,?,?,?,?,?)", [(c.id, b.episode, b.onset_ms, b.offset_ms, b.flag, b.reason)
                                           for b in state.boundaries.values()])
        conn.executemany("INSERT INTO events (id, coding_id, code, kind, onset_ms, offset_ms, subject, note) VALUES "
                         "(?,?,?,?,?,?,?,?)", [(e.id, c.id, e.code, e.kind, e.onset_ms, e.offset_ms, e.subject,
                                                e.note) for e in state.events])
        conn.executemany("INSERT INTO scale_ratings (coding_id, scale, episode, partner, value) VALUES (?,?,?,?,?)",
                         [(c.id, s, ep, p, v) for (s, ep, p), v in state.scales.items()])
        conn.executemany("INSERT INTO d_indices (id, coding_id, group_code, time_ms, sub_item, note) VALUES "
                         "(?,?,?,?,?,?)", [(m.id, c.id, m.group, m.time_ms, m.sub_item, m.note) for m in state.d_indices])
        r = state.result
        if any(v is not None for v in (r.classification, r.forced_secondary, r.d_rating, r.note)):
            conn.execute("INSERT INTO results (coding_id, classification, forced_secondary, d_rating, note) VALUES "
                         "(?,?,?,?,?)", (c.id, r.classification, r.forced_secondary, r.d_rating, r.note))
        self.conn = conn

    def apply(self, cmd: cmds.Command) -> Applied:
        """Apply ``cmd`` as the store would; a ``DomainError`` leaves the copy as it was."""
        self.conn.execute("BEGIN")
        uow = SqliteUnitOfWork(self.conn, self.scheme, dict(self._settings))
        try:
            coding_id, inverse = apply_checked(uow, cmd, within="this coding", refused_by="the coding's checks")
            if coding_id is not None:
                uow.touch(coding_id)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return Applied(cmd, inverse, coding_id)

    def state(self) -> CodingState:
        return read_coding_state(self.conn, CodingId(self.coding_id))

    def close(self) -> None:
        self.conn.close()


# -- the waiting changes of one coding -----------------------------------------------------------------------

@dataclass
class WaitingChange:
    change_id: str            # recorded in the audit row when sent: a second sending is recognised
    command: cmds.Command     # as it will be sent (temporary ids for what it adds)
    name: str
    made_at: str
    applied: Applied | None = None   # on the private copy (its inverse undoes it there)


@dataclass
class SendResult:
    sent: list[tuple[WaitingChange, Applied]] = field(default_factory=list)
    lost: str | None = None       # the connection went again: the rest waits
    conflict: str | None = None   # someone else changed the coding, or the server refused a change


class WaitingChanges:
    """The changes of one coding that are not on the server yet, in the order they were made."""

    def __init__(self, url: str, project_id: str, coding_id: int, coder: str, session_code: str):
        self.url = url
        self.project_id = project_id
        self.coding_id = int(coding_id)
        self.coder = coder
        self.session_code = session_code
        self.path = journal_path(url, project_id, coding_id)
        self.changes: list[WaitingChange] = []
        self.base_revision: int | None = None     # the coding's revision on the server the changes were made on
        self.ids: dict[int, int] = {}              # temporary id -> the server's
        self.next_id = -1
        self.copy: CodingCopy | None = None
        self.held_back: str | None = None          # why sending stopped: the coder decides (review / discard)
        self.reviewing = False                     # reviewed over someone else's change: sent when the coder says

    def __len__(self) -> int:
        return len(self.changes)

    # -- the journal ----------------------------------------------------------------------------------------
    def save(self) -> None:
        if not self.changes:
            self.path.unlink(missing_ok=True)
            return
        data = {"format": JOURNAL_FORMAT, "server": server_key(self.url), "project_id": self.project_id,
                "coding_id": self.coding_id, "coder": self.coder, "session": self.session_code,
                "base_revision": self.base_revision, "next_id": self.next_id,
                "ids": {str(k): v for k, v in self.ids.items()},
                "changes": [{"id": c.change_id, "name": c.name, "made_at": c.made_at, "command": c.command.to_dict()}
                            for c in self.changes]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(data, indent=1))

    def load(self) -> bool:
        """Read the journal left by an earlier window (closed, crashed or killed); False when there is none."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != JOURNAL_FORMAT:
                raise ValueError(f"format {data.get('format')}")
            changes = [WaitingChange(c["id"], cmds.command_from_dict(c["command"]), c["name"], c["made_at"])
                       for c in data["changes"]]
        except FileNotFoundError:
            return False
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"The changes kept on this computer for session {self.session_code} ({self.path}) "
                             f"cannot be read ({exc}). The file was left as it is; nothing was sent.") from None
        self.coder = data.get("coder", self.coder)
        self.base_revision = data.get("base_revision")
        self.next_id = int(data.get("next_id", -1))
        self.ids = {int(k): int(v) for k, v in data.get("ids", {}).items()}
        self.changes = changes
        return bool(changes)

    # -- holding ------------------------------------------------------------------------------------------
    def hold(self, cmd: cmds.Command, change_id: str, base_revision: int | None,
             make_copy: Callable[[], CodingCopy]) -> Applied:
        """Keep ``cmd``: checked and applied on the private copy, added to the list and to the journal.

        ``make_copy`` builds the copy from what the window shows when the first change starts waiting.
        """
        if self.copy is None:
            self.copy = make_copy()
        if not self.changes:
            self.base_revision = base_revision
        # ids stay as the copy knows them (temporary ones too); they become the server's when sent
        cmd, next_id = with_temporary_ids(cmd, self.next_id)
        applied = self.copy.apply(cmd)
        self.next_id = next_id
        self.changes.append(WaitingChange(change_id, cmd, cmd.describe(), now_iso(), applied))
        self.save()
        return applied

    def drop_last(self) -> Applied:
        """Undo the newest waiting change: it leaves the list and the copy; returns what undid it on the copy."""
        change = self.changes[-1]
        assert self.copy is not None and change.applied is not None
        undone = self.copy.apply(change.applied.inverse)
        self.changes.pop()
        self.save()
        return undone

    def rebuild(self, make_copy: Callable[[], CodingCopy]) -> list[tuple[str, str]]:
        """Lay the waiting changes over the coding as the server has it now (after a reload or a restart).

        Returns the changes that no longer fit (name, why); they are left out of the copy but stay in the
        list until ``drop_unfitting`` or a send decides.
        """
        if self.copy is not None:
            self.copy.close()
        self.copy = make_copy()
        misfits: list[tuple[str, str]] = []
        for change in self.changes:
            change.command = remap(change.command, self.ids)
            try:
                change.applied = self.copy.apply(change.command)
            except DomainError as exc:
                change.applied = None
                misfits.append((change.name, str(exc)))
        return misfits

    def review(self, state: CodingState, make_copy: Callable[[], CodingCopy]) -> list[tuple[str, str]]:
        """After someone else's change: the waiting changes now go on top of theirs; those that no longer fit
        are taken out of the list (and named to the coder)."""
        misfits = self.rebuild(make_copy)
        self.changes = [c for c in self.changes if c.applied is not None]
        self.base_revision = int(state.coding.revision)
        self.held_back = None
        self.reviewing = bool(self.changes)
        self.save()
        return misfits

    def discard(self) -> None:
        self.changes.clear()
        self.held_back = None
        self.reviewing = False
        self.close_copy()
        self.save()

    def close_copy(self) -> None:
        if self.copy is not None:
            self.copy.close()
            self.copy = None

    # -- what the window marks ----------------------------------------------------------------------------
    def waiting_event_ids(self) -> set[int]:
        """The ids (as on screen) of the events that waiting changes add or change."""
        found: set[int] = set()
        for change in self.changes:
            found |= event_ids_in(change.command)
        return found

    # -- sending ------------------------------------------------------------------------------------------
    def send(self, project: Project, actor: str) -> SendResult:
        """Send the waiting changes in order, each its own transaction and audit row, until one cannot go."""
        result = SendResult()
        expect = getattr(project, "expect_revision", None)
        while self.changes:
            change = self.changes[0]
            cmd = remap(change.command, self.ids, for_server=True)
            if expect is not None and self.base_revision is not None:
                expect(self.coding_id, self.base_revision)
            try:
                applied = project.execute(cmd, actor=actor, change_id=change.change_id)
            except ServerConnectionLost as exc:
                result.lost = str(exc)
                break
            except KnownError as exc:
                try:
                    inverse = project.find_change(self.coding_id, change.change_id)
                except ServerConnectionLost as lost:
                    result.lost = str(lost)
                    break
                if inverse is None:
                    why = str(exc) if type(exc).__name__ == "RevisionConflict" else \
                        f"The server refused '{change.name}': {exc}"
                    result.conflict = self.held_back = why
                    break
                # it got there before (the answer to its commit was lost): never apply it twice
                applied = Applied(cmd, inverse, self.coding_id)
                if self.base_revision is not None:
                    self.base_revision += 1
            else:
                seen = getattr(project, "seen_revision", None)
                if seen is not None and applied.coding_id is not None:
                    self.base_revision = seen(self.coding_id)
            self.ids.update(ids_created(change.command, applied.inverse))
            self.changes.pop(0)
            result.sent.append((change, applied))
            self.save()
        return result
