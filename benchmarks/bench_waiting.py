"""Changes kept while the project server cannot be reached: what holding and sending them costs.

- building the private copy of a coding with 5,000 events (done once, when the first change starts waiting);
- holding one change (checked on the copy, journal rewritten and fsynced), with up to 200 already waiting;
- sending 200 waiting changes when the server is back (each its own transaction with its audit row);
  afterwards every change is on the server once (counted).

    python benchmarks/bench_waiting.py [--url postgresql://...] [--events 5000] [--waiting 200]

Without ``--url`` a throwaway server is started in a temporary folder (needs initdb and pg_ctl). The journal
goes to a temporary data folder, never the user's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _common import Timer, report

from ssp_coder.domain.commands import AddCoder, AddEvent, CreateCoding
from ssp_coder.store.project import Project
from ssp_coder.store.server_copy import push


def build(url: str, folder: Path, events: int) -> int:
    path = folder / "waiting.sspc"
    path.unlink(missing_ok=True)
    with Project.create(path, backups=False) as p:
        with p.bulk() as w:
            coder = int(w.execute(AddCoder("Ann", "coder")).inverse.coder_id)
            pid = w.add_participant("P001", "ABC")
            sid = w.add_session(pid, "pre", "K7Q-4M2", video_path=None, video_sha256=None,
                                duration_ms=30 * 60_000, fps=25.0, frame_count=None)
            cid = int(w.execute(CreateCoding(sid, coder, "primary")).inverse.coding_id)
            for j in range(events):
                w.execute(AddEvent(cid, "approach", j * 300 + 1))
    push(path, url)
    return cid


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="an empty database on a running server (default: a throwaway server)")
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--waiting", type=int, default=200)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ssp-bench-waiting-"))
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    from ssp_coder.store.waiting import CodingCopy, WaitingChanges

    server = None
    url = args.url
    if not url:
        from tests.server.throwaway import start_server

        server = start_server()
        url = server.create_database("bench_waiting")
    try:
        print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        cid = build(url, folder, args.events)
        with Project.open(url, actor="Ann") as p:
            state = p.coding_state(cid)
            session = p.session(int(state.coding.session_id))
            coder, views = p.coder("Ann"), p.views(int(session.id))
            make = lambda: CodingCopy(state, session, coder, views, p.scheme, p.settings)  # noqa: E731
            copies = []
            for _ in range(10):
                with Timer() as t:
                    make().close()
                copies.append(t.seconds * 1000)
            report(f"private copy of a coding with {len(state.events):,} events", copies)
            w = WaitingChanges(url, p.project_id, cid, "Ann", session.blinded_code)
            held = []
            for j in range(args.waiting):
                with Timer() as t:
                    w.hold(AddEvent(cid, "cry", j * 1000 + 7, j * 1000 + 500), uuid.uuid4().hex,
                           p.seen_revision(cid), make)
                held.append(t.seconds * 1000)
            report(f"hold one change (copy + fsynced journal), up to {args.waiting} waiting", held[1:])
            t0 = time.perf_counter()
            result = w.send(p, "Ann")
            took = time.perf_counter() - t0
            print(f"send {len(result.sent)} waiting changes: {took:.2f} s ({took / max(1, len(result.sent)) * 1000:.1f} "
                  "ms each)")
            w.close_copy()
            after = p.coding_state(cid)
            ids = [r.payload.get("change_id") for r in p.audit_log(coding_id=cid) if r.payload.get("change_id")]
            cry = sum(e.code == "cry" for e in after.events)
            print(f"on the server afterwards: {cry} of {args.waiting} 'cry' events, {len(set(ids))} distinct change "
                  f"ids in {len(ids)} audit rows; journal left: {w.path.exists()}")
    finally:
        if server:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
