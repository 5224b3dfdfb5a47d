"""Camera views in the project file: the version-2 migration and the offset command."""

import sqlite3

import pytest

from ssp_coder.domain.commands import SetViewOffset, command_from_dict
from ssp_coder.domain.model import SessionId
from ssp_coder.domain.views import SessionView, offset_from_marks
from ssp_coder.errors import DomainError
from ssp_coder.store.project import Project, _split_sql
from ssp_coder.store.schema import MIGRATIONS, SCHEMA_VERSION


def make_v1_file(path):
    """A project file as the first released version wrote it, with one session."""
    Project.create(path, backups=False).close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("DROP TABLE session_views")
    # SQLite before 3.35 cannot drop a column; rebuild sessions as version 1 had it.
    con.execute("PRAGMA foreign_keys = OFF")
    v1 = next(s for s in _split_sql(MIGRATIONS[0]) if s.startswith("CREATE TABLE sessions"))
    con.execute("DROP INDEX sessions_sha")
    con.execute("DROP TABLE sessions")
    con.execute(v1)
    con.execute("CREATE INDEX sessions_sha ON sessions(video_sha256)")
    events = next(s for s in _split_sql(MIGRATIONS[0]) if s.startswith("CREATE TABLE events"))
    con.execute("DROP INDEX events_coding")
    con.execute("DROP TABLE events")            # (events without the view of version 3)
    con.execute(events)
    con.execute("CREATE INDEX events_coding ON events(coding_id, onset_ms)")
    con.execute("INSERT INTO participants (id, external_id, arm) VALUES (1, 'P1', 'A')")
    con.execute("INSERT INTO sessions (id, participant_id, timepoint, blinded_code, video_path, duration_ms, fps) "
                "VALUES (1, 1, 'pre', 'ABC-DEF', 'v.mp4', 60000, 25)")
    con.execute("PRAGMA user_version = 1")
    con.close()


def test_a_version_1_project_opens_and_is_upgraded(tmp_path):
    path = tmp_path / "old.sspc"
    make_v1_file(path)
    with Project.open(path, backups=False) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 2
        views = p.views(1)
        assert [(v.number, v.name, v.video_path, v.offset_ms) for v in views] == [(1, None, "v.mp4", 0)]
        assert p.session(1).blinded_code == "ABC-DEF"


def test_a_version_1_file_opened_read_only_is_refused_with_a_clear_message(tmp_path):
    from ssp_coder.errors import StoreError
    path = tmp_path / "old.sspc"
    make_v1_file(path)
    with pytest.raises(StoreError, match="older file format"):
        Project.open(path, read_only=True, backups=False)


@pytest.fixture
def two_view_project(project):
    with project.bulk() as w:
        pid = w.add_participant("P1", "A")
        sid = w.add_session(pid, "pre", "ABC-DEF", video_path="face.mp4", video_sha256="a" * 64, duration_ms=60_000,
                            fps=25.0, frame_count=1500)
        w.add_view(SessionView(SessionId(sid), 1, "face"))
        w.add_view(SessionView(SessionId(sid), 2, "room", "room.mp4", "b" * 64, 50_000, 30.0, 1500))
    return project, sid


def test_offset_is_saved_audited_and_undone(two_view_project):
    p, sid = two_view_project
    applied = p.execute(SetViewOffset(sid, 2, 1240), actor="Ann")
    assert p.views(sid)[1].offset_ms == 1240
    entry = p.audit_log()[-1]
    assert (entry.command, entry.actor, entry.payload["args"]["offset_ms"]) == ("SetViewOffset", "Ann", 1240)
    assert command_from_dict(entry.payload) == SetViewOffset(sid, 2, 1240)
    p.execute(applied.inverse)
    assert p.views(sid)[1].offset_ms == 0


def test_offset_commands_refuse_what_makes_no_sense(two_view_project):
    p, sid = two_view_project
    with pytest.raises(DomainError, match="main view"):
        p.execute(SetViewOffset(sid, 1, 100))
    with pytest.raises(DomainError, match="no view 3"):
        p.execute(SetViewOffset(sid, 3, 100))
    with pytest.raises(DomainError, match="no moment filmed by both"):
        p.execute(SetViewOffset(sid, 2, 50_000))       # the room camera would end before the face one begins
    with pytest.raises(DomainError, match="no moment filmed by both"):
        p.execute(SetViewOffset(sid, 2, -60_000))
    with pytest.raises(DomainError, match="whole number"):
        p.execute(SetViewOffset(sid, 2, 1.5))
    p.execute(SetViewOffset(sid, 2, -59_999))           # just inside: one moment shared
    assert p.views(sid)[1].offset_ms == -59_999


def test_view_time_follows_the_offset():
    v = SessionView(SessionId(1), 2, offset_ms=offset_from_marks(main_mark_ms=5_000, view_mark_ms=7_000))
    assert v.offset_ms == 2_000 and v.view_time(5_000) == 7_000 and v.main_time(7_000) == 5_000
    assert v.label == "View 2"
