"""Packages for every coder of the demo trial: faithful copies, blinded, and a clean round trip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ssp_coder.demo import build_demo
from ssp_coder.domain.commands import MarkComplete, Reopen, SetCodingNote
from ssp_coder.packages import export_package, import_package, open_package
from ssp_coder.store.project import Project


def _content(state):
    return (sorted((b.episode, b.onset_ms, b.offset_ms, b.flag, b.reason) for b in state.boundaries.values()),
            sorted((e.code, e.kind, e.onset_ms, e.offset_ms, e.subject, e.note) for e in state.events),
            sorted(state.scales.items()), sorted((m.group, m.time_ms, m.sub_item, m.note) for m in state.d_indices),
            state.result, state.coding.status, state.coding.purpose)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), participants=4, episode_seconds=0.2).project_path


def test_each_coders_package_is_a_faithful_blinded_copy(demo: Path, tmp_path: Path) -> None:
    with Project.open(demo, backups=False) as project:
        # The demo's arms and timepoints ("ABC", "pre") are ordinary words that occur in the scheme's text
        # and by chance in video bytes; the distinctive-string leak test covers them. Here: ids, sites, files.
        identifying = set()
        for p in project.participants():
            identifying |= {p.external_id, p.site or ""}
        for s in project.sessions():
            identifying |= {Path(s.video_path).name, Path(s.video_path).stem}
        identifying = {s for s in identifying if len(s) >= 4}
        coders = [c for c in project.coders() if project.codings(coder_id=int(c.id))]
        assert len(coders) >= 2
        for coder in coders:
            mine = [c for c in project.codings(coder_id=int(coder.id)) if c.purpose != "consensus"]
            if not mine:
                continue
            info = export_package(project, coder.name, with_videos=True, out_path=tmp_path / f"{coder.id}.sspkg")
            expected = sorted(_content(project.coding_state(int(c.id))) for c in mine)
            with open_package(info.path) as opened:
                p = opened.project
                assert [c.name for c in p.coders()] == [coder.name]
                got = sorted(_content(p.coding_state(int(c.id))) for c in p.codings())
                assert got == expected
                assert all(opened.video_for(s) is not None for s in p.sessions())
            with zipfile.ZipFile(info.path) as zf:
                blobs = [info.path.read_bytes()] + [zf.read(n) for n in zf.namelist()]
            leaks = {s for s in identifying for b in blobs if s.encode() in b}
            assert leaks == set(), coder.name


def test_demo_round_trip_reopen_edit_complete(demo: Path, tmp_path: Path) -> None:
    with Project.open(demo, backups=False) as project:
        coder = next(c for c in project.coders() if project.codings(coder_id=int(c.id), purpose="primary"))
        info = export_package(project, coder.name, out_path=tmp_path / "p.sspkg")
        before = {int(c.id): _content(project.coding_state(int(c.id))) for c in project.codings()}
    with open_package(info.path) as opened:
        p = opened.project
        cid = int(p.codings(status="complete")[0].id)
        code = p.session(int(p.coding(cid).session_id)).blinded_code
        p.execute(Reopen(cid, reason="second look"))
        p.execute(SetCodingNote(cid, "re-checked episode 5"))
        p.execute(MarkComplete(cid))
    with Project.open(demo, backups=False) as project:
        report = import_package(project, tmp_path / "p-returned.sspkg")
        assert [m.session_code for m in report.merged] == [code] and not report.conflicts
        target = report.merged[0].coding_id
        after = {int(c.id): _content(project.coding_state(int(c.id))) for c in project.codings()}
        assert project.coding_state(target).result.note == "re-checked episode 5"
        assert project.coding(target).status == "complete"
        assert {k: v for k, v in after.items() if k != target} == {k: v for k, v in before.items() if k != target}
