"""Bad input from the project file's surroundings: a stale or foreign -wal log, restoring a backup, a file from a
newer version.

One line of ``CASES`` a case (see ``tests/bad_input/cases.py``); checks that need more than one command are
separate tests below the table.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddCoder
from ssp_coder.store.project import Project
from tests.bad_input.cases import Built, Case, file_bytes, table_tests, trial
from tests.packages.conftest import build_trial


def _crash_copy(project: Path, target: Path, coder: str) -> None:
    """Copy ``project`` as a crash would leave it just after adding ``coder``: the change still in its log."""
    opened = Project.open(project, actor="coordinator", backups=False)
    try:
        opened.execute(AddCoder(coder))
        shutil.copyfile(project, target)
        shutil.copyfile(project.with_name(project.name + "-wal"), target.with_name(target.name + "-wal"))
    finally:
        opened.close()


def _other_project(folder: Path) -> Path:
    other_folder = folder / "other"
    other_folder.mkdir()
    return build_trial(other_folder, videos=False).path


def _foreign_wal(folder: Path) -> Built:
    """Beside the project, the log of another project's crash."""
    built = trial(folder)
    _crash_copy(_other_project(folder), folder / "other-crash.sspc", "Zed")
    shutil.copyfile(folder / "other-crash.sspc-wal", built["project"].with_name("trial.sspc-wal"))
    return built


def _backup_over_crash(folder: Path) -> Built:
    """The documented manual restore: a backup copied over a crashed project, whose log is still there."""
    built = trial(folder)
    project = Project.open(built["project"], actor="coordinator", backups=True)
    try:
        backup = project.backup_now()
    finally:
        project.close()
    crashed = folder / "crashed.sspc"
    _crash_copy(built["project"], crashed, "After backup")
    assert backup is not None
    shutil.copyfile(backup, built["project"])
    shutil.copyfile(crashed.with_name("crashed.sspc-wal"), built["project"].with_name("trial.sspc-wal"))
    return {**built, "backup": backup}


def _future_rollback_file(folder: Path) -> Built:
    project = Project.create(folder / "future.sspc", backups=False)
    project.close()
    conn = sqlite3.connect(folder / "future.sspc", isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    return {"project": folder / "future.sspc"}


def _damaged_backup(folder: Path) -> Built:
    built = trial(folder)
    bad = folder / "bad-backup.sspc"
    data = bytearray(built["project"].read_bytes())
    data[4096 * 2: 4096 * 2 + 200] = b"\xff" * 200  # scribble over a b-tree page
    bad.write_bytes(bytes(data))
    return {**built, "backup": bad}


def _backup_of_another_project(folder: Path) -> Built:
    built = trial(folder)
    return {**built, "backup": _other_project(folder)}


KINDS = ("stale log", "restore", "project version")

CASES = [
    # 3. a log that is not the project's is never applied
    Case("foreign-wal-coder-add", "stale log", _foreign_wal,
         ("coder", "add", "{project}", "Bob"), 2, "does not belong to this project file"),
    Case("foreign-wal-status", "stale log", _foreign_wal,
         ("status", "{project}"), 2, "does not belong to this project file"),
    Case("backup-over-crash-wal", "stale log", _backup_over_crash,
         ("coder", "add", "{project}", "Bob"), 2, "rollback-journal mode"),
    Case("backup-over-crash-wal-read", "stale log", _backup_over_crash,
         ("status", "{project}"), 2, "ssp-coder restore"),
    Case("restore-damaged-backup", "restore", _damaged_backup,
         ("restore", "{project}", "{backup}"), 2, "choose"),
    Case("restore-other-project", "restore", _backup_of_another_project,
         ("restore", "{project}", "{backup}"), 2, "a backup of another project"),
    Case("restore-missing-backup", "restore", trial,
         ("restore", "{project}", "{folder}/nope.sspc"), 2, "no backup file"),
    Case("restore-no-backups-yet", "restore", trial,
         ("restore", "{project}"), 2, "There are no backups"),
    # 12. a file from a newer version is refused before anything is written, journal mode included
    Case("future-version-rollback-mode", "project version", _future_rollback_file,
         ("coder", "add", "{project}", "Bob"), 2, "newer version of ssp-coder"),
]

test_bad_input, test_every_kind_has_cases = table_tests(CASES, KINDS)


# -- cases that need more than one command to check ---------------------------------------------------------

def test_a_crash_log_of_the_project_itself_is_applied(tmp_path: Path) -> None:
    """The check must not refuse the log a real crash leaves: the change in it is kept."""
    built = trial(tmp_path)
    crashed = tmp_path / "crashed.sspc"
    _crash_copy(built["project"], crashed, "Kept after the crash")
    assert (tmp_path / "crashed.sspc-wal").stat().st_size > 0
    with Project.open(crashed, actor="coordinator", backups=False) as project:
        assert "Kept after the crash" in [c.name for c in project.coders()]


def test_a_foreign_log_is_left_untouched_and_the_project_works_once_it_is_moved(tmp_path: Path) -> None:
    from ssp_coder.errors import StoreError

    built = _foreign_wal(tmp_path)
    wal = built["project"].with_name("trial.sspc-wal")
    log_bytes = wal.read_bytes()
    with pytest.raises(StoreError, match="does not belong"):
        Project.open(built["project"], actor="coordinator", backups=False)
    assert wal.read_bytes() == log_bytes
    wal.rename(tmp_path / "stale.wal")
    with Project.open(built["project"], actor="coordinator", backups=False) as project:
        names = [c.name for c in project.coders()]
        assert "Zed" not in names and "Ann" in names


def test_restore_moves_the_old_files_aside_and_drops_the_changes_after_the_backup(tmp_path: Path,
                                                                                  capsys) -> None:
    """Issue 13.3: 'ssp-coder restore' after a crash: the crash's log goes aside with its file."""
    built = trial(tmp_path)
    project_path = built["project"]
    with Project.open(project_path, actor="coordinator", backups=True) as project:
        backup = project.backup_now()
    # a crash after the backup: a change still in the log, as the killed program left it
    _crash_copy(project_path, tmp_path / "crashed.sspc", "After backup")
    shutil.copyfile(tmp_path / "crashed.sspc", project_path)
    shutil.copyfile(tmp_path / "crashed.sspc-wal", project_path.with_name("trial.sspc-wal"))
    crash_bytes = file_bytes(project_path)
    assert main(["restore", str(project_path), str(backup)]) == 0
    out = capsys.readouterr().out
    assert "Restored" in out and "moved aside" in out and "trial.sspc-wal ->" in out
    aside = sorted(built["folder"].glob("trial.replaced-*.sspc"))
    assert len(aside) == 1 and aside[0].with_name(aside[0].name + "-wal").exists()
    assert file_bytes(aside[0]) == crash_bytes, "the replaced files were changed"
    assert not project_path.with_name("trial.sspc-wal").exists()
    with Project.open(project_path, actor="coordinator", backups=False) as project:
        assert "After backup" not in [c.name for c in project.coders()]
    # what was moved aside is still a whole project, with the change made after the backup
    with Project.open(aside[0], actor="coordinator", backups=False) as project:
        assert "After backup" in [c.name for c in project.coders()]
    # without a backup named: the newest in the backups folder
    assert main(["restore", str(project_path)]) == 0
    assert backup.name in capsys.readouterr().out


def test_restore_is_refused_while_the_project_is_open(tmp_path: Path, capsys) -> None:
    built = trial(tmp_path)
    with Project.open(built["project"], actor="coordinator", backups=True) as project:
        backup = project.backup_now()
        before = file_bytes(built["project"])
        assert main(["restore", str(built["project"]), str(backup)]) == 2
        assert "open in another ssp-coder window" in capsys.readouterr().err
        assert file_bytes(built["project"]) == before


def test_an_unchanged_future_file_keeps_its_journal_mode(tmp_path: Path) -> None:
    """Issue 13.12: 'the file was not changed' is true: still in rollback-journal mode, not switched to WAL."""
    from ssp_coder.errors import StoreError

    path = _future_rollback_file(tmp_path)["project"]
    with pytest.raises(StoreError, match="the file was not changed"):
        Project.open(path, backups=False)
    assert path.read_bytes()[18:20] == b"\x01\x01"
    assert not path.with_name(path.name + "-wal").exists()


def test_the_wal_reader_follows_the_file_format(tmp_path: Path) -> None:
    """Header, salts and running checksums: frames after a torn or foreign frame do not count."""
    from ssp_coder.store.walcheck import read_wal

    db = tmp_path / "x.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    wal = db.with_name("x.sqlite-wal")
    info = read_wal(wal)
    assert info is not None and info.frames >= 2 and info.page_size == 4096
    data = bytearray(wal.read_bytes())
    conn.close()
    frame = 32 + (24 + 4096) * (info.frames - 1)      # the last frame's salt-1
    data[frame + 8] ^= 0xFF
    torn = tmp_path / "torn-wal"
    torn.write_bytes(bytes(data))
    assert read_wal(torn).frames < info.frames
    data[0] ^= 0xFF                                     # not a log at all
    torn.write_bytes(bytes(data))
    assert read_wal(torn) is None
