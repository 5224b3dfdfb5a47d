"""Benchmark the timed-event agreement on an SSP-length synthetic coder pair.

1,440 s (8 episodes x 3 min), 6 mutually exclusive state codes plus 3 point
codes, about 400 events per coder; coder 2 is coder 1 with every boundary
jittered by N(0, 0.4 s). Seeded, so every run codes the same pair.

Run: python benchmarks/bench_timed_agreement.py
Targets: overlap_kappa < 20 ms, time_slice_kappa at 0.1 s < 50 ms,
1,000 pairs of overlap_kappa < 5 s.
"""

from __future__ import annotations

import time

import numpy as np

from ssp_coder.stats.timed import overlap_kappa, time_slice_kappa

DURATION_S = 1440.0
STATES = ("cry", "contact", "proximity", "avoid", "resist", "explore")
POINTS = ("look", "vocal", "reach")


def synthetic_pair(seed: int = 20240601, n_states: int = 300, n_points: int = 100):
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.uniform(0.0, DURATION_S, n_states - 1))
    bounds = np.concatenate([[0.0], cuts, [DURATION_S]])
    codes = rng.choice(STATES, size=n_states)
    points = np.sort(rng.uniform(0.0, DURATION_S, n_points))
    point_codes = rng.choice(POINTS, size=n_points)

    def coder(jitter: float):
        b = bounds.copy()
        b[1:-1] += rng.normal(0.0, jitter, b.size - 2)
        b = np.clip(np.maximum.accumulate(b), 0.0, DURATION_S)
        b = np.round(b, 3)
        evs = [(str(c), float(b[i]), float(b[i + 1])) for i, c in enumerate(codes) if b[i + 1] > b[i]]
        p = np.round(np.clip(points + rng.normal(0.0, jitter, points.size), 0.0, DURATION_S), 3)
        evs += [(str(c), float(t), None) for c, t in zip(point_codes, p)]
        return evs

    return coder(0.0), coder(0.4)


def timed(fn, repeats: int) -> np.ndarray:
    out = np.empty(repeats)
    for i in range(repeats):
        t0 = time.perf_counter()
        fn()
        out[i] = (time.perf_counter() - t0) * 1e3
    return out


def main() -> None:
    e1, e2 = synthetic_pair()
    print(f"events per coder: {len(e1)} / {len(e2)} over {DURATION_S:.0f} s")
    ok = overlap_kappa(e1, e2, start_s=0.0, end_s=DURATION_S)
    ts = time_slice_kappa(e1, e2, slice_s=0.1, start_s=0.0, end_s=DURATION_S)
    print(f"overlap kappa {ok.kappa:.3f} ({ok.n_intervals} intervals); "
          f"time-slice kappa (0.1 s) {ts.kappa:.3f} ({ts.n_slices} slices)")
    for name, fn in (
        ("overlap_kappa", lambda: overlap_kappa(e1, e2, start_s=0.0, end_s=DURATION_S)),
        ("time_slice_kappa 0.1 s", lambda: time_slice_kappa(e1, e2, slice_s=0.1, start_s=0.0, end_s=DURATION_S)),
    ):
        fn()  # warm-up
        ms = timed(fn, 50)
        print(f"{name:24s} median {np.median(ms):7.2f} ms   p95 {np.percentile(ms, 95):7.2f} ms")
    pairs = [synthetic_pair(seed) for seed in range(20)]
    t0 = time.perf_counter()
    for i in range(1000):
        a, b = pairs[i % len(pairs)]
        overlap_kappa(a, b, start_s=0.0, end_s=DURATION_S)
    print(f"1,000 pairs of overlap_kappa: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
