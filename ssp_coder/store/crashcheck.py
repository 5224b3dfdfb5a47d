"""Kill a writer at random moments and check that nothing committed is lost.

A child process appends events to a project in a loop and prints the id of
each event as soon as ``execute`` has returned. The parent kills it with
SIGKILL at a random moment, then reopens the project: it must pass
``integrity_check`` and hold every event the child reported. Used by the
test suite (50 kills) and ``benchmarks/bench_kill.py`` (1,000 kills); also
runnable on a user's own disk: ``python -m ssp_coder.store.crashcheck``.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHILD = r"""
import sys
from ssp_coder.domain.commands import AddEvent
from ssp_coder.store.project import Project
p = Project.open(sys.argv[1], actor="crash-check", backups=False, check="none")
cid = int(sys.argv[2])
i = int(sys.argv[3])
out = sys.stdout
out.write("ready\n"); out.flush()
while True:
    applied = p.execute(AddEvent(cid, "approach", i % 1000))
    out.write(f"{applied.inverse.event_id}\n"); out.flush()
    i += 1
"""


@dataclass
class CrashReport:
    kills: int = 0
    committed_seen: int = 0
    lost: int = 0
    damaged: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.damaged == 0

    def summary(self) -> str:
        return (f"{self.kills} kills, {self.committed_seen} committed events reported, {self.lost} lost, "
                f"{self.damaged} damaged files")


def make_project(folder: Path) -> tuple[Path, int]:
    from ssp_coder.domain.commands import AddCoder, CreateCoding
    from ssp_coder.store.project import Project

    path = folder / "crash.sspc"
    with Project.create(path, backups=False) as p:
        with p.bulk() as w:
            pid = w.add_participant("X1", "arm")
            sid = w.add_session(pid, "pre", "AAA-AAA", video_path=None, video_sha256=None, duration_ms=None,
                                fps=None, frame_count=None)
            coder = w.execute(AddCoder("crash"))
            coding = w.execute(CreateCoding(sid, int(coder.inverse.coder_id), "primary"))
    return path, int(coding.inverse.coding_id)


def run(kills: int, *, seed: int = 0, folder: Path | None = None, max_delay_s: float = 0.25,
        verbose: bool = False) -> CrashReport:
    rng = random.Random(seed)
    own = folder is None
    folder = Path(tempfile.mkdtemp(prefix="ssp-crash-")) if own else folder
    path, coding_id = make_project(folder)
    report = CrashReport()
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    counter = 0
    for k in range(kills):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(coding_id), str(counter)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert child.stdout is not None
        first = child.stdout.readline()
        if first.strip() != b"ready":
            err = child.stderr.read().decode(errors="replace") if child.stderr else ""
            child.kill()
            child.wait()
            raise RuntimeError(f"crash-check writer did not start: {first!r} {err[-800:]}")
        time.sleep(rng.uniform(0.0, max_delay_s))
        child.send_signal(signal.SIGKILL)
        child.wait()
        reported = [int(x) for x in child.stdout.read().split()]
        child.stdout.close()
        if child.stderr:
            child.stderr.close()
        counter += len(reported) + 1
        report.kills += 1
        report.committed_seen += len(reported)
        con = sqlite3.connect(path)
        try:
            check = [r[0] for r in con.execute("PRAGMA integrity_check")]
            if check != ["ok"]:
                report.damaged += 1
                report.problems.append(f"kill {k}: integrity_check {check[:3]}")
            present = {r[0] for r in con.execute("SELECT id FROM events WHERE coding_id = ?", (coding_id,))}
        finally:
            con.close()
        missing = [e for e in reported if e not in present]
        if missing:
            report.lost += len(missing)
            report.problems.append(f"kill {k}: lost events {missing[:5]}")
        if verbose and (k + 1) % 50 == 0:
            print(f"  {k + 1} kills: {report.summary()}", flush=True)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dir", type=Path, help="folder on the disk to test (default: a temporary folder)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    report = run(args.kills, seed=args.seed, folder=args.dir, verbose=True)
    print(report.summary(), f"in {time.perf_counter() - start:.1f} s")
    for p in report.problems[:20]:
        print("  ", p)
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
