"""Build the self-contained ssp-coder folder and its archive: ``python packaging/build.py``.

Produces ``packaging/dist/ssp-coder/`` (run ``ssp-coder`` inside it) and
``packaging/dist/ssp-coder-<version>-<platform>.tar.gz`` (``.zip`` on
Windows). PyInstaller builds into a fresh folder under ``packaging/build/``;
only a complete build replaces the previous one, and the archive is written
under a temporary name and renamed, so an interrupted build never leaves a
half folder or half archive where a coder might pick it up.

Needs PyInstaller (``pip install -e '.[build]'``). Set ``SOURCE_DATE_EPOCH``
to fix the time stamps inside the archive.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec_config as cfg  # noqa: E402

BUILD = cfg.HERE / "build"
DIST = cfg.HERE / "dist"
SPEC = cfg.HERE / "ssp-coder.spec"


def run_pyinstaller(out: Path, work: Path) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        sys.exit("build: PyInstaller is not installed; run: pip install -e '.[build]'")
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(out), "--workpath", str(work), str(SPEC)]
    subprocess.run(cmd, check=True, cwd=cfg.ROOT)
    folder = out / cfg.APP_NAME
    if not (folder / executable_name()).exists():
        sys.exit(f"build: PyInstaller finished but {folder / executable_name()} is missing")
    return folder


def executable_name() -> str:
    return f"{cfg.APP_NAME}.exe" if sys.platform == "win32" else cfg.APP_NAME


def replace_folder(new: Path, target: Path) -> None:
    """Swap the finished build in: the old one is moved aside first, then deleted."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)


def _members(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*"))


def write_archive(folder: Path, archive: Path) -> Path:
    """The folder as ``ssp-coder/...`` in a tar.gz (zip on Windows), entries sorted, written atomically."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    mtime = int(epoch) if epoch else None
    part = archive.with_name(archive.name + ".part")
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in _members(folder):
                name = f"{cfg.APP_NAME}/{path.relative_to(folder).as_posix()}"
                if path.is_file() and not path.is_symlink():
                    info = zipfile.ZipInfo.from_file(path, name)
                    if mtime is not None:
                        info.date_time = time.gmtime(max(mtime, 315532800))[:6]
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with open(path, "rb") as f:
                        zf.writestr(info, f.read())
    else:
        def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if mtime is not None:
                info.mtime = mtime
            return info

        with open(part, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=mtime or 0,
                                                    filename="", compresslevel=6) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(folder, arcname=cfg.APP_NAME, recursive=False, filter=normalise)
            for path in _members(folder):
                tar.add(path, arcname=f"{cfg.APP_NAME}/{path.relative_to(folder).as_posix()}",
                        recursive=False, filter=normalise)
    os.replace(part, archive)
    return archive


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(archive: bool = True) -> tuple[Path, Path | None]:
    version = cfg.project_version()
    BUILD.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    out = BUILD / f"out-{os.getpid()}"
    if out.exists():
        shutil.rmtree(out)
    try:
        built = run_pyinstaller(out, BUILD / "work")
        target = DIST / cfg.APP_NAME
        replace_folder(built, target)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    made = write_archive(target, DIST / cfg.archive_name(version)) if archive else None
    print(f"build: ssp-coder {version} in {time.perf_counter() - started:.0f} s")
    print(f"build: folder  {target}  ({folder_size(target) / 1e6:.0f} MB)")
    if made:
        print(f"build: archive {made}  ({made.stat().st_size / 1e6:.0f} MB)")
    return target, made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-archive", action="store_true", help="build the folder only")
    args = parser.parse_args(argv)
    build(archive=not args.no_archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
