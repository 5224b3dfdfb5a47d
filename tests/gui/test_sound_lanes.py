"""The timeline's sound lanes: analysed in the background, drawn where the sound is, hideable per coder."""

from __future__ import annotations

import numpy as np
import pytest

from ssp_coder.media import make_ssp_video
from ssp_coder.media.audio import AudioOverview
from ssp_coder.store.project import Project
from tests.gui.conftest import build_project

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def sound_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("sound") / "beeps.mp4"
    info = make_ssp_video(path, episode_seconds=1.0, fps=25, audio=True)   # a 660 Hz beep at each episode start
    return path, info


@pytest.fixture
def sound_project(tmp_path, sound_video):
    video, info = sound_video
    p = Project.open(build_project(tmp_path / "snd", video, info), actor="test", backups=False)
    yield p
    p.close()


def _overview(n=3000, tone_at=(1000, 1200), hz=1000, max_hz=4000, bins=129) -> AudioOverview:
    """A synthetic 30 s overview: silence with one loud tone between ``tone_at`` slices."""
    peaks = np.zeros((n, 2), np.int16)
    spec = np.zeros((n, bins), np.uint8)
    lo, hi = tone_at
    peaks[lo:hi] = (-20000, 20000)
    spec[lo:hi, int(round(hz / (max_hz / (bins - 1))))] = 255
    return AudioOverview(True, 10, 0, n * 10, max_hz, peaks, spec)


def _lane_pixels(tl, top, h, x):
    img = tl.grab().toImage()
    return [img.pixelColor(x, y) for y in range(top + 1, top + h - 1)]


def test_lanes_draw_the_sound_where_it_is(qtbot):
    from ssp_coder.gui.sound_lanes import SPEC_H, WAVE_H
    from ssp_coder.gui.timeline import Timeline
    from ssp_coder.domain.scheme import load_builtin_scheme

    tl = Timeline(load_builtin_scheme())
    qtbot.addWidget(tl)
    tl.resize(1128, tl.content_height())
    tl.show()
    tl.set_duration(30_000)
    tl.set_sound(_overview())
    top = tl.sound_top()
    inside, outside = int(tl.x_of(11_000)), int(tl.x_of(20_000))
    wave_in = _lane_pixels(tl, top, WAVE_H, inside)
    wave_out = _lane_pixels(tl, top, WAVE_H, outside)
    ink = lambda c: c.green() > 100 and c.red() < 100     # noqa: E731 - the waveform's green
    assert sum(map(ink, wave_in)) > WAVE_H // 2 and sum(map(ink, wave_out)) <= 2
    spec_in = _lane_pixels(tl, top + WAVE_H, SPEC_H, inside)
    spec_out = _lane_pixels(tl, top + WAVE_H, SPEC_H, outside)
    bright = [c.lightness() for c in spec_in]
    assert max(bright) > 200 and max(c.lightness() for c in spec_out) < 40
    # 1 kHz of a 0-4 kHz lane sits a quarter of the way up from its bottom
    row_from_bottom = (SPEC_H - 2 - int(np.argmax(bright))) / (SPEC_H - 2)
    assert 0.15 < row_from_bottom < 0.35


def test_a_short_sound_survives_zooming_out(qtbot):
    """Pyramids keep maxima: a 30 ms click in 25 minutes is still drawn in the whole-file view."""
    from ssp_coder.gui.timeline import Timeline
    from ssp_coder.domain.scheme import load_builtin_scheme
    from ssp_coder.gui.sound_lanes import WAVE_H

    n = 150_000
    tl = Timeline(load_builtin_scheme())
    qtbot.addWidget(tl)
    tl.resize(1128, tl.content_height())
    tl.show()
    tl.set_duration(n * 10)
    tl.set_sound(_overview(n=n, tone_at=(90_000, 90_003)))
    x = int(tl.x_of(900_010))
    hits = [sum(c.green() > 100 and c.red() < 100 for c in _lane_pixels(tl, tl.sound_top(), WAVE_H, xx))
            for xx in (x - 1, x, x + 1)]
    assert max(hits) > WAVE_H // 2


def test_hiding_a_lane_moves_the_behaviour_lanes_and_is_kept_per_coder(qtbot, window_factory, project, settings):
    from ssp_coder.gui.sound_lanes import SPEC_H, WAVE_H

    win = window_factory(project)
    tl = win.timeline
    both = tl.lane_top(0)
    win.sound_actions["spectrogram"].setChecked(False)
    assert tl.lane_top(0) == both - SPEC_H
    win.sound_actions["waveform"].setChecked(False)
    assert tl.lane_top(0) == both - SPEC_H - WAVE_H and tl.sound.height() == 0
    win.close()
    again = window_factory(project)
    assert not again.sound_actions["waveform"].isChecked() and not again.sound_actions["spectrogram"].isChecked()
    assert again.timeline.lane_top(0) == both - SPEC_H - WAVE_H


def test_the_window_analyses_the_sound_in_the_background(qtbot, window_factory, sound_project, sound_video):
    win = window_factory(sound_project, decode_video=True)
    win.open_first_coding()
    qtbot.waitUntil(lambda: win.sound_track.overview is not None, timeout=30_000)
    ov = win.sound_track.overview
    assert ov.has_audio and win.timeline.sound.overview is ov
    # the beeps at the episode starts are in the overview: loud slices near the second episode's start
    from ssp_coder.media import ssp_episode_plan

    start = ssp_episode_plan(1.0, 25)[1][1]
    near = ov.peaks[ov.slice_at(start):ov.slice_at(start + 100), 1]
    assert near.max() > 3000


def test_a_video_without_sound_says_so_in_the_lane(qtbot, window_factory, project):
    win = window_factory(project, decode_video=True)
    win.open_first_coding()
    qtbot.waitUntil(lambda: "no sound" in win.timeline.sound.status, timeout=30_000)
    assert win.timeline.sound.overview is None


def test_without_decoding_the_lanes_say_why(window_factory, project):
    win = window_factory(project)
    win.open_first_coding()
    assert win.timeline.sound.status == "Sound is not read in this mode"
    assert not win.sound_track.is_running()


def test_closing_while_analysing_stops_the_analysis(qtbot, window_factory, sound_project, monkeypatch):
    import threading

    import ssp_coder.gui.sound_track as st

    release = threading.Event()

    def slow(path, cache, settings, progress):
        while not release.wait(0.01):
            progress(0.5)        # raises AnalysisCancelled once the window has moved on
        raise AssertionError("unreachable")

    monkeypatch.setattr(st, "load_or_analyse", slow)
    win = window_factory(sound_project, decode_video=True)
    win.open_first_coding()
    qtbot.waitUntil(win.sound_track.is_running, timeout=5_000)
    thread = win.sound_track._thread
    win.close()
    assert not thread.is_alive()
