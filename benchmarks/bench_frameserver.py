"""Frame stepping on real-looking camcorder footage: the frame server, the window, and mpv side by side.

    python benchmarks/bench_frameserver.py [--minutes 20] [--skip-mpv] [--skip-window]

Generates (once; cached under the system's temporary folder) a 1920x1080 25 fps H.264 file like
AVCHD footage: keyframe every 250 frames, 2 B-frames, about 10 Mbit/s of textured moving content,
with an AAC sound track. Generating 20 minutes takes about as long as playing them on 2 cores.

Prints every target of the "real footage" issue. Timings on a shared machine are noisy: run it
twice and read the figures together with the machine's load (printed first).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from _common import percentile

FOLDER = Path(tempfile.gettempdir()) / "ssp-bench-frameserver"
GOP = 250


def ensure_video(minutes: int) -> Path:
    path = FOLDER / f"camcorder-1080p25-{minutes}min.mp4"
    if path.is_file():
        return path
    FOLDER.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    print(f"generating {path} ({minutes} min of 1080p25; about as long to make as to play) ...", flush=True)
    subprocess.run([
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25,noise=alls=10:allf=t+u",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", str(minutes * 60), "-map", "0:v", "-map", "1:a",
        "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", str(GOP), "-keyint_min", str(GOP),
        "-sc_threshold", "0", "-b:v", "10M", "-maxrate", "12M", "-bufsize", "20M", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(partial)], check=True)
    partial.replace(path)
    return path


def ms(seconds: float) -> float:
    return seconds * 1000.0


def line(name: str, values: list[float], target: str = "") -> dict:
    med, p95 = statistics.median(values), percentile(values, 0.95)
    print(f"  {name}: median {med:.1f} ms, p95 {p95:.1f} ms, max {max(values):.1f} ms, n={len(values)}"
          + (f"   [target {target}]" if target else ""), flush=True)
    return {"median": med, "p95": p95, "max": max(values), "n": len(values)}


# ---------------------------------------------------------------------------------------------------
# the frame server (no window)
# ---------------------------------------------------------------------------------------------------
def timed_get(server, index: int) -> tuple[float, object]:
    t0 = time.perf_counter()
    frame = server.get(index)
    return ms(time.perf_counter() - t0), frame


def bench_server(path: Path, rng: random.Random) -> dict:
    from ssp_coder.media.frameindex import load_frame_index
    from ssp_coder.media.frameserver import FrameServer

    from ssp_coder.media.frameindex import build_frame_index

    out: dict = {}
    t0 = time.perf_counter()
    build_frame_index(path)
    out["index_build_ms"] = ms(time.perf_counter() - t0)
    load_frame_index(path)
    t0 = time.perf_counter()
    index = load_frame_index(path)
    out["index_cached_ms"] = ms(time.perf_counter() - t0)
    print(f"frame index: built by demuxing in {out['index_build_ms']:.0f} ms, "
          f"read from the cache in {out['index_cached_ms']:.1f} ms")
    gops = [int(k) for k in index.keyframes[1:-2]]
    print(f"frame server, {index.frame_count} frames, {len(index.keyframes)} keyframes, "
          f"longest GOP {index.longest_gop}")

    # Baseline: decoding one keyframe interval sequentially (what a step back into the unknown may cost).
    import av
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        c.seek(int(index.pts[gops[len(gops) // 2]]), stream=s, backward=True)
        t0 = time.perf_counter()
        for n, _frame in enumerate(c.decode(s)):
            if n + 1 >= GOP:
                break
        gop_ms = ms(time.perf_counter() - t0)
    print(f"  sequential decode of one keyframe interval ({GOP} frames): {gop_ms:.0f} ms "
          f"({gop_ms / GOP:.1f} ms a frame)")
    out["gop_decode_ms"] = gop_ms

    server = FrameServer(path)
    try:
        # Forward steps, a key press every 40 ms, from points early, mid and late in the GOP.
        fwd: dict[str, list[float]] = {"early": [], "mid": [], "late": []}
        for where, offset in (("early", 5), ("mid", 120), ("late", 230)):
            for key in rng.sample(gops, 3):
                server.get(key + offset)
                time.sleep(0.3)
                for i in range(1, 21):
                    t, _ = timed_get(server, key + offset + i)
                    fwd[where].append(t)
                    time.sleep(0.04)
        every = [t for v in fwd.values() for t in v]
        print(" step forward (a key press every 40 ms):")
        for where, v in fwd.items():
            out[f"forward_{where}"] = line(f"{where} in the GOP", v)
        out["forward"] = line("anywhere in the GOP", every, "median < 20, p95 < 40")

        # Steps back: arrive by seeking late in a GOP, rest 1.5 s, step back 50 frames.
        back: list[float] = []
        firsts: list[float] = []
        for key in rng.sample(gops, 3):
            p = key + 240
            server.get(p)
            time.sleep(1.5)
            for i in range(1, 51):
                t, _ = timed_get(server, p - i)
                back.append(t)
                time.sleep(0.04)
        print(" step back:")
        out["backward"] = line("50 frames after a 1.5 s rest", back, "median < 40")
        # First step back into a stretch not decoded: arrive by a seek, no rest, and step back every
        # 40 ms past the frames the seek kept; the slowest step is the one into the undecoded stretch.
        for key in rng.sample(gops, 3):
            p = key + 100
            server.get(p)
            steps = []
            for i in range(1, 61):
                t, _ = timed_get(server, p - i)
                steps.append(t)
                time.sleep(0.04)
            firsts.append(max(steps))
        out["first_back"] = line("slowest step of 60 back after a seek, no rest", firsts,
                                 f"< one GOP's decode, {gop_ms:.0f} ms here")
        # The same with a held key (no pause between steps): the steps outrun the prefetch, so one of
        # them must decode the stretch from its keyframe.
        held, waits = [], 0
        for key in rng.sample(gops, 3):
            p = key + 240
            server.get(p)
            steps = [timed_get(server, p - i)[0] for i in range(1, 61)]
            held.append(max(steps))
            waits += sum(1 for t in steps if t > 40)
        out["first_back_held"] = line("slowest step of 60 back after a seek, key held", held,
                                      f"< one GOP's decode, {gop_ms:.0f} ms here")
        out["held_steps_over_40ms"] = waits
        print(f"  steps over 40 ms with the key held: {waits} of 180")

        # Seeks to random times: first frame shown (stand-in), exact frame.
        shown, exact = [], []
        for _ in range(12):
            target = rng.randrange(0, index.frame_count)
            first_at: list[float] = []
            done = threading.Event()
            t0 = time.perf_counter()

            def on_frame(frame, is_exact, t0=t0, first_at=first_at, done=done):
                if not first_at:
                    first_at.append(ms(time.perf_counter() - t0))
                if is_exact:
                    first_at.append(ms(time.perf_counter() - t0))
                    done.set()
            hit = server.request(target, on_frame, preview=True)
            if hit is not None:
                first_at = [0.0, 0.0]
            else:
                done.wait(60)
            shown.append(first_at[0])
            exact.append(first_at[-1])
            time.sleep(0.5)
        print(" seek to a random frame:")
        out["seek_first"] = line("a frame shown", shown, "< 100")
        out["seek_exact"] = line("the exact frame", exact, "median < 500")
        out["cache_mb"] = server.cache.nbytes / 1048576
        print(f"  frames kept: {len(server.cache)} ({out['cache_mb']:.0f} MB of 512 MB)")
    finally:
        server.close()
    return out


# ---------------------------------------------------------------------------------------------------
# mpv on the same file (JSON IPC; no video output, so only decoding is timed)
# ---------------------------------------------------------------------------------------------------
class Mpv:
    def __init__(self, path: Path):
        self.sock_path = str(FOLDER / f"mpv-{os.getpid()}.sock")
        self.proc = subprocess.Popen(
            ["mpv", "--no-config", "--vo=null", "--ao=null", "--pause", "--keep-open=always", "--hr-seek=yes",
             f"--input-ipc-server={self.sock_path}", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(self.sock_path):
                break
            time.sleep(0.05)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.sock_path)
        self.file = self.sock.makefile("rb")
        self._id = 0
        self.command("observe_property", 1, "time-pos")
        self.wait(lambda m: m.get("event") == "property-change" and m.get("data") is not None, 30)

    def send(self, *args) -> None:
        self._id += 1
        self.sock.sendall(json.dumps({"command": list(args), "request_id": self._id}).encode() + b"\n")

    def command(self, *args):
        self.send(*args)
        return self.wait(lambda m: m.get("request_id") == self._id, 30)

    def wait(self, pred, timeout: float) -> dict:
        self.sock.settimeout(timeout)
        while True:
            raw = self.file.readline()
            if not raw:
                raise RuntimeError("mpv went away")
            msg = json.loads(raw)
            if pred(msg):
                return msg

    def timed(self, *args) -> float:
        t0 = time.perf_counter()
        self.send(*args)
        self.wait(lambda m: m.get("event") == "property-change" and m.get("name") == "time-pos", 30)
        return ms(time.perf_counter() - t0)

    def seek_exact(self, seconds: float) -> float:
        t0 = time.perf_counter()
        self.send("seek", seconds, "absolute+exact")
        self.wait(lambda m: m.get("event") == "playback-restart", 30)
        return ms(time.perf_counter() - t0)

    def close(self) -> None:
        try:
            self.send("quit")
        except OSError:
            pass
        self.proc.wait(10)


def bench_mpv(path: Path, rng: random.Random, duration_s: float) -> dict:
    out: dict = {}
    if shutil.which("mpv") is None:
        print("mpv is not installed: no comparison")
        return out
    print("mpv (--vo=null, JSON IPC; time from command to the new time-pos)")
    mpv = Mpv(path)
    try:
        fwd: dict[str, list[float]] = {"early": [], "mid": [], "late": []}
        back: list[float] = []
        gops = int(duration_s * 25 // GOP)
        starts = [k * GOP / 25 for k in rng.sample(range(1, gops - 1), 3)]
        for where, offset in (("early", 5), ("mid", 120), ("late", 230)):
            for s in starts:
                mpv.seek_exact(s + offset / 25)
                for _ in range(10):
                    fwd[where].append(mpv.timed("frame-step"))
                    time.sleep(0.04)
        for where, v in fwd.items():
            out[f"forward_{where}"] = line(f"step forward, {where} in the GOP", v)
        out["forward"] = line("step forward, anywhere", [t for v in fwd.values() for t in v])
        for s in starts:
            mpv.seek_exact(s + 240 / 25)
            time.sleep(1.5)
            for _ in range(10):
                back.append(mpv.timed("frame-back-step"))
        out["backward"] = line("step back after a 1.5 s rest", back)
        seeks = [mpv.seek_exact(rng.uniform(0, duration_s - 1)) for _ in range(10)]
        out["seek_exact"] = line("exact seek to a random time", seeks)
    finally:
        mpv.close()
    return out


# ---------------------------------------------------------------------------------------------------
# the coding window
# ---------------------------------------------------------------------------------------------------
def bench_window(path: Path, rng: random.Random) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bench_window_frameserver import window_figures
    return window_figures(path, rng)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=20)
    ap.add_argument("--skip-mpv", action="store_true")
    ap.add_argument("--skip-window", action="store_true")
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine: figures are noisy)")
    path = ensure_video(args.minutes)
    print(f"{path.name}: {path.stat().st_size / 1e9:.2f} GB")
    results: dict = {}
    if not args.skip_server:
        results["server"] = bench_server(path, random.Random(args.seed))
    if not args.skip_mpv:
        results["mpv"] = bench_mpv(path, random.Random(args.seed), args.minutes * 60)
    if not args.skip_window:
        results["window"] = bench_window(path, random.Random(args.seed))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
