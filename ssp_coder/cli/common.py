"""Helpers shared by the sub-commands."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from ssp_coder.store.pg_conn import is_server_url
from ssp_coder.store.project import Project


def add_project_arg(p: Any) -> None:
    p.add_argument("project", help="project file (*.sspc) or server address (postgresql://HOST/DATABASE)")


def open_project(path: str, *, write: bool = True, actor: str = "ssp-coder") -> Project:
    """A project file, or the project on a server when ``path`` is a postgresql:// URL."""
    where = path if is_server_url(path) else Path(path)
    return Project.open(where, read_only=not write, actor=actor, backups=write)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


class TerminalProgress:
    """A one-line progress bar on stderr (only when stderr is a terminal, or when forced)."""

    def __init__(self, label: str, *, force: bool = False, width: int = 30):
        self.label = label
        self.enabled = force or sys.stderr.isatty()
        self.width = width
        self._last = 0.0

    def __call__(self, done: float, total: float, detail: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        bar = "#" * int(frac * self.width)
        sys.stderr.write(f"\r{self.label} [{bar:<{self.width}}] {frac * 100:5.1f}% {detail[:40]:<40}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
