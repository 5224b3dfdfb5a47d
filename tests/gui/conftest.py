"""Fixtures for the coding window: a small project with one synthetic video and an assigned coding."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from ssp_coder.domain import commands as cmds  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402

VIDEO_FPS = 25


@pytest.fixture(scope="session")
def ssp_video(tmp_path_factory) -> tuple[Path, object]:
    from ssp_coder.media import make_ssp_video

    folder = tmp_path_factory.mktemp("video")
    path = folder / "session.mp4"
    info = make_ssp_video(path, episode_seconds=1.0, fps=VIDEO_FPS)
    return path, info


@pytest.fixture
def settings(tmp_path, qapp):
    from PySide6.QtCore import QSettings

    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()


def build_project(folder: Path, video: Path, info, *, extra_sessions: int = 0) -> Path:
    """One participant with a pre session (the video), optionally more sessions without video."""
    import shutil

    from ssp_coder.media import sha256_file

    folder.mkdir(parents=True, exist_ok=True)
    local = folder / "videos" / "P001_pre.mp4"
    local.parent.mkdir(exist_ok=True)
    shutil.copyfile(video, local)
    project = Project.create(folder / "trial.sspc", backups=False)
    try:
        with project.bulk(actor="setup") as bw:
            pid = bw.add_participant("P001", "intervention", site="Leiden")
            bw.add_session(pid, "pre", "K7QX", video_path="videos/P001_pre.mp4", video_sha256=sha256_file(local),
                           duration_ms=info.duration_ms, fps=info.fps, frame_count=info.frame_count)
            for i in range(extra_sessions):
                p = bw.add_participant(f"P{i + 2:03d}", "control" if i % 2 else "intervention")
                bw.add_session(p, "post", f"Z{i:04d}", video_path=None, video_sha256=None,
                               duration_ms=info.duration_ms, fps=info.fps, frame_count=info.frame_count)
        project.execute(cmds.AddCoder("Ana", "coder"), actor="setup")
        project.execute(cmds.AddCoder("Cory", "coordinator"), actor="setup")
        ana = project.coder("Ana")
        session = project.session_by_code("K7QX")
        project.execute(cmds.CreateCoding(int(session.id), int(ana.id), "primary"), actor="setup")
        for s in project.sessions()[1:]:
            project.execute(cmds.CreateCoding(int(s.id), int(ana.id), "primary"), actor="setup")
    finally:
        project.close()
    return folder / "trial.sspc"


@pytest.fixture
def project_path(tmp_path, ssp_video) -> Path:
    video, info = ssp_video
    return build_project(tmp_path / "proj", video, info)


@pytest.fixture
def project(project_path):
    p = Project.open(project_path, actor="test", backups=False)
    yield p
    p.close()


@pytest.fixture
def window_factory(qtbot, settings):
    """Build the real window (offscreen) for a coder; video decoding off unless asked for."""
    from ssp_coder.gui.app import application, build_window

    made = []

    def make(project, coder_name="Ana", *, decode_video=False):
        application()
        win = build_window(project, project.coder(coder_name), settings, decode_video=decode_video,
                           ask_relink=False)
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        made.append(win)
        return win

    yield make
    for w in made:
        w.player.unload()
