"""Kill test x1,000: SIGKILL a writer at random moments; count lost committed events and damaged files.

Target: 0 lost committed events, 0 damaged files.
"""

from __future__ import annotations

import sys
import time

import _common  # noqa: F401  (puts the source tree on sys.path)

from ssp_coder.store import crashcheck

if __name__ == "__main__":
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    start = time.perf_counter()
    report = crashcheck.run(kills, seed=42, verbose=True)
    print(f"kill test: {report.summary()} in {time.perf_counter() - start:.0f} s")
    for p in report.problems[:20]:
        print("  ", p)
    sys.exit(0 if report.ok else 1)
