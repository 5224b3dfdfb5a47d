"""The package file (``*.sspkg``): a zip with ``manifest.json``, ``coding.sspc`` and optional videos.

The manifest has two parts. ``issued`` is fixed when the coordinator exports
the package (project id, package id, coder, scheme, sessions, codings) and is
signed with an HMAC whose key stays in the project. ``files`` lists every
other member with its size and SHA-256, and ``content_checksum`` is the
SHA-256 over ``issued`` and ``files``: it is recomputed whenever the coder's
work is written back, so any later change to a member is detected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable

from ssp_coder.errors import KnownError

FORMAT = "ssp-coder coder package"
FORMAT_VERSION = 1
PACKAGE_SUFFIX = ".sspkg"
MANIFEST_NAME = "manifest.json"
CODING_NAME = "coding.sspc"
VIDEO_FOLDER = "videos/"
# Fixed member dates: the package says when it was made in the manifest, nowhere else.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+")

Progress = Callable[[int, int, str], Any]


class PackageError(KnownError):
    """A package file that cannot be used (damaged, altered, from another project)."""


class PackageCancelled(KnownError):
    """The user cancelled a long package operation; nothing was written."""

    exit_code = 130


def report(progress: Progress | None, done: int, total: int, detail: str) -> None:
    """Call the progress callback; it cancels by returning False or by raising."""
    if progress is not None and progress(done, total, detail) is False:
        raise PackageCancelled("Cancelled; nothing was written.")


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sign(issued: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, canonical(issued), hashlib.sha256).hexdigest()


def signature_ok(issued: dict[str, Any], signature: str, key: bytes) -> bool:
    return hmac.compare_digest(sign(issued, key), str(signature))


def content_checksum(issued: dict[str, Any], files: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({"issued": issued, "files": files})).hexdigest()


def make_manifest(issued: dict[str, Any], signature: str, files: dict[str, Any], *, state: str,
                  written_at: str) -> dict[str, Any]:
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "state": state, "written_at": written_at,
            "issued": issued, "issued_hmac": signature, "files": files,
            "content_checksum": content_checksum(issued, files)}


def zip_info(name: str, compress: bool) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    zi.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    zi.external_attr = 0o644 << 16
    return zi


def add_file(zf: zipfile.ZipFile, name: str, source: Path, *, compress: bool, progress: Progress | None = None,
             done: int = 0, total: int = 0) -> tuple[str, int]:
    """Copy ``source`` into the zip as ``name``; return (SHA-256, size). Reports progress per chunk."""
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src, zf.open(zip_info(name, compress), "w", force_zip64=True) as dst:
        while True:
            chunk = src.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
            report(progress, done + size, total, name)
    return digest.hexdigest(), size


def add_bytes(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    zf.writestr(zip_info(name, True), data)


@dataclass(frozen=True)
class PackageFile:
    """A verified package file: its manifest, and which members it has."""

    path: Path
    manifest: dict[str, Any]

    @property
    def issued(self) -> dict[str, Any]:
        return self.manifest["issued"]

    @property
    def package_id(self) -> str:
        return str(self.issued["package_id"])

    @property
    def coder(self) -> str:
        return str(self.issued["coder"])

    @property
    def video_members(self) -> dict[str, str]:
        """Blinded code -> member name, for the main views' videos inside the package."""
        out = {}
        for s in self.issued["sessions"]:
            if s.get("video") and s["video"] in self.manifest["files"]:
                out[s["code"]] = s["video"]
        return out

    @property
    def view_members(self) -> dict[tuple[str, int], str]:
        """(blinded code, view number) -> member name, for every camera view's video inside the package."""
        out = {(code, 1): member for code, member in self.video_members.items()}
        for s in self.issued["sessions"]:
            for v in s.get("views") or ():
                if isinstance(v, dict) and v.get("video") in self.manifest["files"]:
                    out[(s["code"], int(v["view"]))] = v["video"]
        return out

    def open_member(self, name: str) -> BinaryIO:
        zf = zipfile.ZipFile(self.path)
        try:
            fh = zf.open(name)
        except BaseException:
            zf.close()
            raise
        return _Member(zf, fh)  # type: ignore[return-value]

    def extract(self, name: str, target: Path, progress: Progress | None = None, done: int = 0,
                total: int = 0) -> int:
        """Copy a member to ``target`` (the caller makes that atomic), checking its SHA-256."""
        expected = self.manifest["files"][name]
        digest = hashlib.sha256()
        size = 0
        with self.open_member(name) as src, open(target, "wb") as dst:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
                report(progress, done + size, total, name)
        if digest.hexdigest() != expected["sha256"]:
            raise PackageError(f"{self.path}: the member {name} does not match its checksum; the package is "
                               "damaged or was altered. Ask the coordinator for a new copy.")
        return size


class _Member:
    def __init__(self, zf: zipfile.ZipFile, fh: BinaryIO):
        self._zf, self._fh = zf, fh

    def read(self, n: int = -1) -> bytes:
        return self._fh.read(n)

    def __enter__(self) -> "_Member":
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()
        self._zf.close()


def read_package(path: str | Path, *, verify_members: bool = True, progress: Progress | None = None) -> PackageFile:
    """Open a package and check it is whole: the manifest, its checksum and (optionally) every member's SHA-256."""
    path = Path(path)
    if not path.is_file():
        raise PackageError(f"There is no package file at {path}.")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"{path} is not an ssp-coder package ({exc}).") from None
    with zf:
        try:
            manifest = json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
        except KeyError:
            raise PackageError(f"{path} is not an ssp-coder package (it has no {MANIFEST_NAME}).") from None
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise PackageError(f"{path}: the package manifest cannot be read ({exc}); the file is damaged.") from None
        _check_manifest_shape(path, manifest)
        files = manifest["files"]
        if content_checksum(manifest["issued"], files) != manifest["content_checksum"]:
            raise PackageError(f"{path}: the manifest does not match its checksum; the package was altered or "
                               "damaged. Nothing was changed.")
        names = {i.filename for i in zf.infolist()} - {MANIFEST_NAME}
        if names != set(files):
            extra = sorted(names - set(files))
            missing = sorted(set(files) - names)
            raise PackageError(f"{path}: the package's contents do not match its manifest (unexpected: "
                               f"{', '.join(extra) or 'none'}; missing: {', '.join(missing) or 'none'}). "
                               "It was altered or damaged; nothing was changed.")
        if CODING_NAME not in files:
            raise PackageError(f"{path} is not a complete ssp-coder package (it has no {CODING_NAME}).")
        if verify_members:
            total = sum(int(f["size"]) for f in files.values())
            done = 0
            for name, meta in sorted(files.items()):
                digest = hashlib.sha256()
                try:
                    with zf.open(name) as fh:
                        while True:
                            chunk = fh.read(CHUNK)
                            if not chunk:
                                break
                            digest.update(chunk)
                            done += len(chunk)
                            report(progress, done, total, f"Checking {name}")
                except (zipfile.BadZipFile, OSError) as exc:
                    raise PackageError(f"{path}: {name} cannot be read ({exc}); the package is damaged.") from None
                if digest.hexdigest() != meta["sha256"]:
                    raise PackageError(f"{path}: {name} does not match its checksum in the manifest; the package "
                                       "was altered or damaged. Nothing was changed.")
    return PackageFile(path, manifest)


def _safe_member(name: str) -> bool:
    """Only the names this program writes: a package must not place files outside its work folder."""
    if name == CODING_NAME:
        return True
    rest = name[len(VIDEO_FOLDER):] if name.startswith(VIDEO_FOLDER) else ""
    return bool(_SAFE_NAME.fullmatch(rest)) and not rest.startswith(".")


def _check_manifest_shape(path: Path, m: Any) -> None:
    ok = (isinstance(m, dict) and m.get("format") == FORMAT and isinstance(m.get("issued"), dict)
          and isinstance(m.get("files"), dict) and isinstance(m.get("content_checksum"), str))
    if not ok:
        raise PackageError(f"{path} is not an ssp-coder coder package (its manifest is not one).")
    version = m.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise PackageError(f"{path}: the package manifest gives format_version {version!r}, which is not a "
                           "format number (1, 2, ...). The file was altered or damaged; ask for a new copy. "
                           "Nothing was changed.")
    if version > FORMAT_VERSION:
        raise PackageError(f"{path} was made by a newer version of ssp-coder (package format {version}, this "
                           f"program reads up to {FORMAT_VERSION}); update ssp-coder to open it. Nothing was changed.")
    issued = m["issued"]
    for key in ("project_id", "package_id", "coder", "sessions", "codings"):
        if key not in issued:
            raise PackageError(f"{path}: the package manifest lacks {key!r}; the file is damaged.")
    for name, meta in m["files"].items():
        if not (isinstance(meta, dict) and isinstance(meta.get("sha256"), str) and isinstance(meta.get("size"), int)):
            raise PackageError(f"{path}: the manifest entry for {name} is damaged.")
        if not _safe_member(name):
            raise PackageError(f"{path}: the package holds a member with an unsafe name ({name}).")
