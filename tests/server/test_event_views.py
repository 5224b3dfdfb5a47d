"""The view an event was coded from on a project server: pushed, pulled, upgraded, and written by coders."""

from __future__ import annotations

from pathlib import Path

import psycopg

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddEvent, UpdateEvent
from ssp_coder.store import server as server_mod
from ssp_coder.store.pg_conn import ServerConnection, database_name
from ssp_coder.store.pg_schema import PG_MIGRATIONS
from ssp_coder.store.project import Project
from ssp_coder.store.server import init_server
from ssp_coder.store.server_copy import pull, push


def _two_camera_draft(p: Project) -> int:
    """A draft coding of a session filmed by two cameras (the fixture's reliability codings are empty drafts)."""
    two = {int(s.id) for s in p.sessions() if len(p.views(int(s.id))) > 1}
    return next(int(c.id) for c in p.codings(status="draft") if int(c.session_id) in two)


def test_push_then_pull_keeps_every_events_view(trial_file: Path, pg_url: str, tmp_path: Path) -> None:
    with Project.open(trial_file, backups=False) as p:
        cid = _two_camera_draft(p)
        p.execute(AddEvent(cid, "cry", 1_000, 3_000, view=2))
        p.execute(AddEvent(cid, "approach", 5_000, view=1))
        p.execute(AddEvent(cid, "contact", 6_000, 7_000))
    push(trial_file, pg_url)
    with ServerConnection(pg_url, search_path="ssp") as conn:
        got = conn.raw.execute("SELECT code, view FROM events WHERE coding_id = %s ORDER BY onset_ms",
                               (cid,)).fetchall()
    assert got == [("cry", 2), ("approach", 1), ("contact", None)]
    out = tmp_path / "pulled.sspc"
    pull(pg_url, out)
    with Project.open(out, backups=False) as p:
        assert [(e.code, e.view) for e in p.coding_state(cid).events] == got


def test_a_version_2_server_is_upgraded_and_its_coders_see_the_column(pg_url: str, monkeypatch) -> None:
    monkeypatch.setattr(server_mod, "PG_MIGRATIONS", PG_MIGRATIONS[:2])
    monkeypatch.setattr(server_mod, "PG_SCHEMA_VERSION", 2)
    assert init_server(pg_url) == 2
    monkeypatch.undo()
    with ServerConnection(pg_url, search_path="ssp") as conn:
        cols = {r[0] for r in conn.raw.execute("SELECT column_name FROM information_schema.columns WHERE "
                                               "table_schema = 'blinded' AND table_name = 'events'")}
        assert "view" not in cols
    assert init_server(pg_url) == 3
    with ServerConnection(pg_url, search_path="ssp") as conn:
        for schema in ("ssp", "blinded"):
            cols = {r[0] for r in conn.raw.execute("SELECT column_name FROM information_schema.columns WHERE "
                                                   "table_schema = %s AND table_name = 'events'", (schema,))}
            assert "view" in cols, schema


def test_a_coder_records_and_changes_the_view_of_their_own_events(trial_url: str, capsys) -> None:
    login = "ann_" + database_name(trial_url)
    assert main(["server", "add-user", trial_url, "Ann", "--role", "coder", "--login", login]) == 0
    capsys.readouterr()
    ann_url = trial_url.replace("postgresql://sspadmin@", f"postgresql://{login}@", 1)
    with Project.open(trial_url) as admin:
        ann = int(admin.coder("Ann").id)
        two = {int(s.id) for s in admin.sessions() if len(admin.views(int(s.id))) > 1}
        cid = next(int(c.id) for c in admin.codings(coder_id=ann, status="draft") if int(c.session_id) in two)
    with Project.open(ann_url) as p:          # through the blinded views
        eid = int(p.execute(AddEvent(cid, "cry", 1_000, 2_000, view=2)).inverse.event_id)
        assert p.coding_state(cid).events[0].view == 2
        undo = p.execute(UpdateEvent(eid, "cry", 1_000, 2_000, view=1)).inverse
        assert p.coding_state(cid).events[0].view == 1
        p.execute(undo)
        p.execute(UpdateEvent(eid, "cry", 1_000, 2_500))                  # a drag keeps the view
        assert p.audit_log()[-1].actor == "Ann"
    with Project.open(trial_url) as admin:
        assert [(e.onset_ms, e.offset_ms, e.view) for e in admin.coding_state(cid).events] == [(1_000, 2_500, 2)]
    with psycopg.connect(ann_url) as conn:    # a plain SQL client with the coder's role: the column is theirs
        assert conn.execute("SELECT view FROM events WHERE id = %s", (eid,)).fetchone() == (2,)
