"""Where the demo lives, whether it can be reused, and how a new one takes its place.

Without ``--dir`` the demo lives in one folder per user (the platform's data
folder, e.g. ``~/.local/share/ssp-coder/demo``), so the coding a user tries
out is still there next time. A demo folder belongs to the demo: a new demo
is built in a temporary folder beside it and only then put in its place, so
the folder never holds half a demo, and a failed or interrupted build leaves
the old one as it was.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from platformdirs import user_data_dir

from ssp_coder.errors import KnownError
from ssp_coder.store.lock import ProjectLock
from ssp_coder.store.project import Project

PROJECT_NAME = "demo.sspc"
PROJECT_TITLE = "Demo trial (synthetic)"
# What a demo folder holds: the project (with SQLite's and the lock's companions, its backups),
# the synthetic videos and the roster they were imported from.
DEMO_ENTRIES = frozenset({PROJECT_NAME, f"{PROJECT_NAME}-wal", f"{PROJECT_NAME}-shm", f"{PROJECT_NAME}-journal",
                          f"{PROJECT_NAME}.lock", f".{PROJECT_NAME}.creating", "demo.backups", "videos",
                          "roster.csv",
                          ".DS_Store", "Thumbs.db", "desktop.ini"})   # left by file browsers that looked in


class DemoFolderError(KnownError):
    pass


def demo_home() -> Path:
    """The per-user folder of the demo (used when no folder is given)."""
    return Path(user_data_dir("ssp-coder", appauthor=False)) / "demo"


def foreign_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that are not part of a demo (a new demo would not replace them)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name not in DEMO_ENTRIES)


def _is_other_project(project_path: Path) -> bool:
    """A readable project that is not the demo trial (a damaged file named like the demo may be replaced)."""
    try:
        with Project.open(project_path, read_only=True, backups=False, check="none") as project:
            return project.info().get("name") != PROJECT_TITLE
    except KnownError:
        return False


def reuse_problem(folder: Path) -> str | None:
    """Why the demo in ``folder`` cannot be reused, or None when it can."""
    project_path = folder / PROJECT_NAME
    if not project_path.is_file():
        return "it holds no demo project"
    try:
        with Project.open(project_path, read_only=True, backups=False) as project:
            if project.info().get("name") != PROJECT_TITLE:
                return f"{PROJECT_NAME} there is not the demo trial"
            sessions = project.sessions()
            if not sessions:
                return "its project has no sessions"
            for s in sessions:
                video = Path(s.video_path or "")
                video = video if video.is_absolute() else folder / video
                if not s.video_path or not video.is_file():
                    return f"the video of session {s.blinded_code} is missing ({video})"
    except KnownError as exc:
        return str(exc)
    return None


def check_replaceable(folder: Path) -> None:
    """Refuse, before anything is built, to replace a folder that holds more than a demo."""
    if folder.exists() and not folder.is_dir():
        raise DemoFolderError(f"{folder} is a file, not a folder. Give the demo a folder (--dir FOLDER).")
    project_path = folder / PROJECT_NAME
    if project_path.is_file() and _is_other_project(project_path):
        raise DemoFolderError(f"{project_path} is a project but not the demo trial, so it is left alone. "
                              "Give the demo a folder of its own (--dir NEW_FOLDER).")
    others = foreign_entries(folder)
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise DemoFolderError(f"{folder} holds files that are not part of the demo ({shown}); a demo folder is "
                              "replaced as a whole, so nothing was changed. Move those files elsewhere, or build "
                              "the demo in a new or empty folder (--dir NEW_FOLDER).")


@dataclass
class Replacement:
    """The folder a new demo is built in; ``swapped`` says whether it took the old folder's place."""

    path: Path
    swapped: bool = False


@contextmanager
def replacing(folder: Path, *, keep_a_good_one: bool) -> Iterator[Replacement]:
    """A new, empty folder beside ``folder`` to build in; when the build succeeds it takes ``folder``'s place.

    The old demo stays as it was until the new one is complete, and no
    ssp-coder window may have it open meanwhile. With ``keep_a_good_one``, a
    usable demo that another ssp-coder put there during the build is kept
    and the new one dropped (two first starts at once).
    """
    check_replaceable(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = None
    if (folder / PROJECT_NAME).is_file():
        lock = ProjectLock(folder / PROJECT_NAME)
        if not lock.acquire("ssp-coder demo (rebuilding it)"):
            raise DemoFolderError(f"The demo {folder / PROJECT_NAME} is open in an ssp-coder window "
                                  f"({lock.holder()}). Close it there, then build the demo again.")
    new = Replacement(Path(tempfile.mkdtemp(prefix=f".{folder.name}-new-", dir=folder.parent)))
    try:
        yield new
        if lock is None and keep_a_good_one and reuse_problem(folder) is None:
            return
        if lock is not None and sys.platform == "win32":
            lock.release()   # Windows cannot rename a folder with an open file in it
            lock = None
        _swap_in(new.path, folder)
        new.swapped = True
    finally:
        if lock is not None:
            lock.release()
        if new.path.exists():
            shutil.rmtree(new.path, ignore_errors=True)


def _swap_in(new: Path, folder: Path) -> None:
    """Put the finished folder ``new`` where ``folder`` is; the old one is deleted only afterwards."""
    old: Path | None = None
    if folder.exists():
        if not any(folder.iterdir()):
            folder.rmdir()
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent))
            os.replace(folder, old / folder.name)
    try:
        os.replace(new, folder)
    except OSError:
        if old is not None:   # put the previous demo back rather than leave none
            os.replace(old / folder.name, folder)
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
