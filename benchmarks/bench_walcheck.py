"""What the write-ahead-log check costs when a project is opened after a crash.

Builds a project with N events, leaves a log of M committed transactions
beside it (as a crash does), and times: reading the log (header, salts,
running checksums of every frame), the replay onto a copy with the integrity
check, and the whole ``Project.open``. Without a log the check costs one
``stat``. Run: python benchmarks/bench_walcheck.py [--events N] [--log-commits M]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ssp_coder.store.crashcheck import make_project  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402
from ssp_coder.store.walcheck import _replay_problem, read_wal, wal_path  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--log-commits", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, coding = make_project(folder)
        with Project.open(path, backups=False, check="none") as p:
            p.conn.executemany("INSERT INTO events (coding_id, code, kind, onset_ms) VALUES (?, 'approach', "
                               "'point', ?)", [(coding, i) for i in range(args.events)])
        from ssp_coder.domain.commands import AddEvent

        crashed = folder / "crashed.sspc"
        p = Project.open(path, backups=False, check="none")
        p.conn.execute("PRAGMA wal_autocheckpoint = 0")
        for i in range(args.log_commits):
            p.execute(AddEvent(coding, "approach", i))
        shutil.copyfile(path, crashed)
        shutil.copyfile(wal_path(path), wal_path(crashed))
        p.close()
        size_db = crashed.stat().st_size / 1e6
        size_wal = wal_path(crashed).stat().st_size / 1e6
        print(f"project {size_db:.1f} MB with {args.events:,} events; log {size_wal:.1f} MB, "
              f"{args.log_commits} commits")
        t = time.perf_counter()
        info = read_wal(wal_path(crashed))
        print(f"  read the whole log ({info.frames if info else 0} valid frames): {time.perf_counter() - t:.3f} s")
        t = time.perf_counter()
        read_wal(wal_path(crashed), first_commit_only=True)
        print(f"  read the log up to its first commit (what the open does): {time.perf_counter() - t:.4f} s")
        t = time.perf_counter()
        problem = _replay_problem(crashed, wal_path(crashed))
        print(f"  replay onto a copy + integrity check: {time.perf_counter() - t:.3f} s ({problem or 'belongs'})")
        t = time.perf_counter()
        with Project.open(crashed, backups=False, check="none"):
            pass
        print(f"  Project.open(check='none') after the crash, log check included: {time.perf_counter() - t:.3f} s")


if __name__ == "__main__":
    main()
