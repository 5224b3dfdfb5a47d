import sqlite3

from ssp_coder.store.project import Project, _split_sql, migrate
from ssp_coder.store.schema import MIGRATIONS, SCHEMA_VERSION


def test_every_migration_step_applies_from_an_empty_file(tmp_path):
    path = tmp_path / "m.sspc"
    con = sqlite3.connect(path, isolation_level=None)
    migrate(con, path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "codings", "events", "audit", "episodes", "scale_ratings", "results"} <= tables
    migrate(con, path)  # idempotent
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


def test_trigger_bodies_stay_whole_when_split():
    statements = _split_sql(MIGRATIONS[0])
    triggers = [s for s in statements if s.startswith("CREATE TRIGGER")]
    assert len(triggers) == 2 and all(s.rstrip().endswith("END;") for s in triggers)


def test_a_file_at_an_older_version_is_upgraded_on_open(tmp_path, monkeypatch):
    import ssp_coder.store.project as project_mod
    import ssp_coder.store.schema as schema

    path = tmp_path / "old.sspc"
    Project.create(path, backups=False).close()
    extra = "CREATE TABLE future_notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr(project_mod, "MIGRATIONS", schema.MIGRATIONS)
    monkeypatch.setattr(project_mod, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    with Project.open(path, backups=False) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
        p.conn.execute("INSERT INTO future_notes (text) VALUES ('x')")
