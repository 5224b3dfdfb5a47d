"""The sound track's waveform and spectrogram: a known tone burst lands where it was put."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from ssp_coder.media import MediaError, make_ssp_video
from ssp_coder.media.audio import (
    AnalysisCancelled,
    AudioOverview,
    AudioSettings,
    analyse_audio,
    cache_file,
    load_or_analyse,
)
from ssp_coder.media.synth import video_encoder

RATE = 16_000
BURST_MS = (2_300, 2_800)      # a 1 kHz tone from 2.3 s to 2.8 s in 5 s of quiet noise
BURST_HZ = 1_000


def _write_clip(path, *, seconds=5.0, audio=True, audio_start_s=0.0, burst=BURST_MS, burst_hz=BURST_HZ,
                codec="aac", rate=RATE, layout="mono"):
    """A small video (gray frames) with a sound track: low noise and one tone burst."""
    RATE = rate  # noqa: N806 - the sample rate of this clip
    with av.open(str(path), "w") as out:
        v = out.add_stream(video_encoder(), rate=25)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        a = None
        if audio:
            a = out.add_stream(codec, rate=RATE)
            a.layout = layout
        for i in range(int(seconds * 25)):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 90, np.uint8), format="rgb24")
            frame.pts = i
            for packet in v.encode(frame):
                out.mux(packet)
        for packet in v.encode():
            out.mux(packet)
        if a is not None:
            rng = np.random.default_rng(1)
            n = int((seconds - audio_start_s) * RATE)
            samples = (0.002 * rng.standard_normal(n)).astype(np.float32)
            lo, hi = (int((ms / 1000 - audio_start_s) * RATE) for ms in burst)
            t = np.arange(hi - lo) / RATE
            samples[lo:hi] += (0.5 * np.sin(2 * np.pi * burst_hz * t)).astype(np.float32)
            offset = int(audio_start_s * RATE)
            for start in range(0, n, 1024):
                block = samples[start:start + 1024]
                channels = 2 if layout == "stereo" else 1
                fmt = a.codec_context.format.name
                if fmt.startswith("s16"):
                    pcm = np.round(block * 32767).astype(np.int16)
                    data = np.repeat(pcm[None, :], channels, 0)
                    data = data.T.reshape(1, -1) if fmt == "s16" else data
                else:
                    data = np.repeat(block[None, :], channels, 0)
                fr = av.AudioFrame.from_ndarray(data, format=fmt, layout=layout)
                fr.sample_rate = RATE
                fr.pts = offset + start
                fr.time_base = Fraction(1, RATE)
                for packet in a.encode(fr):
                    out.mux(packet)
            for packet in a.encode():
                out.mux(packet)
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return _write_clip(tmp_path_factory.mktemp("audio") / "burst.mp4")


def _loud_columns(ov: AudioOverview, hz: float) -> np.ndarray:
    row = int(round(hz / ov.bin_hz(1)))
    band = ov.spectrogram[:, row].astype(int)
    return np.flatnonzero(band >= band.max() - 12)


def test_tone_burst_lies_where_it_was_put_to_within_one_window(clip):
    s = AudioSettings()
    ov = analyse_audio(clip, s)
    assert ov.has_audio and ov.max_hz == 4000 and ov.hop_ms == 10
    cols = _loud_columns(ov, BURST_HZ)
    onset = ov.start_ms + cols.min() * ov.hop_ms
    end = ov.start_ms + (cols.max() + 1) * ov.hop_ms
    assert abs(onset - BURST_MS[0]) <= s.window_ms
    assert abs(end - BURST_MS[1]) <= s.window_ms
    # and at 1 kHz, not elsewhere: the loudest row inside the burst is the tone's
    mid = ov.slice_at(sum(BURST_MS) / 2)
    assert abs(ov.bin_hz(int(np.argmax(ov.spectrogram[mid]))) - BURST_HZ) <= ov.bin_hz(1)


def test_waveform_envelope_follows_the_burst(clip):
    ov = analyse_audio(clip)
    amp = (ov.peaks[:, 1].astype(int) - ov.peaks[:, 0].astype(int)) / 65535
    inside = amp[ov.slice_at(2_400):ov.slice_at(2_700)]
    outside = amp[ov.slice_at(500):ov.slice_at(2_000)]
    assert inside.min() > 0.45 and outside.max() < 0.05   # a 0.5 sine spans half the range
    assert abs(ov.duration_ms - 5_000) <= 100


def test_sound_that_starts_late_is_placed_on_the_video_clock(tmp_path):
    path = _write_clip(tmp_path / "late.mp4", audio_start_s=1.0)
    ov = analyse_audio(path)
    # AAC puts one priming frame (1,024 samples, 64 ms here) before the first real sample
    assert 1_000 - 70 <= ov.start_ms <= 1_000
    cols = _loud_columns(ov, BURST_HZ)
    assert abs(ov.start_ms + cols.min() * ov.hop_ms - BURST_MS[0]) <= AudioSettings().window_ms


def test_a_video_without_sound_says_so(tmp_path):
    path = _write_clip(tmp_path / "mute.mp4", audio=False)
    ov = analyse_audio(path)
    assert not ov.has_audio and ov.peaks.shape == (0, 2) and ov.spectrogram.shape[0] == 0


def test_other_band_and_resolution_are_settings(clip):
    ov = analyse_audio(clip, AudioSettings(max_hz=2000, hop_ms=20, window_ms=64))
    assert ov.max_hz == 2000 and ov.hop_ms == 20
    assert ov.spectrogram.shape[1] == 64 * 2000 // 1000 + 1      # rows 1000/64 Hz apart up to 2 kHz
    assert abs(ov.bin_hz(ov.spectrogram.shape[1] - 1) - 2000) < 1e-9


def test_cache_is_used_on_the_second_open_and_survives_damage(clip, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = load_or_analyse(clip, cache)
    target = cache_file(clip, cache)
    assert target.is_file()
    import ssp_coder.media.audio as audio

    def no_decoding(*a, **k):
        raise AssertionError("decoded again although the cache holds the overview")

    monkeypatch.setattr(audio, "analyse_audio", no_decoding)
    again = load_or_analyse(clip, cache)
    assert np.array_equal(again.spectrogram, first.spectrogram) and np.array_equal(again.peaks, first.peaks)
    assert again.start_ms == first.start_ms
    monkeypatch.undo()
    target.write_bytes(b"not a cache file")
    assert np.array_equal(load_or_analyse(clip, cache).peaks, first.peaks)
    assert AudioOverview.from_bytes(target.read_bytes()).has_audio


def test_progress_is_reported_and_cancel_stops(clip):
    seen: list[float] = []
    analyse_audio(clip, progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(1.0)

    def cancel(_fraction):
        raise AnalysisCancelled

    with pytest.raises(AnalysisCancelled):
        analyse_audio(clip, progress=cancel)


def test_missing_and_unreadable_files_are_clear_errors(tmp_path):
    with pytest.raises(MediaError, match="was not found"):
        analyse_audio(tmp_path / "gone.mp4")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(MediaError, match="bad.mp4"):
        analyse_audio(bad)


def test_demo_videos_with_sound_have_their_beeps(tmp_path):
    path = tmp_path / "demo.mp4"
    make_ssp_video(path, episode_seconds=0.5, audio=True)
    ov = analyse_audio(path)
    assert ov.has_audio and ov.peaks[:, 1].max() > 3000


@pytest.mark.parametrize("name, codec, rate, layout", [
    ("dv-like.mov", "pcm_s16le", 48_000, "stereo"),      # interleaved 16-bit stereo, as from digitized tape
    ("phone.mp4", "aac", 44_100, "stereo"),
    ("odd-rate.mp4", "aac", 22_050, "mono"),             # a slice is not a whole number of samples
])
def test_other_sample_formats_and_rates(tmp_path, name, codec, rate, layout):
    path = _write_clip(tmp_path / name, codec=codec, rate=rate, layout=layout)
    ov = analyse_audio(path)
    assert ov.has_audio and abs(ov.duration_ms - 5_000) <= 100
    cols = _loud_columns(ov, BURST_HZ)
    window = AudioSettings().window_ms
    assert abs(ov.start_ms + cols.min() * ov.hop_ms - BURST_MS[0]) <= window
    assert abs(ov.start_ms + (cols.max() + 1) * ov.hop_ms - BURST_MS[1]) <= window
