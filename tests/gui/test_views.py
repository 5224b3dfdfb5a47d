"""Several camera views in the coding window: one clock, layouts kept per coder, offsets set and undone."""

from __future__ import annotations

import math
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDoubleSpinBox, QPushButton

from ssp_coder.domain.model import SessionId
from ssp_coder.domain.views import SessionView
from ssp_coder.gui.views import ViewTile
from ssp_coder.media import make_ssp_video, sha256_file
from ssp_coder.store.project import Project

from .conftest import build_project
from .helpers import open_first, seek

ROOM_FPS = 30


@pytest.fixture(scope="session")
def room_video(tmp_path_factory):
    folder = tmp_path_factory.mktemp("room")
    path = folder / "room.mp4"
    info = make_ssp_video(path, episode_seconds=1.0, fps=ROOM_FPS, seed=7, label="room")
    return path, info


@pytest.fixture
def two_view_path(tmp_path, ssp_video, room_video):
    video, info = ssp_video
    path = build_project(tmp_path / "proj", video, info)
    room, rinfo = room_video
    shutil.copyfile(room, path.parent / "videos" / "P001_pre_room.mp4")
    with Project.open(path, backups=False) as p:
        sid = int(p.session_by_code("K7QX").id)
        with p.bulk(actor="setup") as bw:
            bw.add_view(SessionView(SessionId(sid), 1, "face"))
            bw.add_view(SessionView(SessionId(sid), 2, "room", "videos/P001_pre_room.mp4", sha256_file(room),
                                    rinfo.duration_ms, rinfo.fps, rinfo.frame_count))
    return path


@pytest.fixture
def two_view_project(two_view_path):
    p = Project.open(two_view_path, actor="test", backups=False)
    yield p
    p.close()


def covering_start_ms(view_ms: int, fps: float = ROOM_FPS) -> int:
    """The start (ms, rounded up) of the room camera's frame that covers ``view_ms``."""
    index = math.floor(view_ms * fps / 1000 + 1e-6)
    return math.ceil(index * 1000 / fps - 1e-6)


def follower(win):
    return win.view_set.followers[0]


def wait_follows(qtbot, win, main_ms: int):
    f = follower(win)
    qtbot.waitUntil(lambda: f.shown_ms == covering_start_ms(main_ms + f.offset_ms), timeout=10000)


def test_both_views_are_shown_and_follow_steps_and_seeks(qtbot, window_factory, two_view_project):
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    assert len(win.view_set.followers) == 1
    tiles = win.findChildren(ViewTile)
    assert len(tiles) == 1 and tiles[0].isVisible() and win.video.isVisible()
    assert win.view_set.area.labels == {1: "face", 2: "room"}
    seek(qtbot, win, 2000)
    wait_follows(qtbot, win, 2000)
    for _ in range(5):                                   # steps follow the main view's frames
        with qtbot.waitSignal(win.player.frameChanged, timeout=5000):
            win.player.step(1)
        wait_follows(qtbot, win, win.player.position_ms)
    assert win.player.position_ms == 2200
    with qtbot.waitSignal(win.player.frameChanged, timeout=5000):
        win.player.step(-3)
    wait_follows(qtbot, win, 2080)


def test_play_and_pause_move_every_view(qtbot, window_factory, two_view_project):
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    f = follower(win)
    start = f.shown_ms
    win.player.toggle()
    qtbot.waitUntil(lambda: win.player.position_ms >= 400, timeout=10000)
    win.player.toggle()
    qtbot.waitUntil(lambda: not win.player.is_playing(), timeout=5000)
    wait_follows(qtbot, win, win.player.position_ms)
    assert f.shown_ms > start


def test_offset_set_in_the_dialog_is_previewed_saved_audited_and_undone(qtbot, window_factory, two_view_project):
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    seek(qtbot, win, 3000)
    win.findChild(QAction, "views_sync").trigger()
    dialog = win.view_set.sync_dialog
    assert dialog is not None and dialog.isVisible()
    spin = dialog.findChild(QDoubleSpinBox, "offset_2")
    spin.setValue(-1.25)                                 # the room camera started 1.25 s after the face one
    f = follower(win)
    assert f.offset_ms == -1250
    wait_follows(qtbot, win, 3000)
    assert f.shown_ms == covering_start_ms(1750)
    assert f.view.offset_ms == 0                         # previewed, not saved yet
    dialog.findChild(QPushButton, "apply").click()
    sid = int(two_view_project.session_by_code("K7QX").id)
    assert two_view_project.views(sid)[1].offset_ms == -1250
    entry = two_view_project.audit_log()[-1]
    assert (entry.command, entry.actor) == ("SetViewOffset", "Ana")
    assert "Set view offset" in win.actions_by_id["undo"].text()
    win.controller.undo()
    assert two_view_project.views(sid)[1].offset_ms == 0
    assert f.offset_ms == 0 and spin.value() == 0
    wait_follows(qtbot, win, 3000)
    win.controller.redo()
    assert f.offset_ms == -1250


def test_marking_the_same_moment_in_each_view_sets_the_offset(qtbot, window_factory, two_view_project):
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    seek(qtbot, win, 1000)
    win.view_set.open_sync_dialog()
    dialog = win.view_set.sync_dialog
    dialog.findChild(QPushButton, "mark_main").click()
    assert dialog.main_mark == 1000
    seek(qtbot, win, 1400)                  # every view moves on until the room view shows the clap
    wait_follows(qtbot, win, 1400)
    for _ in range(3):                      # the room view alone, three of its own frames back
        dialog.findChild(QPushButton, "nudge_back_2").click()
    f = follower(win)
    qtbot.waitUntil(lambda: f.shown_ms == covering_start_ms(1400 - 100), timeout=5000)
    dialog.findChild(QPushButton, "mark_2").click()
    assert dialog.rows[0].offset_ms == f.shown_ms - 1000 == 300
    assert "not saved yet" in dialog.rows[0].note.text()
    dialog.reject()                         # closing without applying puts the view back
    assert f.offset_ms == 0 and f.view.offset_ms == 0


def test_a_view_not_filmed_at_this_moment_says_so(qtbot, window_factory, two_view_project):
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    f = follower(win)
    f.set_offset(-2000)
    tile = win.findChildren(ViewTile)[0]
    assert tile.message() == "room starts 00:02.000 later"
    seek(qtbot, win, 2500)
    wait_follows(qtbot, win, win.player.position_ms)
    assert tile.message() is None


def test_layout_is_the_coders_choice_and_kept(qtbot, window_factory, two_view_project, settings):
    win = window_factory(two_view_project)
    open_first(qtbot, win)
    area = win.view_set.area
    assert area.layout_mode == "side"
    assert abs(win.video.width() - win.findChildren(ViewTile)[0].width()) < 10     # equal halves
    win.findChild(QAction, "views_large").trigger()
    assert area.layout_mode == "large"
    qtbot.waitUntil(lambda: win.video.width() > 2 * win.findChildren(ViewTile)[0].width(), timeout=5000)
    tile = win.findChildren(ViewTile)[0]
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)     # the room view large instead
    assert area.large == 2
    qtbot.waitUntil(lambda: win.findChildren(ViewTile)[0].width() > 2 * win.video.width(), timeout=5000)
    win.close()
    again = window_factory(two_view_project)
    open_first(qtbot, again)
    assert (again.view_set.area.layout_mode, again.view_set.area.large) == ("large", 2)
    assert again.view_set.layout_actions["large"].isChecked()
    other = window_factory(two_view_project, "Cory")       # another coder keeps their own
    assert other.view_set.area.layout_mode == "side"


def test_one_camera_sessions_look_as_before(qtbot, window_factory, project):
    win = window_factory(project)
    open_first(qtbot, win)
    assert win.view_set.followers == [] and win.findChildren(ViewTile) == []
    assert not win.view_set.sync_action.isEnabled()


def test_decoded_views_show_the_frame_covering_the_main_time(qtbot, window_factory, two_view_project):
    win = window_factory(two_view_project, decode_video=True)
    open_first(qtbot, win)
    f = follower(win)
    qtbot.waitUntil(lambda: f.source.indexed_frame_count() is not None, timeout=20000)
    f.set_offset(130)
    seek(qtbot, win, 2000)
    qtbot.waitUntil(lambda: win.player.position_ms == 2000, timeout=10000)
    wait_follows(qtbot, win, 2000)
    assert f.shown_index == math.floor(2130 * ROOM_FPS / 1000)
    for _ in range(3):
        with qtbot.waitSignal(win.player.frameChanged, timeout=10000):
            win.player.step(1)
        wait_follows(qtbot, win, win.player.position_ms)
    img = f.source.image()
    assert img is not None and not img.isNull()


def test_a_moved_view_video_is_located_and_checked_by_sha256(qtbot, window_factory, two_view_path, tmp_path,
                                                              monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    moved = tmp_path / "elsewhere" / "camera-b.mp4"
    moved.parent.mkdir()
    (two_view_path.parent / "videos" / "P001_pre_room.mp4").rename(moved)
    wrong = tmp_path / "elsewhere" / "other.mp4"
    shutil.copyfile(two_view_path.parent / "videos" / "P001_pre.mp4", wrong)
    p = Project.open(two_view_path, actor="test", backups=False)
    try:
        win = window_factory(p)
        open_first(qtbot, win)
        tile = win.findChildren(ViewTile)[0]
        assert "video not found" in tile.message() and "Double-click" in tile.message()
        warned = []
        monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(wrong), ""))
        with qtbot.waitSignal(tile.relinkRequested, timeout=5000):
            qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
        assert warned and "SHA-256 differs" in warned[0]
        sid = int(p.session_by_code("K7QX").id)
        assert p.views(sid)[1].video_path == "videos/P001_pre_room.mp4"
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(moved), ""))
        win.view_set.relink(2)
        assert p.views(sid)[1].video_path == str(moved.resolve())
        assert p.audit_log()[-1].command == "RelinkVideo"
        f = follower(win)
        assert f.path == moved and win.findChildren(ViewTile)[0].message() is None
    finally:
        win.view_set.unload()
        p.close()
