"""Import a 2,000-row roster. Target < 2 s.

Videos are tiny placeholder files and the probe is a stub (only here, in the
benchmark): the figure measures reading, checking and writing the roster,
not decoding 2,000 real recordings.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401

from ssp_coder.media import VideoInfo
from ssp_coder.roster import import_roster
from ssp_coder.store.project import Project


def stub_probe(path: Path) -> VideoInfo:
    return VideoInfo(duration_ms=1_320_000, fps=25.0, frame_count=33_000, width=1280, height=720, codec="h264",
                     has_audio=True)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="ssp-roster-"))
    (folder / "videos").mkdir()
    lines = ["participant_id,timepoint,arm,video,site,age_months,sex,date_of_visit,notes"]
    for i in range(1000):
        for t, tp in enumerate(("pre", "post")):
            name = f"videos/P{i:04d}_{tp}.mp4"
            (folder / name).write_bytes(f"fake video {i} {tp}".encode() * 8)
            lines.append(f"P{i:04d},{tp},{'ABC' if i % 2 else 'DEF'},{name},site{i % 3},{14 + t * 6},F,"
                         f"2025-0{1 + t * 6}-1{i % 9},note {i}")
    roster = folder / "roster.csv"
    roster.write_text("\n".join(lines) + "\n")
    times = []
    for run in range(3):
        path = folder / f"p{run}.sspc"
        with Project.create(path, backups=False) as p:
            start = time.perf_counter()
            report = import_roster(p, roster, prober=stub_probe)
            times.append(time.perf_counter() - start)
            assert report.sessions_added == 2000
    print(f"import 2,000-row roster: best {min(times):.2f} s, median {sorted(times)[1]:.2f} s (target < 2 s)")
    with Project.open(folder / "p0.sspc", backups=False) as p:
        start = time.perf_counter()
        report = import_roster(p, roster, prober=stub_probe)
        print(f"re-import of the same roster (idempotent, nothing added): {time.perf_counter() - start:.2f} s, "
              f"{report.sessions_unchanged} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
