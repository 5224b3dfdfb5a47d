"""Import and export a year of a lab's BORIS codings: 200 sessions, one observation each, 600 events per session.

Prints the time of a dry run, the real import, a second (unchanged) import,
and a BORIS and an ELAN export of everything, each with the CPU time it took, and the load average before and
after. Figures only; no target.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401

from ssp_coder.domain import commands as cmds
from ssp_coder.interchange import export_codings, import_coding_file
from ssp_coder.interchange.boris import write_boris
from ssp_coder.interchange.model import Ethogram, ExportCoding, ExportEvent
from ssp_coder.store.project import Project

SESSIONS = 200
EVENTS = 600


def build(folder: Path) -> Project:
    p = Project.create(folder / "bench.sspc", backups=False)
    with p.bulk(origin="bench") as w:
        for i in range(SESSIONS // 2):
            pid = w.add_participant(f"P{i:04d}", "ABC" if i % 2 else "DEF")
            for tp in ("pre", "post"):
                w.add_session(pid, tp, f"C{i:04d}{tp[:2].upper()}", video_path=f"videos/P{i:04d}_{tp}.mp4",
                              video_sha256=None, duration_ms=1_400_000, fps=25.0, frame_count=None)
    p.execute(cmds.AddCoder("Ann"))
    return p


def codings(project: Project) -> list[ExportCoding]:
    rnd = random.Random(7)
    states = [b.code for b in project.scheme.behaviours if b.is_state]
    points = [b.code for b in project.scheme.behaviours if not b.is_state]
    out = []
    for s in project.sessions():
        events, t = [], 5_000
        bounds = []
        for n, length in enumerate((30, 180, 180, 180, 180, 180, 180, 180), start=1):
            bounds.append((n, t, t + length * 1000))
            t += length * 1000
        free = {c: 0 for c in states}
        while len(events) < EVENTS:
            code = rnd.choice(states + points)
            on = rnd.randrange(5_000, 1_290_000)
            if code in free:
                if on < free[code]:
                    continue
                off = min(on + rnd.randrange(200, 8_000), 1_295_000)
                free[code] = off + 1
                events.append(ExportEvent(code, on, off, True))
            else:
                events.append(ExportEvent(code, on, None, False))
        # states of one code must not overlap: keep them in time order per code
        events = [e for e in events if not e.is_state] + sorted((e for e in events if e.is_state),
                                                                 key=lambda e: e.onset_ms)
        out.append(ExportCoding(s.blinded_code, "Ann", "primary", Path(s.video_path).name, s.duration_ms, s.fps,
                                tuple(bounds), tuple(events)))
    return out


def timed(label: str, fn) -> object:
    # CPU seconds beside the wall clock: on a shared machine the wall clock also counts other people's work.
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    print(f"{label}: {time.perf_counter() - t0:.2f} s (CPU {time.process_time() - c0:.2f} s)")
    return result


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):   # Windows has no load average
        return "unknown"


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="ssp-interchange-"))
    try:
        project = build(folder)
        ethogram = Ethogram(tuple((b.code, b.name, b.is_state) for b in project.scheme.behaviours),
                            project.scheme.episode_numbers)
        source = folder / "lab.boris"
        write_boris(source, codings(project), ethogram)
        print(f"{SESSIONS} observations x {EVENTS} events, {source.stat().st_size / 1e6:.1f} MB; "
              f"load average {_load()}")
        timed("dry run", lambda: import_coding_file(project, source, "boris", dry_run=True))
        report = timed("import", lambda: import_coding_file(project, source, "boris"))
        print(f"  {report.count('created')} codings, {report.events} events")
        timed("second import (unchanged)", lambda: import_coding_file(project, source, "boris"))
        timed("export to BORIS", lambda: export_codings(project, "boris", folder / "out.boris"))
        timed("export to ELAN (one file per coding)", lambda: export_codings(project, "elan", folder / "elan"))
        project.close()
        print(f"load average {_load()}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
