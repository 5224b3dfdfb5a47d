"""Player position logic (simulated frames) and one test that really decodes with QtMultimedia."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssp_coder.gui.player import QtFrameSource, SimulatedFrameSource, VideoPlayer, backend_reads_mp4

ROOT = Path(__file__).resolve().parents[2]


def load(qtbot, source, fps, duration, frames=None):
    player = VideoPlayer()
    with qtbot.waitSignal(player.frameChanged, timeout=10000):
        player.load(source, fps, duration, frames)
    return player


def step(qtbot, player, n):
    with qtbot.waitSignal(player.frameChanged, timeout=10000):
        player.step(n)


@pytest.mark.parametrize("fps", [25.0, 29.97, 30000 / 1001, 50.0, 59.94])
def test_simulated_steps_land_on_each_frame(qtbot, fps):
    player = load(qtbot, SimulatedFrameSource(fps, 10_000), fps, 10_000)
    for i in range(1, 40):
        step(qtbot, player, 1)
        assert player.frame_index == i
        # the time shown (and logged) lies inside the frame, so seeking it shows the same frame again
        assert player.index_at(player.position_ms) == i
    for i in range(38, 30, -1):
        step(qtbot, player, -1)
        assert player.frame_index == i


def test_seek_clamps_and_shows_covering_frame(qtbot):
    player = load(qtbot, SimulatedFrameSource(25, 2000), 25, 2000)
    with qtbot.waitSignal(player.frameChanged):
        player.seek(1019)
    assert (player.frame_index, player.position_ms) == (25, 1000)
    with qtbot.waitSignal(player.frameChanged):
        player.seek(999_999)
    assert player.frame_index == player.frame_count - 1
    step(qtbot, player, 1)
    assert player.frame_index == player.frame_count - 1


def test_rates(qtbot):
    player = load(qtbot, SimulatedFrameSource(25, 2000), 25, 2000)
    player.set_rate(1.0)
    for _ in range(10):
        player.faster()
    assert player.rate == 8.0
    for _ in range(10):
        player.slower()
    assert player.rate == 0.1


@pytest.fixture
def mp4_backend(qapp) -> None:
    """Asked only once the application exists (never at collection: see ``backend_reads_mp4``)."""
    if not backend_reads_mp4():
        pytest.skip("this Qt build has no multimedia backend (FFmpeg) that reads MP4")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_multimedia_is_never_set_up_before_the_application():
    out = _run(["-c", "from ssp_coder.gui.player import backend_reads_mp4\n"
                      "try:\n    backend_reads_mp4()\nexcept RuntimeError as e:\n    print('refused:', e)"])
    assert "refused: create the QApplication" in out.stdout
    assert "requires a QCoreApplication" not in out.stderr


def test_collecting_the_window_tests_leaves_multimedia_alone():
    # A module-level skip condition once asked Qt Multimedia about formats while pytest collected, before any
    # QApplication: Qt then warns and fails to connect its clean-up, and such a run can end in a crash.
    out = _run(["-m", "pytest", "tests/gui", "--collect-only", "-q", "-s", "-p", "no:cacheprovider"])
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "requires a QCoreApplication" not in out.stdout + out.stderr
    assert "invalid nullptr parameter" not in out.stdout + out.stderr


def test_real_decoding_frame_steps(qtbot, ssp_video, mp4_backend):
    path, info = ssp_video
    player = load(qtbot, QtFrameSource(path), info.fps, info.duration_ms, info.frame_count)
    assert player.frame_index == 0
    for i in (1, 2, 3, 4):
        step(qtbot, player, 1)
        assert player.frame_index == i and player.position_ms == i * 40
    step(qtbot, player, -1)
    assert player.frame_index == 3
    with qtbot.waitSignal(player.frameChanged, timeout=10000):
        player.seek(4480)                                    # episode 6 starts on this frame
    assert player.position_ms == 4480
    img = player.source.image()
    assert img is not None and img.width() == info.width
    player.unload()
