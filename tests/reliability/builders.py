"""Hand-built projects for reliability tests: sessions, coders and complete codings from a few values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssp_coder.domain.commands import (
    AddCoder, AddDIndex, AddEvent, CreateCoding, MarkComplete, SetBoundary, SetClassification, SetDRating, SetScale,
)
from ssp_coder.store.project import Project

EPISODE_MS = 180_000


def new_project(tmp_path: Path, coders: dict[str, str] | None = None, name: str = "trial") -> Project:
    project = Project.create(tmp_path / f"{name}.sspc", backups=False)
    coders = coders or {"Ann": "coder", "Bob": "coder", "Cem": "coder", "Dee": "coordinator", "Tina": "trainer"}
    project.execute_many([AddCoder(name=n, role=r) for n, r in coders.items()])
    return project


def add_sessions(project: Project, specs: list[tuple[str, str, str, str]]) -> dict[str, int]:
    """specs: (participant external id, arm, timepoint, blinded code) -> {code: session id}."""
    out = {}
    with project.bulk() as b:
        for ext, arm, tp, code in specs:
            pid = b.participant_by_external_id(ext)
            pid = pid.id if pid else b.add_participant(ext, arm)
            out[code] = b.add_session(int(pid), tp, code, video_path=None, video_sha256=None,
                                      duration_ms=9 * EPISODE_MS, fps=25.0, frame_count=None)
    return out


def fill_commands(cid: int, *, cls: str = "B2", forced: str | None = None, d: float = 1.0, scale: float = 4.0,
                  scales: dict[tuple[str, int, str], float] | None = None, shift_ms: int = 0,
                  events: list[tuple[str, int, int | None]] | None = None,
                  marks: list[tuple[str, int]] | None = None) -> list[Any]:
    cmds: list[Any] = []
    for ep in range(1, 9):
        on = (ep - 1) * EPISODE_MS + (shift_ms if ep > 1 else 0)
        cmds.append(SetBoundary(cid, ep, on, ep * EPISODE_MS + (shift_ms if ep < 8 else 0)))
    values = {(s, e, "m"): scale for s in ("ps", "cm", "rs", "av") for e in (5, 8)}
    values.update(scales or {})
    for (s, e, p), v in values.items():
        cmds.append(SetScale(cid, s, e, p, v))
    cmds.append(SetClassification(cid, cls, forced))
    cmds.append(SetDRating(cid, d))
    for code, on, off in events or []:
        cmds.append(AddEvent(cid, code, on, off))
    for group, t in marks or []:
        cmds.append(AddDIndex(cid, group, t))
    return cmds


def coding(project: Project, session_id: int, coder: str, purpose: str, *, complete: bool = True,
           **values: Any) -> int:
    """Create one coding with the given values (see ``fill_commands``); complete unless told otherwise."""
    applied = project.execute(CreateCoding(session_id=session_id, coder_id=int(project.coder(coder).id),
                                           purpose=purpose))
    cid = int(applied.inverse.coding_id)
    cmds = fill_commands(cid, **values)
    if complete:
        cmds.append(MarkComplete(cid))
    project.execute_many(cmds)
    return cid


def d_coding(cls: str) -> dict[str, Any]:
    """Values for a coding classified ``cls``; D gets a forced secondary and a high D rating."""
    if cls == "D":
        return {"cls": "D", "forced": "B2", "d": 7.0}
    return {"cls": cls, "d": 2.0}
