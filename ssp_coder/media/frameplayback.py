"""The frame server playing: its worker follows the playback clock (see :mod:`.playback`).

Part of :class:`ssp_coder.media.frameserver.FrameServer` (kept apart to stay readable): the
public ``play`` / ``set_rate`` / ``due_frame`` / ``stop`` and the worker's side of playback. The
worker decodes just ahead of the clock into a short queue; the window takes the newest frame the
clock has reached. Frames come from the cache where they are there already (played or stepped
through before), so a replay after stepping back costs nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .framecache import ServedFrame
from .playback import (
    LATE_SECONDS,
    DecodeRate,
    Move,
    PlaybackClock,
    late_frames,
    lead_frames,
    plan_next,
)

__all__ = ["PlaybackMixin"]


@dataclass
class _Playing:
    start: int                             # the frame shown when play was pressed
    rate: float
    clock: PlaybackClock | None = None     # set once the decoder is at ``start`` (or it is cached)
    next: int = 0                          # the next frame to decode or take from the cache
    queue: deque[ServedFrame] = field(default_factory=deque)   # decoded, not yet due
    ended: bool = False                    # the last frame has been queued
    speed: DecodeRate = field(default_factory=DecodeRate)
    sought_for: int = -1                   # where the frames in memory run out, once the decoder sought there


class PlaybackMixin:
    """Needs the frame server's ``index``, ``cache``, ``_fwd``, ``_cond``, ``_now``, ``_keep`` and friends."""

    _playing: _Playing | None

    # -- playback -------------------------------------------------------------------------------------
    def play(self, start: int, rate: float) -> None:
        """Play from frame ``start`` (the frame on screen, or where a seek while playing goes) at
        ``rate``. The clock starts at that frame's time once the decoder has got there
        (:attr:`clock`); :meth:`due_frame` then says what to show. A request or :meth:`stop` ends
        playback."""
        start = min(max(int(start), 0), self.frame_count - 1)
        with self._cond:
            self._generation += 1
            self._request = None
            self._set_playhead(start)
            self._playing = _Playing(start, float(rate), next=start)
            self._cond.notify_all()

    def set_rate(self, rate: float) -> None:
        with self._cond:
            p = self._playing
            if p is None:
                return
            p.rate = float(rate)
            if p.clock is not None:
                p.clock = p.clock.with_rate(p.rate, self._now())
            self._cond.notify_all()

    @property
    def clock(self) -> PlaybackClock | None:
        p = self._playing
        return p.clock if p is not None else None

    @property
    def caught_up(self) -> bool:
        """Playback has decoded as far ahead of the clock as it goes (or to the end), and rests."""
        with self._cond:
            p = self._playing
            if p is None or p.clock is None:
                return False
            return p.ended or p.next > self._clock_index(p) + lead_frames(self.index.fps, p.rate)

    @property
    def play_ended(self) -> bool:
        """Playback has reached the last frame and shown it."""
        p = self._playing
        return p is not None and p.ended and not p.queue

    def due_frame(self) -> ServedFrame | None:
        """The next frame to show now, or None if there is nothing new to show.

        Normally the one frame the clock has just reached. When several fell due together (the
        window was busy for a moment), the oldest is shown if the next can still follow it on time
        (one per call: a short hiccup drops nothing); older ones are dropped when keeping them
        would leave the picture more than half of :data:`LATE_SECONDS` behind the clock.
        """
        with self._cond:
            p = self._playing
            if p is None or p.clock is None:
                return None
            now_us = p.clock.media_us(self._now())
            slack_us = LATE_SECONDS / 2 * p.clock.rate * 1_000_000
            due = None
            while p.queue and p.queue[0].time_us <= now_us:
                due = p.queue.popleft()
                if not p.queue or p.queue[0].time_us > now_us or now_us - p.queue[0].time_us <= slack_us:
                    break
            if due is not None:
                self._cond.notify_all()
            return due

    def stop(self) -> None:
        with self._cond:
            self._playing = None
            self._generation += 1
            self._cond.notify_all()

    # -- playing ---------------------------------------------------------------------------------------
    def _next_keyframe(self, index: int) -> int | None:
        keys = self.index.keyframes
        k = int(np.searchsorted(keys, index, side="right"))
        return int(keys[k]) if k < len(keys) else None

    def _clock_index(self, p: _Playing) -> int:
        return self.index.index_at_us(p.clock.media_us(self._now()))

    def _play_wait(self, p: _Playing, until: int | None) -> None:
        """Rest until the clock nears frame ``until`` (or a little while), unless something changes."""
        with self._cond:
            if self._playing is not p or self._request is not None:
                return
            wait = 0.05
            if until is not None and p.clock is not None:
                t = p.clock.real_seconds_until(self.index.time_us(min(until, self.frame_count - 1)), self._now())
                wait = min(max(t, 0.001), 0.05)
            self._cond.wait(wait)

    def _advance(self, p: _Playing, index: int, frame: ServedFrame | None) -> None:
        """Frame ``index`` is done with (queued to be shown, or dropped): in one step, so that no one
        sees the decoder past a frame that is not in the queue yet."""
        with self._cond:
            if self._playing is p:
                if frame is not None:
                    p.queue.append(frame)
                p.next = index + 1

    def _play_start(self, p: _Playing) -> None:
        """Start the clock: at once when the first frame to play is in memory (the frame on screen),
        else once the decoder has got to it (a keyframe interval's decode at most)."""
        n = p.next
        if n in self.cache:
            # The decoder gets to where the frames in memory run out while they play (see
            # _play_work); waiting for it here froze the picture for a keyframe interval's decode.
            with self._cond:
                if self._playing is p:
                    p.clock = PlaybackClock(self.index.time_us(p.start), self._now(), p.rate)
            return
        dec = self._fwd
        if n < self.frame_count:
            key = self.index.keyframe_at_or_before(n)
            if not (key <= dec.position <= n) or dec.at_end or (dec.skipping and dec.skip_target > n):
                dec.seek(key)
                if n - key > 16 and not dec.interlaced_seen:
                    dec.skip_until(n - 8)
            while dec.position < n and not dec.at_end:
                if self._playing is not p:
                    return                 # stopped meanwhile
                if dec.read() is None:
                    break
        with self._cond:
            if self._playing is p:
                p.clock = PlaybackClock(self.index.time_us(p.start), self._now(), p.rate)

    def _position_ahead(self, p: _Playing, n: int) -> bool:
        """While frames in memory are queued ahead of the clock: one step of getting the decoder to
        where they run out (so it decodes on from there in time). False when there is nothing to do."""
        end = self._run_end(n)
        if end is None or end == self._no_ahead:
            return False
        sought = not self._on_its_way(self._fwd, end) and not self._on_its_way(self._back, end)
        if sought and p.sought_for == end:
            self._no_ahead = end           # sought there once and did not get there: decode on at the end
            return False
        if sought:
            p.sought_for = end
        dec, t0 = self._fwd, self._now()
        before = dec.position
        if not self._toward(end):
            return False
        if self._fwd is dec and dec.position > before:
            p.speed.add(dec.position - before, self._now() - t0)
        return True

    def _play_work(self, p: _Playing) -> None:
        if p.clock is None:
            self._play_start(p)
            return
        fps, rate = self.index.fps, p.rate
        clock_index = self._clock_index(p)
        self._set_playhead(clock_index)    # what the cache keeps is centred on the clock
        n = p.next
        lead, late = lead_frames(fps, rate), late_frames(fps, rate)
        if p.ended or n >= self.frame_count:
            p.ended = True
            self._play_wait(p, None)
            return
        if n > clock_index + lead:
            if n in self.cache and self._position_ahead(p, n):
                return
            self._play_wait(p, n - lead)
            return
        hit = self.cache.get(n)
        if hit is not None:                # played or stepped through before: no decoding
            self._advance(p, n, hit if n >= clock_index - late else None)
            return
        dec = self._fwd
        key = self.index.keyframe_at_or_before(n)
        on_way = not dec.at_end and key <= dec.position <= n
        plan = plan_next(dec.position if on_way else key, clock_index, self._next_keyframe(clock_index),
                         p.speed.fps, fps, rate)
        if plan.move is Move.WAIT:
            self._play_wait(p, n - lead)
            return
        if plan.move is Move.JUMP:
            dec.seek(plan.keyframe)
            p.next = plan.keyframe
            return
        if not on_way:
            dec.seek(key)
        if plan.skip and not dec.interlaced_seen:
            dec.skip_until(max(n, clock_index - late))   # the frames late but still shown are decoded in full
        before, t0 = dec.position, self._now()
        d = dec.read()
        if d is None:
            p.ended = True
            return
        p.speed.add(d.index + 1 - before, self._now() - t0)
        if d.index < n:
            return                         # on the way to the frame wanted
        if d.index < self._clock_index(p) - late:
            self._advance(p, d.index, None)      # too late to be shown: not even scaled
            return
        self._advance(p, d.index, self._keep(d))
