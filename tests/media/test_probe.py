"""Probing videos and the frame/time helpers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_coder.media import MediaError, frame_index_at, make_ssp_video, ms_at_frame, probe_video, ssp_episode_plan


@pytest.fixture(scope="module")
def demo_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("probe") / "P001 pre.mp4"
    make_ssp_video(path, episode_seconds=1.0, fps=25, seed=4)
    return path


def test_probe_synthesized_video(demo_video):
    info = probe_video(demo_video)
    plan = ssp_episode_plan(1.0, 25)
    assert info.fps == 25.0
    assert info.frame_count == 12 + 7 * 25  # episode 1 half as long
    assert info.frame_count_exact
    assert info.duration_ms == plan[-1][2] == 7480
    assert (info.width, info.height) == (320, 240)
    assert info.codec in {"h264", "mpeg4"}
    assert info.has_audio is False


def test_probe_accepts_str_path(demo_video):
    assert probe_video(str(demo_video)) == probe_video(demo_video)


def test_probe_reports_audio(tmp_path):
    path = tmp_path / "with sound.mp4"
    info = make_ssp_video(path, episode_seconds=0.5, audio=True)
    assert info.has_audio and probe_video(path).has_audio


def _assert_readable_message(exc: MediaError, path) -> None:
    text = str(exc)
    assert str(path) in text
    assert exc.path == str(path)
    assert "Traceback" not in text


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.mp4"
    with pytest.raises(MediaError) as info:
        probe_video(path)
    _assert_readable_message(info.value, path)
    assert "not found" in str(info.value)


def test_directory(tmp_path):
    with pytest.raises(MediaError) as info:
        probe_video(tmp_path)
    _assert_readable_message(info.value, tmp_path)
    assert "folder" in str(info.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(MediaError) as info:
        probe_video(path)
    _assert_readable_message(info.value, path)
    assert "empty" in str(info.value)
    assert "convert the file to MP4" in str(info.value)


@pytest.mark.parametrize("content", [b"session,arm\nP001,ABC\n" * 50, bytes(range(256)) * 64])
def test_text_or_junk_file(tmp_path, content):
    path = tmp_path / "roster.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaError) as info:
        probe_video(path)
    _assert_readable_message(info.value, path)
    assert "is not a video file that can be read" in str(info.value)
    assert "Check the path in the roster, or convert the file to MP4." in str(info.value)


def test_truncated_video(tmp_path, demo_video):
    path = tmp_path / "cut.mp4"
    path.write_bytes(demo_video.read_bytes()[:2000])
    with pytest.raises(MediaError) as info:
        probe_video(path)
    _assert_readable_message(info.value, path)


def test_media_error_is_an_exception():
    assert issubclass(MediaError, Exception)


# --------------------------------------------------------------------------- #
# frame / time helpers
# --------------------------------------------------------------------------- #
FPS = st.sampled_from([24.0, 25.0, 30.0, 30000 / 1001, 50.0, 60.0, 24000 / 1001, 12.5])


@given(st.integers(0, 10_000_000), FPS)
def test_frame_round_trip(index, fps):
    assert frame_index_at(ms_at_frame(index, fps), fps) == index


@given(st.floats(0, 1e8, allow_nan=False), FPS)
def test_time_lies_inside_its_frame(ms, fps):
    i = frame_index_at(ms, fps)
    assert ms_at_frame(i, fps) <= ms + 1e-6
    assert ms < ms_at_frame(i + 1, fps) + 1e-6


def test_frame_boundaries_at_25_fps():
    assert frame_index_at(0, 25) == 0
    assert frame_index_at(39.999, 25) == 0
    assert frame_index_at(40, 25) == 1
    assert ms_at_frame(3, 25) == 120.0
    assert math.isclose(ms_at_frame(1, 30000 / 1001), 1001 / 30)


@pytest.mark.parametrize("call", [lambda: frame_index_at(-1, 25), lambda: frame_index_at(0, 0), lambda: ms_at_frame(-1, 25)])
def test_helpers_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()
