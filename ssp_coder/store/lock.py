"""A lock so that only one program writes a project at a time.

An operating-system lock on a small file beside the project: it disappears
when the holder exits or is killed, so a crash never leaves a stale lock.
The file also says who holds it, for the message the second program shows.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

from ssp_coder.errors import StoreError

if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
    import msvcrt
else:
    import fcntl


class ProjectLock:
    def __init__(self, project_path: Path):
        self.path = Path(str(project_path) + ".lock")
        self._fh: object | None = None

    def acquire(self, holder: str) -> bool:
        """Take the lock; False if another program holds it."""
        try:
            fh = open(self.path, "a+b")
        except OSError as exc:
            raise StoreError(f"Cannot make the lock file {self.path} beside the project ({exc.strerror}). The "
                             "project cannot be changed from here: make its folder writable, or copy the project "
                             "into a folder you can write to. Nothing was changed.") from None
        try:
            if sys.platform == "win32":  # pragma: no cover
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        info = {"holder": holder, "host": socket.gethostname(), "pid": os.getpid()}
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(info).encode())
        fh.flush()
        self._fh = fh
        return True

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return "another program"
        who = info.get("holder") or "someone"
        return f"{who} on {info.get('host', '?')} (process {info.get('pid', '?')})"

    def release(self) -> None:
        fh = self._fh
        if fh is None:
            return
        self._fh = None
        try:
            if sys.platform != "win32":
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)  # type: ignore[attr-defined]
        finally:
            fh.close()  # type: ignore[attr-defined]

    @property
    def held(self) -> bool:
        return self._fh is not None
