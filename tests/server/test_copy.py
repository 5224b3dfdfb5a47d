"""server push / pull: the same project on the server as in the file, all or nothing."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from ssp_coder.cli.app import main
from ssp_coder.errors import StoreError
from ssp_coder.store import server_copy
from ssp_coder.store.pg_conn import ServerConnection
from ssp_coder.store.project import Project


def _dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in server_copy.TABLES}
    finally:
        conn.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_push_then_pull_gives_back_every_row(trial_file: Path, pg_url: str, tmp_path: Path, capsys) -> None:
    assert main(["server", "push", str(trial_file), pg_url]) == 0
    assert "12 sessions, 14 codings" in capsys.readouterr().out
    out = tmp_path / "back.sspc"
    assert main(["server", "pull", pg_url, "-o", str(out)]) == 0
    assert _dump(out) == _dump(trial_file)
    assert not list(tmp_path.glob(".*pulling"))
    with Project.open(out, backups=False) as p:     # a normal project file: opens, checks, takes commands
        assert p.counts()["sessions"] == 12
        views = p.views(int(p.sessions()[0].id))
        assert [(v.number, v.name, v.offset_ms) for v in views] == [(1, "face", 0), (2, "room", 1240)]


@pytest.mark.parametrize("verb", [
    ["score", "-o", "{out}/scores.csv"],
    ["export", "--format", "csv", "--shape", "both", "-o", "{out}/trial.csv"],
    ["irr", "--json"],
    ["status", "--json"],
    ["sessions", "--json"],
    ["check", "--json"],
    ["summary", "--json"],
    ["views", "--json"],
])
def test_verbs_on_the_server_give_the_same_output_as_on_the_file(verb, trial_file: Path, trial_url: str,
                                                                  tmp_path: Path, capsys) -> None:
    outputs = {}
    for where, project in (("file", str(trial_file)), ("server", trial_url)):
        folder = tmp_path / where
        folder.mkdir()
        args = [a.replace("{out}", str(folder)) for a in verb]
        assert main([args[0], project, *args[1:]]) == 0, capsys.readouterr().err
        printed = capsys.readouterr().out.replace(str(folder), "OUT")
        # when each report was made differs between the two runs (by a second, now and then); nothing else may
        printed = re.sub(r'"generated_at": "[^"]*"', '"generated_at": "WHEN"', printed)
        outputs[where] = (printed.replace(str(trial_file), "PROJECT").replace(trial_url, "PROJECT"),
                          _files(folder))
    assert outputs["server"] == outputs["file"]
    assert outputs["file"][0] or outputs["file"][1]


def test_push_into_a_database_holding_a_project_is_refused(trial_file: Path, trial_url: str, capsys) -> None:
    assert main(["server", "push", str(trial_file), trial_url]) == 2
    assert "already holds" in capsys.readouterr().err
    with Project.open(trial_url) as p:
        assert p.counts()["sessions"] == 12


def test_a_push_that_fails_part_way_leaves_nothing_on_the_server(trial_file: Path, pg_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = server_copy._columns

    def failing(conn, table):
        if table == "audit":  # the last table: everything else is already copied in the transaction
            raise StoreError("the network went away")
        return real(conn, table)

    monkeypatch.setattr(server_copy, "_columns", failing)
    with pytest.raises(StoreError, match="network"):
        server_copy.push(trial_file, pg_url)
    with ServerConnection(pg_url, search_path="ssp") as conn:
        for table in server_copy.TABLES:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_pull_does_not_overwrite_a_file_unless_asked(trial_url: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "copy.sspc"
    out.write_bytes(b"keep me")
    assert main(["server", "pull", trial_url, "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert main(["server", "pull", trial_url, "-o", str(out), "--replace"]) == 0
    with Project.open(out, backups=False) as p:
        assert p.counts()["codings"] == 14
        # open in a window: the file is not swapped under it
        assert main(["server", "pull", trial_url, "-o", str(out), "--replace"]) == 2
        assert "open in another ssp-coder window" in capsys.readouterr().err
    Path(str(out) + "-wal").write_bytes(b"x" * 100)   # left by a crash: SQLite would replay it onto the copy
    assert main(["server", "pull", trial_url, "-o", str(out), "--replace"]) == 2
    assert "log files" in capsys.readouterr().err


def test_a_server_address_without_a_project_gets_a_clear_message(pg_url: str, capsys) -> None:
    assert main(["status", pg_url]) == 2
    assert "server init" in capsys.readouterr().err
    assert main(["server", "init", pg_url]) == 0
    assert main(["status", pg_url]) == 2
    assert "server push" in capsys.readouterr().err


def test_an_unreachable_server_is_a_known_error(tmp_path: Path, capsys) -> None:
    url = f"postgresql://nobody@/none?host={tmp_path}&port=1"
    assert main(["status", url]) == 2
    err = capsys.readouterr().err
    assert "Cannot connect to the project server" in err and "Traceback" not in err


def test_file_only_verbs_say_what_to_do_with_a_server(pg_url: str, capsys) -> None:
    assert main(["restore", pg_url]) == 2
    assert "pg_restore" in capsys.readouterr().err
    assert main(["init", pg_url]) == 2
    assert "server init" in capsys.readouterr().err
