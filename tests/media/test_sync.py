"""Synchronising two camera views from a clap both recorded."""

from __future__ import annotations

import pytest

from ssp_coder.media import MediaError, make_ssp_video
from ssp_coder.media.sync import SyncError, SyncSettings, find_offset, sound_envelope

from .clapped import make_clapped_view

FRAME_MS = 40       # one frame at 25 fps


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    d = tmp_path_factory.mktemp("views")
    return {
        "main": make_clapped_view(d / "main.mp4", clap_s=3.0),
        # another camera, started 1.2 s earlier: the clap is later on its clock; another mic, level and rate,
        # and a knock near its mic that the main camera did not hear
        "early": make_clapped_view(d / "early.mp4", clap_s=4.2, rate=44100, noise=0.03, gain=0.4, knock_s=6.0),
        # started 2.36 s later: the clap comes earlier on its clock
        "late": make_clapped_view(d / "late.mp4", clap_s=0.64, noise=0.02, gain=0.6),
        "quiet": make_clapped_view(d / "quiet.mp4", clap_s=3.0, gain=0.0),
    }


@pytest.mark.parametrize("name, expected", [("early", 1200), ("late", -2360)])
def test_offset_found_from_a_clap_within_one_frame(views, name, expected):
    result = find_offset(views["main"], views[name])
    assert abs(result.offset_ms - expected) <= FRAME_MS / 2
    assert abs(result.main_ms - 3000) <= FRAME_MS and abs(result.view_ms - (3000 + expected)) <= FRAME_MS


def test_swapping_the_views_negates_the_offset(views):
    there = find_offset(views["main"], views["early"]).offset_ms
    back = find_offset(views["early"], views["main"]).offset_ms
    assert abs(there + back) <= 2


def test_no_shared_sharp_sound_is_said_not_guessed(views):
    with pytest.raises(SyncError, match="Mark the same moment"):
        find_offset(views["main"], views["quiet"])


def test_a_video_without_sound(views, tmp_path):
    silent = tmp_path / "nosound.mp4"
    make_ssp_video(silent, episode_seconds=0.2)           # pictures only
    assert sound_envelope(silent) is None
    with pytest.raises(SyncError, match="no sound track"):
        find_offset(views["main"], silent)
    with pytest.raises(MediaError, match="not found"):
        find_offset(views["main"], tmp_path / "gone.mp4")


def test_search_can_be_limited_to_the_start(views):
    env = sound_envelope(views["main"], SyncSettings(search_ms=2000))
    assert 1900 <= env.duration_ms <= 2200
    with pytest.raises(SyncError):        # the clap at 3 s is outside the first two seconds
        find_offset(views["main"], views["early"], SyncSettings(search_ms=2000))


def test_the_allowed_offset_bounds_the_search(views):
    with pytest.raises(SyncError):
        find_offset(views["main"], views["late"], SyncSettings(max_offset_ms=1000))
