"""Streaming SHA-256 of media files (identifies a video whatever its name)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from .errors import MediaError

ProgressCallback = Callable[[int, int], None]


def sha256_file(
    path: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    chunk_size: int = 1 << 20,
) -> str:
    """Return the lowercase hex SHA-256 of the file at ``path``.

    The file is read in chunks of ``chunk_size`` bytes, so memory use stays
    flat for multi-gigabyte videos. ``progress(done_bytes, total_bytes)`` is
    called once before reading (``done_bytes = 0``) and after every chunk;
    ``total_bytes`` is the size when the file was opened. A long hash can be
    cancelled by raising from the callback; the exception propagates.

    A missing or unreadable file raises :class:`MediaError`.
    """
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    name = os.fspath(path)
    digest = hashlib.sha256()
    if os.path.isdir(name):  # Windows reports a folder as PermissionError
        raise MediaError(name, f"{name} is a folder, not a file. Check the path in the roster.")
    try:
        with open(name, "rb") as fh:
            total = os.fstat(fh.fileno()).st_size
            done = 0
            if progress is not None:
                progress(0, total)
            buffer = bytearray(chunk_size)
            view = memoryview(buffer)
            while True:
                n = fh.readinto(buffer)
                if not n:
                    break
                digest.update(view[:n])
                done += n
                if progress is not None:
                    progress(done, max(total, done))
    except FileNotFoundError:
        raise MediaError(name, f"{name} was not found. Check the path in the roster.") from None
    except IsADirectoryError:
        raise MediaError(name, f"{name} is a folder, not a file. Check the path in the roster.") from None
    except PermissionError:
        raise MediaError(
            name, f"{name} cannot be read (permission denied). Check that you have access to the file."
        ) from None
    return digest.hexdigest()
