import sqlite3

import pytest

from ssp_coder.domain.commands import AddCoder, AddEvent
from ssp_coder.errors import StoreError
from ssp_coder.store.project import Project
from ssp_coder.store.schema import SCHEMA_VERSION


def test_create_sets_wal_foreign_keys_and_version(tmp_path):
    with Project.create(tmp_path / "a", backups=False) as p:
        assert p.path.name == "a.sspc"
        assert p.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert p.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert len(p.project_id) == 36


def test_create_refuses_existing_file(tmp_path):
    Project.create(tmp_path / "a.sspc", backups=False).close()
    with pytest.raises(StoreError, match="already exists"):
        Project.create(tmp_path / "a.sspc")


def test_second_writer_is_refused_but_may_read(tmp_path):
    with Project.create(tmp_path / "a.sspc", actor="Ann", backups=False) as p:
        p.execute(AddCoder("Ann"))
        with pytest.raises(StoreError, match="open in another ssp-coder window.*Ann"):
            Project.open(p.path, actor="Bob")
        with Project.open(p.path, actor="Bob", fall_back_to_read_only=True, backups=False) as q:
            assert q.read_only and [c.name for c in q.coders()] == ["Ann"]
            with pytest.raises(StoreError, match="read-only because it is open in another window"):
                q.execute(AddCoder("Bob"))
    with Project.open(tmp_path / "a.sspc", backups=False) as again:  # lock released on close
        assert not again.read_only


def test_file_from_a_newer_version_is_refused_unchanged(tmp_path):
    path = tmp_path / "new.sspc"
    Project.create(path, backups=False).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of ssp-coder"):
        Project.open(path)
    assert path.read_bytes() == before


def test_damaged_file_gives_a_clear_message(tmp_path):
    path = tmp_path / "d.sspc"
    with Project.create(path, backups=False) as p:
        p.execute(AddCoder("Ann"))
        for i in range(300):
            p.execute(AddCoder(f"coder {i:04d} " + "x" * 200))
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 3000):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as info:
        Project.open(path, check="full")
    assert "damaged" in str(info.value) or "not a readable" in str(info.value)
    assert "backups" in str(info.value)


def test_not_a_project(tmp_path):
    junk = tmp_path / "junk.sspc"
    junk.write_text("hello")
    with pytest.raises(StoreError, match="not a readable ssp-coder project"):
        Project.open(junk)
    other = tmp_path / "other.sspc"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an ssp-coder project"):
        Project.open(other)
    with pytest.raises(StoreError, match="no project file"):
        Project.open(tmp_path / "missing.sspc")


def test_audit_is_append_only_and_records_before_and_after(coded_project):
    p = coded_project
    cid = int(p.codings()[0].id)
    p.execute(AddEvent(cid, "cry", 5, 9), actor="Ann")
    entry = p.audit_log(coding_id=cid)[-1]
    assert entry.actor == "Ann" and entry.command == "AddEvent"
    assert entry.payload["args"]["onset_ms"] == 5 and entry.inverse["type"] == "DeleteEvent"
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        p.conn.execute("DELETE FROM audit")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        p.conn.execute("UPDATE audit SET actor = 'x'")


def test_revision_counts_changes_to_a_coding(coded_project):
    p = coded_project
    cid = int(p.codings()[0].id)
    r0 = p.coding(cid).revision
    p.execute(AddEvent(cid, "cry", 5, 9))
    p.execute(AddEvent(cid, "cry", 15, 19))
    assert p.coding(cid).revision == r0 + 2


def test_backups_rotate_and_are_valid_projects(tmp_path):
    with Project.create(tmp_path / "b.sspc") as p:  # a backup is taken on open
        p.execute(AddCoder("Ann"))
        for _ in range(12):
            p.backup_now()
        backups = p.backups()
        assert len(backups) == p.settings["backup_keep"] == 10
        with Project.open(backups[-1], read_only=True, backups=False) as b:
            assert [c.name for c in b.coders()] == ["Ann"]
        assert not list(backups[-1].parent.glob(".*.tmp"))
