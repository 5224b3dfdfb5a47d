"""What the bad-input tables share: the case, how a case is run and judged, and the common builders.

A state case (``Case``) names a builder, the command, the exit code, a fragment of the message, and whether
the project must be left as it was ("bytes": the file and its -wal byte for byte; "content": every table row,
for commands that open the project for writing). Each themed module (packages, logs and restore, unwritable
places) holds its own table and the builders only it uses; a new case is one more line of a table.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pytest

from ssp_coder.cli.app import main
from ssp_coder.packages import export_package
from ssp_coder.store.project import Project
from tests.packages.conftest import build_trial

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


# -- read-only places -------------------------------------------------------------------------------------
# The administrator (root, as in CI containers) may write any file whatever its mode bits. So under root a
# read-only folder or file is made unchangeable with ``chattr +i``, which the kernel enforces for root too
# (EPERM), and the cases are skipped where that is not available; for an ordinary user the mode bits do.

def chattr(flag: str, path: Path) -> bool:
    return bool(shutil.which("chattr")) and subprocess.run(["chattr", flag, str(path)],
                                                           capture_output=True).returncode == 0


def read_only_folder(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    if not ROOT:
        path.chmod(0o555)
    elif not chattr("+i", path):
        pytest.skip("chattr +i (an unchangeable folder) is not available here")
    return path


def unlock_all(folder: Path) -> None:
    """Undo read-only marks so the test's folder can be removed."""
    for p in [folder, *folder.rglob("*")]:
        if ROOT:
            chattr("-i", p)
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


def table_digest(project: Path) -> str:
    """Every row of every table in a stable order, read from a copy (with its log), so reading changes nothing.

    SQLite's own statistics (``sqlite_stat*``, refreshed by ``PRAGMA optimize`` when a project closes) are left
    out: they describe the file, not the trial.
    """
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
                                                 "LIKE 'sqlite_stat%' ORDER BY name")]
            for t in tables:
                for row in sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))):
                    digest.update(f"{t}:{row}".encode())
        finally:
            conn.close()
    return digest.hexdigest()


# -- builders shared by the tables: each makes a situation in ``folder`` and returns the names the command
# line uses ---------------------------------------------------------------------------------------------------

Built = dict[str, Path]


def trial(folder: Path) -> Built:
    built = build_trial(folder, videos=False)
    return {"project": built.path, "folder": built.folder}


def issue_package(project_path: Path, out_path: Path, coder: str = "Ann") -> Path:
    """The package the coordinator issues to ``coder``."""
    project = Project.open(project_path, actor="coordinator", backups=False)
    try:
        return export_package(project, coder, out_path=out_path).path
    finally:
        project.close()


# -- the table's case, and how one is run ------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    kind: str                        # what sort of bad input: see the module's KINDS
    build: Callable[[Path], Built]
    argv: tuple[str, ...]            # {name} is replaced by the built path of that name
    exit_code: int
    fragment: str                    # in stdout or stderr
    unchanged: str = "bytes"         # "bytes", "content" or "" (nothing to compare)


def case_ids(cases: Iterable[Case]) -> list[str]:
    return [c.name for c in cases]


def _snapshot(case: Case, project: Path) -> object:
    return file_bytes(project) if case.unchanged == "bytes" else table_digest(project)


def run_case(case: Case, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Build the situation, run the command, and check the exit code, the message and the project."""
    built = case.build(folder)
    project = built.get("project")
    before = _snapshot(case, project) if project is not None and case.unchanged else None
    capsys.readouterr()
    code = main([part.format(**{k: str(v) for k, v in built.items()}) for part in case.argv])
    unlock_all(folder)
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == case.exit_code, text
    assert case.fragment in text, text
    assert "Traceback" not in text and "should not have" not in text
    if before is not None:
        assert _snapshot(case, project) == before, "the project was changed"


def table_tests(cases: list[Case], kinds: tuple[str, ...]) -> tuple[Callable[..., None], Callable[[], None]]:
    """The two tests of a table module, to be bound at its top level under these names:
    ``test_bad_input, test_every_kind_has_cases = table_tests(CASES, KINDS)``."""

    @pytest.mark.parametrize("case", cases, ids=case_ids(cases))
    def test_bad_input(case: Case, case_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        run_case(case, case_folder, capsys)

    def test_every_kind_has_cases() -> None:
        """Every kind of the module has cases, every case is of a kind the module names, and names are unique."""
        counts = {k: sum(c.kind == k for c in cases) for k in kinds}
        assert all(counts.values()), counts
        assert {c.kind for c in cases} <= set(kinds)
        assert len(set(case_ids(cases))) == len(cases)

    return test_bad_input, test_every_kind_has_cases
