"""Domain commands on a server project: one transaction each, with its audit row, and undo."""

from __future__ import annotations

import pytest

from ssp_coder.domain.commands import AddEvent
from ssp_coder.errors import DomainError, StoreError
from ssp_coder.store.pg_conn import ServerConnection
from ssp_coder.store.project import Project


def _draft(p: Project) -> int:
    return next(int(c.id) for c in p.codings(status="draft"))


def test_command_audit_and_undo(trial_url: str) -> None:
    with Project.open(trial_url, actor="Bob") as p:
        cid = _draft(p)
        before = len(p.coding_state(cid).events)
        applied = p.execute(AddEvent(cid, "cry", 12_000, 15_000))
        state = p.coding_state(cid)
        assert len(state.events) == before + 1
        last = p.audit_log(coding_id=cid)[-1]
        assert (last.actor, last.command, last.payload["args"]["code"]) == ("Bob", "AddEvent", "cry")
        p.execute(applied.inverse)  # undo, as the window does it
        assert len(p.coding_state(cid).events) == before
        assert p.audit_log(coding_id=cid)[-1].command == "DeleteEvent"
        redo = p.execute(AddEvent(cid, "cry", 12_000, 15_000, event_id=applied.inverse.event_id))
        assert redo.inverse.event_id == applied.inverse.event_id  # redo brings the same row back
    with Project.open(trial_url) as other:  # another client sees it at once
        assert any(e.code == "cry" and e.onset_ms == 12_000 for e in other.coding_state(cid).events)


def test_a_refused_command_leaves_nothing_behind(trial_url: str) -> None:
    with Project.open(trial_url, actor="Bob") as p:
        cid = _draft(p)
        p.coding_state(cid)
        rows = len(p.audit_log())
        with pytest.raises(DomainError):
            p.execute_many([AddEvent(cid, "cry", 1_000, 2_000), AddEvent(cid, "no-such-code", 3_000)])
        assert len(p.audit_log()) == rows
        # the refused step raised no revision: the next change is not mistaken for a conflict
        p.execute(AddEvent(cid, "cry", 1_000, 2_000))
        assert [e.onset_ms for e in p.coding_state(cid).events].count(1_000) == 1


def test_read_only_open_refuses_changes(trial_url: str) -> None:
    with Project.open(trial_url, read_only=True) as p:
        with pytest.raises(StoreError):
            p.execute(AddEvent(_draft(p), "cry", 1_000, 2_000))


def test_a_lost_connection_saves_nothing_and_the_next_step_reconnects(trial_url: str) -> None:
    with Project.open(trial_url, actor="Bob") as p:
        cid = _draft(p)
        events = len(p.coding_state(cid).events)
        with ServerConnection(trial_url) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'ssp-coder' AND pid <> pg_backend_pid()")
        with pytest.raises(StoreError, match="connection to the project server"):
            p.execute(AddEvent(cid, "cry", 1_000, 2_000))
        assert len(p.coding_state(cid).events) == events   # reconnected; the failed step is not there
        p.execute(AddEvent(cid, "cry", 1_000, 2_000))
        assert len(p.coding_state(cid).events) == events + 1
