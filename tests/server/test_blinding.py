"""Blinding is kept by the server: a coder's database role cannot read what would unblind them."""

from __future__ import annotations

import psycopg
import pytest

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddEvent
from ssp_coder.errors import DomainError
from ssp_coder.store.pg_conn import database_name
from ssp_coder.store.project import Project
from ssp_coder.store.server_users import login_name


def _as(url: str, login: str) -> str:
    # the test server trusts local connections; a lab's server asks for the password add-user printed
    return url.replace("postgresql://sspadmin@", f"postgresql://{login}@", 1)


def _login(url: str) -> str:
    # database roles belong to the whole server: one login per test database
    return "ann_" + database_name(url)


@pytest.fixture
def ann_url(trial_url: str, capsys) -> str:
    assert main(["server", "add-user", trial_url, "Ann", "--role", "coder", "--login", _login(trial_url)]) == 0
    out = capsys.readouterr().out
    assert f"'{_login(trial_url)}'" in out and "Password" in out
    return _as(trial_url, _login(trial_url))


def test_logins_are_made_from_names() -> None:
    assert login_name("Ann Smith-Jones") == "ann_smith_jones"


@pytest.mark.parametrize("query", [
    "SELECT arm FROM ssp.participants",
    "SELECT external_id FROM ssp.participants",
    "SELECT timepoint, date_of_visit FROM ssp.sessions",
    "SELECT site FROM ssp.participants",
    "SELECT * FROM ssp.codings",
    "SELECT * FROM ssp.audit",
    "SELECT value FROM ssp.project_info WHERE key = 'package_secret'",
])
def test_a_coder_cannot_select_the_tables(ann_url: str, query: str) -> None:
    with psycopg.connect(ann_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(query)


def test_a_coder_sees_only_blinded_codes_and_own_codings(ann_url: str, trial_url: str) -> None:
    with Project.open(trial_url) as admin:
        ann = admin.coder("Ann")
        own = {int(c.id) for c in admin.codings(coder_id=int(ann.id))}
        own_sessions = {int(c.session_id) for c in admin.codings(coder_id=int(ann.id))}
    with psycopg.connect(ann_url) as conn:  # a plain SQL client, with the role's default schema
        assert {r[0] for r in conn.execute("SELECT id FROM codings")} == own
        # placeholders named by the blinded codes, as in a coder package
        codes = {r[0] for r in conn.execute("SELECT blinded_code FROM sessions")}
        assert {r[0] for r in conn.execute("SELECT external_id FROM participants")} == codes
        assert {r for r in conn.execute("SELECT arm, site, sex FROM participants")} == {("", None, None)}
        rows = conn.execute("SELECT id, participant_id, timepoint, date_of_visit, video_path FROM sessions").fetchall()
        assert {r[0] for r in rows} == own_sessions
        for sid, participant, timepoint, date, video in rows:
            assert (participant, timepoint, date) == (sid, "", None)
            assert "P0" not in video and video.endswith(".mp4")   # named by the blinded code, not the file
        assert {r[0] for r in conn.execute("SELECT DISTINCT coding_id FROM events")} <= own
        assert all(r[0] in own for r in conn.execute("SELECT coding_id FROM audit"))
        assert conn.execute("SELECT count(*) FROM project_info WHERE key = 'package_secret'").fetchone()[0] == 0
        assert [r[0] for r in conn.execute("SELECT name FROM coders")] == ["Ann"]
        # further camera views: the coder's sessions only, each video named by the blinded code and view number
        code_of = dict(conn.execute("SELECT id, blinded_code FROM sessions").fetchall())
        views = conn.execute("SELECT session_id, view, video_path FROM session_views").fetchall()
        assert len(views) == 2
        for sid, view, video in views:
            assert sid in own_sessions and video == f"{code_of[sid]}_view{view}.mp4"


def test_a_coder_cannot_write_into_another_coders_coding(ann_url: str, trial_url: str) -> None:
    with Project.open(trial_url) as admin:
        bobs = next(int(c.id) for c in admin.codings(coder_id=int(admin.coder("Bob").id)))
    with psycopg.connect(ann_url) as conn:
        with pytest.raises(psycopg.Error):
            conn.execute("INSERT INTO events (coding_id, code, kind, onset_ms) VALUES (%s, 'cry', 'point', 1)",
                         (bobs,))
        conn.rollback()
        assert conn.execute("UPDATE events SET note = 'x' WHERE coding_id = %s", (bobs,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE codings SET coder_id = coder_id")


def test_the_coder_works_through_the_program_under_their_name(ann_url: str, trial_url: str, capsys) -> None:
    with Project.open(trial_url) as admin:
        bobs = next(int(c.id) for c in admin.codings(coder_id=int(admin.coder("Bob").id), status="draft"))
    with Project.open(ann_url) as p:
        assert p.actor == "Ann"
        assert all(x.arm == "" and x.site is None for x in p.participants())
        codings = p.codings()
        assert codings and all(c.coder_id == p.coder("Ann").id for c in codings)
        cid = next(int(c.id) for c in codings if c.status == "draft")
        p.execute(AddEvent(cid, "cry", 1_000, 2_000))
        assert p.audit_log()[-1].actor == "Ann"
        with pytest.raises(DomainError, match="no coding"):   # for Ann, Bob's coding does not exist
            p.execute(AddEvent(bobs, "cry", 1_000, 2_000))
    # the blinded session list; the coordinator's verbs that need the arms are refused, never shown
    assert main(["sessions", ann_url, "--json"]) == 0
    assert "P00" not in capsys.readouterr().out
    assert main(["server", "pull", ann_url, "-o", "never.sspc"]) == 2
    assert "coder" in capsys.readouterr().err


def test_a_person_added_twice_under_another_role_is_refused(ann_url: str, trial_url: str, capsys) -> None:
    login = ["--login", _login(trial_url)]
    assert main(["server", "add-user", trial_url, "Ann", "--role", "coordinator", *login]) == 2
    assert "already in the project as coder" in capsys.readouterr().err
    assert main(["server", "add-user", trial_url, "Ann", "--role", "coder", *login]) == 0
    assert "keeps the way it signs in" in capsys.readouterr().out


def test_the_printed_password_signs_in_and_a_wrong_one_is_refused(pg_server, trial_url: str, capsys, qtbot) -> None:
    from ssp_coder.background import tasks

    login = "lead_" + database_name(trial_url)
    assert main(["server", "add-user", trial_url, "Lead", "--role", "coordinator", "--login", login]) == 0
    password = capsys.readouterr().out.split("privately): ", 1)[1].split()[0]
    db = database_name(trial_url)
    assert main(["status", pg_server.tcp_url(db, login, "wrong")]) == 2
    err = capsys.readouterr().err
    assert "password authentication failed" in err and "wrong" not in err   # the password is never echoed
    url = pg_server.tcp_url(db, login, password)
    with Project.open(url) as p:
        assert p.actor == "Lead" and password not in str(p.path)
        here = tasks.trial_summary(p, lambda *_: True)
        # the coordinator windows' background work opens the project again in another process, password and all
        from ssp_coder.gui.app import application
        from ssp_coder.gui.coordinator.workers import ProcessJob

        application()
        job = ProcessJob(tasks.trial_summary, p)
        results: list = []
        job.signals.finished.connect(results.append)
        job.signals.failed.connect(results.append)
        with qtbot.waitSignal(job.signals.finished, timeout=120_000):
            job.start()
    assert results[0]["text"] == here["text"]
