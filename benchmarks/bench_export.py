"""Export benchmark: a 10,000-session trial (5,000 participants x pre/post) with
every column the scoring engine produces, written to xlsx, csv, sav and dta
(long and wide), and the summary.

Targets (issue 8): all four formats < 15 s; summary < 1 s.
Run: python benchmarks/bench_export.py [--sessions N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ssp_coder.domain.scheme import load_builtin_scheme
from ssp_coder.export.api import prepare_from_frames, write_export
from ssp_coder.export.summary import summarize
from ssp_coder.scoring.catalogue import variable_catalogue
from ssp_coder.scoring.settings import scoring_settings


def synthetic(n_sessions: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, object, dict]:
    rng = np.random.default_rng(seed)
    scheme = load_builtin_scheme()
    settings = scoring_settings(scheme, dict(scheme.settings))
    infos = variable_catalogue(scheme, settings)
    n_people = n_sessions // 2
    pid = np.repeat([f"P{i:05d}" for i in range(n_people)], 2)
    tp = np.tile(["pre", "post"], n_people)
    arm = np.repeat(rng.choice(["ABC", "Control"], n_people), 2)
    sid = np.arange(1, 2 * n_people + 1)
    status = rng.choice(["complete", "draft"], 2 * n_people, p=[0.97, 0.03])
    sessions = pd.DataFrame({
        "participant_id": pid, "arm": arm, "site": np.repeat(rng.choice(["North", "South"], n_people), 2),
        "age_months": np.repeat(rng.uniform(11, 24, n_people).round(1), 2), "sex": np.repeat(rng.choice(["F", "M"], n_people), 2),
        "timepoint": tp, "session_id": sid, "blinded_code": [f"K{i:06d}" for i in sid],
        "date_of_visit": "2025-05-17", "session_age_months": rng.uniform(11, 30, 2 * n_people).round(1),
        "n_independent_codings": rng.choice([1, 2], 2 * n_people, p=[0.75, 0.25]),
    })
    sessions["double_coded"] = (sessions["n_independent_codings"] >= 2).astype(int)
    sessions["_has_draft"] = True
    sessions["_status_by_coding"] = [{int(s): st} for s, st in zip(sid, status)]
    sessions["_coder_by_coding"] = [{} for _ in sid]
    cols: dict[str, object] = {"session_id": sid, "participant_id": pid, "timepoint": tp, "arm": arm, "site": "North",
                               "coding_id": sid, "coder": "Ann", "source": "primary"}
    abcd = rng.choice(["A", "B", "C", "D"], 2 * n_people, p=[0.2, 0.45, 0.1, 0.25])
    for info in infos:
        if info.name in cols:
            continue
        if info.name == "abcd":
            cols["abcd"] = abcd
        elif info.name in ("classification", "abcd_subgroup"):
            cols[info.name] = np.char.add(abcd, "1")
        elif info.name == "secure":
            cols[info.name] = (abcd == "B").astype(int)
        elif info.name == "disorganized":
            cols[info.name] = (abcd == "D").astype(int)
        elif info.type == "categorical":
            cols[info.name] = rng.choice(["A", "B", "C"], 2 * n_people)
        elif info.type == "binary":
            cols[info.name] = rng.integers(0, 2, 2 * n_people)
        elif info.type == "count":
            cols[info.name] = rng.integers(0, 12, 2 * n_people)
        elif info.type == "continuous":
            cols[info.name] = (rng.uniform(1, 180, 2 * n_people) * 2).round(0) / 2 if info.unit.startswith("points") \
                else rng.uniform(0, 180, 2 * n_people).round(3)
        else:
            cols[info.name] = np.where(rng.random(2 * n_people) < 0.1, "episode 4 curtailed", "")
    scored = pd.DataFrame(cols)
    return sessions, scored, scheme, settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=10_000)
    args = ap.parse_args()
    sessions, scored, scheme, settings = synthetic(args.sessions)
    t0 = time.perf_counter()
    data = prepare_from_frames(sessions, scored, scheme, settings, meta={"project": "benchmark"})
    t_prep = time.perf_counter() - t0
    print(f"{args.sessions} sessions, long {data.long.shape[0]} x {data.long.shape[1]}, "
          f"wide {data.wide.shape[0]} x {data.wide.shape[1]}")
    print(f"  datasets + codebook + summary: {t_prep:6.2f} s")
    t0, c0 = time.perf_counter(), time.process_time()
    summarize(data.long, timepoints=["pre", "post"])
    print(f"  summary alone:                 {time.perf_counter() - t0:6.2f} s wall, "
          f"{time.process_time() - c0:6.2f} s CPU  (target < 1 s)")
    # Wall-clock time depends on what else the machine runs; CPU time (this
    # process) is printed too, so that a loaded machine can be told apart.
    total = total_cpu = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("xlsx", "csv", "sav", "dta"):
            t0, c0 = time.perf_counter(), time.process_time()
            paths = write_export(data, fmt, Path(tmp) / ("trial.xlsx" if fmt == "xlsx" else f"trial_{fmt}"))
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            total += dt
            total_cpu += dc
            size = sum(p.stat().st_size if p.is_file() else sum(q.stat().st_size for q in p.iterdir()) for p in paths)
            print(f"  {fmt:<5} long + wide:              {dt:6.2f} s wall, {dc:6.2f} s CPU  ({size / 1e6:.1f} MB)")
    print(f"  all four formats:              {total:6.2f} s wall, {total_cpu:6.2f} s CPU  (target < 15 s); "
          f"with preparation {total + t_prep:.2f} s wall")


if __name__ == "__main__":
    main()
