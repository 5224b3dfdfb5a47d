"""Time demo-video synthesis and hashing; prints figures (no assertions).

    python benchmarks/bench_media.py [count]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from ssp_coder.media import make_ssp_video, sha256_file, video_encoder
from ssp_coder.processes import process_pool


def _one(args: tuple[str, int]) -> float:
    path, seed = args
    start = time.perf_counter()
    make_ssp_video(path, seed=seed, label=f"P{seed:03d}")
    return time.perf_counter() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 48
    with tempfile.TemporaryDirectory() as folder:
        paths = [str(Path(folder) / f"v{i:03d}.mp4") for i in range(count)]
        _one((paths[0], 0))  # warm up the encoder
        times = [_one((p, i)) for i, p in enumerate(paths[:10])]
        print(f"encoder: {video_encoder()}")
        print(f"one video (default size, sequential): median {statistics.median(times) * 1000:.0f} ms, "
              f"min {min(times) * 1000:.0f} ms")
        start = time.perf_counter()
        with process_pool(2) as pool:
            list(pool.map(_one, [(p, i) for i, p in enumerate(paths)]))
        print(f"{count} videos on 2 processes: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        for p in paths:
            sha256_file(p)
        size = sum(Path(p).stat().st_size for p in paths)
        print(f"hashing {size / 1e6:.1f} MB: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
