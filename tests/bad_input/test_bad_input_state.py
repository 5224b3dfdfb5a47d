"""Bad input from the state of real files: packages in the wrong order, stale logs, targets that cannot be
written, interrupted exports, file modes.

Most cases are one line of ``CASES``: how to build the situation, the command, the exit code, a fragment of
the message, and whether the project must be left as it was ("bytes": the file and its -wal byte for byte;
"content": every table row, for commands that open the project for writing). A new case is one more line.
Cases that need more than one command to check are separate tests below the table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddCoder, SetDRating
from ssp_coder.packages import export_package, import_package, open_package
from ssp_coder.store.project import Project
from tests.packages.conftest import build_trial

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


# -- read-only places -------------------------------------------------------------------------------------
# The administrator (root, as in CI containers) may write any file whatever its mode bits. So under root a
# read-only folder or file is made unchangeable with ``chattr +i``, which the kernel enforces for root too
# (EPERM), and the cases are skipped where that is not available; for an ordinary user the mode bits do.

def _chattr(flag: str, path: Path) -> bool:
    return bool(shutil.which("chattr")) and subprocess.run(["chattr", flag, str(path)],
                                                           capture_output=True).returncode == 0


def read_only_folder(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    if not ROOT:
        path.chmod(0o555)
    elif not _chattr("+i", path):
        pytest.skip("chattr +i (an unchangeable folder) is not available here")
    return path


def unlock_all(folder: Path) -> None:
    """Undo read-only marks so the test's folder can be removed."""
    for p in [folder, *folder.rglob("*")]:
        if ROOT:
            _chattr("-i", p)
        with contextlib.suppress(OSError):
            p.chmod(0o755 if p.is_dir() else 0o644)


# -- snapshots: was the project left as it was? ------------------------------------------------------------

def file_bytes(project: Path) -> dict[str, str]:
    out = {}
    for side in ("", "-wal"):
        p = project.with_name(project.name + side)
        # an empty log (a reader made it) holds nothing: the same as none
        data = p.read_bytes() if p.exists() else b""
        out[side or "db"] = hashlib.sha256(data).hexdigest() if data else "absent"
    return out


def content(project: Path) -> str:
    """Every row of every table, read from a copy (with its log), so reading changes nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sspc"
        shutil.copyfile(project, copy)
        wal = project.with_name(project.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(tmp) / "copy.sspc-wal")
        conn = sqlite3.connect(copy)
        try:
            digest = hashlib.sha256()
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                                                 "LIKE 'sqlite_%' ORDER BY name")]
            for t in tables:
                for row in sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))):
                    digest.update(f"{t}:{row}".encode())
        finally:
            conn.close()
    return digest.hexdigest()


# -- builders: each makes a situation in ``folder`` and returns the names the command line uses ---------------

Built = dict[str, Path]


def _trial(folder: Path) -> Built:
    trial = build_trial(folder, videos=False)
    return {"project": trial.path, "folder": trial.folder}


def _with_coding_work(folder: Path) -> Built:
    """A package of Ann's, her first return (D rating 5), her second (D rating 7), the second merged."""
    built = _trial(folder)
    project = Project.open(built["project"], actor="coordinator", backups=False)
    try:
        issued = export_package(project, "Ann", out_path=folder / "ann.sspkg").path
    finally:
        project.close()
    opened = open_package(issued)
    coding = next(c for c in opened.project.codings() if c.purpose == "primary")
    opened.project.execute(SetDRating(int(coding.id), 5))
    v1 = opened.write_return(folder / "ann-return-v1.sspkg")
    opened.project.execute(SetDRating(int(coding.id), 7))
    v2 = opened.write_return(folder / "ann-return-v2.sspkg")
    opened.close(write_return=False)
    project = Project.open(built["project"], actor="coordinator", backups=False)
    try:
        assert import_package(project, v2).merged
    finally:
        project.close()
    return {**built, "issued": issued, "v1": v1, "v2": v2}


def _package_with_manifest(folder: Path, **changes: object) -> Built:
    built = _trial(folder)
    project = Project.open(built["project"], actor="coordinator", backups=False)
    try:
        pkg = export_package(project, "Ann", out_path=folder / "ann.sspkg").path
    finally:
        project.close()
    bad = folder / "altered.sspkg"
    with zipfile.ZipFile(pkg) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest.update(changes)
                data = json.dumps(manifest).encode()
            dst.writestr(info, data)
    return {**built, "pkg": bad}


def _bad_format_version(folder: Path) -> Built:
    return _package_with_manifest(folder, format_version="two")


def _crash_copy(project: Path, target: Path, coder: str) -> None:
    """Copy ``project`` as a crash would leave it just after adding ``coder``: the change still in its log."""
    opened = Project.open(project, actor="coordinator", backups=False)
    try:
        opened.execute(AddCoder(coder))
        shutil.copyfile(project, target)
        shutil.copyfile(project.with_name(project.name + "-wal"), target.with_name(target.name + "-wal"))
    finally:
        opened.close()


def _foreign_wal(folder: Path) -> Built:
    """Beside the project, the log of another project's crash."""
    built = _trial(folder)
    other_folder = folder / "other"
    other_folder.mkdir()
    other = build_trial(other_folder, videos=False).path
    _crash_copy(other, folder / "other-crash.sspc", "Zed")
    shutil.copyfile(folder / "other-crash.sspc-wal", built["project"].with_name("trial.sspc-wal"))
    return built


def _backup_over_crash(folder: Path) -> Built:
    """The documented manual restore: a backup copied over a crashed project, whose log is still there."""
    built = _trial(folder)
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


def _read_only_file(folder: Path) -> Built:
    built = _trial(folder)
    built["project"].chmod(0o444)
    return built


def _immutable_file(folder: Path) -> Built:
    built = _trial(folder)
    if not _chattr("+i", built["project"]):
        pytest.skip("chattr +i (an unchangeable file) is not available here")
    return built


def _project_in_read_only_folder(folder: Path) -> Built:
    inner = folder / "share"
    inner.mkdir()
    built = _trial(inner)
    read_only_folder(built["folder"])
    return built


def _read_only_output_folder(folder: Path) -> Built:
    built = _trial(folder)
    read_only_folder(folder / "out")
    return built


def _file_where_folder_expected(folder: Path) -> Built:
    built = _trial(folder)
    (folder / "figures.txt").write_text("not a folder")
    return built


def _damaged_backup(folder: Path) -> Built:
    built = _trial(folder)
    bad = folder / "bad-backup.sspc"
    data = bytearray(built["project"].read_bytes())
    data[4096 * 2: 4096 * 2 + 200] = b"\xff" * 200  # scribble over a b-tree page
    bad.write_bytes(bytes(data))
    return {**built, "backup": bad}


def _backup_of_another_project(folder: Path) -> Built:
    built = _trial(folder)
    other_folder = folder / "other"
    other_folder.mkdir()
    return {**built, "backup": build_trial(other_folder, videos=False).path}


# -- the table ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    kind: str                        # what sort of bad input: see KINDS
    build: Callable[[Path], Built]
    argv: tuple[str, ...]            # {name} is replaced by the built path of that name
    exit_code: int
    fragment: str                    # in stdout or stderr
    unchanged: str = "bytes"         # "bytes", "content" or "" (nothing to compare)


KINDS = ("package order", "package manifest", "stale log", "restore", "project version", "unwritable project",
         "unwritable target")

CASES = [
    # 2. an older package changes nothing and says so
    Case("older-return-after-newer", "package order", _with_coding_work,
         ("package", "import", "{project}", "{v1}"), 0, "older than what the project already holds", "content"),
    Case("issued-package-after-return", "package order", _with_coding_work,
         ("package", "import", "{project}", "{issued}"), 0, "older than what the project already holds", "content"),
    Case("older-return-dry-run", "package order", _with_coding_work,
         ("package", "import", "{project}", "{v1}", "--dry-run"), 0, "1 older than already merged", "content"),
    # 11. a manifest whose format version is not a number
    Case("format-version-two-import", "package manifest", _bad_format_version,
         ("package", "import", "{project}", "{pkg}"), 2, "format_version 'two'", "content"),
    Case("format-version-two-info", "package manifest", _bad_format_version,
         ("package", "info", "{pkg}"), 2, "not a format number"),
    Case("format-version-two-open", "package manifest", _bad_format_version,
         ("package", "return", "{pkg}"), 2, "not a format number"),
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
    Case("restore-missing-backup", "restore", _trial,
         ("restore", "{project}", "{folder}/nope.sspc"), 2, "no backup file"),
    Case("restore-no-backups-yet", "restore", _trial,
         ("restore", "{project}"), 2, "There are no backups"),
    # 12. a file from a newer version is refused before anything is written, journal mode included
    Case("future-version-rollback-mode", "project version", _future_rollback_file,
         ("coder", "add", "{project}", "Bob"), 2, "newer version of ssp-coder"),
    # 10. what cannot be written says what and where
    Case("read-only-project-file", "unwritable project", _read_only_file,
         ("coder", "add", "{project}", "Bob"), 2, "marked read-only"),
    Case("read-only-project-file-is-read", "unwritable project", _read_only_file,
         ("status", "{project}"), 0, "Project PROJNAMELEAKJJ"),
    Case("immutable-project-file", "unwritable project", _immutable_file,
         ("coder", "add", "{project}", "Bob"), 2, "you may not write to the file"),
    Case("project-in-read-only-folder", "unwritable project", _project_in_read_only_folder,
         ("coder", "add", "{project}", "Bob"), 2, "cannot be written to"),
    Case("project-in-read-only-folder-is-read", "unwritable project", _project_in_read_only_folder,
         ("status", "{project}"), 0, "Project PROJNAMELEAKJJ"),
    Case("score-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("score", "{project}", "-o", "{folder}/../out/scores.csv"), 2, "cannot be written to"),
    Case("summary-figures-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("summary", "{project}", "--figures", "{folder}/../out/figs"), 2, "figs"),
    Case("irr-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("irr", "{project}", "-o", "{folder}/../out/irr.xlsx"), 2, "is not writable"),
    Case("export-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("export", "{project}", "--format", "sav", "-o", "{folder}/../out/trial"), 2, "out"),
    Case("figures-given-a-file", "unwritable target", _file_where_folder_expected,
         ("summary", "{project}", "--figures", "{folder}/../figures.txt"), 2, "is a file"),
    Case("template-given-a-folder", "unwritable target", _trial,
         ("template", "codings", "{folder}"), 2, "it is a folder"),
]


@pytest.fixture
def case_folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    unlock_all(tmp_path)


def _argv(case: Case, built: Built) -> list[str]:
    return [part.format(**{k: str(v) for k, v in built.items()}) for part in case.argv]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, case_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = case.build(case_folder)
    project = built.get("project")
    before = None
    if project is not None and case.unchanged:
        before = file_bytes(project) if case.unchanged == "bytes" else content(project)
    capsys.readouterr()
    code = main(_argv(case, built))
    unlock_all(case_folder)
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == case.exit_code, text
    assert case.fragment in text, text
    assert "Traceback" not in text and "should not have" not in text
    if before is not None:
        after = file_bytes(project) if case.unchanged == "bytes" else content(project)
        assert after == before, "the project was changed"


def test_every_kind_has_cases() -> None:
    counts = {k: sum(c.kind == k for c in CASES) for k in KINDS}
    assert all(counts.values()), counts
    assert {c.kind for c in CASES} <= set(KINDS)


# -- cases that need more than one command to check ---------------------------------------------------------

def _d_rating(project_path: Path) -> list:
    with Project.open(project_path, read_only=True, backups=False) as project:
        return [project.coding_state(int(c.id)).result.d_rating for c in project.codings()
                if c.purpose == "primary"]


def test_older_packages_keep_the_coders_newest_work(tmp_path: Path) -> None:
    """Issue 13.2: return v2 (D 7) merged, then v1 (D 5) and the issued package: D stays 7."""
    built = _with_coding_work(tmp_path)
    assert 7 in _d_rating(built["project"])
    for older in (built["v1"], built["issued"]):
        with Project.open(built["project"], actor="coordinator", backups=False) as project:
            report = import_package(project, older)
        assert not report.merged and report.older and "nothing was changed" in report.summary()
        assert 7 in _d_rating(built["project"]) and 5 not in _d_rating(built["project"])
    # the newest return again: still nothing to do, and not called older
    with Project.open(built["project"], actor="coordinator", backups=False) as project:
        report = import_package(project, built["v2"])
    assert not report.merged and not report.older and report.unchanged


def _export_data(rows_left_out: int = 0):
    from ssp_coder.domain.scheme import load_builtin_scheme
    from ssp_coder.export.api import prepare_from_frames
    from tests.export.conftest import bernard_rows, frames

    scheme = load_builtin_scheme()
    rows = bernard_rows()
    sessions, scored = frames(rows[:len(rows) - rows_left_out])
    return prepare_from_frames(sessions, scored, scheme, dict(scheme.settings),
                               meta={"project": f"Trial less {rows_left_out}"}, catalogue={})


@pytest.fixture
def export_data():
    return _export_data()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fail_on_call(n: int, real: Callable) -> Callable:
    calls = {"n": 0}

    def writer(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt  # as if the user pressed Ctrl+C (or the power went) between two files
        return real(*args, **kwargs)
    return writer


@pytest.mark.parametrize("fmt, writer", [("csv", "write_csv"), ("sav", "write_sav"), ("dta", "write_dta")])
def test_interrupted_export_leaves_the_whole_old_set(tmp_path: Path, export_data, monkeypatch, fmt: str,
                                                     writer: str) -> None:
    """Issue 13.4: interrupted between the files of one export, the old set stays whole, nothing new is in."""
    from ssp_coder.export import writers
    from ssp_coder.export.api import write_export

    out = tmp_path / "out"
    out.mkdir()
    target = out / ("tables" if fmt == "csv" else "trial")
    write_export(export_data, fmt, target)
    before = _snapshot(out)
    assert len(before) >= 3
    newer = _export_data(rows_left_out=4)   # every data file differs from the old export
    monkeypatch.setattr(writers, writer, _fail_on_call(2, getattr(writers, writer)))
    with pytest.raises(KeyboardInterrupt):
        write_export(newer, fmt, target)
    assert _snapshot(out) == before, "a file of the old export was replaced or a temporary file was left"
    monkeypatch.undo()
    write_export(newer, fmt, target)
    after = _snapshot(out)
    assert set(after) == set(before) and after != before


def test_export_that_cannot_move_every_file_in_puts_the_old_ones_back(tmp_path: Path, export_data,
                                                                      monkeypatch) -> None:
    """Moving the second file in fails (held open elsewhere): the first is put back, the old set is whole."""
    from ssp_coder.atomic import WriteError
    from ssp_coder.export import fileset
    from ssp_coder.export.api import write_export

    write_export(export_data, "sav", tmp_path / "trial")
    before = _snapshot(tmp_path)
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        if Path(dst).parent == tmp_path and not Path(dst).name.startswith("."):
            calls["n"] += 1
            if calls["n"] == 2:
                raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)
    monkeypatch.setattr(fileset.os, "replace", replace)
    with pytest.raises(WriteError, match="left as they were"):
        write_export(_export_data(rows_left_out=4), "sav", tmp_path / "trial")
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_exports_and_packages_get_the_users_usual_file_mode(tmp_path: Path, export_data, umask: int) -> None:
    """Issue 13.15: not 0600 from mkstemp, but 0666 less the umask, as other programs make files."""
    from ssp_coder.export.api import write_export

    expected = 0o666 & ~umask
    old = os.umask(umask)
    try:
        files = write_export(export_data, "xlsx", tmp_path / "trial.xlsx")
        files += write_export(export_data, "sav", tmp_path / "trial")
        write_export(export_data, "csv", tmp_path / "csv")
        files += sorted((tmp_path / "csv").glob("*.csv"))
        (tmp_path / "t").mkdir()
        trial = build_trial(tmp_path / "t", videos=False)
        with Project.open(trial.path, actor="coordinator", backups=False) as project:
            files.append(export_package(project, "Ann", out_path=tmp_path / "ann.sspkg").path)
        opened = open_package(tmp_path / "ann.sspkg")
        files.append(opened.close())
    finally:
        os.umask(old)
    assert len(files) >= 8
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == expected, f
    # a file that is replaced keeps the permissions it had
    (tmp_path / "trial.xlsx").chmod(0o640)
    write_export(export_data, "xlsx", tmp_path / "trial.xlsx")
    assert stat.S_IMODE((tmp_path / "trial.xlsx").stat().st_mode) == 0o640


def test_a_crash_log_of_the_project_itself_is_applied(tmp_path: Path) -> None:
    """The check must not refuse the log a real crash leaves: the change in it is kept."""
    built = _trial(tmp_path)
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
    built = _trial(tmp_path)
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
    built = _trial(tmp_path)
    with Project.open(built["project"], actor="coordinator", backups=True) as project:
        backup = project.backup_now()
        before = file_bytes(built["project"])
        assert main(["restore", str(built["project"]), str(backup)]) == 2
        assert "open in another ssp-coder window" in capsys.readouterr().err
        assert file_bytes(built["project"]) == before


def test_a_project_that_can_only_be_read_opens_read_only_with_the_reason(tmp_path: Path) -> None:
    """Issue 13.10: the window's fall-back opens it read-only and says why, instead of 'damaged'."""
    from ssp_coder.errors import StoreError

    built = _read_only_file(tmp_path)
    try:
        with Project.open(built["project"], actor="coordinator", fall_back_to_read_only=True) as project:
            assert project.read_only and "marked read-only" in project.read_only_reason
            with pytest.raises(StoreError, match="read-only because the file trial.sspc is marked read-only"):
                project.execute(AddCoder("Bob"))
        from ssp_coder.gui.app import open_project_file   # the window opens it so, too

        project, _ = open_project_file(built["project"])
        try:
            assert project.read_only and "marked read-only" in project.read_only_reason
        finally:
            project.close()
        folder = read_only_folder(tmp_path / "share")
        shutil.copyfile(built["project"], tmp_path / "copy.sspc")
        unlock_all(folder)
        (tmp_path / "copy.sspc").rename(folder / "copy.sspc")
        read_only_folder(folder)
        with Project.open(folder / "copy.sspc", actor="coordinator", fall_back_to_read_only=True) as project:
            assert project.read_only and "cannot be written to" in project.read_only_reason
            assert project.coders()
    finally:
        unlock_all(tmp_path)


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
