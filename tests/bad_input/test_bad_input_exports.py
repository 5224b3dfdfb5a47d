"""Bad luck while writing the files of an export: interrupted between two files, a file that cannot be moved in,
and the file mode new exports and packages get.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

import pytest

from ssp_coder.packages import open_package
from tests.bad_input.cases import issue_package, trial


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
        files.append(issue_package(trial(tmp_path / "t")["project"], tmp_path / "ann.sspkg"))
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

