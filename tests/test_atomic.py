import os

import pytest

from ssp_coder.atomic import WriteError, atomic_open, atomic_write_text


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as fh:
            fh.write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_success_replaces(tmp_path):
    target = tmp_path / "out.csv"
    atomic_write_text(target, "new")
    assert target.read_text() == "new"


def test_read_only_target_is_refused_and_kept(tmp_path):
    target = tmp_path / "ro.csv"
    target.write_text("keep")
    target.chmod(0o444)
    try:
        with pytest.raises(WriteError, match="read-only"):
            atomic_write_text(target, "new")
        assert target.read_text() == "keep"
    finally:
        target.chmod(0o644)


def test_missing_folder(tmp_path):
    with pytest.raises(WriteError, match="does not exist"):
        atomic_write_text(tmp_path / "nope" / "x.txt", "y")
