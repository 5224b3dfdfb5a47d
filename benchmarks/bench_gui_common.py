"""Shared set-up for the window benchmarks and screenshots: a project with one long, busy coding."""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ssp_coder.domain import commands as cmds  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402


def busy_project(folder: Path, *, events: int = 5000, sessions: int = 1, video: Path | None = None,
                 video_info=None, seed: int = 1) -> Path:
    """A project whose first coding holds ``events`` events over a 24-minute session."""
    from ssp_coder.media import sha256_file

    rng = random.Random(seed)
    duration = video_info.duration_ms if video_info else 24 * 60 * 1000
    fps = video_info.fps if video_info else 25.0
    frames = video_info.frame_count if video_info else int(duration * fps / 1000)
    project = Project.create(folder / "bench.sspc", backups=False)
    with project.bulk(actor="bench") as bw:
        for i in range(sessions):
            pid = bw.add_participant(f"P{i:05d}", "control" if i % 2 else "intervention")
            vp = None
            if i == 0 and video is not None:
                vp = os.path.relpath(video, folder)
            bw.add_session(pid, "pre", f"S{i:05d}", video_path=vp, video_sha256=sha256_file(video) if vp else None,
                           duration_ms=duration, fps=fps, frame_count=frames)
    project.execute(cmds.AddCoder("Ana", "coder"), actor="bench")
    ana = project.coder("Ana")
    ids = [int(s.id) for s in project.sessions()]
    project.execute_many([cmds.CreateCoding(sid, int(ana.id)) for sid in ids], actor="bench")
    cid = int(project.codings()[0].id)
    behaviours = project.scheme.behaviours
    batch = []
    step = duration / 8
    for ep in range(1, 9):
        batch.append(cmds.SetBoundary(cid, ep, int((ep - 1) * step), int(ep * step)))
    for _ in range(events):
        b = rng.choice(behaviours)
        on = rng.randrange(0, duration - 5000)
        off = on + rng.randrange(200, 5000) if b.is_state else None
        batch.append(cmds.AddEvent(cid, b.code, on, off))
    for g in ("I", "III", "V", "VI"):
        batch.append(cmds.AddDIndex(cid, g, rng.randrange(0, duration)))
    project.execute_many(batch, actor="bench")
    project.close()
    return folder / "bench.sspc"


def wait_until(app, cond, timeout: float = 60.0) -> bool:
    """Run the event loop until ``cond()`` is true (True) or ``timeout`` seconds pass (False)."""
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            return False
        app.processEvents()
        time.sleep(0.0005)
    return True


def coding_window(project: Project, settings_file: Path, size: tuple[int, int] = (1366, 768), *,
                  decode_video: bool = False):
    """The coding window as a coder ("Ana") opens it on the project's first coding, shown at ``size``."""
    from PySide6.QtCore import QSettings

    from ssp_coder.gui.app import application, build_window

    app = application()
    win = build_window(project, project.coder("Ana"), QSettings(str(settings_file), QSettings.Format.IniFormat),
                       decode_video=decode_video, ask_relink=False)
    win.resize(*size)
    win.show()
    win.open_first_coding()
    app.processEvents()
    return win


def temp_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="ssp-bench-"))


def percentile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]
