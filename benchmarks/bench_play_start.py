"""How long "play" takes to start on long-GOP camcorder footage: after a replay, from cold, at 1x-8x.

    python benchmarks/bench_play_start.py [VIDEO] [--start-seconds 27.2]

A coder plays a stretch at 2x, pauses, goes back to where it began and plays it again at 4x or 8x
(or 1x). For each start this prints the real time from "play" to the playback clock starting and to
the first new frame (the one after the frame on screen) being due, polled every 5 ms as the window
does; then the same from a cold start (a point nothing has been decoded near) and the frames decoded
and dropped over the first seconds. Without VIDEO it generates (once, under the system's temporary
folder) a camcorder-like 1080p25 file with a 250-frame keyframe interval (camcorder_video.py).

Timings on a shared machine are noisy: the load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssp_coder.media.frameserver import FrameServer  # noqa: E402

TICK = 0.005            # the window's playback timer
FOLDER = Path(tempfile.gettempdir()) / "ssp-bench-play-start"


def ensure_video() -> Path:
    path = FOLDER / "camcorder-1080p25-90s.mp4"
    if not path.is_file():
        from camcorder_video import make_camcorder_video
        FOLDER.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} (90 s of 1080p25) ...", flush=True)
        make_camcorder_video(path, episode_seconds=11.25)
    return path


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def rest(seconds: float) -> None:
    time.sleep(seconds)


def play_for(server: FrameServer, start: int, rate: float, seconds: float) -> dict:
    """Play from ``start`` (the frame on screen) for ``seconds``, showing frames as the window does."""
    t0 = time.perf_counter()
    server.play(start, rate)
    clock_at = first_at = None
    shown: list[int] = []
    end = t0 + seconds
    while time.perf_counter() < end:
        now = time.perf_counter()
        if clock_at is None and server.clock is not None:
            clock_at = now - t0
        frame = server.due_frame()
        if frame is not None:
            shown.append(frame.index)
            if first_at is None and frame.index > start:
                first_at = time.perf_counter() - t0
        time.sleep(TICK)
    server.stop()
    last = shown[-1] if shown else start
    # Pausing: the frame on screen becomes the paused frame (as the window does).
    server.get(last)
    span = last - start + 1
    return {"clock_ms": None if clock_at is None else clock_at * 1000,
            "first_ms": None if first_at is None else first_at * 1000,
            "shown": len(set(shown)), "span": span, "last": last}


def fmt(r: dict) -> str:
    def v(x):
        return "never" if x is None else f"{x:.0f} ms"
    return (f"clock started after {v(r['clock_ms'])}, first new frame due after {v(r['first_ms'])}; "
            f"{r['shown']} of {r['span']} frames shown")


def replay(path: Path, start: int, rate: float, rest_s: float, seconds: float, first_rate: float = 2.0) -> dict:
    with _opened(path) as server:
        server.get(start)
        rest(1.5)
        played = play_for(server, start, first_rate, 10.0)
        rest(1.0)                             # paused where the 2x playing stopped
        server.get(start)                     # back to where it began
        rest(rest_s)                          # the coder rests: the backward prefetch runs
        r = play_for(server, start, rate, seconds)
        r["before"] = played
        return r


def cold(path: Path, start: int, rate: float, seconds: float) -> dict:
    with _opened(path) as server:
        server.get(start)
        rest(2.0)
        far = min(server.frame_count - 1, start + 40 * 25)
        r = play_for(server, far, rate, seconds)  # play pressed right after jumping far away
        return r


class _opened:
    def __init__(self, path: Path):
        self.server = FrameServer(path)

    def __enter__(self) -> FrameServer:
        return self.server

    def __exit__(self, *exc) -> None:
        self.server.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("video", nargs="?", type=Path)
    ap.add_argument("--start-seconds", type=float, default=27.2,
                    help="where the 2x stretch begins (default: 7.2 s into a keyframe interval)")
    ap.add_argument("--rest", type=float, default=3.0, help="seconds the coder rests before the replay")
    ap.add_argument("--seconds", type=float, default=4.0, help="seconds each measured start plays")
    ap.add_argument("--trials", type=int, default=3, help="2x stretches replayed (each at 4x, 8x and 1x)")
    args = ap.parse_args()
    path = args.video or ensure_video()
    start = int(round(args.start_seconds * 25))
    # Where the 2x stretch begins: the given point, then others earlier and later in their keyframe
    # intervals (how long the old start waited depended on where the frames in memory ran out).
    starts = [start + k * 186 for k in range(args.trials)]
    print(f"{path.name}, 2x stretches from frames {starts}; {load()}", flush=True)
    summary: dict[float, list[float]] = {}
    for rate in (4.0, 8.0, 1.0):
        for s in starts:
            r = replay(path, s, rate, args.rest, args.seconds)
            summary.setdefault(rate, []).append(r["first_ms"] if r["first_ms"] is not None else float("inf"))
            print(f"  from {s}, after 2x ({fmt(r['before'])}): {rate:g}x from the same start: {fmt(r)}   "
                  f"[target 100 ms]  ({load()})", flush=True)
    for rate, firsts in summary.items():
        print(f"  replay at {rate:g}x, play to the first new frame: worst {max(firsts):.0f} ms, "
              f"best {min(firsts):.0f} ms of {len(firsts)}", flush=True)
    for rate in (1.0, 4.0, 8.0):
        r = cold(path, start, rate, args.seconds)
        print(f"  cold start (jump 40 s ahead, play at once) at {rate:g}x: {fmt(r)}   "
              f"[target: one keyframe interval's decode]  ({load()})", flush=True)


if __name__ == "__main__":
    main()
