"""The frame server: instant frame steps on long-GOP video, for paused navigation.

A camcorder file has a keyframe every 250 frames or so; a player that seeks
for every step decodes up to 250 frames per key press. The frame server
keeps its decoder where it is instead:

- a step forward decodes the next frame (usually already decoded: the
  worker reads a few frames ahead while the coder looks);
- a step back is served from the frames kept behind the playhead, scaled to
  the display size; while the coder rests (and right after a seek, before
  the frames the seek decoded on its way run out), a second decoder fills in
  the stretch before the playhead, a keyframe interval at a time;
- a seek decodes from the keyframe before the wanted frame; the nearest
  frame already decoded is shown at once, then the keyframe, then the exact
  frame;
- every frame carries the decoded frame's own timestamp: that is the time
  the window shows and an event is logged at;
- playback follows a clock at real time x rate (:mod:`.playback`): the
  worker decodes just ahead of it and drops frames (unreferenced ones first,
  then whole keyframe intervals) when it cannot keep up; the window shows
  the newest frame the clock has reached. On pause the decoder is already
  where the coder stopped, and the frames just played are there to step back
  through. Play on a frame in memory (the frame on screen) starts the clock
  at once: the decoder gets to where the frames in memory run out while they
  play, and while the coder rests after going back to such a frame.

Decoding happens on one worker thread that owns both decoders; requests
from the window supersede each other (a held arrow key only decodes what it
must). Callbacks run on the worker thread; the GUI forwards them to its own.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .framecache import DEFAULT_CACHE_MB, FrameCache, ServedFrame
from .framedecoder import MAX_SEEK_ATTEMPTS, DecodedFrame, FrameDecoder, display_size
from .frameindex import FrameIndex, load_frame_index
from .frameplayback import PlaybackMixin, _Playing

__all__ = ["FrameServer", "FrameServerSettings", "ServedFrame", "FrameCallback"]

_PIXELS = "bgra" if sys.byteorder == "little" else "argb"   # a 0xffRRGGBB word in memory order

# callback(frame, exact): exact is False for the stand-in frames shown while a seek decodes.
FrameCallback = Callable[[ServedFrame, bool], None]


@dataclass(frozen=True)
class FrameServerSettings:
    cache_mb: int = DEFAULT_CACHE_MB       # memory for decoded frames
    behind_seconds: float = 10.0           # stretch before the playhead prefetched while the coder rests
    near_frames: int = 50                  # of which these, just before the playhead, come first
    ahead_frames: int = 8                  # frames decoded ahead of the playhead
    keep_on_seek: int = 25                 # frames before a seek target kept while decoding up to it
    # Decoder threads; 0 = FFmpeg's own choice, one per core plus one (frame threading keeps the
    # cores busy while a frame waits for the one it refers to): seeks scale with the machine.
    threads: int = 0
    display: tuple[int, int] = (960, 540)  # frames are kept at (at most) this size


@dataclass
class _Request:
    index: int
    callback: FrameCallback | None
    preview: bool
    generation: int


class FrameServer(PlaybackMixin):
    def __init__(self, path: str | os.PathLike[str], settings: FrameServerSettings | None = None, *,
                 index: FrameIndex | None = None, now: Callable[[], float] = time.monotonic):
        self.path = os.fspath(path)
        self.settings = settings or FrameServerSettings()
        self.index = index or load_frame_index(self.path)
        self.cache = FrameCache(self.settings.cache_mb * 1024 * 1024)
        self._cond = threading.Condition()
        self._request: _Request | None = None
        self._generation = 0
        self._closed = False
        self._busy = False
        self._fwd = FrameDecoder(self.path, self.index, self.settings.threads)
        self._back: FrameDecoder | None = None
        self._unreachable: set[int] = set()
        self._no_ahead = -1                # a frame after the playhead the decoder could not get to
        # The first frame the backward prefetch keeps on its current pass: a step that goes on with that
        # decoder keeps those frames too, not only the ones just before its target.
        self._back_keep_from = 0
        # Frames decoded on the way to a seek's target, not scaled yet: a step back to one of them
        # scales just that one; the rest are scaled while the coder rests (nearest first).
        self._unscaled: dict[int, DecodedFrame] = {}
        self._box = self.settings.display
        self._now = now                    # the playback clock's time source (seconds, monotonic)
        self._playing: _Playing | None = None
        self._size: tuple[int, int] | None = None
        self.playhead = 0
        self.error: str | None = None
        # Told (from the worker thread) when decoding fails for good, e.g. a file damaged midway.
        self.on_error: Callable[[str], None] | None = None
        self._thread = threading.Thread(target=self._run, name="frame-server", daemon=True)
        self._thread.start()

    # -- what the window calls -----------------------------------------------------------------
    @property
    def frame_count(self) -> int:
        return self.index.frame_count

    @property
    def interlaced(self) -> bool:
        return self._fwd.interlaced_seen

    def cached(self, index: int) -> ServedFrame | None:
        return self.cache.get(index)

    def request(self, index: int, callback: FrameCallback | None = None, *,
                preview: bool = False) -> ServedFrame | None:
        """Ask for frame ``index`` (clamped); it becomes the playhead.

        Returns the frame at once if it is cached (the callback is not called then); otherwise the
        worker calls ``callback(frame, True)`` when it is decoded, and with ``preview`` first
        ``callback(stand_in, False)`` with the nearest frame it has. A newer request cancels this one.
        """
        index = min(max(int(index), 0), self.frame_count - 1)
        hit = self.cache.get(index)
        with self._cond:
            self._playing = None
            self._generation += 1
            self._set_playhead(index)
            self._request = None if hit is not None else _Request(index, callback, preview, self._generation)
            self._cond.notify_all()
        return hit

    def get(self, index: int, timeout: float = 60.0) -> ServedFrame:
        """Frame ``index``, waiting for it (for scripts and tests)."""
        got: list[ServedFrame] = []
        done = threading.Event()

        def on_frame(frame: ServedFrame, exact: bool) -> None:
            if exact:
                got.append(frame)
                done.set()
        hit = self.request(index, on_frame)
        if hit is not None:
            return hit
        if not done.wait(timeout):
            raise TimeoutError(self.error or f"frame {index} was not decoded within {timeout} s")
        return got[0]

    def needs_decoding(self, index: int) -> bool:
        """Whether showing ``index`` means decoding a stretch (more than a few frames): the window
        shows a busy cursor then."""
        if index in self.cache or index in self._unscaled:
            return False
        pos = self._fwd.position
        return not (pos <= index <= pos + self.settings.ahead_frames)

    def set_display_box(self, width: int, height: int) -> None:
        """The size frames are kept at follows the video widget (within the settings' maximum)."""
        box = (max(16, min(int(width), self.settings.display[0] * 2)),
               max(16, min(int(height), self.settings.display[1] * 2)))
        with self._cond:
            if box == self._box:
                return
            self._box = box
            self._size = None
            self.cache.clear()

    @property
    def busy(self) -> bool:
        return self._busy

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=10)
        self._fwd.close()
        if self._back is not None:
            self._back.close()
        self._unscaled.clear()
        self.cache.clear()

    # -- the worker ----------------------------------------------------------------------------------
    def _set_playhead(self, index: int) -> None:
        self.playhead = index
        self.cache.playhead = index

    def _superseded(self, generation: int) -> bool:
        return self._generation != generation or self._closed

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                req, self._request = self._request, None
                playing = self._playing
                if req is None and playing is None and not self._has_idle_work():
                    self._busy = False
                    self._cond.wait()
                    continue
                self._busy = True
            try:
                if req is not None:
                    self._serve(req)
                elif playing is not None:
                    self._play_work(playing)
                else:
                    self._idle_work()
            except Exception as exc:     # noqa: BLE001 - a decoder error must not kill the worker silently
                self.error = f"{self.path} cannot be decoded further ({exc}). Convert it to MP4 and relink it."
                with self._cond:
                    self._closed = True
                if self.on_error is not None:
                    self.on_error(self.error)
                return

    def _scaled(self, d: DecodedFrame) -> ServedFrame:
        if self._size is None:
            self._size = display_size(d.frame.width, d.frame.height, self._fwd.sample_aspect_ratio, self._box)
        w, h = self._size
        # Straight to 32-bit pixels: swscale's fast path, and what a toolkit paints without converting.
        pixels = d.frame.to_ndarray(width=w, height=h, format=_PIXELS, interpolation="BILINEAR")
        return ServedFrame(d.index, self.index.time_us(d.index), np.ascontiguousarray(pixels), d.interlaced)

    def _keep(self, d: DecodedFrame) -> ServedFrame | None:
        if d.index in self.cache:
            return self.cache.get(d.index)
        served = self._scaled(d)
        self.cache.add(served)
        return served

    def _deliver(self, req: _Request, frame: ServedFrame, exact: bool) -> None:
        if req.callback is not None and not self._superseded(req.generation):
            req.callback(frame, exact)

    def _serve(self, req: _Request) -> None:
        target = req.index
        hit = self.cache.get(target)
        if hit is None and target in self._unscaled:
            hit = self._keep(self._unscaled.pop(target))
        if hit is not None:
            self._deliver(req, hit, True)
            return
        key = self.index.keyframe_at_or_before(target)

        def on_its_way(dec: FrameDecoder | None) -> bool:
            return (dec is not None and not dec.at_end and key - 2 <= dec.position <= target
                    and dec.skip_target <= target)
        # The prefetching decoder may be part-way through the stretch a step back lands in: go on
        # from where it is rather than decode the stretch again from its keyframe.
        dec = self._fwd if on_its_way(self._fwd) or not on_its_way(self._back) else self._back
        sought = not on_its_way(dec)
        if sought:
            if req.preview:
                near = self.cache.nearest(target)
                if near is not None:
                    self._deliver(req, near, False)
            dec.seek(key)
            # Frames well before the target are never shown: skip the unreferenced ones. Interlaced
            # video keeps every frame (the deinterlacer looks at neighbours).
            if target - key > self.settings.keep_on_seek + 8 and not dec.interlaced_seen:
                dec.skip_until(target - self.settings.keep_on_seek - 8)
        first, attempt, prev = sought, 0, None
        trusted = sought                   # a decoder taken over where it was is checked on its first frame
        held: list[DecodedFrame] = []
        hold_from = target - self.settings.keep_on_seek
        # Going on with the backward prefetch, the frames it was to keep are kept (scaled, as it would
        # have): the steps back after this one find them there.
        prefetch_from = self._back_keep_from if dec is self._back and not sought else hold_from
        sized = prefetch_from >= hold_from
        while True:
            d = dec.read()
            if d is None and first and attempt < MAX_SEEK_ATTEMPTS - 1:   # landed at the end: aim further back
                attempt += 1
                dec.seek(key, attempt)
                continue
            if d is None:                      # past the last decodable frame: show the last one there is
                last = self._scaled(prev) if prev is not None else self.cache.nearest(target)
                if last is not None:
                    self._deliver(req, last, True)
                return
            prev = d
            if not trusted:
                trusted = True
                if d.index > target:
                    # It was further on than its position said (a stream whose timestamps are coarse, e.g.
                    # MPEG-2 program streams): the exact frame is behind it, so decode from the keyframe.
                    dec.seek(key)
                    first, held, prefetch_from, sized = True, [], hold_from, True
                    continue
            if first and d.index > key and attempt < MAX_SEEK_ATTEMPTS - 1:   # landed late: aim further back
                attempt += 1
                dec.seek(key, attempt)
                continue
            if d.index >= target:
                self._deliver(req, self._keep(d), True)
                # The frames just before it (for the steps back that usually follow) are scaled later,
                # or at once when a step asks for one: neither the exact frame nor a held key waits.
                self._unscaled = {h.index: h for h in held}
                return
            if not sized:
                # Those are held unscaled too while they fit a quarter of the frame budget (so the target
                # does not wait for their scaling); any before them are scaled on the way.
                hold_from = max(prefetch_from, target - self._hold_count(d))
                sized = True
            if d.index >= hold_from and d.index not in self.cache:
                held.append(d)                 # decoded frames (reference-counted), scaled after the target
            elif d.index >= prefetch_from:
                self._keep(d)
            if first and req.preview:          # the keyframe: a frame near the target, while we decode on
                self._deliver(req, self._scaled(d), False)
            first = False
            if self._superseded(req.generation):
                return

    def _hold_count(self, d: DecodedFrame) -> int:
        """How many decoded frames a step may hold unscaled: a quarter of the frame budget's worth, and at
        least the seek's own ``keep_on_seek``."""
        frame_bytes = max(1, sum(plane.buffer_size for plane in d.frame.planes))
        return max(self.settings.keep_on_seek, self.settings.cache_mb * 1024 * 1024 // 4 // frame_bytes)

    # -- while the coder rests ------------------------------------------------------------------------
    def _behind(self) -> int:
        frame_bytes = (self._size[0] * self._size[1] * 4) if self._size else self._box[0] * self._box[1] * 4
        fit = self.cache.capacity(frame_bytes) - self.settings.ahead_frames - 4
        want = int(round(self.settings.behind_seconds * self.index.fps))
        return max(0, min(want, fit))

    def _missing_behind(self) -> int | None:
        """The nearest frame before the playhead (within the prefetch stretch) not yet decoded."""
        low = max(0, self.playhead - self._behind())
        have = self.cache.indices() | self._unreachable | set(self._unscaled)
        for i in range(self.playhead - 1, low - 1, -1):
            if i not in have:
                return i
        return None

    def _ahead_wanted(self) -> bool:
        pos = self._fwd.position
        return (not self._fwd.at_end and self.playhead < pos <= self.playhead + self.settings.ahead_frames
                and pos < self.frame_count)

    def _run_end(self, start: int) -> int | None:
        """The first frame from ``start`` on that is not in memory, if the frames in memory run out
        within two keyframe intervals (None: they run on further, or to the end of the video)."""
        limit = min(self.frame_count, start + 2 * self.index.longest_gop)
        n = start
        while n < limit and n in self.cache:
            n += 1
        return n if n < limit else None

    def _on_its_way(self, dec: FrameDecoder | None, n: int) -> bool:
        """``dec`` reaches frame ``n`` by reading on (and decodes it in full)."""
        return (dec is not None and not dec.at_end
                and self.index.keyframe_at_or_before(n) <= dec.position <= n
                and not (dec.skipping and dec.skip_target > n))

    def _toward(self, n: int) -> bool:
        """One step of getting the forward decoder to frame ``n`` (a seek, or one frame read), so that
        playing or stepping on from the frames in memory before it decodes no keyframe interval.
        False when it is there already."""
        dec = self._fwd
        if self._on_its_way(dec, n):
            if dec.position == n:
                return False
            dec.read()                       # a frame in memory already, or one before the playhead
            return True
        if self._on_its_way(self._back, n):  # the prefetch has just decoded up to the playhead
            self._fwd, self._back = self._back, dec
            return True
        key = self.index.keyframe_at_or_before(n)
        for attempt in range(MAX_SEEK_ATTEMPTS):
            dec.seek(key, attempt)
            if n - key > 16 and not dec.interlaced_seen:
                dec.skip_until(n - 8)        # only what the frames from n on refer to
            # The keyframe is read at once: a container that lands late (MPEG-TS) is caught here, not
            # by a step that trusts the decoder to be on its way.
            d = dec.read()
            if d is None or d.index <= key:
                break
        return True

    def _ahead_gap(self) -> int | None:
        """Where the frames in memory after the playhead run out, if the forward decoder is not there
        (only on a frame in memory: a frame still being decoded leaves the decoder just after it)."""
        if self.playhead not in self.cache:
            return None
        n = self._run_end(self.playhead + 1)
        if n is None or n == self._no_ahead or (not self._fwd.at_end and self._fwd.position == n):
            return None
        return n

    def _has_idle_work(self) -> bool:
        return (bool(self._unscaled) or self._ahead_wanted() or self._missing_behind() is not None
                or self._ahead_gap() is not None)

    def _go_ahead(self, generation: int) -> None:
        """Get the forward decoder to where the frames in memory after the playhead run out."""
        ahead, seeks = self._ahead_gap(), 0
        while ahead is not None and not self._superseded(generation):
            sought = not self._on_its_way(self._fwd, ahead) and not self._on_its_way(self._back, ahead)
            if sought and seeks:
                self._no_ahead = ahead         # the decoder does not return that frame (a damaged end)
                return
            seeks += sought
            if not self._toward(ahead):
                return
            ahead = self._ahead_gap()

    def _idle_work(self) -> None:
        generation = self._generation
        if self._ahead_wanted():
            d = self._fwd.read()
            if d is not None:
                self._keep(d)
            return
        ahead = self._ahead_gap()
        if ahead is not None and ahead <= self.playhead + self.settings.ahead_frames + 1:
            # Back on a frame in memory with none (or only a few) after it, the decoder elsewhere: the
            # next step forward, or "play", would decode a keyframe interval. That comes first.
            self._go_ahead(generation)
            return
        gap = self._missing_behind()
        low = max(0, self.playhead - self._behind())
        # The frames just before the playhead first (the coder's next steps back): decode from the
        # keyframe keeping only those; the rest of the stretch comes in a second pass. Frames a seek
        # decoded on its way (not scaled yet) count as there: a step scales one in a few milliseconds,
        # so right after a seek the prefetch starts at once on the stretch before them, and a key
        # held back meets the prefetched frames when the seek's run out.
        held_behind = sum(1 for i in self._unscaled if i < self.playhead)
        near = max(low, self.playhead - self.settings.near_frames - held_behind)
        if self._unscaled and (gap is None or gap < near):
            nearest = min(self._unscaled, key=lambda i: abs(i - self.playhead))
            self._keep(self._unscaled.pop(nearest))
            return
        if gap is None or gap < near:
            # Back at a point stepped or played through before (the frames after it in memory, the
            # decoder elsewhere): once the nearest steps back are there, the decoder goes to where the
            # frames in memory run out, so that "play" starts at once and plays on without a keyframe
            # interval's decode where they end. A keyframe interval at most, yielding to the coder.
            self._go_ahead(generation)
            if gap is None or self._superseded(generation):
                return
        if self._back is None:
            self._back = FrameDecoder(self.path, self.index, self.settings.threads)
        back = self._back
        key = self.index.keyframe_at_or_before(gap)
        keep_from = near if gap >= near else low
        self._back_keep_from = keep_from
        sought = (not (key <= back.position <= gap) or back.at_end
                  or (back.skipping and back.skip_target > max(keep_from, back.position)))
        if sought:
            back.seek(key)
        if sought and keep_from - key > 16 and not back.interlaced_seen:
            back.skip_until(keep_from - 8)     # frames before the stretch kept: only what others refer to
        first, attempt = sought, 0
        # Up to a keyframe interval decoded per call, yielding at once if the coder presses a key.
        while not self._superseded(generation):
            d = back.read()
            if d is None:
                return
            if first and d.index > key and attempt < MAX_SEEK_ATTEMPTS - 1:   # landed late: aim further back
                attempt += 1
                back.seek(key, attempt)
                continue
            if first and d.index > gap:
                self._unreachable.update(range(gap, d.index))   # frames the decoder never returns
                return
            first = False
            if d.index > gap:
                return
            if d.index >= keep_from and d.index not in self.cache:
                self._keep(d)
