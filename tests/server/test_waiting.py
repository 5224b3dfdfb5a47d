"""Changes held while the server is away: kept on disk, sent later in order, once each, never over someone else's."""

from __future__ import annotations

import json
import uuid

from ssp_coder.domain.commands import AddEvent, DeleteEvent, SetClassification, SetScale, UpdateEvent
from ssp_coder.store.project import Project
from ssp_coder.store.waiting import CodingCopy, WaitingChanges, journals_for


def _draft(p: Project) -> int:
    return next(int(c.id) for c in p.codings(status="draft"))


def _waiting(p: Project, cid: int) -> WaitingChanges:
    state = p.coding_state(cid)
    session = p.session(int(state.coding.session_id))
    w = WaitingChanges(p.url, p.project_id, cid, "Lead", session.blinded_code)
    coder = p.coder("Lead")
    w.make_copy = lambda: CodingCopy(p.coding_state(cid), session, coder, p.views(int(session.id)), p.scheme,
                                     p.settings)
    return w


def _hold(w: WaitingChanges, p: Project, cmd) -> str:
    change_id = uuid.uuid4().hex
    w.hold(cmd, change_id, p.seen_revision(w.coding_id), w.make_copy)
    return change_id


def test_held_changes_are_sent_in_order_once_each_with_their_audit_rows(trial_url: str) -> None:
    with Project.open(trial_url, actor="Lead") as p:
        cid = _draft(p)
        before = {(e.code, e.onset_ms) for e in p.coding_state(cid).events}
        audit = len(p.audit_log(coding_id=cid))
        w = _waiting(p, cid)
        ids = [_hold(w, p, AddEvent(cid, "cry", 1_000, 2_000))]
        added = w.changes[0].command.event_id
        assert added < 0                                           # a temporary id until the server numbers it
        ids.append(_hold(w, p, UpdateEvent(added, "cry", 1_000, 3_000)))   # a change to a waiting event
        ids.append(_hold(w, p, SetScale(cid, "ps", 5, "m", 4.0)))
        assert w.path.exists() and len(json.loads(w.path.read_text())["changes"]) == 3
        assert {(e.code, e.onset_ms) for e in p.coding_state(cid).events} == before   # nothing on the server yet
        result = w.send(p, "Lead")
        assert result.lost is None and result.conflict is None and len(result.sent) == 3
        assert not w.changes and not w.path.exists()
        state = p.coding_state(cid)
        new = [e for e in state.events if (e.code, e.onset_ms) not in before]
        assert [(e.code, e.onset_ms, e.offset_ms) for e in new] == [("cry", 1_000, 3_000)]
        assert state.scales[("ps", 5, "m")] == 4.0
        rows = p.audit_log(coding_id=cid)[audit:]
        assert [r.command for r in rows] == ["AddEvent", "UpdateEvent", "SetScale"]
        assert [r.payload["change_id"] for r in rows] == ids
        assert rows[1].payload["args"]["event_id"] == int(new[0].id)        # the server's id, not the temporary one
        w.close_copy()


def test_a_change_that_reached_the_server_before_is_not_applied_again(trial_url: str) -> None:
    # the commit went through but its answer was lost (or the window was killed just after): the same change
    # id is found in the audit log and the change is passed over, the next one still goes
    with Project.open(trial_url, actor="Lead") as p:
        cid = _draft(p)
        w = _waiting(p, cid)
        first = _hold(w, p, AddEvent(cid, "cry", 1_000, 2_000))
        _hold(w, p, SetClassification(cid, "C1"))
        p.execute(AddEvent(cid, "cry", 1_000, 2_000), change_id=first)   # it got there
        events = len(p.coding_state(cid).events)
        p.expect_revision(cid, w.base_revision)
        result = w.send(p, "Lead")
        assert result.conflict is None and len(result.sent) == 2
        state = p.coding_state(cid)
        assert len(state.events) == events and state.result.classification == "C1"
        assert sum(r.payload.get("change_id") == first for r in p.audit_log(coding_id=cid)) == 1
        w.close_copy()


def test_someone_elses_change_stops_the_sending_and_keeps_the_rest(trial_url: str) -> None:
    with Project.open(trial_url, actor="Lead") as p, Project.open(trial_url, actor="Bob") as other:
        cid = _draft(p)
        w = _waiting(p, cid)
        _hold(w, p, SetClassification(cid, "C1"))
        _hold(w, p, AddEvent(cid, "cry", 1_000, 2_000))
        other.coding_state(cid)
        other.execute(SetClassification(cid, "A2"))
        result = w.send(p, "Lead")
        assert not result.sent and "changed by Bob" in result.conflict
        assert len(w.changes) == 2 and w.path.exists()
        assert p.coding_state(cid).result.classification == "A2"            # theirs kept
        # the coder reviews: the waiting changes now lie on top of Bob's, and go when sent again
        misfits = w.review(p.coding_state(cid), w.make_copy)
        assert misfits == [] and w.copy.state().result.classification == "C1"
        assert not w.send(p, "Lead").conflict
        assert p.coding_state(cid).result.classification == "C1"
        w.close_copy()


def test_the_journal_outlives_the_window(trial_url: str) -> None:
    with Project.open(trial_url, actor="Lead") as p:
        cid = _draft(p)
        w = _waiting(p, cid)
        _hold(w, p, AddEvent(cid, "cry", 1_000, 2_000))
        _hold(w, p, UpdateEvent(w.changes[0].command.event_id, "cry", 1_000, 4_000))
        w.close_copy()                                                      # the window is gone
    assert list(journals_for(trial_url, p.project_id)) == [cid]
    with Project.open(trial_url, actor="Lead") as p:
        again = _waiting(p, cid)
        assert again.load() and len(again.changes) == 2
        assert again.rebuild(again.make_copy) == []
        result = again.send(p, "Lead")
        assert len(result.sent) == 2 and not again.path.exists()
        assert ("cry", 1_000, 4_000) in {(e.code, e.onset_ms, e.offset_ms) for e in p.coding_state(cid).events}
        again.close_copy()


def test_undo_of_a_waiting_change_takes_it_out(trial_url: str) -> None:
    with Project.open(trial_url, actor="Lead") as p:
        cid = _draft(p)
        events = len(p.coding_state(cid).events)
        w = _waiting(p, cid)
        _hold(w, p, AddEvent(cid, "cry", 1_000, 2_000))
        _hold(w, p, AddEvent(cid, "play", 5_000, 6_000))
        assert len(w.copy.state().events) == events + 2
        undone = w.drop_last()
        assert isinstance(undone.command, DeleteEvent)
        assert len(w.changes) == 1 and len(w.copy.state().events) == events + 1
        assert len(json.loads(w.path.read_text())["changes"]) == 1
        w.send(p, "Lead")
        state = p.coding_state(cid)
        assert len(state.events) == events + 1 and ("play", 5_000) not in {(e.code, e.onset_ms) for e in state.events}
        w.close_copy()


def test_after_a_restart_someone_elses_change_meanwhile_still_stops_the_sending(trial_url: str) -> None:
    # the new window reads the coding afresh (with Bob's change in it); the journal's revision still tells
    with Project.open(trial_url, actor="Lead") as p:
        cid = _draft(p)
        w = _waiting(p, cid)
        _hold(w, p, SetClassification(cid, "C1"))
        w.close_copy()
    with Project.open(trial_url, actor="Bob") as bob:
        bob.coding_state(cid)
        bob.execute(SetClassification(cid, "A2"))
    with Project.open(trial_url, actor="Lead") as p:
        again = _waiting(p, cid)                                   # reads the coding: Bob's change is in it
        assert again.load()
        result = again.send(p, "Lead")
        assert not result.sent and "changed by Bob" in result.conflict
        assert p.coding_state(cid).result.classification == "A2" and again.path.exists()
