"""Managing the people of a server project: server users, remove-user, set-password, set-role."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddEvent
from ssp_coder.errors import StoreError
from ssp_coder.store.pg_conn import database_name
from ssp_coder.store.project import Project


def _add(url: str, name: str, role: str, login: str, capsys) -> str:
    """Add a person with a login; returns the password add-user printed."""
    assert main(["server", "add-user", url, name, "--role", role, "--login", login]) == 0
    return capsys.readouterr().out.split("privately): ", 1)[1].split()[0]


def _as(url: str, login: str) -> str:
    # the test server trusts connections over its socket; over TCP it asks for the password
    return url.replace("postgresql://sspadmin@", f"postgresql://{login}@", 1)


def _audit_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM ssp.audit").fetchone()[0]


def _users(url: str, capsys) -> dict[str, dict]:
    assert main(["server", "users", url, "--json"]) == 0
    return {row["login"]: row for row in json.loads(capsys.readouterr().out)}


@pytest.fixture
def people(pg_server, trial_url: str, capsys) -> dict:
    """Ann (coder) and Lead (coordinator) with logins and passwords on the small coded trial."""
    db = database_name(trial_url)
    ann, lead = f"ann_{db}", f"lead_{db}"
    return {"db": db, "ann": ann, "lead": lead,
            "ann_pw": _add(trial_url, "Ann", "coder", ann, capsys),
            "lead_pw": _add(trial_url, "Lead", "coordinator", lead, capsys)}


def test_users_lists_the_people_their_roles_access_and_last_change(pg_server, trial_url, people, capsys) -> None:
    with psycopg.connect(trial_url, autocommit=True) as conn:   # made with psql: in a group, linked to no one
        staff = conn.execute("SELECT role_name FROM ssp.server_groups WHERE kind = 'staff'").fetchone()[0]
        conn.execute(f'CREATE ROLE "stray_{people["db"]}" LOGIN')
        conn.execute(f'GRANT "{staff}" TO "stray_{people["db"]}"')
    assert main(["server", "users", trial_url]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["Login", "Person"]
    ann_line = next(x for x in lines if x.startswith(people["ann"]))
    assert "Ann" in ann_line and "coder" in ann_line and "yes" in ann_line and "added as coder by" in ann_line
    assert f"stray_{people['db']}" in out and "(not linked to a coder)" in out
    rows = _users(trial_url, capsys)
    assert rows[people["ann"]]["linked_coder"] == "Ann" and rows[people["ann"]]["can_log_in"] is True
    assert rows[people["lead"]]["role"] == "coordinator"
    assert rows[people["lead"]]["last_change"]["what"] == "added as coordinator"
    assert rows[f"stray_{people['db']}"]["linked_coder"] is None
    # the list comes from the server: Bob, a coder of the project without a login, is not in it
    assert "Bob" not in {r["linked_coder"] for r in rows.values()}


def test_a_removed_coder_cannot_connect_and_their_codings_stay(pg_server, trial_url, people, capsys) -> None:
    db, ann = people["db"], people["ann"]
    tcp = pg_server.tcp_url(db, ann, people["ann_pw"])
    with psycopg.connect(trial_url) as conn:
        codings_before = conn.execute("SELECT count(*) FROM ssp.codings c JOIN ssp.coders k ON k.id = c.coder_id "
                                      "WHERE k.name = 'Ann'").fetchone()[0]
    with psycopg.connect(tcp) as conn:
        assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == codings_before
    before = _audit_count(trial_url)

    assert main(["server", "remove-user", trial_url, "Ann", "--dry-run"]) == 0
    planned = capsys.readouterr().out.splitlines()
    assert planned[0].startswith("Dry run: nothing was changed.")
    assert _audit_count(trial_url) == before
    with psycopg.connect(tcp) as conn:     # the dry run left Ann's access as it was
        conn.execute("SELECT 1 FROM codings")

    window = Project.open(_as(trial_url, ann))     # Ann has the project open while she is removed
    draft = next(int(c.id) for c in window.codings() if c.status == "draft")
    assert main(["server", "remove-user", trial_url, "Ann"]) == 0
    done = capsys.readouterr().out.splitlines()
    try:
        with pytest.raises(StoreError, match="refused"):   # her next step is refused, not saved
            window.execute(AddEvent(draft, "cry", 1_000, 2_000))
    finally:
        window.close()
    assert done[0].startswith("Removed Ann")
    assert done[1:] == planned[1:]          # the dry run said exactly what happened
    assert any("can no longer connect" in x for x in done)
    assert any(f"{codings_before} coding(s)" in x for x in done)

    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(tcp).close()
    with psycopg.connect(trial_url) as conn:   # the codings and the audit trail are intact
        assert conn.execute("SELECT count(*) FROM ssp.codings c JOIN ssp.coders k ON k.id = c.coder_id "
                            "WHERE k.name = 'Ann'").fetchone()[0] == codings_before
        last = conn.execute("SELECT command, payload FROM ssp.audit ORDER BY id DESC LIMIT 1").fetchone()
    assert _audit_count(trial_url) == before + 1
    assert last[0] == "RemoveServerUser" and json.loads(last[1])["login"] == ann
    row = _users(trial_url, capsys)[ann]
    assert row["can_log_in"] is False and row["removed"] and row["last_change"]["what"] == "removed"

    # removing again says so; adding again gives the access back, with the password Ann had
    assert main(["server", "remove-user", trial_url, ann]) == 2
    assert "already removed" in capsys.readouterr().err
    assert main(["server", "add-user", trial_url, "Ann", "--role", "coder", "--login", ann]) == 0
    with psycopg.connect(tcp) as conn:
        assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == codings_before


def test_the_last_coordinator_and_bad_names_are_refused_and_nothing_changes(trial_url, people, capsys) -> None:
    before = _audit_count(trial_url)
    for args, says in [
        (["remove-user", trial_url, "Lead"], "last coordinator"),
        (["remove-user", trial_url, "Lead", "--dry-run"], "last coordinator"),
        (["set-role", trial_url, "Lead", "--role", "trainer"], "last coordinator"),
        (["remove-user", trial_url, "Nobody Here"], "No one called 'Nobody Here'"),
        (["set-password", trial_url, "Nobody Here", "--password-file", "x"], "No one called"),
        (["remove-user", trial_url, "Bob"], "Bob is one of the project's coders but has no database login"),
        (["set-role", trial_url, "sspadmin", "--role", "coder"], "not one of this project's people"),
        (["remove-user", "trial.sspc", "Ann"], "not a server address"),
    ]:
        assert main(["server", *args]) == 2, args
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, (args, err)
    assert _audit_count(trial_url) == before
    assert _users(trial_url, capsys)[people["lead"]]["can_log_in"] is True


def test_a_database_administrator_cannot_be_locked_out_and_ssp_coder_says_so(pg_server, trial_url, people,
                                                                             capsys) -> None:
    admin = f"root_{people['db']}"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{admin}" LOGIN SUPERUSER')
    assert main(["server", "add-user", trial_url, "Root Trainer", "--role", "trainer", "--login", admin]) == 0
    capsys.readouterr()
    before = _audit_count(trial_url)
    assert main(["server", "remove-user", trial_url, "Root Trainer"]) == 2
    assert "superuser" in capsys.readouterr().err
    assert _audit_count(trial_url) == before


def _admin_project(pg_server, trial_file: Path) -> tuple[str, str]:
    """A project set up as docs/server.md says: by an administrative login that may create roles (no superuser)."""
    admin = f"admin_{trial_file.parent.name[-20:]}".lower().replace("-", "_")
    db = f"{admin}_db"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'DROP ROLE IF EXISTS "{admin}"')
        conn.execute(f'CREATE ROLE "{admin}" LOGIN CREATEROLE')
        conn.execute(f'CREATE DATABASE "{db}" OWNER "{admin}"')
    url = pg_server.url(db, user=admin)
    assert main(["server", "init", url]) == 0
    assert main(["server", "push", str(trial_file), url]) == 0
    return url, admin


def test_the_login_running_the_command_is_refused(pg_server, trial_file, capsys) -> None:
    url, admin = _admin_project(pg_server, trial_file)
    db = database_name(url)
    _add(url, "Lead", "coordinator", f"lead_{db}", capsys)
    _add(url, "Ann", "coder", f"ann_{db}", capsys)
    # the administrator's own login, linked to a coordinator of the project
    assert main(["server", "add-user", url, "Dana Admin", "--role", "coordinator", "--login", admin]) == 0
    capsys.readouterr()
    before = _audit_count(url)
    for args in (["remove-user", url, admin], ["remove-user", url, "Dana Admin", "--dry-run"],
                 ["set-role", url, admin, "--role", "trainer"]):
        assert main(["server", *args]) == 2
        assert "is the login running this command" in capsys.readouterr().err
    assert _audit_count(url) == before
    # the administrator (no superuser) manages everyone else, and the audit rows are signed by them
    assert main(["server", "remove-user", url, "Ann"]) == 0
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT actor FROM ssp.audit ORDER BY id DESC LIMIT 1").fetchone()[0] == "Dana Admin"


def test_coders_and_staff_without_the_right_to_manage_roles_are_refused(pg_server, trial_url, people,
                                                                        capsys) -> None:
    ann_url, lead_url = _as(trial_url, people["ann"]), _as(trial_url, people["lead"])
    before = _audit_count(trial_url)
    for url, says in ((ann_url, "signed in as a coder"), (lead_url, "may work on the project but not")):
        for args in (["remove-user", url, "Lead"], ["set-role", url, "Ann", "--role", "trainer", "--yes"],
                     ["set-password", url, "Ann", "--password-file", "unused"],
                     ["add-user", url, "Zoe", "--role", "coder"]):
            assert main(["server", *args]) == 2, (url, args)
            err = capsys.readouterr().err
            assert says in err and "Nothing was changed" in err, err
    assert main(["server", "users", ann_url]) == 2
    assert "signed in as a coder" in capsys.readouterr().err
    assert main(["server", "users", lead_url]) == 0       # a coordinator may see who has access
    assert people["ann"] in capsys.readouterr().out
    assert _audit_count(trial_url) == before


def test_set_password_from_a_file_and_from_the_terminal(pg_server, trial_url, people, tmp_path, capsys,
                                                        monkeypatch) -> None:
    db, ann = people["db"], people["ann"]
    secret = tmp_path / "pw.txt"
    secret.write_text("fresh-Password-7\n", encoding="utf-8")
    assert main(["server", "set-password", trial_url, "Ann", "--password-file", str(secret)]) == 0
    out = capsys.readouterr().out
    assert "fresh-Password-7" not in out and ann in out
    with psycopg.connect(pg_server.tcp_url(db, ann, "fresh-Password-7")) as conn:
        conn.execute("SELECT 1 FROM codings")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_server.tcp_url(db, ann, people["ann_pw"])).close()
    with psycopg.connect(trial_url) as conn:
        command, payload = conn.execute("SELECT command, payload FROM ssp.audit ORDER BY id DESC LIMIT 1").fetchone()
    assert command == "SetServerPassword" and "fresh" not in payload

    # asked twice, without echo; two different answers change nothing
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["typed-Password-1", "typed-Password-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    before = _audit_count(trial_url)
    assert main(["server", "set-password", trial_url, ann]) == 2
    assert "differ" in capsys.readouterr().err
    answers = iter(["typed-Password-1", "typed-Password-1"])
    assert main(["server", "set-password", trial_url, ann]) == 0
    capsys.readouterr()
    with psycopg.connect(pg_server.tcp_url(db, ann, "typed-Password-1")):
        pass
    assert _audit_count(trial_url) == before + 1

    short = tmp_path / "short.txt"
    short.write_text("abc\n", encoding="utf-8")
    for args, says in ((["--password-file", str(short)], "too short"),
                       (["--password-file", str(tmp_path / "missing.txt")], "no such file")):
        assert main(["server", "set-password", trial_url, ann, *args]) == 2
        assert says in capsys.readouterr().err
    assert _audit_count(trial_url) == before + 1


def test_a_demoted_coordinator_can_no_longer_select_arm(pg_server, trial_url, people, capsys) -> None:
    db = people["db"]
    cleo = pg_server.tcp_url(db, f"cleo_{db}", _add(trial_url, "Cleo", "coordinator", f"cleo_{db}", capsys))
    with psycopg.connect(cleo) as conn:
        assert {r[0] for r in conn.execute("SELECT arm FROM participants")} == {"ABC", "DEF"}

    assert main(["server", "set-role", trial_url, "Cleo", "--role", "coder", "--dry-run"]) == 0
    planned = capsys.readouterr().out.splitlines()
    with psycopg.connect(cleo) as conn:     # the dry run changed nothing
        conn.execute("SELECT arm FROM ssp.participants")
    assert main(["server", "set-role", trial_url, "Cleo", "--role", "coder"]) == 0   # no confirmation to lose sight
    done = capsys.readouterr().out.splitlines()
    assert done[1:] == planned[1:] and done[0].startswith("Made Cleo a coder")
    with psycopg.connect(cleo) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT arm FROM ssp.participants")
        conn.rollback()
        assert {r[0] for r in conn.execute("SELECT arm FROM participants")} <= {""}   # the blinded view now
    with psycopg.connect(trial_url) as conn:
        assert conn.execute("SELECT role FROM ssp.coders WHERE name = 'Cleo'").fetchone()[0] == "coder"
    assert _users(trial_url, capsys)[f"cleo_{db}"]["role"] == "coder"


def test_a_coder_promoted_to_coordinator_needs_confirmation_then_sees_arms(pg_server, trial_url, people, capsys,
                                                                           monkeypatch) -> None:
    db, ann = people["db"], people["ann"]
    tcp = pg_server.tcp_url(db, ann, people["ann_pw"])
    before = _audit_count(trial_url)
    # not at a terminal and no --yes: refused
    assert main(["server", "set-role", trial_url, "Ann", "--role", "coordinator"]) == 2
    err = capsys.readouterr().err
    assert "unblinded" in err and "--yes" in err
    # at a terminal: anything but 'yes' keeps Ann a coder
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "no")
    assert main(["server", "set-role", trial_url, "Ann", "--role", "coordinator"]) == 2
    assert "Not confirmed" in capsys.readouterr().err
    assert _audit_count(trial_url) == before
    with psycopg.connect(tcp) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT arm FROM ssp.participants")

    assert main(["server", "set-role", trial_url, "Ann", "--role", "coordinator", "--yes"]) == 0
    assert "unblinded" in capsys.readouterr().out
    with psycopg.connect(tcp) as conn:
        assert {r[0] for r in conn.execute("SELECT arm FROM participants")} == {"ABC", "DEF"}
    with Project.open(tcp) as p:
        assert not p.blinded and p.actor == "Ann"
    # now there are two coordinators: Lead may be made a trainer; the same role again changes nothing
    assert main(["server", "set-role", trial_url, "Lead", "--role", "trainer"]) == 0
    assert "keeps the rights" in capsys.readouterr().out
    assert main(["server", "set-role", trial_url, "Lead", "--role", "trainer"]) == 0
    assert "already a trainer" in capsys.readouterr().out
    assert _audit_count(trial_url) == before + 2


def test_add_user_from_a_coordinators_own_login_is_refused_with_a_message(trial_url, people, capsys) -> None:
    # a coordinator's login works on the project but may not create logins: a message, not a crash
    before = _audit_count(trial_url)
    assert main(["server", "add-user", _as(trial_url, people["lead"]), "Zoe", "--role", "coder"]) == 2
    assert "may work on the project but not add people" in capsys.readouterr().err
    assert _audit_count(trial_url) == before
    with psycopg.connect(trial_url) as conn:
        assert conn.execute("SELECT count(*) FROM ssp.coders WHERE name = 'Zoe'").fetchone()[0] == 0


def test_a_login_dropped_outside_ssp_coder_is_shown_and_handled(pg_server, trial_url, people, capsys) -> None:
    ann = people["ann"]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f'DROP ROLE "{ann}"')
    row = _users(trial_url, capsys)[ann]
    assert row["can_log_in"] is False and "no longer exists" in row["access"]
    assert main(["server", "set-password", trial_url, "Ann", "--password-file", "unused"]) == 2
    assert "no longer exists on the server" in capsys.readouterr().err
    # her role can still be changed and she can still be removed: both are recorded, nothing fails
    assert main(["server", "set-role", trial_url, "Ann", "--role", "trainer", "--yes"]) == 0
    assert "no longer exists" in capsys.readouterr().out
    assert main(["server", "remove-user", trial_url, "Ann"]) == 0
    assert "no longer exists on the server" in capsys.readouterr().out
    with psycopg.connect(trial_url) as conn:
        assert conn.execute("SELECT role FROM ssp.coders WHERE name = 'Ann'").fetchone()[0] == "trainer"
        assert [r[0] for r in conn.execute("SELECT command FROM ssp.audit ORDER BY id DESC LIMIT 2")] == \
            ["RemoveServerUser", "SetServerRole"]
