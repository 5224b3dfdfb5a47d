"""The server schema keeps step with the project file's, and init is safe to run again."""

from __future__ import annotations

import pytest

from ssp_coder.errors import StoreError
from ssp_coder.store.pg_conn import ServerConnection, redact, translate
from ssp_coder.store.pg_schema import PG_MIGRATIONS
from ssp_coder.store.project import Project
from ssp_coder.store.schema import MIGRATIONS
from ssp_coder.store.server import init_server


def test_each_file_format_has_its_server_migration() -> None:
    # push and pull copy row for row: the two must describe the same tables at every version
    assert len(PG_MIGRATIONS) == len(MIGRATIONS)


def test_placeholders_and_percent_signs_are_translated() -> None:
    assert translate("SELECT a FROM t WHERE b = ? AND c LIKE 'x%?'", True) == \
        "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%?'"
    assert translate("INSERT OR IGNORE INTO project_info (key, value) VALUES (?, ?)", True) == \
        "INSERT INTO project_info (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING"


def test_passwords_never_appear_in_messages() -> None:
    assert redact("postgresql://ann:s3cret@db.example.org/trial") == "postgresql://ann:***@db.example.org/trial"


def test_init_twice_changes_nothing_and_a_newer_server_is_refused(trial_url: str) -> None:
    assert init_server(trial_url) == len(PG_MIGRATIONS)
    with Project.open(trial_url) as p:
        assert p.counts()["sessions"] == 12
    with ServerConnection(trial_url) as conn:
        conn.execute("UPDATE ssp.schema_version SET version = 99")
    with pytest.raises(StoreError, match="newer version"):
        Project.open(trial_url)
    with pytest.raises(StoreError, match="newer version"):
        init_server(trial_url)


def test_the_audit_log_on_the_server_is_append_only(trial_url: str) -> None:
    import psycopg

    with ServerConnection(trial_url, search_path="ssp") as conn:
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.raw.execute("DELETE FROM audit")
