"""The one place the window changes a project: commands in, ``changed`` out.

``CodingController`` holds the open project, the coder at the keyboard and the
coding on screen. Every edit is a domain command run by ``Project.execute``
(one transaction, audited under the coder's name, on disk before it returns);
only then is ``changed`` emitted and the panels repaint. On a server project
that cannot be reached, the change is held instead, shown as not saved and
sent later (``controller_waiting``). Undo executes the
command's inverse the same way, so an undo is as durable and as audited as
the edit it reverses. The window keeps no coding data of its own: ``state``
is a read model of what is in the file.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Signal

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import Coder, Coding, CodingState, Event, EventId, Session
from ssp_coder.domain.state_overlap import merge_all, merge_for, overlapping, span_text
from ssp_coder.errors import KnownError
from ssp_coder.gui.controller_waiting import WaitingChangesControl
from ssp_coder.store.project import Applied, Project
from ssp_coder.store.pg_conn import ServerConnectionLost
from ssp_coder.store.server import RevisionConflict

log = logging.getLogger(__name__)

EVENT_COMMANDS = (cmds.AddEvent, cmds.UpdateEvent, cmds.DeleteEvent)


@dataclass(frozen=True)
class Change:
    """What a command did, for the panels: ``events_only`` lets the big views update incrementally."""

    applied: Applied
    name: str
    events_only: bool
    added: tuple[Event, ...] = ()
    removed: tuple[int, ...] = ()
    updated: tuple[Event, ...] = ()
    status: str | None = None          # the status-bar line, when not "<name> — saved"


class CodingController(QObject, WaitingChangesControl):
    changed = Signal(object)          # Change
    codingOpened = Signal(object)     # CodingState or None
    historyChanged = Signal()
    message = Signal(str)             # a DomainError or StoreError message for the status bar / dialog
    connectionLost = Signal()         # a change failed because the project server could not be reached
    waitingChanged = Signal()         # changes held while the server is away: their number or state changed
    waitingStopped = Signal(str)      # sending them stopped (someone else changed the coding): review or discard

    def __init__(self, project: Project, coder: Coder, parent: QObject | None = None):
        super().__init__(parent)
        self.project = project
        self.coder = coder
        self.scheme = project.scheme
        self.coding: Coding | None = None
        self.session: Session | None = None
        self.state: CodingState | None = None
        self._undo: list[Applied] = []
        self._redo: list[Applied] = []
        # The camera view a new event is recorded as coded from (None: not recorded); the window's views
        # set this when the coder asks for it (View ▸ Record which view each event is coded from).
        self.event_view: Callable[[], int | None] | None = None
        self.waiting = None
        self.online = True
        self.session_views: list = []       # the open session's camera views

    # -- who and what ------------------------------------------------------------
    @property
    def role(self) -> str:
        return self.coder.role

    @property
    def blinded(self) -> bool:
        """Coders see blinded codes only; coordinators and trainers may see more."""
        return self.coder.role == "coder"

    @property
    def coding_id(self) -> int | None:
        return int(self.coding.id) if self.coding else None

    @property
    def editable(self) -> bool:
        return self.coding is not None and not self.coding.is_complete and not self.project.read_only

    def open_coding(self, coding_id: int | None) -> None:
        """Show another coding; the undo history belongs to one coding and is cleared."""
        state = session = None
        if coding_id is not None:
            # read first: if the server cannot be reached, the coding on screen (and what waits) stays as it is
            state = self.project.coding_state(coding_id)
            session = self.project.session(int(state.coding.session_id))
            views = self.project.views(int(session.id))
        self._undo.clear()
        self._redo.clear()
        self._close_waiting()
        recovered = False
        self.state, self.session = state, session
        # read once here: panels redrawn while the server is away must not need it
        self.session_views = views if state is not None else []
        self.coding = state.coding if state is not None else None
        if state is not None:
            recovered = self._start_waiting()
        self.codingOpened.emit(self.state)
        self.historyChanged.emit()
        self.waitingChanged.emit()
        if recovered:
            n = self.waiting_count
            self.message.emit(f"{n} change{'s' * (n != 1)} you made to this coding while the server could not be "
                              "reached were kept on this computer, not yet saved; sending them now.")
            self.send_waiting()

    def reload(self) -> None:
        if self.coding is not None:
            if self.waiting is not None and self.waiting.copy is not None:
                self.state = self.waiting.copy.state()      # what the server has, plus what still waits
            else:
                self.state = self.project.coding_state(int(self.coding.id))
            self.coding = self.state.coding

    # -- running commands ----------------------------------------------------------
    def execute(self, cmd: cmds.Command, *, record: bool = True) -> Applied | None:
        """Run one command. On a known error nothing changes and ``message`` carries the reason.

        An event edit (key, timeline drag, event table) that would make a state overlap another interval
        of the same code becomes one merge step instead, named for the status bar ("... merged with ...").
        """
        if self.state is not None:
            cmd = merge_for(cmd, self.state.events, self.scheme) or cmd
        try:
            applied = self._send_or_hold(cmd)
        except RevisionConflict as exc:
            # Someone else changed this coding on the server: show theirs, never keep a stale copy on screen.
            self.message.emit(str(exc))
            self.open_coding(int(self.coding.id) if self.coding else None)
            return None
        except KnownError as exc:
            self.message.emit(str(exc))
            if isinstance(exc, ServerConnectionLost):
                self.connectionLost.emit()
            return None
        if record:
            self._undo.append(applied)
            self._redo.clear()
        self._after(applied, cmd.describe())
        return applied

    def _after(self, applied: Applied, name: str) -> None:
        change = self._refresh(applied, name)
        self.changed.emit(change)
        self.historyChanged.emit()

    def _refresh(self, applied: Applied, name: str) -> Change:
        """Bring ``state`` up to date; event edits are patched in place (5,000 events stay cheap)."""
        cmd, inv = applied.command, applied.inverse
        st = self.state
        if isinstance(cmd, cmds.Batch) and isinstance(inv, cmds.Batch) \
                and all(isinstance(c, EVENT_COMMANDS) for c in cmd.commands):
            steps = list(zip(cmd.commands, reversed(inv.commands)))    # a merge of state intervals, or its undo
        else:
            steps = [(cmd, inv)]
        if st is None or not all(isinstance(c, EVENT_COMMANDS) for c, _ in steps):
            self.reload()
            return Change(applied, name, False)
        events = list(st.events)
        added: dict[int, Event] = {}
        removed: list[int] = []
        updated: dict[int, Event] = {}
        kind = lambda code: self.scheme.behaviour(code).kind  # noqa: E731
        for c, i in steps:
            if isinstance(c, cmds.AddEvent):
                ev = Event(EventId(i.event_id), c.code, kind(c.code), c.onset_ms, c.offset_ms, c.subject, c.note,
                           c.view)
                _insert_sorted(events, ev)
                added[int(ev.id)] = ev
            elif isinstance(c, cmds.DeleteEvent):
                # the inverse (an AddEvent) still knows the old onset, which finds the row by bisection
                _remove_sorted(events, c.event_id, getattr(i, "onset_ms", None))
                if added.pop(c.event_id, None) is None:
                    updated.pop(c.event_id, None)
                    removed.append(c.event_id)
            else:
                was = _remove_sorted(events, c.event_id, getattr(i, "onset_ms", None))
                # An edit that leaves the view keeps the view the event had.
                view = (was.view if was is not None else None) if c.view == cmds.KEEP_VIEW else c.view
                ev = Event(EventId(c.event_id), c.code, kind(c.code), c.onset_ms, c.offset_ms, c.subject, c.note,
                           view)
                _insert_sorted(events, ev)
                if c.event_id in added:
                    added[c.event_id] = ev
                else:
                    updated[c.event_id] = ev
        coding = dataclasses.replace(st.coding, revision=st.coding.revision + 1)
        self.state = dataclasses.replace(st, coding=coding, events=tuple(events))
        self.coding = coding
        return Change(applied, name, True, tuple(added.values()), tuple(removed), tuple(updated.values()))

    # -- undo / redo ---------------------------------------------------------------
    def undo_name(self) -> str | None:
        return self._undo[-1].command.describe() if self._undo else None

    def redo_name(self) -> str | None:
        return self._redo[-1].command.describe() if self._redo else None

    def undo(self) -> bool:
        if not self._undo:
            return False
        done = self._undo[-1]
        try:
            applied = self._undo_waiting(done) or self._send_or_hold(done.inverse)
        except KnownError as exc:
            self.message.emit(f"Cannot undo {done.command.describe()}: {exc}")
            return False
        self._undo.pop()
        # Redo re-runs the inverse of what undo ran, which restores ids too.
        self._redo.append(Applied(applied.inverse, applied.command, applied.coding_id))
        self._after(applied, f"Undo {done.command.describe()}")
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        todo = self._redo[-1]
        try:
            applied = self._send_or_hold(todo.command)
        except KnownError as exc:
            self.message.emit(f"Cannot redo {todo.command.describe()}: {exc}")
            return False
        self._redo.pop()
        self._undo.append(applied)
        self._after(applied, f"Redo {todo.command.describe()}")
        return True

    # -- coding actions the keyboard uses -----------------------------------------
    def open_state_event(self, code: str) -> Event | None:
        if self.state is None:
            return None
        for ev in reversed(self.state.events):
            if ev.code == code and ev.is_open:
                return ev
        return None

    def log_behaviour(self, code: str, at_ms: int, *, subject: str | None = None,
                      note: str | None = None) -> Applied | None:
        """The behaviour key: a point event, or start / stop of a state event."""
        if self.coding is None:
            self.message.emit("Open a session first (double-click it in the session list).")
            return None
        behaviour = self.scheme.behaviour(code)
        if behaviour.is_state:
            open_ev = self.open_state_event(code)
            if open_ev is not None:
                if at_ms < open_ev.onset_ms:
                    self.message.emit(f"'{code}' started at {fmt_ms(open_ev.onset_ms)}; it cannot stop earlier, "
                                      f"at {fmt_ms(at_ms)}.")
                    return None
                return self.execute(dataclasses.replace(
                    _update_from(open_ev), offset_ms=at_ms))
        view = self.event_view() if self.event_view is not None else None
        applied = self.execute(cmds.AddEvent(int(self.coding.id), code, at_ms, None, subject, note, view=view))
        if applied is not None and behaviour.is_state and self.state is not None:
            covering = overlapping(self.state.events, code, at_ms, at_ms + 1)
            if covering:
                c = covering[0]
                self.message.emit(f"'{code}' already runs here ({span_text(c.onset_ms, int(c.offset_ms))}); when "
                                  "you end this one, the two become one interval.")
        return applied

    def merge_overlapping_states(self) -> Applied | None:
        """The checks list's one-click fix: every set of overlapping intervals merged, one undoable step."""
        if self.state is None:
            return None
        batch = merge_all(self.state.events)
        if batch is None:
            self.message.emit("No state intervals overlap in this coding.")
            return None
        return self.execute(batch)

    def set_episode_start(self, episode: int, at_ms: int) -> Applied | None:
        """Start episode N here, and end episode N-1 here if it is still open: one undoable step."""
        if self.state is None:
            return None
        cid = int(self.coding.id)
        b = self.state.boundaries.get(episode)
        steps: list[cmds.Command] = []
        prev = self.state.boundaries.get(episode - 1)
        if prev is not None and prev.onset_ms is not None and prev.offset_ms is None and prev.onset_ms < at_ms:
            steps.append(cmds.SetBoundary(cid, episode - 1, prev.onset_ms, at_ms))
        offset = b.offset_ms if b is not None and b.offset_ms is not None and b.offset_ms > at_ms else None
        steps.append(cmds.SetBoundary(cid, episode, at_ms, offset))
        if len(steps) == 1:
            return self.execute(steps[0])
        return self.execute(cmds.Batch(f"Start episode {episode}", tuple(steps)))

    def set_episode_end(self, episode: int, at_ms: int) -> Applied | None:
        if self.state is None:
            return None
        b = self.state.boundaries.get(episode)
        onset = b.onset_ms if b is not None else None
        return self.execute(cmds.SetBoundary(int(self.coding.id), episode, onset, at_ms))

    def current_episode(self, at_ms: int) -> int | None:
        if self.state is None:
            return None
        for n, b in sorted(self.state.boundaries.items()):
            if b.onset_ms is not None and b.onset_ms <= at_ms and (b.offset_ms is None or at_ms < b.offset_ms):
                return n
        return None


def _update_from(ev: Event) -> cmds.UpdateEvent:
    return cmds.UpdateEvent(int(ev.id), ev.code, ev.onset_ms, ev.offset_ms, ev.subject, ev.note)


def _insert_sorted(events: list[Event], ev: Event) -> None:
    lo, hi = 0, len(events)
    key = (ev.onset_ms, int(ev.id))
    while lo < hi:
        mid = (lo + hi) // 2
        if (events[mid].onset_ms, int(events[mid].id)) < key:
            lo = mid + 1
        else:
            hi = mid
    events.insert(lo, ev)


def _remove_sorted(events: list[Event], event_id: int, onset_ms: int | None) -> Event | None:
    """Drop one event from the (onset, id)-sorted list and return it; bisect when its onset is known."""
    if onset_ms is not None:
        lo, hi = 0, len(events)
        key = (onset_ms, event_id)
        while lo < hi:
            mid = (lo + hi) // 2
            if (events[mid].onset_ms, int(events[mid].id)) < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(events) and int(events[lo].id) == event_id:
            return events.pop(lo)
    was = next((e for e in events if int(e.id) == event_id), None)
    events[:] = [e for e in events if int(e.id) != event_id]
    return was


def fmt_ms(ms: int | None) -> str:
    """mm:ss.mmm, the way coders read times off the video."""
    if ms is None:
        return ""
    sign = "-" if ms < 0 else ""
    s, milli = divmod(abs(int(ms)), 1000)
    m, s = divmod(s, 60)
    return f"{sign}{m:02d}:{s:02d}.{milli:03d}"


def parse_ms(text: str) -> int:
    """Read a time typed by a coder: mm:ss.mmm, ss.mmm or h:mm:ss.mmm. Raises ValueError."""
    t = text.strip().replace(",", ".")
    if not t:
        raise ValueError("empty time")
    parts = t.split(":")
    if len(parts) > 3:
        raise ValueError(f"not a time: {text!r}")
    seconds = float(parts[-1])
    minutes = int(parts[-2]) if len(parts) >= 2 else 0
    hours = int(parts[-3]) if len(parts) == 3 else 0
    if seconds < 0 or minutes < 0 or hours < 0:
        raise ValueError(f"not a time: {text!r}")
    return int(round((hours * 3600 + minutes * 60 + seconds) * 1000))
