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
         ("irr", "{project}", "-o", "{folder}/../out/irr.xlsx"), 2, "cannot be written to"),
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
