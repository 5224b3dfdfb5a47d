"""Coder packages of sessions filmed by several cameras: every view travels, renamed, and relinks by SHA-256."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ssp_coder.domain.commands import SetViewOffset
from ssp_coder.domain.model import SessionId
from ssp_coder.domain.views import SessionView
from ssp_coder.media import make_ssp_video, sha256_file
from ssp_coder.packages import export_package, open_package, read_package

from .conftest import Trial, open_trial


def add_room_view(trial: Trial, code: str, name: str = "VIDLEAKROOM.mp4") -> Path:
    """A second camera for session ``code``, registered as the roster import does."""
    path = trial.folder / name
    info = make_ssp_video(path, episode_seconds=0.2, seed=40)
    with open_trial(trial) as p:
        with p.bulk() as bw:
            bw.add_view(SessionView(SessionId(trial.sessions[code]), 2, "room", name, sha256_file(path),
                                    info.duration_ms, info.fps, info.frame_count))
        p.execute(SetViewOffset(trial.sessions[code], 2, 120))
    return path


def test_every_view_travels_renamed_to_the_blinded_code(trial: Trial, tmp_path: Path) -> None:
    room = add_room_view(trial, "K7Q2")
    with open_trial(trial) as p:
        info = export_package(p, "Ann", with_videos=True, out_path=tmp_path / "ann.sspkg")
    with zipfile.ZipFile(info.path) as zf:
        names = set(zf.namelist())
    assert {"videos/K7Q2.mp4", "videos/K7Q2_view2.mp4"} <= names
    assert not any("VIDLEAK" in n for n in names)
    members = read_package(info.path).view_members
    assert members[("K7Q2", 2)] == "videos/K7Q2_view2.mp4" and members[("K7Q2", 1)] == "videos/K7Q2.mp4"
    assert len(members) == len(info.session_codes) + 1
    opened = open_package(info.path)
    try:
        inside = opened.video_for("K7Q2", view=2)
        assert inside is not None and inside.name == "K7Q2_view2.mp4"
        assert sha256_file(inside) == sha256_file(room)
        sid = int(opened.project.session_by_code("K7Q2").id)
        views = opened.project.views(sid)
        assert [(v.number, v.name, v.offset_ms, v.video_path) for v in views[1:]] == \
            [(2, "room", 120, "videos/K7Q2_view2.mp4")]
        assert opened.missing_videos() == []
    finally:
        opened.close(write_return=False)


def test_views_relink_by_sha256_whatever_their_names(trial: Trial, tmp_path: Path) -> None:
    room = add_room_view(trial, "K7Q2")
    (tmp_path / "out").mkdir()
    with open_trial(trial) as p:
        info = export_package(p, "Ann", with_videos=False, out_path=tmp_path / "out" / "ann.sspkg")
    opened = open_package(info.path)
    try:
        assert "K7Q2 view 2" in opened.missing_videos() and "K7Q2" in opened.missing_videos()
        elsewhere = tmp_path / "usb"
        elsewhere.mkdir()
        shutil.copy(room, elsewhere / "camera-b-0001.mp4")
        shutil.copy(trial.folder / "VIDLEAKXX1.mp4", elsewhere / "camera-a-0001.mp4")
        found = opened.relink(elsewhere)
        assert set(found) == {"K7Q2", "K7Q2 view 2"}
        assert opened.video_for("K7Q2", view=2).name == "camera-b-0001.mp4"
        assert opened.video_for("K7Q2").name == "camera-a-0001.mp4"
    finally:
        opened.close(write_return=False)
    # the relinks are remembered in the work folder
    again = open_package(info.path)
    try:
        assert again.video_for("K7Q2", view=2).name == "camera-b-0001.mp4"
    finally:
        again.close(write_return=False)


def test_a_view_beside_the_package_is_found_by_its_blinded_name(trial: Trial, tmp_path: Path) -> None:
    room = add_room_view(trial, "K7Q2")
    with open_trial(trial) as p:
        info = export_package(p, "Ann", with_videos=False, out_path=tmp_path / "ann.sspkg")
    shutil.copy(room, tmp_path / "K7Q2_view2.mp4")
    opened = open_package(info.path)
    try:
        assert opened.video_for("K7Q2", view=2) == tmp_path / "K7Q2_view2.mp4"
    finally:
        opened.close(write_return=False)


def test_a_missing_view_video_stops_an_export_with_videos(trial: Trial, tmp_path: Path) -> None:
    import pytest

    from ssp_coder.packages import PackageError

    room = add_room_view(trial, "K7Q2")
    room.unlink()
    with open_trial(trial) as p, pytest.raises(PackageError, match="session K7Q2, view 2"):
        export_package(p, "Ann", with_videos=True, out_path=tmp_path / "ann.sspkg")
    assert not (tmp_path / "ann.sspkg").exists()
