"""When Qt's platform plugin cannot start, ssp-coder says what to install (exit 2) instead of Qt's abort.

A missing system library is simulated the way a bare machine has it: the dynamic loader is pointed
(LD_LIBRARY_PATH) at a broken libxcb-cursor.so.0, so the xcb plugin cannot load, as without libxcb-cursor0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssp_coder.cli.window_check import requested_platforms, window_problem

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux's")


def _free_display() -> str:
    n = next(n for n in range(79, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    return f":{n}"


@pytest.fixture
def no_cursor_library(tmp_path) -> dict[str, str]:
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libxcb-cursor.so.0").write_bytes(b"")   # found first, and not a library
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env.update(LD_LIBRARY_PATH=str(broken), QT_QPA_PLATFORM="xcb", DISPLAY=_free_display())
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


@linux_only
@pytest.mark.slow
def test_without_libxcb_cursor_qt_aborts_but_ssp_coder_says_what_to_install(no_cursor_library, tmp_path):
    bare_qt = _run(["-c", "from PySide6.QtWidgets import QApplication; QApplication([])"], no_cursor_library,
                   tmp_path)
    assert bare_qt.returncode != 0 and "xcb-cursor" in bare_qt.stderr   # the simulation is what users meet

    res = _run(["-m", "ssp_coder", "gui", str(tmp_path / "t.sspc")], no_cursor_library, tmp_path)
    assert res.returncode == 2, res.stderr
    assert "sudo apt-get install libxcb-cursor0" in res.stderr and "dnf install xcb-util-cursor" in res.stderr
    assert "Aborted" not in res.stderr and "Traceback" not in res.stderr


@linux_only
@pytest.mark.slow
def test_the_demo_prints_its_summary_when_the_window_cannot_open(no_cursor_library, tmp_path):
    from ssp_coder.demo import build_demo

    build_demo(tmp_path / "d", participants=2, episode_seconds=0.3, workers=1)
    res = _run(["-m", "ssp_coder", "demo", "--dir", str(tmp_path / "d")], no_cursor_library, tmp_path)
    assert res.returncode == 0, res.stderr
    assert "libxcb-cursor0" in res.stderr and "summary instead" in res.stderr
    assert "final classifications" in res.stdout


@linux_only
def test_xcb_without_a_display_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    res = _run(["-m", "ssp_coder", "gui"], env, tmp_path)
    assert res.returncode == 2 and "No display is available" in res.stderr and "Traceback" not in res.stderr


@linux_only
def test_a_display_that_does_not_answer_is_named(tmp_path):
    display = _free_display()
    problem = window_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": display}, "linux")
    assert problem and f"no X display answers at DISPLAY='{display}'" in problem


@linux_only
def test_an_unknown_platform_lists_the_available_ones():
    problem = window_problem({"QT_QPA_PLATFORM": "xbc", "DISPLAY": ":0"}, "linux")
    assert problem and "no platform plugin called 'xbc'" in problem and "offscreen" in problem


@linux_only
def test_a_missing_wayland_compositor_is_named(tmp_path):
    env = {"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}
    problem = window_problem(env, "linux")
    assert problem and "no Wayland compositor answers" in problem
    (tmp_path / "wayland-9").touch()
    assert window_problem(env, "linux") is None


def test_offscreen_and_other_systems_need_no_check():
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert window_problem({}, "win32") is None and window_problem({}, "darwin") is None


def test_the_platforms_qt_will_try():
    assert requested_platforms({}) == ["xcb"]
    assert requested_platforms({"XDG_SESSION_TYPE": "wayland"}) == ["wayland", "xcb"]
    assert requested_platforms({"QT_QPA_PLATFORM": "wayland;xcb:dpi=96"}) == ["wayland", "xcb"]


@linux_only
def test_one_usable_platform_of_several_is_enough(tmp_path):
    env = {"QT_QPA_PLATFORM": "wayland;offscreen", "WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert window_problem(env, "linux") is None
