"""Several files of one export, replaced together.

A dataset written as several files (the long and the wide .sav with their
codebook, a folder of CSV tables) must never be left as a mix of an old and
a new export, which a statistician could not tell apart. So every file of
one export is written complete into a temporary folder beside the targets
first; only then are they moved in, one rename each, one right after the
other. If a file cannot be written, nothing is moved and the old set stays
as it was; if moving one fails (a file held open by another program), the
files already moved are put back, so the old set is whole again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

from ssp_coder.atomic import WriteError, fsync_dir, new_file_mode


@contextlib.contextmanager
def staged_files(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield one staging path per target; when the block ends without error, move them all in."""
    targets = [Path(t) for t in targets]
    if not targets:
        yield []
        return
    folder = targets[0].parent if str(targets[0].parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"Cannot write {targets[0]}: the folder {folder} does not exist.")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{targets[0].stem}.export-", dir=folder))
    except OSError as exc:
        raise WriteError(f"Cannot write into {folder} ({exc.strerror}). Choose a folder you can write to; "
                         "nothing was written.") from None
    try:
        staged = [staging / t.name for t in targets]
        yield staged
        missing = [s.name for s in staged if not s.is_file()]
        if missing:  # a writer that wrote nothing is a bug; never move half a set in
            raise RuntimeError(f"export files not written: {', '.join(missing)}")
        _move_in(staging, list(zip(staged, targets)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _keep_old(target: Path, keep: Path) -> bool:
    """A second name for the old file (a hard link, else a copy), so it can be put back."""
    if not target.exists():
        return False
    try:
        os.link(target, keep)
    except OSError:
        shutil.copy2(target, keep)
    return True


def _move_in(staging: Path, pairs: list[tuple[Path, Path]]) -> None:
    old = staging / ".old"
    old.mkdir()
    kept: dict[Path, Path | None] = {}
    for i, (src, target) in enumerate(pairs):
        os.chmod(src, new_file_mode(target))
        with open(src, "rb+") as fh:
            os.fsync(fh.fileno())
        keep = old / f"{i}"
        kept[target] = keep if _keep_old(target, keep) else None
    moved: list[Path] = []
    try:
        for src, target in pairs:
            os.replace(src, target)
            moved.append(target)
    except BaseException as exc:
        for target in reversed(moved):
            with contextlib.suppress(OSError):
                keep = kept[target]
                if keep is not None:
                    os.replace(keep, target)
                else:
                    target.unlink()
        if isinstance(exc, OSError):
            name = getattr(exc, "filename2", None) or getattr(exc, "filename", None) or pairs[len(moved)][1]
            raise WriteError(f"Cannot replace {name} ({exc.strerror}; is it open in another program?). The "
                             "files of the previous export were left as they were; close the file and try "
                             "again.") from None
        raise
    for folder in {t.parent for _, t in pairs}:
        fsync_dir(folder)
