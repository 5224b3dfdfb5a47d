"""Synthetic SSP videos and their episode plan."""

from __future__ import annotations

import os

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_coder.media import (
    EPISODE_PRESENCE,
    MediaError,
    frame_index_at,
    make_ssp_video,
    probe_video,
    sha256_file,
    ssp_episode_plan,
    video_encoder,
)


def test_default_plan():
    plan = ssp_episode_plan()
    assert [e for e, _, _ in plan] == list(range(1, 9))
    assert plan[0] == (1, 0, 1000)
    assert all(off - on == 2000 for _, on, off in plan[1:])
    assert plan[-1][2] == 15_000


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.2, 200.0, allow_nan=False),
    st.sampled_from([25, 30, 24, 50, 30000 / 1001, 12.5]),
)
def test_plan_tiles_the_video(episode_seconds, fps):
    plan = ssp_episode_plan(episode_seconds, fps)
    assert len(plan) == 8
    assert plan[0][1] == 0
    for (_, _, off), (_, on, _) in zip(plan, plan[1:]):
        assert off == on
    assert all(off > on for _, on, off in plan)
    # every onset is the first millisecond of a frame
    for _, on, _ in plan:
        i = frame_index_at(on, fps)
        assert frame_index_at(on - 1, fps) == i - 1 if on else True


def test_plan_rejects_bad_input():
    with pytest.raises(ValueError):
        ssp_episode_plan(0, 25)
    with pytest.raises(ValueError):
        ssp_episode_plan(2.0, -1)


def test_presence_table():
    assert "stranger" not in EPISODE_PRESENCE[2] and "parent" not in EPISODE_PRESENCE[6]
    assert EPISODE_PRESENCE[4] == ("infant", "stranger")
    assert all("infant" in people for people in EPISODE_PRESENCE.values())


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    out = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        info = make_ssp_video(folder / f"{name}.mp4", episode_seconds=1.0, seed=seed, label="P007 PRE")
        out[name] = (folder / f"{name}.mp4", info)
    return out


def test_returns_probe_of_written_file(videos):
    path, info = videos["a"]
    assert info == probe_video(path)
    assert info.duration_ms == ssp_episode_plan(1.0, 25)[-1][2]
    assert info.frame_count == 187
    assert info.codec == ("h264" if video_encoder() == "libx264" else "mpeg4")


def test_same_seed_same_bytes(videos):
    assert sha256_file(videos["a"][0]) == sha256_file(videos["b"][0])


def test_other_seed_other_video(videos):
    assert sha256_file(videos["a"][0]) != sha256_file(videos["c"][0])


def _frames(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def test_decoded_frames_change_and_match_count(videos):
    path, info = videos["a"]
    frames = _frames(path)
    assert len(frames) == info.frame_count
    assert frames[0].shape == (240, 320, 3)
    # the time code changes on every frame
    assert all(not np.array_equal(a[:16], b[:16]) for a, b in zip(frames, frames[1:]))


def test_parent_absent_in_episode_6(videos):
    path, _ = videos["a"]
    frames = _frames(path)
    plan = ssp_episode_plan(1.0, 25)
    blue = lambda img: int(((img[..., 2] > 150) & (img[..., 0] < 90) & (img[..., 1] < 130)).sum())  # noqa: E731
    mid = lambda ep: frame_index_at((plan[ep - 1][1] + plan[ep - 1][2]) / 2, 25)  # noqa: E731
    assert blue(frames[mid(2)]) > 100  # parent on screen
    assert blue(frames[mid(6)]) < 10  # infant alone


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    make_ssp_video(tmp_path / "v.mp4", episode_seconds=0.4)
    assert sorted(os.listdir(tmp_path)) == ["v.mp4"]


def test_overwrites_existing_file(tmp_path):
    target = tmp_path / "v.mp4"
    target.write_bytes(b"old")
    make_ssp_video(target, episode_seconds=0.4)
    assert probe_video(target).frame_count > 0


def test_other_size_and_rate(tmp_path):
    info = make_ssp_video(tmp_path / "v.mp4", episode_seconds=0.5, fps=30, width=160, height=120)
    assert (info.width, info.height, info.fps) == (160, 120, 30.0)
    assert info.duration_ms == ssp_episode_plan(0.5, 30)[-1][2]


def test_rejects_bad_size_and_folder(tmp_path):
    with pytest.raises(ValueError):
        make_ssp_video(tmp_path / "v.mp4", width=321)
    with pytest.raises(MediaError):
        make_ssp_video(tmp_path / "no such folder" / "v.mp4")
