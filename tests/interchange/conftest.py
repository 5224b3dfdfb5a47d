"""A small trial whose videos carry the names the fixture files use, and helpers to read codings back."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssp_coder.domain import commands as cmds
from ssp_coder.store.project import Project

FIXTURES = Path(__file__).parent / "fixtures"
LAB_MAP = FIXTURES / "lab_map.csv"
DURATION_MS = 1_400_000


def make_trial(path: Path) -> Project:
    """Two participants x pre/post with fixed blinded codes; coders Ann, Bob, Lead (coordinator)."""
    p = Project.create(path, backups=False)
    with p.bulk(origin="test") as w:
        for i in (1, 2):
            pid = w.add_participant(f"P{i}", ("ABC", "DEF")[i - 1])
            for tp in ("pre", "post"):
                w.add_session(pid, tp, f"S{i}{tp[:2].upper()}", video_path=f"videos/p{i}_{tp}.mp4",
                              video_sha256=None, duration_ms=DURATION_MS, fps=25.0, frame_count=None)
    p.execute_many([cmds.AddCoder("Ann"), cmds.AddCoder("Bob"), cmds.AddCoder("Lead", "coordinator")])
    return p


@pytest.fixture
def trial(tmp_path: Path):
    p = make_trial(tmp_path / "trial.sspc")
    yield p
    p.close()


def coding_of(project: Project, session: str, coder: str):
    """(events, boundaries) of a coder's coding of a session: events as (code, onset, offset, note)."""
    sid = int(project.session_by_code(session).id)
    [coding] = project.codings(session_id=sid, coder_id=int(project.coder(coder).id))
    state = project.coding_state(int(coding.id))
    events = sorted((e.code, e.onset_ms, e.offset_ms) for e in state.events)
    bounds = {n: (b.onset_ms, b.offset_ms) for n, b in state.boundaries.items()}
    return events, bounds, coding


def snapshot(project: Project) -> tuple:
    c = project.counts()
    return c["codings"], c["events"], len(project.audit_log())


def back_to_back(start_ms: int, lengths=(30, 180, 180, 180, 180, 180, 180, 180)) -> dict[int, tuple[int, int]]:
    out, t = {}, start_ms
    for n, length in enumerate(lengths, start=1):
        out[n] = (t, t + length * 1000)
        t += length * 1000
    return out
