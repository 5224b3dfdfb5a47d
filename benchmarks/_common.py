"""Shared helpers for the benchmark scripts (timing and printing)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def report(name: str, values_ms: list[float], target_ms: float | None = None, stat: str = "p95") -> None:
    med = statistics.median(values_ms)
    p95 = percentile(values_ms, 0.95)
    shown = p95 if stat == "p95" else med
    verdict = "" if target_ms is None else ("  OK" if shown < target_ms else "  OVER TARGET")
    tgt = "" if target_ms is None else f" (target {stat} < {target_ms:g} ms)"
    print(f"{name}: median {med:.2f} ms, p95 {p95:.2f} ms, n={len(values_ms)}{tgt}{verdict}")


class Timer:
    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
