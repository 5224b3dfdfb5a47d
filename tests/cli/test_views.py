"""``ssp-coder views`` and ``ssp-coder sync-views``: list camera views, find offsets from a clap."""

from __future__ import annotations

import json

import pytest

from ssp_coder.cli import main
from ssp_coder.store.project import Project

from ..media.clapped import make_clapped_view


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def two_camera_project(tmp_path):
    make_clapped_view(tmp_path / "face.mp4", clap_s=2.0, duration_s=5.0)
    make_clapped_view(tmp_path / "room.mp4", clap_s=2.8, duration_s=5.0, noise=0.02, gain=0.5)
    make_clapped_view(tmp_path / "quiet.mp4", clap_s=2.0, duration_s=5.0, gain=0.0)
    make_clapped_view(tmp_path / "solo.mp4", clap_s=1.0, duration_s=5.0, gain=0.5)
    (tmp_path / "roster.csv").write_text("participant_id,timepoint,arm,video,video_2,view_name,view_2_name\n"
                                         "P1,pre,A,face.mp4,room.mp4,face,room\n"
                                         "P2,pre,A,solo.mp4,quiet.mp4,,\n")
    proj = str(tmp_path / "t.sspc")
    assert main(["init", proj]) == 0
    assert main(["import-roster", proj, str(tmp_path / "roster.csv")]) == 0
    return proj


def test_views_are_listed(capsys, two_camera_project):
    capsys.readouterr()
    code, out, _ = run(capsys, "views", two_camera_project)
    assert code == 0 and "view 2 (room): offset +0.000 s" in out and "view 1 (face): main view" in out
    code, out, _ = run(capsys, "views", two_camera_project, "--json")
    rows = json.loads(out)
    assert {(r["view"], r["name"], r["found"]) for r in rows} >= {(1, "face", True), (2, "room", True)}


def test_sync_views_finds_sets_and_reports_what_it_could_not(capsys, two_camera_project):
    capsys.readouterr()
    code, out, _ = run(capsys, "sync-views", two_camera_project, "--dry-run")
    assert code == 0 and "Would set 1 offset(s)" in out and "not found" in out
    with Project.open(two_camera_project, backups=False) as p:
        assert all(v.offset_ms == 0 for s in p.sessions() for v in p.views(int(s.id)))
    code, out, _ = run(capsys, "sync-views", two_camera_project)
    assert code == 0 and "Set 1 offset(s)" in out
    with Project.open(two_camera_project, backups=False) as p:
        face = p.sessions()[0]
        offset = p.views(int(face.id))[1].offset_ms
        assert abs(offset - 800) <= 20
        entry = p.audit_log()[-1]
        assert (entry.command, entry.origin) == ("SetViewOffset", "sync-views")
    code, out, _ = run(capsys, "sync-views", two_camera_project, "--only-unset")
    assert "skipped" in out and "Set 0 offset(s)" in out
