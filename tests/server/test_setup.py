"""The setup docs/server.md describes: an administrator login that may create roles, but is no superuser."""

from __future__ import annotations

from pathlib import Path

import psycopg

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddEvent
from ssp_coder.store.project import Project


def test_a_lab_admin_without_superuser_rights_sets_up_the_project(pg_server, trial_file: Path, capsys) -> None:
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS abc_trial")
        conn.execute("DROP ROLE IF EXISTS trialadmin")
        conn.execute("CREATE ROLE trialadmin LOGIN CREATEROLE")
        conn.execute("CREATE DATABASE abc_trial OWNER trialadmin")
    url = pg_server.url("abc_trial", user="trialadmin")
    assert main(["server", "init", url]) == 0
    assert main(["server", "push", str(trial_file), url]) == 0
    assert main(["server", "add-user", url, "Setup Lead", "--role", "coordinator"]) == 0
    assert "'setup_lead'" in capsys.readouterr().out
    lead = pg_server.url("abc_trial", user="setup_lead")
    with Project.open(lead) as p:     # staff: the whole project, and changes under their own name
        assert not p.blinded and p.actor == "Setup Lead"
        cid = next(int(c.id) for c in p.codings(status="draft"))
        p.execute(AddEvent(cid, "cry", 1_000, 2_000))
        assert p.audit_log()[-1].actor == "Setup Lead"
        assert {x.arm for x in p.participants()} == {"ABC", "DEF"}
    with psycopg.connect(lead) as conn:   # but even staff cannot rewrite the audit log or who may log in
        for sql in ("DELETE FROM ssp.audit", "DELETE FROM ssp.server_users"):
            try:
                conn.execute(sql)
                raise AssertionError(f"{sql} was allowed")
            except psycopg.Error:
                conn.rollback()
