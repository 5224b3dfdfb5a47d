"""The camera view an event was coded from: the version-3 migration, the event commands, undo and audit."""

import sqlite3

import pytest

from ssp_coder.domain.commands import (
    KEEP_VIEW, AddCoder, AddEvent, CreateCoding, DeleteEvent, UpdateEvent, command_from_dict,
)
from ssp_coder.domain.model import SessionId
from ssp_coder.domain.state_overlap import merge_for
from ssp_coder.domain.views import SessionView
from ssp_coder.errors import DomainError
from ssp_coder.store.project import Project, _split_sql
from ssp_coder.store.schema import MIGRATIONS, SCHEMA_VERSION


def make_v2_file(path):
    """A project file as version 2 wrote it (events without a view), with two sessions and a coded event."""
    with Project.create(path, backups=False) as p:
        with p.bulk() as w:
            pid = w.add_participant("P1", "A")
            for tp, code in (("pre", "TWO-CAM"), ("post", "ONE-CAM")):
                w.add_session(pid, tp, code, video_path=f"{tp}.mp4", video_sha256=None, duration_ms=60_000,
                              fps=25.0, frame_count=None)
        sid = int(p.session_by_code("TWO-CAM").id)
        with p.bulk() as w:
            w.add_view(SessionView(SessionId(sid), 2, "room", "room.mp4", None, 60_000, 25.0))
        coder = p.execute(AddCoder("Ann")).inverse.coder_id
        cid = p.execute(CreateCoding(sid, coder, "primary")).inverse.coding_id
        p.execute(AddEvent(cid, "cry", 1000, 4000, note="before the upgrade"))
    con = sqlite3.connect(path, isolation_level=None)
    rows = con.execute("SELECT id, coding_id, code, kind, onset_ms, offset_ms, subject, note FROM events").fetchall()
    events = next(s for s in _split_sql(MIGRATIONS[0]) if s.startswith("CREATE TABLE events"))
    con.execute("DROP INDEX events_coding")
    con.execute("DROP TABLE events")
    con.execute(events)
    con.execute("CREATE INDEX events_coding ON events(coding_id, onset_ms)")
    con.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?)", rows)
    con.execute("PRAGMA user_version = 2")
    con.close()
    return cid


def test_a_version_2_file_opens_and_its_events_say_no_view(tmp_path):
    path = tmp_path / "v2.sspc"
    cid = make_v2_file(path)
    with pytest.raises(Exception, match="older file format"):
        Project.open(path, read_only=True, backups=False)
    with Project.open(path, backups=False) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        [ev] = p.coding_state(cid).events
        assert (ev.code, ev.onset_ms, ev.offset_ms, ev.note, ev.view) == ("cry", 1000, 4000, "before the upgrade",
                                                                          None)
        p.execute(UpdateEvent(int(ev.id), "cry", 1000, 4000, None, ev.note, 2))   # the upgraded file takes views
        assert p.coding_state(cid).events[0].view == 2
    with Project.open(path, read_only=True, backups=False) as p:        # upgraded in place, once
        assert p.coding_state(cid).events[0].view == 2


def test_the_file_refuses_a_view_below_1(tmp_path):
    path = tmp_path / "v2.sspc"
    make_v2_file(path)
    with Project.open(path, backups=False) as p:
        with pytest.raises(sqlite3.IntegrityError):
            p.conn.execute("UPDATE events SET view = 0")


@pytest.fixture
def cams(tmp_path):
    """An upgraded project: coding on a two-camera session and one on a one-camera session."""
    path = tmp_path / "v2.sspc"
    two = make_v2_file(path)
    p = Project.open(path, backups=False, actor="Ann")
    coder = p.coders()[0].id
    one = p.execute(CreateCoding(int(p.session_by_code("ONE-CAM").id), int(coder), "primary")).inverse.coding_id
    yield p, two, one
    p.close()


def test_an_event_records_its_view_audited_and_undone(cams):
    p, two, _ = cams
    applied = p.execute(AddEvent(two, "approach", 2500, view=2))
    ev = next(e for e in p.coding_state(two).events if e.code == "approach")
    assert ev.view == 2
    entry = p.audit_log(coding_id=two)[-1]
    assert entry.command == "AddEvent" and entry.payload["args"]["view"] == 2 and entry.actor == "Ann"
    assert command_from_dict(entry.payload) == applied.command
    # deleting and undoing the delete brings the view back with the event
    deleted = p.execute(DeleteEvent(int(ev.id)))
    assert deleted.inverse.view == 2
    p.execute(deleted.inverse)
    assert next(e for e in p.coding_state(two).events if e.code == "approach").view == 2
    p.execute(applied.inverse)
    assert [e.code for e in p.coding_state(two).events] == ["cry"]


def test_an_edit_keeps_changes_or_clears_the_view_and_undo_restores_it(cams):
    p, two, _ = cams
    eid = int(p.execute(AddEvent(two, "contact", 5000, 9000, view=2)).inverse.event_id)
    drag = p.execute(UpdateEvent(eid, "contact", 5200, 9000))          # a drag: the view is kept
    assert p.coding_state(two).events[-1].view == 2
    assert drag.inverse.view == KEEP_VIEW and drag.inverse.describe() == "Edit event"   # its undo keeps it too
    changed = p.execute(UpdateEvent(eid, "contact", 5200, 9000, view=1))
    assert changed.command.describe() == "Change the event's view"
    assert p.coding_state(two).events[-1].view == 1
    assert p.audit_log(coding_id=two)[-1].inverse["args"]["view"] == 2
    p.execute(changed.inverse)
    assert p.coding_state(two).events[-1].view == 2
    cleared = p.execute(UpdateEvent(eid, "contact", 5200, 9000, view=None))
    assert p.coding_state(two).events[-1].view is None
    p.execute(cleared.inverse)
    assert p.coding_state(two).events[-1].view == 2


def test_views_a_session_does_not_have_are_refused(cams):
    p, two, one = cams
    before = p.counts()["events"]
    with pytest.raises(DomainError, match="has the views 1, 2; there is no view 3"):
        p.execute(AddEvent(two, "cry", 100, 200, view=3))
    with pytest.raises(DomainError, match="filmed by one camera"):
        p.execute(AddEvent(one, "cry", 100, 200, view=1))
    with pytest.raises(DomainError, match="by its number"):
        p.execute(AddEvent(two, "cry", 100, 200, view=True))
    eid = int(p.coding_state(two).events[0].id)
    with pytest.raises(DomainError, match="no view 5"):
        p.execute(UpdateEvent(eid, "cry", 1000, 4000, view=5))
    assert p.counts()["events"] == before and p.coding_state(two).events[0].view is None
    p.execute(AddEvent(one, "cry", 100, 200))              # no view: always fine
    p.execute(AddEvent(two, "cry", 30_000, 31_000, view=1))  # the main view of a two-camera session


def test_a_merge_of_overlapping_states_keeps_the_kept_intervals_view(cams):
    p, two, _ = cams
    p.execute(UpdateEvent(int(p.coding_state(two).events[0].id), "cry", 1000, 4000, view=2))
    state = p.coding_state(two)
    batch = merge_for(AddEvent(two, "cry", 3000, 6000, view=1), state.events, p.scheme)
    p.execute(batch)
    [ev] = p.coding_state(two).events
    assert (ev.onset_ms, ev.offset_ms, ev.view) == (1000, 6000, 2)
    # an edit that changes the view and overlaps another interval carries the new view into the merge
    other = int(p.execute(AddEvent(two, "cry", 8000, 9000)).inverse.event_id)
    batch = merge_for(UpdateEvent(other, "cry", 5000, 9000, view=1), p.coding_state(two).events, p.scheme)
    p.execute(batch)
    [ev] = p.coding_state(two).events
    assert (int(ev.id), ev.onset_ms, ev.offset_ms, ev.view) == (other, 1000, 9000, 1)
