"""Streaming SHA-256."""

from __future__ import annotations

import hashlib

import pytest

from ssp_coder.media import MediaError, sha256_file


def test_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 5000 + b"tail"
    path = tmp_path / "video.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    assert sha256_file(str(path), chunk_size=7) == hashlib.sha256(data).hexdigest()


def test_empty_file(tmp_path):
    path = tmp_path / "empty.bin"
    path.write_bytes(b"")
    calls = []
    assert sha256_file(path, progress=lambda d, t: calls.append((d, t))) == hashlib.sha256(b"").hexdigest()
    assert calls == [(0, 0)]


def test_progress_reports_every_chunk(tmp_path):
    data = b"x" * 10_000
    path = tmp_path / "video.bin"
    path.write_bytes(data)
    calls: list[tuple[int, int]] = []
    sha256_file(path, progress=lambda done, total: calls.append((done, total)), chunk_size=4096)
    assert calls == [(0, 10_000), (4096, 10_000), (8192, 10_000), (10_000, 10_000)]


def test_progress_can_cancel(tmp_path):
    path = tmp_path / "video.bin"
    path.write_bytes(b"y" * 100_000)

    class Cancelled(Exception):
        pass

    def cancel(done, total):
        if done > 0:
            raise Cancelled

    with pytest.raises(Cancelled):
        sha256_file(path, progress=cancel, chunk_size=1000)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MediaError, match="not found"):
        sha256_file(tmp_path / "gone.mp4")
    with pytest.raises(MediaError, match="folder"):
        sha256_file(tmp_path)


def test_bad_chunk_size(tmp_path):
    with pytest.raises(ValueError):
        sha256_file(tmp_path / "x", chunk_size=0)
