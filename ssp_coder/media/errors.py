"""Errors raised by the media layer."""

from __future__ import annotations

import os

from ssp_coder.errors import KnownError


class MediaError(KnownError):
    """A video that cannot be found or read.

    The message names the file and says what to do; it never carries a
    decoder traceback. ``path`` holds the offending path.
    """

    def __init__(self, path: str | os.PathLike[str], message: str):
        self.path = os.fspath(path)
        super().__init__(message)


def unreadable(path: str | os.PathLike[str], reason: str) -> MediaError:
    """The standard error for a file that is not a readable video."""
    return MediaError(
        path,
        f"{os.fspath(path)} is not a video file that can be read ({reason}). "
        "Check the path in the roster, or convert the file to MP4.",
    )
