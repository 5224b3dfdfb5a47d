"""Project-file benchmarks: open a big project and list sessions; add-event latency with commit.

Targets: open a project with 2,000 sessions and 1,000,000 events and list sessions < 1 s;
add-event command (commit included) p95 < 10 ms with 5,000 events in the session.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from _common import Timer, report

from ssp_coder.domain.commands import AddCoder, AddEvent, CreateCoding
from ssp_coder.store.project import Project


def build_big(path: Path, sessions: int = 2000, events: int = 1_000_000) -> None:
    rng = random.Random(1)
    with Project.create(path, backups=False) as p:
        with p.bulk() as w:
            coder = int(w.execute(AddCoder("Ann")).inverse.coder_id)
            codings = []
            for i in range(sessions):
                pid = w.add_participant(f"P{i:05d}", "ABC" if i % 2 else "DEF")
                sid = w.add_session(pid, "pre", f"C{i:05d}", video_path=f"v{i}.mp4", video_sha256=f"{i:064x}",
                                    duration_ms=1_300_000, fps=25.0, frame_count=32_500)
                codings.append(int(w.execute(CreateCoding(sid, coder, "primary")).inverse.coding_id))
            # fixture only: bulk rows straight into the table (the product adds events through commands)
            per = events // sessions
            rows = ((c, "cry" if j % 3 else "approach", "state" if j % 3 else "point", j * 1000 + rng.randint(0, 999),
                     (j * 1000 + 900) if j % 3 else None) for c in codings for j in range(per))
            w.conn.executemany("INSERT INTO events (coding_id, code, kind, onset_ms, offset_ms) VALUES (?,?,?,?,?)",
                               rows)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="ssp-bench-"))
    big = folder / "big.sspc"
    with Timer() as t:
        build_big(big)
    print(f"built 2,000 sessions / 1,000,000 events in {t.seconds:.1f} s ({big.stat().st_size / 1e6:.0f} MB)")

    opens = []
    for _ in range(5):
        start = time.perf_counter()
        with Project.open(big, actor="bench", backups=False) as p:   # full integrity_check, the default
            rows = p.sessions()
            coders = p.coders()
            codings = p.codings()
            assert len(rows) == 2000 and coders and len(codings) == 2000
        opens.append((time.perf_counter() - start) * 1000)
    report("open (full integrity_check) + list 2,000 sessions with 1,000,000 events", opens, 1000, stat="median")
    opens_full = []
    for _ in range(2):
        start = time.perf_counter()
        with Project.open(big, actor="bench", backups=False, check="quick") as p:
            p.sessions()
        opens_full.append((time.perf_counter() - start) * 1000)
    report("open with quick_check + list (for reference)", opens_full)

    small = folder / "add.sspc"
    with Project.create(small, backups=False) as p:
        with p.bulk() as w:
            coder = int(w.execute(AddCoder("Ann")).inverse.coder_id)
            pid = w.add_participant("P1", "ABC")
            sid = w.add_session(pid, "pre", "AAA-AAA", video_path=None, video_sha256=None, duration_ms=1_300_000,
                                fps=25.0, frame_count=32_500)
            cid = int(w.execute(CreateCoding(sid, coder, "primary")).inverse.coding_id)
            for j in range(5000):
                w.execute(AddEvent(cid, "cry", j * 200, j * 200 + 100))
    with Project.open(small, actor="bench", backups=False) as p:
        lat = []
        for j in range(500):
            start = time.perf_counter()
            p.execute(AddEvent(cid, "approach", 1000 + j))
            lat.append((time.perf_counter() - start) * 1000)
    report("add-event command incl. commit (5,000 events in session, synchronous=FULL)", lat, 10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
