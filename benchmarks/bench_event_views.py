"""What the view tags cost the timeline: full repaints (cache invalid) of a 5,000-event coding, before and after
every event records a camera view; the whole session in view and a 60-second stretch (where tags are drawn).

Target: a full repaint stays < 8 ms (the timeline's target).
Run: PYTHONPATH=. python benchmarks/bench_event_views.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gui_common import busy_project, coding_window, percentile, temp_folder  # noqa: E402


from ssp_coder.domain import commands as cmds  # noqa: E402
from ssp_coder.domain.model import SessionId  # noqa: E402
from ssp_coder.domain.views import SessionView  # noqa: E402

from ssp_coder.store.project import Project  # noqa: E402


def full_repaints(path: Path, folder: Path, label: str) -> None:
    project = Project.open(path, backups=False)
    win = coding_window(project, folder / "s.ini", (1920, 1080))
    tl = win.timeline
    tagged = sum(int((lane.views > 0).sum()) for lane in tl.lanes)
    for span in ("whole session", "60 s"):
        tl.fit_all()
        if span == "60 s":               # ten minutes in, zoomed so that tags have room
            tl.ms_per_px = 60_000 / tl.plot_width()
            tl.view_start = 600_000
            tl.invalidate()
        times = []
        for _ in range(200):
            tl.invalidate()
            t0 = time.perf_counter()
            tl.repaint()
            times.append((time.perf_counter() - t0) * 1000)
        print(f"full timeline repaint, {label} ({tagged} events with a view), {span} in view, {tl.width()} px: "
              f"median {statistics.median(times):.2f} ms, p95 {percentile(times, 95):.2f} ms (target < 8 ms)")
    win.close()
    project.close()


def main() -> None:
    folder = temp_folder()
    path = busy_project(folder, events=5000)
    with Project.open(path, backups=False) as p:
        sid = int(p.sessions()[0].id)
        with p.bulk(actor="bench") as bw:
            bw.add_view(SessionView(SessionId(sid), 2, "room", None, None, p.session(sid).duration_ms, 25.0))
    full_repaints(path, folder, "no views recorded")
    with Project.open(path, backups=False) as p:
        cid = int(p.codings()[0].id)
        events = p.coding_state(cid).events
        p.execute_many([cmds.UpdateEvent(int(e.id), e.code, e.onset_ms, e.offset_ms, e.subject, e.note,
                                         1 + k % 2) for k, e in enumerate(events)], actor="bench")
    full_repaints(path, folder, "every event's view recorded")


if __name__ == "__main__":
    main()
