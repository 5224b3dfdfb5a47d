"""Playback that keeps time: the clock runs at real time x rate, and the decoder keeps up or drops frames.

A coder who plays a 20-minute camcorder file at 8x expects to be at minute
2:40 after 20 seconds, whatever the machine can decode. So the clock is the
truth and the decoder follows it:

- it decodes a little ahead of the clock, and the window shows the newest
  decoded frame the clock has reached (frames that were due together: only
  the newest is shown);
- when it falls behind, it skips the frames no other frame refers to (most
  B-frames) until it has caught up;
- when even that cannot catch up before the clock reaches the next keyframe
  (high rates, long keyframe intervals, a busy machine), it jumps to that
  keyframe, decodes it ahead of the clock and waits for the clock there.

A frame is never shown late by more than :data:`LATE_SECONDS` of real time,
so the time on screen (the shown frame's own timestamp) stays with the clock.
Nothing here decodes: :class:`ssp_coder.media.frameserver.FrameServer`
carries the plan out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

__all__ = ["PlaybackClock", "Move", "Plan", "plan_next", "lead_frames", "late_frames",
           "LATE_SECONDS", "LEAD_SECONDS", "DecodeRate"]

LATE_SECONDS = 0.06    # a frame due longer ago than this (real time) is not shown: newer frames are due
LEAD_SECONDS = 0.15    # how far ahead of the clock (real time) frames are decoded, against hiccups


@dataclass(frozen=True)
class PlaybackClock:
    """Media time = ``start_us`` + real seconds since ``started_at`` x ``rate``."""

    start_us: int          # media time (from the first frame) when the clock started
    started_at: float      # the monotonic clock's reading then, in seconds
    rate: float

    def media_us(self, now: float) -> int:
        return self.start_us + round((now - self.started_at) * self.rate * 1_000_000)

    def real_seconds_until(self, media_us: int, now: float) -> float:
        return (media_us - self.media_us(now)) / (self.rate * 1_000_000)

    def with_rate(self, rate: float, now: float) -> PlaybackClock:
        """The same clock from ``now`` on at another rate (no jump in media time)."""
        return PlaybackClock(self.media_us(now), now, rate)


def lead_frames(fps: float, rate: float) -> int:
    return max(2, math.ceil(LEAD_SECONDS * fps * rate))


def late_frames(fps: float, rate: float) -> int:
    return max(1, math.floor(LATE_SECONDS * fps * rate))


class Move(Enum):
    WAIT = "wait"          # far enough ahead of the clock
    DECODE = "decode"      # decode the next frame (skipping unreferenced frames if ``skip``)
    JUMP = "jump"          # seek to ``keyframe``: catching up by decoding would take longer


@dataclass(frozen=True)
class Plan:
    move: Move
    keyframe: int | None = None
    skip: bool = False


def plan_next(position: int, clock_index: int, next_keyframe: int | None, decoded_fps: float | None,
              fps: float, rate: float) -> Plan:
    """What the playback decoder does next.

    ``position``: the frame it decodes next (the keyframe it must seek to, if it is not on its way);
    ``clock_index``: the frame the clock is at; ``next_keyframe``: the first keyframe after the clock
    (None in the last keyframe interval); ``decoded_fps``: frames it has been getting through per
    second of real time lately (None: not measured yet).
    """
    behind = clock_index - position
    if -behind > lead_frames(fps, rate):
        return Plan(Move.WAIT)
    if behind <= 0:
        return Plan(Move.DECODE)
    if behind <= late_frames(fps, rate) or next_keyframe is None or decoded_fps is None:
        return Plan(Move.DECODE, skip=True)
    clock_fps = fps * rate
    if decoded_fps > clock_fps:
        catch_up = behind / (decoded_fps - clock_fps)        # real seconds until decoding is on time
        keyframe_due = (next_keyframe - clock_index) / clock_fps
        if catch_up < keyframe_due:
            return Plan(Move.DECODE, skip=True)
    return Plan(Move.JUMP, keyframe=next_keyframe)


class DecodeRate:
    """Frames got through per second of real time, smoothed (recent decoding matters most)."""

    def __init__(self, weight: float = 0.2):
        self.weight = weight
        self._seconds_per_frame: float | None = None

    @property
    def fps(self) -> float | None:
        spf = self._seconds_per_frame
        return None if spf is None else 1.0 / max(spf, 1e-6)

    def add(self, frames: int, seconds: float) -> None:
        if frames <= 0 or seconds < 0:
            return
        spf = seconds / frames
        old = self._seconds_per_frame
        self._seconds_per_frame = spf if old is None else old + self.weight * (spf - old)
