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


def conversion_command(path: str | os.PathLike[str]) -> str:
    """An FFmpeg command that turns almost any video into an MP4 (H.264, AAC) this program plays."""
    src = os.fspath(path)
    stem, _ = os.path.splitext(src)
    return (f'ffmpeg -i "{src}" -vf yadif=deint=interlaced -c:v libx264 -crf 18 -pix_fmt yuv420p '
            f'-c:a aac -b:a 160k "{stem}-converted.mp4"')


def unreadable(path: str | os.PathLike[str], reason: str) -> MediaError:
    """The standard error for a file that is not a readable video."""
    return MediaError(
        path,
        f"{os.fspath(path)} is not a video file that can be read ({reason}). "
        "Check the path in the roster, or convert the file to MP4."
        f" If it is a video, convert it with: {conversion_command(path)}",
    )


def undecodable(path: str | os.PathLike[str], codec: str, reason: str) -> MediaError:
    """A file whose container opens but whose pictures cannot be decoded (a codec this build lacks,
    or damaged video data)."""
    return MediaError(
        path,
        f"{os.fspath(path)} opens, but its video ({codec}) cannot be decoded ({reason}). "
        f"Convert it to MP4, for example with: {conversion_command(path)} "
        "and put the converted file in the roster.",
    )
