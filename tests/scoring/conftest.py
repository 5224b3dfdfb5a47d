"""A small trial built through the real commands (no videos), and the demo project."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssp_coder.domain import commands as cmds
from ssp_coder.store.project import Project


def fill(project: Project, coding_id: int, *, classification="B3", forced=None, d_rating=1.0, scale=3.0,
         cry=(), complete=True, lengths=(30, 180, 180, 180, 180, 180, 180, 180)) -> None:
    """Boundaries back to back from 10 s, every scale cell, a result; complete unless told."""
    commands: list[cmds.Command] = []
    t = 10_000
    for n, length in enumerate(lengths, start=1):
        commands.append(cmds.SetBoundary(coding_id, n, t, t + length * 1000))
        t += length * 1000
    for sc, ep, pa in project.scheme.scale_cells():
        commands.append(cmds.SetScale(coding_id, sc.id, ep, pa, scale))
    for on, off in cry:
        commands.append(cmds.AddEvent(coding_id, "cry", int(on * 1000), int(off * 1000)))
    commands.append(cmds.SetClassification(coding_id, classification, forced))
    commands.append(cmds.SetDRating(coding_id, d_rating))
    if complete:
        commands.append(cmds.MarkComplete(coding_id))
    project.execute_many(commands)


@pytest.fixture
def trial(tmp_path: Path):
    """Three participants x pre/post; coders Ann, Bob (coders) and Lead (coordinator); no codings yet."""
    p = Project.create(tmp_path / "trial.sspc", backups=False)
    with p.bulk(origin="test") as w:
        for i, arm in enumerate(("ABC", "DEF", "ABC"), start=1):
            pid = w.add_participant(f"P{i}", arm, site="Newark" if i < 3 else "Dover")
            for tp in ("pre", "post"):
                w.add_session(pid, tp, f"S{i}{tp[:2].upper()}", video_path=None, video_sha256=None,
                              duration_ms=None, fps=None, frame_count=None)
    p.execute_many([cmds.AddCoder("Ann"), cmds.AddCoder("Bob"), cmds.AddCoder("Lead", "coordinator")])
    yield p
    p.close()


def new_coding(project: Project, code: str, coder: str, purpose: str) -> int:
    applied = project.execute(cmds.CreateCoding(int(project.session_by_code(code).id),
                                                int(project.coder(coder).id), purpose))
    return int(applied.inverse.coding_id)


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    from ssp_coder.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo")).project_path
