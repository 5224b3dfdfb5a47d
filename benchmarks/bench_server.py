"""Server-project benchmarks, with PostgreSQL on the same machine.

Targets (issue "A shared project on a PostgreSQL server"):
- command latency (add an event: commit and audit row included) p95 < 30 ms with 10 coders writing at once,
  1,000 events each; no event lost or duplicated (counted and compared after the run);
- a writing client killed at random moments 100 times: nothing partial on the server, every acknowledged
  change present;
- ``server push`` of the 10,000-session benchmark project < 60 s;
- opening a server project as the window does (open, sessions, coders, codings, first coding) < 2 s.

    python benchmarks/bench_server.py [--url postgresql://...] [--dir DIR] [--sessions 10000] [--kills 100]

Without ``--url`` a throwaway server is started in a temporary folder (needs initdb and pg_ctl);
with ``--url`` the database given must be empty: the benchmark creates databases beside it.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, Timer, report

from ssp_coder.domain.commands import AddCoder, AddEvent, CreateCoding
from ssp_coder.processes import worker_context
from ssp_coder.store.project import Project
from ssp_coder.store.server_copy import push

WRITERS = 10
EVENTS = 1000


def _writer(url: str, coding_id: int, name: str, n: int, start: mp.Event, out: mp.Queue) -> None:
    with Project.open(url, actor=name) as p:
        p.coding_state(coding_id)
        start.wait()
        lat = []
        for j in range(n):
            t = time.perf_counter()
            p.execute(AddEvent(coding_id, "approach", j * 100 + 1))
            lat.append((time.perf_counter() - t) * 1000)
    out.put(lat)


def concurrent_writers(url: str, folder: Path, writers: int) -> None:
    path = folder / f"writers{writers}.sspc"
    path.unlink(missing_ok=True)
    with Project.create(path, backups=False) as p:
        with p.bulk() as w:
            for i in range(writers):
                cid = int(w.execute(AddCoder(f"Coder {i + 1}")).inverse.coder_id)
                pid = w.add_participant(f"P{i:03d}", "ABC" if i % 2 else "DEF")
                sid = w.add_session(pid, "pre", f"W{i:02d}-X7Q", video_path=None, video_sha256=None,
                                    duration_ms=1_300_000, fps=25.0, frame_count=None)
                w.execute(CreateCoding(sid, cid, "primary"))
        names = {int(c.id): c.name for c in p.coders()}
    push(path, url)
    with Project.open(url) as p:
        jobs = [(int(c.id), names[int(c.coder_id)]) for c in p.codings()]
    spawn = worker_context()
    start, out = spawn.Event(), spawn.Queue()
    procs = [spawn.Process(target=_writer, args=(url, cid, name, EVENTS, start, out)) for cid, name in jobs]
    for proc in procs:
        proc.start()
    time.sleep(2)  # every writer connected and waiting
    with Timer() as t:
        start.set()
        lat = [x for _ in procs for x in out.get()]
    for proc in procs:
        proc.join()
    report(f"add event (commit + audit), {writers} writer(s) at once x {EVENTS} events", lat, 30)
    print(f"  {len(lat)} commands in {t.seconds:.1f} s ({len(lat) / t.seconds:.0f} per second over all writers)")
    with Project.open(url) as p:
        bad = []
        for cid, name in jobs:
            onsets = [e.onset_ms for e in p.coding_state(cid).events]
            audit = [a for a in p.audit_log(coding_id=cid) if a.command == "AddEvent"]
            if len(onsets) != EVENTS or len(set(onsets)) != EVENTS or len(audit) != EVENTS:
                bad.append(f"{name}: {len(onsets)} events ({len(set(onsets))} distinct), {len(audit)} audit rows")
    print("  events counted after the run: " + ("all present once, each with its audit row" if not bad
                                                  else "PROBLEM: " + "; ".join(bad)))


KILL_CHILD = """
import sys
from ssp_coder.domain.commands import AddEvent
from ssp_coder.store.project import Project
url, cid, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with Project.open(url, actor="Killed") as p:
    j = first
    while True:
        p.execute(AddEvent(cid, "approach", j))
        print(j, flush=True)          # acknowledged: the command has returned
        j += 1
"""


def kills(url: str, rounds: int) -> None:
    with Project.open(url) as p:
        cid = int(p.codings()[0].id)
        base_events = len(p.coding_state(cid).events)
        base_audit = len(p.audit_log(coding_id=cid))
    rng = random.Random(11)
    acknowledged: list[int] = []
    first = 200_000   # onsets in ms, after the writers' events and within the video
    for _ in range(rounds):
        child = subprocess.Popen([sys.executable, "-c", KILL_CHILD, url, str(cid), str(first)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + rng.uniform(0.3, 1.5)
        got = []
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            got.append(int(line))
        child.kill()
        rest, _ = child.communicate()
        got += [int(x) for x in rest.split()]
        acknowledged += got
        first = (got[-1] + 1) if got else first + 1_000
    with Project.open(url) as p:
        state = p.coding_state(cid)
        onsets = {e.onset_ms for e in state.events}
        added = [a for a in p.audit_log(coding_id=cid)]
    missing = [j for j in acknowledged if j not in onsets]
    new_events = len(state.events) - base_events
    new_audit = len(added) - base_audit
    partial = new_events != new_audit          # an event without its audit row, or the other way round
    print(f"{rounds} clients killed at random while writing: {len(acknowledged)} acknowledged events, "
          f"{len(missing)} missing; {new_events} events vs {new_audit} audit rows on the server "
          f"({'nothing partial' if not partial else 'PARTIAL WRITES'})")


def push_and_open(url: str, folder: Path, sessions: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_reliability import build

    path = folder / f"bench{sessions}.sspc"
    if not path.exists():
        with Timer() as t:
            build(path, sessions)
        print(f"built {path.name} in {t.seconds:.0f} s")
    with Project.open(path, read_only=True, backups=False) as p:
        counts = p.counts()
    with Timer() as t:
        report_ = push(path, url)
    print(f"server push of {counts['sessions']:,} sessions ({counts['codings']:,} codings, {counts['events']:,} events, "
          f"{report_.rows['audit']:,} audit rows): {t.seconds:.1f} s (target < 60 s)")
    opens = []
    for _ in range(5):
        start = time.perf_counter()
        with Project.open(url, actor="bench") as p:   # what the window reads before it shows the first coding
            rows = p.sessions()
            p.coders()
            codings = p.codings()
            p.coding_state(int(codings[0].id))
            assert len(rows) == counts["sessions"]
        opens.append((time.perf_counter() - start) * 1000)
    print(f"open a server project of {counts['sessions']:,} sessions as the window does: median "
          f"{sorted(opens)[2]:.0f} ms, worst {max(opens):.0f} ms (target < 2,000 ms)")
    with Timer() as t:
        with Project.open(path, read_only=True, backups=False) as p:
            p.sessions()
            p.codings()
    print(f"  (the same from the project file: {t.seconds * 1000:.0f} ms)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="an empty database on a running server (default: a throwaway server)")
    ap.add_argument("--dir", type=Path, default=None, help="where to keep the built benchmark project files")
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--kills", type=int, default=100)
    args = ap.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="ssp-bench-server-"))
    folder.mkdir(parents=True, exist_ok=True)
    server = None
    if args.url:
        import psycopg

        with psycopg.connect(args.url, autocommit=True) as conn:
            for db in ("ssp_bench_one", "ssp_bench_writers", "ssp_bench_push"):
                conn.execute(f"DROP DATABASE IF EXISTS {db}")
                conn.execute(f"CREATE DATABASE {db}")
        make = lambda db: args.url.rsplit("/", 1)[0] + "/" + db  # noqa: E731
        urls = make("ssp_bench_one"), make("ssp_bench_writers"), make("ssp_bench_push")
    else:
        from tests.server.throwaway import start_server

        server = start_server()
        urls = tuple(server.create_database(db) for db in ("bench_one", "bench_writers", "bench_push"))
    try:
        print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other programs "
              "slow every figure below)")
        concurrent_writers(urls[0], folder, 1)
        concurrent_writers(urls[1], folder, WRITERS)
        kills(urls[1], args.kills)
        push_and_open(urls[2], folder, args.sessions)
    finally:
        if server:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
