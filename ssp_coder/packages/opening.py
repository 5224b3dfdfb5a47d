"""Open a coder package for coding, and write the coder's work back into one file to return.

Opening ``NAME.sspkg`` extracts its coding file (and its videos, if it has
any) into the work folder ``NAME.sspkg.work/`` beside it, once. The coder
then codes in that coding file, which is an ordinary project file: every
change is on disk (WAL, synchronous FULL) when the command returns, so a
crash or a kill never loses committed work, and reopening the package
continues where the coder stopped. ``write_return`` (also run on ``close``)
writes ``NAME-returned.sspkg``: one small file, written atomically, that the
coder sends back.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable

from ssp_coder.atomic import atomic_path, atomic_write_text
from ssp_coder.domain.model import Session
from ssp_coder.media.errors import MediaError
from ssp_coder.media.hashing import sha256_file
from ssp_coder.packages.manifest import (
    CODING_NAME, MANIFEST_NAME, PackageError, PackageFile, Progress, add_bytes, add_file, make_manifest,
    read_package, report,
)
from ssp_coder.store.package_sql import compact_copy, file_package_id
from ssp_coder.store.project import Project
from ssp_coder.store.uow import now_iso

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".mts", ".mpg", ".mpeg", ".wmv", ".webm")
RELINKS_NAME = "videos.json"


def work_folder(package_path: Path) -> Path:
    return package_path.with_name(package_path.name + ".work")


def _fallback_folder(package_id: str) -> Path:
    """Used when the package's folder cannot be written (a read-only share or stick)."""
    from platformdirs import user_data_dir
    return Path(user_data_dir("ssp-coder", appauthor=False)) / "packages" / package_id


def returned_path(package: PackageFile) -> Path:
    """Where the coder's work goes: the returned package itself when reopening one, else ``NAME-returned.sspkg``."""
    if package.manifest.get("state") == "returned":
        return package.path
    return package.path.with_name(f"{package.path.stem}-returned{package.path.suffix}")


def _writable_folder(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK)


class OpenedPackage:
    """A package opened for coding: ``project`` is writable and holds only this coder's blinded work."""

    def __init__(self, package: PackageFile, work_dir: Path, project: Project):
        self.package = package
        self.path = package.path
        self.work_dir = work_dir
        self.project = project
        self.coder: str = package.coder
        self.package_id: str = package.package_id
        self._sessions = {s["code"]: s for s in package.issued["sessions"]}
        self._relinks: dict[str, str] = self._load_relinks()
        self._hashes: dict[tuple[str, int, int], str] = {}   # a wrong file next to the package is hashed once

    # -- videos -----------------------------------------------------------------------
    def _load_relinks(self) -> dict[str, str]:
        with contextlib.suppress(OSError, ValueError):
            data = json.loads((self.work_dir / RELINKS_NAME).read_text(encoding="utf-8"))
            if isinstance(data, dict):
                return {str(k): str(v) for k, v in data.items()}
        return {}

    def _remember(self, key: str, path: Path) -> None:
        self._relinks[key] = str(path.resolve())
        atomic_write_text(self.work_dir / RELINKS_NAME, json.dumps(self._relinks, indent=2, sort_keys=True))

    def _view_info(self, code: str, view: int) -> dict | None:
        """The issued entry of a session's view: the session's own for the main view."""
        info = self._sessions.get(code)
        if info is None or view == 1:
            return info
        return next((v for v in info.get("views") or () if isinstance(v, dict) and int(v.get("view", 0)) == view),
                    None)

    def _views(self) -> list[tuple[str, int]]:
        return [(code, v) for code, info in self._sessions.items()
                for v in (1, *(int(x["view"]) for x in info.get("views") or ()))]

    def video_for(self, session: Session | str, *, view: int = 1) -> Path | None:
        """The video to play for a session's view: in the package, next to it, or found earlier by SHA-256.

        Beside the package, the main view is looked for as ``CODE.*`` and view N as ``CODE_viewN.*``.
        """
        code = session if isinstance(session, str) else session.blinded_code
        info = self._view_info(code, view)
        if info is None:
            return None
        if info.get("video"):
            inside = self.work_dir / info["video"]
            if inside.is_file():
                return inside
        key = _relink_key(code, view)
        known = self._relinks.get(key)
        if known and Path(known).is_file():
            return Path(known)
        stem = code if view == 1 else f"{code}_view{view}"
        for candidate in sorted(self.path.parent.glob(f"{glob_escape(stem)}.*")):
            if candidate.suffix.lower() in VIDEO_SUFFIXES and self._matches(candidate, info):
                self._remember(key, candidate)
                return candidate
        return None

    def missing_videos(self) -> list[str]:
        """The sessions (and further views, as "CODE view N") whose video is not found."""
        return [code if view == 1 else f"{code} view {view}" for code, view in self._views()
                if self.video_for(code, view=view) is None]

    def _sha(self, path: Path) -> str:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in self._hashes:
            self._hashes[key] = sha256_file(path)
        return self._hashes[key]

    def _matches(self, path: Path, info: dict) -> bool:
        return not info.get("sha256") or self._sha(path) == info["sha256"]

    def relink(self, folder: str | Path, progress: Progress | None = None) -> dict[str, Path]:
        """Find missing videos in ``folder`` (and below) by SHA-256, whatever their names; remember them."""
        wanted: dict[str, tuple[str, int]] = {}
        for code, view in self._views():
            info = self._view_info(code, view)
            if info and info.get("sha256") and self.video_for(code, view=view) is None:
                wanted[info["sha256"]] = (code, view)
        found: dict[str, Path] = {}
        if not wanted:
            return found
        candidates = [p for p in sorted(Path(folder).rglob("*")) if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES]
        for i, path in enumerate(candidates):
            report(progress, i, len(candidates), path.name)
            try:
                sha = self._sha(path)
            except (MediaError, OSError):  # one unreadable file must not stop the search
                continue
            hit = wanted.pop(sha, None)
            if hit is not None:
                code, view = hit
                self._remember(_relink_key(code, view), path)
                found[code if view == 1 else f"{code} view {view}"] = path
                if not wanted:
                    break
        report(progress, len(candidates), len(candidates), "")
        return found

    # -- returning the work ---------------------------------------------------------------
    def write_return(self, out_path: str | Path | None = None) -> Path:
        """Write the coder's work into one package file to send back (atomic; small: no videos)."""
        if out_path:
            target = Path(out_path)
        else:
            target = returned_path(self.package)
            if not _writable_folder(target.parent):
                target = self.work_dir / target.name
        with tempfile.TemporaryDirectory(prefix="sspkg-") as tmp:
            snapshot = Path(tmp) / CODING_NAME
            compact_copy(self.project.path, snapshot)
            with atomic_path(target) as zpath:
                with zipfile.ZipFile(zpath, "w", allowZip64=True) as zf:
                    sha, size = add_file(zf, CODING_NAME, snapshot, compress=True)
                    files = {CODING_NAME: {"sha256": sha, "size": size}}
                    m = self.package.manifest
                    manifest = make_manifest(m["issued"], m["issued_hmac"], files, state="returned",
                                             written_at=now_iso())
                    add_bytes(zf, MANIFEST_NAME, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
        return target

    def close(self, *, write_return: bool = True) -> Path | None:
        """Close the coding file; by default first write the returned package, so it is always current."""
        out = None
        try:
            if write_return:
                out = self.write_return()
        finally:
            self.project.close()
        return out

    def __enter__(self) -> "OpenedPackage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(write_return=exc[0] is None)


def _relink_key(code: str, view: int) -> str:
    # the main view keeps the first format's key (the plain code), so earlier work folders still find their videos
    return code if view == 1 else f"{code}#view{view}"


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def open_package(path: str | Path, *, video_dirs: Iterable[str | Path] = (), progress: Progress | None = None,
                 work_dir: str | Path | None = None) -> OpenedPackage:
    """Open a package for coding (extracting it on first use); see the module docstring."""
    path = Path(path)
    package = read_package(path, verify_members=False)
    if work_dir:
        work = Path(work_dir)
    elif _writable_folder(path.parent) or work_folder(path).is_dir():
        work = work_folder(path)
    else:
        work = _fallback_folder(package.package_id)
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackageError(f"Cannot make the work folder {work} ({exc.strerror}). Copy the package into a folder "
                           "you can write to (for example your Documents) and open it there.") from None
    coding = work / CODING_NAME
    if coding.exists():
        _check_work_file(coding, package)
    else:
        _extract(package, CODING_NAME, coding)
    videos = package.view_members
    total = sum(int(package.manifest["files"][m]["size"]) for m in videos.values())
    done = 0
    for member in videos.values():
        target = work / member
        size = int(package.manifest["files"][member]["size"])
        if not (target.is_file() and target.stat().st_size == size):
            target.parent.mkdir(parents=True, exist_ok=True)
            _extract(package, member, target, progress, done, total)
        done += size
    if videos:
        report(progress, total, total, "")
    project = Project.open(coding, actor=package.coder)
    try:
        if project.info().get("package_id") != package.package_id:
            raise PackageError(f"{coding} does not belong to the package {path.name}. Move the folder {work} away "
                               "and open the package again.")
        opened = OpenedPackage(package, work, project)
        for folder in video_dirs:
            opened.relink(folder)
    except BaseException:
        project.close()
        raise
    return opened


def _extract(package: PackageFile, member: str, target: Path, progress: Progress | None = None, done: int = 0,
             total: int = 0) -> None:
    part = target.with_name(f".{target.name}.part")
    try:
        package.extract(member, part, progress, done, total)
        with open(part, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


def _check_work_file(coding: Path, package: PackageFile) -> None:
    if file_package_id(coding) != package.package_id:
        raise PackageError(f"The work folder {coding.parent} holds the work of another package. Move it away, or "
                           f"open the package it belongs to; {package.path.name} was not opened.")
