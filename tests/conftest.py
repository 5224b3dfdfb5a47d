"""Shared fixtures: small projects built through the real commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Logs, caches and settings go to a temporary folder, never the developer's home."""
    monkeypatch.setenv("SSP_CODER_LOG_DIR", str(tmp_path_factory.mktemp("logs")))
    monkeypatch.setenv("SSP_CODER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))  # the per-user demo folder


def _frame_servers() -> set:
    import threading

    return {t for t in threading.enumerate() if t.name == "frame-server"}


@pytest.fixture(autouse=True)
def _no_frame_server_outlives_its_test():
    """A frame server left running keeps a decoder thread alive for the rest of the run, and a later
    test that forks (the PostgreSQL fixture) must not inherit a busy interpreter: each test closes its own."""
    import time

    before = _frame_servers()
    yield
    deadline = time.monotonic() + 10
    while (left := _frame_servers() - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"{len(left)} frame server(s) still running after the test: close the player or window"


@pytest.fixture(scope="session")
def tiny_videos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four short, distinct synthetic SSP videos (made once per test run)."""
    from ssp_coder.media import make_ssp_video

    folder = tmp_path_factory.mktemp("videos")
    paths = []
    for i in range(4):
        p = folder / f"clip{i}.mp4"
        make_ssp_video(p, episode_seconds=0.4, seed=100 + i)
        paths.append(p)
    return paths


@pytest.fixture
def project(tmp_path: Path):
    from ssp_coder.store.project import Project

    p = Project.create(tmp_path / "trial.sspc", backups=False)
    yield p
    p.close()


@pytest.fixture
def coded_project(tmp_path: Path, tiny_videos: list[Path]):
    """A project with two participants x pre/post, a coder and a primary coding per session."""
    from ssp_coder.assignments import assign
    from ssp_coder.domain.commands import AddCoder
    from ssp_coder.roster import import_roster
    from ssp_coder.store.project import Project

    roster = tmp_path / "roster.csv"
    roster.write_text("participant_id,timepoint,arm,video\n"
                      + "".join(f"P{i // 2 + 1},{('pre', 'post')[i % 2]},{('ABC', 'DEF')[i // 2]},{v}\n"
                                for i, v in enumerate(tiny_videos)))
    p = Project.create(tmp_path / "coded.sspc", backups=False)
    import_roster(p, roster)
    p.execute(AddCoder("Ann", "coder"))
    p.execute(AddCoder("Bob", "coder"))
    p.execute(AddCoder("Lead", "coordinator"))
    assign(p, ["Ann"], purpose="primary")
    yield p
    p.close()
