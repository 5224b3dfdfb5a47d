"""Roster columns for sessions filmed by several cameras: ``video_2``, ``video_3``, ... and their names.

``video`` is the main view (view 1, the clock events are logged on);
``video_2`` ... are further views; ``view_name`` names the main view and
``view_2_name`` ... the others ("face", "room"). Headers are matched whatever
their spelling ("Video 2", "VIDEO_2", "view 2 name").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ssp_coder.tables import normalise_header

_VIDEO = re.compile(r"^(?:video|video_file|camera)_?(\d+)$")
_NAME = re.compile(r"^(?:view|camera)_?(\d+)_?name$")
MAIN_NAME_ALIASES = ("view_name", "view_1_name", "view1_name", "camera_1_name")


@dataclass(frozen=True)
class ViewColumns:
    videos: dict[int, str]      # view number (2, 3, ...) -> the sheet's column
    names: dict[int, str]       # view number (1, 2, ...) -> the sheet's column

    @property
    def used(self) -> set[str]:
        return set(self.videos.values()) | set(self.names.values())


def find_view_columns(columns: list[str]) -> ViewColumns:
    """The view columns of a sheet (``video`` itself is matched with the other required columns)."""
    videos: dict[int, str] = {}
    names: dict[int, str] = {}
    for c in columns:
        h = normalise_header(c)
        if h in MAIN_NAME_ALIASES:
            names.setdefault(1, c)
            continue
        m = _VIDEO.match(h)
        if m and int(m.group(1)) >= 2:
            videos.setdefault(int(m.group(1)), c)
            continue
        m = _NAME.match(h)
        if m and int(m.group(1)) >= 1:
            names.setdefault(int(m.group(1)), c)
    return ViewColumns(dict(sorted(videos.items())), dict(sorted(names.items())))


def locate_video(raw: str, roster: Path) -> tuple[Path | None, str | None]:
    """The file a roster cell names (relative to the roster's folder), or what is wrong with it."""
    video = Path(raw).expanduser()
    if not video.is_absolute():
        video = (roster.parent / video).resolve()
    if not video.exists():
        return None, (f"video {raw!r} not found (looked for {video}). Check the file name, or give the path "
                      "relative to the roster file.")
    if video.is_dir():
        return None, f"{raw!r} is a folder, not a video file."
    return video, None


@dataclass
class RowView:
    """One further view of a roster row, as read (the video is probed and hashed later)."""

    number: int
    column: str
    video: Path | None
    name: str | None
