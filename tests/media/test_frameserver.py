"""The frame server on every format labs have: every frame, once, in order, at its own time."""

from __future__ import annotations

import threading

import av
import numpy as np
import pytest

from ssp_coder.media import MediaError, probe_video
from ssp_coder.media import frameindex
from ssp_coder.media.frameindex import load_frame_index
from ssp_coder.media.frameserver import FrameServer, FrameServerSettings

from .formats import combing, read_number

KINDS = ["h264-mp4", "h264-mpegts", "hevc-mp4", "mpeg2-ps-interlaced", "mjpeg-avi", "dv-avi",
         "h264-vfr-mp4", "h264-late-start-mp4"]


@pytest.fixture(params=KINDS)
def sample(request, format_samples):
    if request.param not in format_samples:
        pytest.skip(f"this FFmpeg build has no encoder for {request.param}")
    return format_samples[request.param]


@pytest.fixture
def server_for():
    servers = []

    def make(path, **settings):
        s = FrameServer(path, FrameServerSettings(**settings))
        servers.append(s)
        return s
    yield make
    for s in servers:
        s.close()


def check_frame(frame, sample, index):
    assert frame.index == index
    assert read_number(frame.pixels) == index, "the pixels are another frame's"
    assert abs(frame.time_us / 1000 - sample.times_ms[index]) <= 1


def test_probe_and_index(sample):
    info = probe_video(sample.path)
    assert info.width > 0 and info.height > 0
    assert abs(info.frame_count - sample.frames) <= 1
    index = load_frame_index(sample.path)
    assert index.frame_count == sample.frames
    assert np.allclose(index.times_us / 1000, sample.times_ms, atol=1)
    assert index.keyframes[0] == 0
    if sample.first_pts_ms:
        assert 0 <= round(float(index.start_pts * index.time_base) * 1000) - sample.first_pts_ms <= 200


@pytest.mark.parametrize("cache_mb", [512, 1])
def test_steps_forward_then_back_visit_every_frame_once_in_order(sample, server_for, cache_mb):
    # 1 MB holds a few frames only: stepping back must then decode again, and still be exact.
    server = server_for(sample.path, cache_mb=cache_mb)
    seen = [server.get(i) for i in range(sample.frames)]
    seen += [server.get(i) for i in range(sample.frames - 2, -1, -1)]
    order = list(range(sample.frames)) + list(range(sample.frames - 2, -1, -1))
    assert len(seen) <= 1000
    for frame, i in zip(seen, order):
        check_frame(frame, sample, i)
    assert server.cache.nbytes <= cache_mb * 1024 * 1024


def test_seek_lands_on_the_frame_covering_the_time(sample, server_for):
    server = server_for(sample.path)
    times = sample.times_ms
    rng = np.random.default_rng(7)
    picks = [len(times) - 1, 0, len(times) // 2] + list(rng.integers(0, len(times), 6))
    for i in picks:
        i = int(i)
        end = times[i + 1] if i + 1 < len(times) else times[i] + 40
        for t in (times[i], (times[i] + end) // 2, end - 1):
            want = server.index.index_at_us(t * 1000)
            assert want == i
            check_frame(server.get(want), sample, i)


def test_stand_in_frames_then_the_exact_one(format_samples, server_for):
    sample = format_samples["h264-mp4"]
    server = server_for(sample.path)
    server.get(0)
    got, done = [], threading.Event()

    def on_frame(frame, exact):
        got.append((frame.index, exact))
        if exact:
            done.set()
    assert server.request(90, on_frame, preview=True) is None
    assert done.wait(30)
    assert got[-1] == (90, True)
    assert any(not exact for _, exact in got[:-1]), "a seek shows a nearby frame before the exact one"


def test_interlaced_tape_is_shown_deinterlaced(format_samples, server_for):
    sample = format_samples["mpeg2-ps-interlaced"]
    with av.open(str(sample.path)) as c:
        raw = [f.to_ndarray(format="rgb24") for _, f in zip(range(10), c.decode(video=0))]
        assert all(f.interlaced_frame for _, f in zip(range(3), c.decode(video=0)))
    server = server_for(sample.path)
    shown = [server.get(i) for i in range(10)]
    assert server.interlaced and all(f.interlaced for f in shown)
    raw_comb = np.mean([combing(r) for r in raw])
    shown_comb = np.mean([combing(f.pixels) for f in shown])
    assert raw_comb > 10, "the test file must comb when shown as it is"
    assert shown_comb < raw_comb / 4


def test_progressive_video_is_left_alone(format_samples, server_for):
    server = server_for(format_samples["h264-mp4"].path)
    assert not server.get(3).interlaced and not server.interlaced


def test_index_is_saved_and_reused_until_the_file_changes(tmp_path, monkeypatch, format_samples):
    import shutil
    path = tmp_path / "clip.mp4"
    shutil.copyfile(format_samples["h264-mp4"].path, path)
    first = load_frame_index(path)
    assert list(frameindex.cache_dir().glob("*.npz"))

    def no_build(_p):
        raise AssertionError("the saved index should have been used")
    monkeypatch.setattr(frameindex, "build_frame_index", no_build)
    again = load_frame_index(path)
    assert np.array_equal(first.pts, again.pts) and np.array_equal(first.keyframes, again.keyframes)
    import os
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    with pytest.raises(AssertionError, match="saved index"):
        load_frame_index(path)


def test_damaged_cache_entry_is_rebuilt(tmp_path, format_samples):
    import shutil
    path = tmp_path / "clip.mp4"
    shutil.copyfile(format_samples["h264-mp4"].path, path)
    load_frame_index(path)
    for saved in frameindex.cache_dir().glob("*.npz"):
        saved.write_bytes(b"not an index")
    assert load_frame_index(path).frame_count == 100


def test_video_that_cannot_be_decoded_names_the_file_and_a_conversion(tmp_path, format_samples):
    data = bytearray(format_samples["h264-mp4"].path.read_bytes())
    at = data.find(b"mdat")
    size = int.from_bytes(data[at - 4:at], "big")
    start, end = at + 4 + 64, at - 4 + size        # the pictures, not the container's header boxes
    rng = np.random.default_rng(1)
    data[start:end] = rng.integers(0, 256, end - start, dtype=np.uint8).tobytes()
    path = tmp_path / "damaged.mp4"
    path.write_bytes(bytes(data))
    with pytest.raises(MediaError) as info:
        probe_video(path)
    text = str(info.value)
    assert str(path) in text and "cannot be decoded" in text
    assert f'ffmpeg -i "{path}"' in text and "converted.mp4" in text


def test_barcode_reader_reads_what_was_drawn():
    # A check of the tests' own instrument.
    from .formats import draw
    for n in (0, 1, 5, 99, 1023):
        assert read_number(draw(n, 320, 180)) == n


def test_a_decoder_failure_midway_is_reported_with_the_file_name(format_samples, server_for, monkeypatch):
    from ssp_coder.media import framedecoder

    sample = format_samples["h264-mp4"]
    server = server_for(sample.path)
    server.get(0)
    told, done = [], threading.Event()
    server.on_error = lambda message: (told.append(message), done.set())

    def broken(self):
        raise OSError("Input/output error")
    monkeypatch.setattr(framedecoder.FrameDecoder, "read", broken)
    server.request(90)
    assert done.wait(30)
    assert str(sample.path) in told[0] and "Input/output error" in told[0] and "Convert it" in told[0]
    with pytest.raises(TimeoutError, match="cannot be decoded further"):
        server.get(80, timeout=0.5)


def test_a_decoder_further_on_than_its_position_says_is_not_trusted_for_the_exact_frame(format_samples, server_for,
                                                                                        monkeypatch):
    """Right after a seek a decoder's position is an estimate; where a stream's timestamps are coarse the
    seek lands further on. A request it seems to be on its way to must still get exactly its frame."""
    import time

    from ssp_coder.media.framedecoder import FrameDecoder

    sample = format_samples["h264-mp4"]
    server = server_for(sample.path)
    check_frame(server.get(40), sample, 40)          # the decoder is now past frame 40
    deadline = time.monotonic() + 30
    while server.busy and time.monotonic() < deadline:   # let the prefetch settle
        time.sleep(0.01)
    key = server.index.keyframe_at_or_before(30)
    target = min(key + 2, 39)
    with server._cond:                                 # nothing of that stretch kept: it must be decoded
        server.cache.clear()
        server._unscaled.clear()
    # it claims to be just before the target (as an estimate after a seek can), while its next frame is later
    monkeypatch.setattr(FrameDecoder, "position", property(lambda self: target - 1))
    frame = server.get(target)
    monkeypatch.undo()
    check_frame(frame, sample, target)
