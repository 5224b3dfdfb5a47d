"""The coding controller's side of changes made while the project server cannot be reached.

While the server is away (or changes are still waiting to go), each change
is held by ``ssp_coder.store.waiting.WaitingChanges``: checked and shown on a
private copy of the coding, marked as not saved, and kept in a journal on
this computer. When the server answers they are sent in order; someone
else's change meanwhile stops them, and the coder chooses: review (their
change is shown, the waiting ones on top, then send) or discard.
"""

from __future__ import annotations

import dataclasses
import uuid

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.model import CodingState
from ssp_coder.errors import KnownError
from ssp_coder.store.pg_conn import ServerConnectionLost, redact
from ssp_coder.store.project import Applied
from ssp_coder.store.waiting import CodingCopy, WaitingChanges, ids_created, remap


class WaitingChangesControl:
    """Mixed into ``CodingController`` (which declares the signals and holds project, coder, coding and state)."""

    waiting: WaitingChanges | None
    online: bool

    # -- which coding, which journal ------------------------------------------------------------------------
    def _start_waiting(self) -> bool:
        """Called when a coding opens: True when changes of an earlier window were found (shown, to be sent)."""
        self._close_waiting()
        if not hasattr(self.project, "url") or self.coding is None or self.project.read_only:
            return False
        w = WaitingChanges(self.project.url, self.project.project_id, int(self.coding.id), self.coder.name,
                           self.session.blinded_code)
        try:
            found = w.load()
        except KnownError as exc:
            # a journal that cannot be read is left as it is (never overwritten); changes are then saved only
            # while the server can be reached
            self.message.emit(str(exc))
            return False
        if not found:
            self.waiting = w
            return False
        if w.coder != self.coder.name:
            # another person's changes on a shared computer: never sent under this person's name
            self.message.emit(f"{len(w)} changes that {w.coder} made to this coding while the server could not be "
                              f"reached are kept on this computer; they are sent when {w.coder} opens it here. "
                              "Changes you make now are saved only while the server can be reached.")
            return False
        self.waiting = w
        w.rebuild(lambda: self._copy_of(self.state))
        self.state = w.copy.state()
        return True

    def _close_waiting(self) -> None:
        """Leave the coding: its waiting changes stay in the journal for the next time it is opened."""
        w = getattr(self, "waiting", None)
        if w is not None:
            if w.changes:
                self.message.emit(f"{len(w)} change{'s' * (len(w) != 1)} to session {w.session_code} "
                                  f"{'are' if len(w) != 1 else 'is'} kept on this computer, not saved yet; they "
                                  "are sent when you open that session again.")
            w.close_copy()
        self.waiting = None

    def _copy_of(self, state: CodingState) -> CodingCopy:
        coder = self.coder
        if int(coder.id) != int(state.coding.coder_id):
            coder = dataclasses.replace(coder, name=f"coder {int(state.coding.coder_id)}")
        return CodingCopy(state, self.session, coder, self.session_views, self.scheme, self.project.settings)

    @property
    def waiting_count(self) -> int:
        return len(self.waiting) if self.waiting is not None else 0

    def waiting_ids(self) -> set[int]:
        """Events on screen that a change not saved yet adds or changes (drawn as such)."""
        return self.waiting.waiting_event_ids() if self.waiting is not None else set()

    def waiting_scale_cells(self) -> set[tuple[str, int, str]]:
        """Scale cells (scale, episode, partner) that a change not saved yet rates (drawn as such)."""
        if self.waiting is None:
            return set()
        return {(ch.command.scale, ch.command.episode, ch.command.partner) for ch in self.waiting.changes
                if isinstance(ch.command, cmds.SetScale)}

    def set_online(self, online: bool) -> None:
        self.online = online
        self.waitingChanged.emit()

    # -- one change: to the server, or held --------------------------------------------------------------
    def _send_or_hold(self, cmd: cmds.Command) -> Applied:
        w = self.waiting
        if w is None or not _changes_the_coding(cmd):
            # (a camera view's offset belongs to the session, not to the coding: it is saved only while the
            # server can be reached, as before)
            return self.project.execute(cmd, actor=self.coder.name)
        change_id = uuid.uuid4().hex
        if w.changes or not self.online:
            return self._hold(cmd, change_id)      # after changes that still wait, never before them
        if w.copy is not None and not self._show_server_state(""):
            return self._hold(cmd, change_id)      # the private copy is on screen until the server's state is read
        try:
            applied = self.project.execute(remap(cmd, w.ids, for_server=True), actor=self.coder.name,
                                           change_id=change_id)
        except ServerConnectionLost:
            # Whether its commit got there is unknown: it waits under the same id, which the audit log will show
            # if it did, so it is never applied twice.
            self.online = False
            held = self._hold(cmd, change_id)
            self.message.emit(f"The connection to the project server {redact(self.project.url)} was lost. "
                              f"'{cmd.describe()}' is kept on this computer and is NOT saved yet; it is sent "
                              "as soon as the server answers (the window keeps trying).")
            self.connectionLost.emit()
            return held
        w.ids.update(ids_created(cmd, applied.inverse))
        return applied

    def _hold(self, cmd: cmds.Command, change_id: str) -> Applied:
        w = self.waiting
        applied = w.hold(cmd, change_id, self.project.seen_revision(int(self.coding.id)),
                         lambda: self._copy_of(self.state))
        self.waitingChanged.emit()
        return applied

    def _undo_waiting(self, done: Applied) -> Applied | None:
        """Undo of a change that is still waiting: it leaves the list, nothing goes to the server."""
        w = self.waiting
        if w is None or not w.changes or w.changes[-1].applied is not done:
            return None
        undone = w.drop_last()
        self.waitingChanged.emit()
        return undone

    # -- sending ----------------------------------------------------------------------------------------------
    def send_waiting(self, *, asked: bool = False) -> bool:
        """Send what waits: when the server answers again, or when the coder ``asked`` (Send now).

        After a stop for someone else's change nothing goes by itself: the coder reviews (then sends) or
        discards. True when nothing waits any more.
        """
        w = self.waiting
        if w is None or not w.changes:
            return True
        if w.held_back:
            if asked:
                self.waitingStopped.emit(w.held_back)
            return False
        if w.reviewing:
            if not asked:
                return False
            w.reviewing = False
        result = w.send(self.project, self.coder.name)
        if result.lost:
            self.online = False
            self.connectionLost.emit()
        else:
            self.online = True
        if not w.changes:
            self._show_server_state(f"{len(result.sent)} waiting change{'s' * (len(result.sent) != 1)} sent — saved")
        elif result.sent:
            self.message.emit(f"{len(result.sent)} waiting changes were sent and saved; {len(w)} still wait.")
        self.waitingChanged.emit()
        if result.conflict:
            self.waitingStopped.emit(result.conflict)
        return not w.changes

    def _show_server_state(self, name: str, *, forget_history: bool = False) -> bool:
        """Everything waiting is on the server (or discarded): show the coding as the server has it."""
        w = self.waiting
        try:
            state = self.project.coding_state(int(self.coding.id))
        except KnownError:
            # the server went again at once: the copy is still right (nothing waits), keep showing it
            self.online = False
            self.connectionLost.emit()
            return False
        w.close_copy()
        self.state, self.coding = state, state.coding
        if forget_history:
            self._undo.clear()
            self._redo.clear()
        else:
            # undo and redo now name the server's ids
            fix = lambda a: Applied(remap(a.command, w.ids), remap(a.inverse, w.ids), a.coding_id)  # noqa: E731
            self._undo[:] = [fix(a) for a in self._undo]
            self._redo[:] = [fix(a) for a in self._redo]
        self._announce(name or "The coding as the server has it")
        return True

    def _announce(self, name: str) -> None:
        from ssp_coder.gui.controller import Change

        marker = Applied(cmds.Batch(name, ()), cmds.Batch(name, ()), self.coding.id if self.coding else None)
        self.changed.emit(Change(marker, name, False, status=name))
        self.historyChanged.emit()

    def review_waiting(self) -> list[tuple[str, str]]:
        """After someone else's change: show theirs, with the waiting changes on top (still not saved)."""
        w = self.waiting
        if w is None:
            return []
        state = self.project.coding_state(int(self.coding.id))
        self.state, self.coding = state, state.coding
        misfits = w.review(state, lambda: self._copy_of(state))
        self.state = w.copy.state()
        self._undo.clear()
        self._redo.clear()
        self._announce("Their changes shown, yours on top (not saved yet)")
        self.waitingChanged.emit()
        return misfits

    def discard_waiting(self) -> None:
        """The coder chose to drop the waiting changes: gone from the list, the journal and the screen."""
        w = self.waiting
        if w is None or not w.changes:
            return
        while w.changes:
            w.drop_last()               # the copy is back to what the server had
        if w.copy is not None:
            self.state = w.copy.state()
            self.coding = self.state.coding
        w.discard()
        self._undo.clear()
        self._redo.clear()
        if self.online:
            self._show_server_state("Waiting changes discarded", forget_history=True)
        else:
            self._announce("Waiting changes discarded")
        self.waitingChanged.emit()


def _changes_the_coding(cmd: cmds.Command) -> bool:
    """Whether ``cmd`` changes the coding itself (what can wait), not the session or the project."""
    if isinstance(cmd, cmds.Batch):
        return bool(cmd.commands) and all(_changes_the_coding(c) for c in cmd.commands)
    return any(hasattr(cmd, name) for name in ("coding_id", "event_id", "mark_id"))
