"""Benchmark: the full reliability report on a 2,000-session project (target < 3 s).

Builds (once, in a folder given with --dir, or a temporary one) a project of
2,000 sessions with a complete primary coding each and 25 % blind double
coding, every coding with episode boundaries, required scales, a
classification, a D rating, about 24 behaviour events and two D-index marks.
Then times ``reliability_report`` (including the timed-code agreement on 500
pairs) and the xlsx export.

    python benchmarks/bench_reliability.py [--dir DIR] [--sessions 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssp_coder.domain.commands import (  # noqa: E402
    AddCoder, AddDIndex, AddEvent, CreateCoding, MarkComplete, SetBoundary, SetClassification, SetDRating, SetScale,
)
from ssp_coder.reliability.export import write_report_xlsx  # noqa: E402
from ssp_coder.reliability.plan import apply_plan, plan_double_coding  # noqa: E402
from ssp_coder.reliability.report import reliability_report  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402

EP = 180_000
CLASSES = ["A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2", "D"]


def fill(cid: int, rng: random.Random, truth: dict) -> list:
    cmds: list = []
    jitter = rng.randint(-400, 400)
    for ep in range(1, 9):
        cmds.append(SetBoundary(cid, ep, max(0, (ep - 1) * EP + (jitter if ep > 1 else 0)),
                                ep * EP + (jitter if ep < 8 else 0)))
    for s in ("ps", "cm", "rs", "av"):
        for e in (5, 8):
            v = min(7.0, max(1.0, truth[s] + rng.choice([-0.5, 0, 0, 0.5])))
            cmds.append(SetScale(cid, s, e, "m", v))
    cls = truth["cls"] if rng.random() < 0.85 else rng.choice(CLASSES)
    cmds.append(SetClassification(cid, cls, "B2" if cls == "D" else None))
    cmds.append(SetDRating(cid, min(9.0, max(1.0, truth["d"] + rng.choice([-1, -0.5, 0, 0, 0.5, 1])))))
    for ep in range(2, 9):
        base = (ep - 1) * EP
        t = base + rng.randint(0, 20_000)
        for code in ("play", "cry", "proximity"):
            if rng.random() < 0.6:
                on = t + rng.randint(0, 5_000)
                off = on + rng.randint(3_000, 40_000)
                cmds.append(AddEvent(cid, code, on, min(off, ep * EP)))
                t = off
        if rng.random() < 0.5:
            cmds.append(AddEvent(cid, "approach", base + rng.randint(1_000, 170_000), None))
    for g in ("I", "V"):
        if rng.random() < 0.5:
            cmds.append(AddDIndex(cid, g, truth["mark"] + rng.randint(-1500, 1500)))
    cmds.append(MarkComplete(cid))
    return cmds


def build(path: Path, sessions: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with Project.create(path, backups=False) as p:
        p.execute_many([AddCoder(n) for n in ("Ann", "Bob", "Cem", "Dee")])
        with p.bulk() as b:
            for i in range(sessions // 2):
                pid = b.add_participant(f"P{i:05d}", "ABC" if i % 2 else "DEF")
                for tp in ("pre", "post"):
                    b.add_session(pid, tp, f"{tp[:2].upper()}{i:05d}", video_path=None, video_sha256=None,
                                  duration_ms=9 * EP, fps=25.0, frame_count=None)
        coders = [int(c.id) for c in p.coders()]
        sess = [int(s.id) for s in p.sessions()]
        truths = {}
        for k, sid in enumerate(sess):
            truths[sid] = {"cls": rng.choice(CLASSES), "d": rng.choice([1, 2, 3, 5, 7]),
                           **{s: rng.choice([1, 2, 3, 4, 5, 6]) for s in ("ps", "cm", "rs", "av")},
                           "mark": rng.randint(4 * EP, 8 * EP - 2000)}
        applied = p.execute_many([CreateCoding(session_id=sid, coder_id=coders[k % 4], purpose="primary")
                                  for k, sid in enumerate(sess)])
        ids = [(int(a.inverse.coding_id), sid) for a, sid in zip(applied, sess)]
        plan = plan_double_coding(p, seed=seed)
        rel = list(zip(apply_plan(p, plan), [x.session_id for x in plan.planned]))
        todo = ids + rel
        for i in range(0, len(todo), 250):
            cmds = []
            for cid, sid in todo[i:i + 250]:
                cmds += fill(cid, rng, truths[sid])
            p.execute_many(cmds)
            print(f"  built {min(i + 250, len(todo))}/{len(todo)} codings", end="\r", flush=True)
        print()


def timed_only(n_pairs: int = 1000, seed: int = 3) -> float:
    """Seconds for the timed-code agreement of ``n_pairs`` SSP-length pairs, built in memory."""
    from ssp_coder.domain.model import DIndexId, DIndexMark, EpisodeBoundary, Event, EventId
    from ssp_coder.domain.scheme import load_builtin_scheme
    from ssp_coder.reliability.pairs import CodingPair
    from ssp_coder.reliability.settings import RELIABILITY_DEFAULTS
    from ssp_coder.reliability.timed_report import timed_table
    from ssp_coder.store.reliability_sql import TimedData

    rng = random.Random(seed)
    scheme = load_builtin_scheme()

    def one() -> TimedData:
        shift = rng.randint(-400, 400)
        bounds = {ep: EpisodeBoundary(ep, max(0, (ep - 1) * EP + shift), ep * EP + shift) for ep in range(1, 9)}
        events, marks = [], []
        for ep in range(1, 9):
            t = (ep - 1) * EP + rng.randint(0, 10_000)
            while t < ep * EP - 10_000:
                code = rng.choice(["play", "cry", "proximity", "contact", "avoid", "resist"])
                off = min(ep * EP, t + rng.randint(2_000, 30_000))
                events.append(Event(EventId(0), code, "state", t, off))
                if rng.random() < 0.3:
                    events.append(Event(EventId(0), "approach", "point", t + 500, None))
                t = off + rng.randint(0, 8_000)
        for g in ("I", "III", "V"):
            if rng.random() < 0.5:
                marks.append(DIndexMark(DIndexId(0), g, rng.randint(4 * EP, 8 * EP - 1000)))
        return TimedData(bounds, tuple(events), tuple(marks))

    data, pairs = {}, []
    for i in range(n_pairs):
        data[2 * i], data[2 * i + 1] = one(), one()
        pairs.append(CodingPair(i, f"S{i}", "ABC", "pre", 2 * i, 2 * i + 1, "Ann", "Bob", ""))
    n_events = sum(len(d.events) for d in data.values())
    t = time.perf_counter()
    timed_table({"all": pairs}, data, scheme, dict(RELIABILITY_DEFAULTS))
    took = time.perf_counter() - t
    print(f"timed agreement, {n_pairs} SSP-length pairs ({n_events} events): {took:.2f} s (target < 5 s)")
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--sessions", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-irr-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench{args.sessions}.sspc"
    if not path.exists():
        t = time.perf_counter()
        build(path, args.sessions)
        print(f"built {path} in {time.perf_counter() - t:.1f} s")
    with Project.open(path, read_only=True, backups=False) as p:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            report = reliability_report(p)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        write_report_xlsx(report, folder / "irr.xlsx")
        t_xlsx = time.perf_counter() - t
        t = time.perf_counter()
        plan_double_coding(p, seed=2, share=0.3)
        t_plan = time.perf_counter() - t
    print(f"sessions: {args.sessions}, complete pairs: {report.n_pairs}, timed rows: {len(report.timed)}")
    print(f"full reliability report: best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s "
          f"(target < 3 s)")
    print(f"xlsx export: {t_xlsx:.2f} s; double-coding plan: {t_plan:.2f} s")
    timed_only(1000)
    abcd = report.variable("abcd")
    print(f"abcd: {abcd['percent_agreement'] * 100:.1f} % agreement, kappa {abcd['kappa']:.2f}")


if __name__ == "__main__":
    main()
