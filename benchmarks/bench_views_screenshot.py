"""Screenshots of a session filmed by two cameras (docs/screenshots/coding-window-two-views*.png).

Run under a display, e.g.: xvfb-run -a -s "-screen 0 1920x1080x24" env PYTHONPATH=. python benchmarks/bench_views_screenshot.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if os.environ.get("DISPLAY"):
    # a real (X) window: bench_gui_common would otherwise fall back to the offscreen platform
    os.environ["QT_QPA_PLATFORM"] = "xcb"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gui_common import temp_folder  # noqa: E402

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from ssp_coder.domain import commands as cmds  # noqa: E402
from ssp_coder.domain.model import SessionId  # noqa: E402
from ssp_coder.domain.views import SessionView  # noqa: E402
from ssp_coder.gui.app import application, build_window  # noqa: E402
from ssp_coder.media import make_ssp_video, sha256_file, ssp_episode_plan  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    folder = temp_folder()
    face = make_ssp_video(folder / "face.mp4", episode_seconds=8, fps=25, width=1280, height=720, seed=3,
                          label="face camera")
    room = make_ssp_video(folder / "room.mp4", episode_seconds=8, fps=30, width=1280, height=720, seed=11,
                          label="room camera")
    project = Project.create(folder / "trial.sspc", backups=False)
    with project.bulk(actor="demo") as bw:
        pid = bw.add_participant("P001", "intervention")
        sid = bw.add_session(pid, "pre", "K7QX", video_path="face.mp4", video_sha256=sha256_file(folder / "face.mp4"),
                             duration_ms=face.duration_ms, fps=face.fps, frame_count=face.frame_count)
        bw.add_view(SessionView(SessionId(sid), 1, "face"))
        bw.add_view(SessionView(SessionId(sid), 2, "room", "room.mp4", sha256_file(folder / "room.mp4"),
                                room.duration_ms, room.fps, room.frame_count))
    project.execute(cmds.SetViewOffset(sid, 2, 1240), actor="demo")
    project.execute(cmds.AddCoder("Ana", "coder"), actor="demo")
    project.execute(cmds.CreateCoding(sid, int(project.coder("Ana").id)), actor="demo")
    cid = int(project.codings()[0].id)
    plan = ssp_episode_plan(8, 25)
    batch = [cmds.SetBoundary(cid, ep, s, e) for ep, s, e in plan[:5]]
    # Events coded from both cameras (the coder records which view each event is coded from): the event
    # table's View column and the timeline's V1/V2 tags show in the screenshots.
    batch += [cmds.AddEvent(cid, "cry", plan[3][1] + 1200, plan[3][1] + 4800, view=1),
              cmds.AddEvent(cid, "approach", plan[4][1] + 900, None, view=2),
              cmds.AddEvent(cid, "contact", plan[4][1] + 1800, plan[4][1] + 6000, view=2),
              cmds.AddEvent(cid, "cry", plan[4][1] + 2600, plan[4][1] + 5200, view=1),
              cmds.AddEvent(cid, "look_door", plan[4][1] + 6500, None, view=2),
              cmds.AddEvent(cid, "resist", plan[4][1] + 7000, plan[4][1] + 7600, view=1)]
    project.execute_many(batch, actor="Ana")
    app = application()
    OUT.mkdir(parents=True, exist_ok=True)
    for layout, name in (("side", "coding-window-two-views.png"), ("large", "coding-window-two-views-large.png")):
        s = QSettings(str(folder / f"{layout}.ini"), QSettings.Format.IniFormat)
        s.setValue("coders/Ana/views/layout", layout)
        s.setValue("coders/Ana/views/record_event_view", True)
        win = build_window(project, project.coder("Ana"), s, decode_video=True, ask_relink=False)
        win.resize(1366, 768)
        win.apply_default_layout(1366)
        win.show()
        win.open_first_coding()
        wait(2500)
        win.player.seek(plan[4][1] + 2000)
        win.docks["events"].raise_()      # the event table, with its View column
        wait(2500)
        if layout == "side":
            win.view_set.open_sync_dialog()
            wait(800)
        pix = win.grab()
        pix.save(str(OUT / name))
        print("saved", OUT / name, pix.width(), pix.height())
        if layout == "side":
            dlg = win.view_set.sync_dialog.grab()
            dlg.save(str(OUT / "synchronise-views-dialog.png"))
            print("saved", OUT / "synchronise-views-dialog.png", dlg.width(), dlg.height())
        win.close()
    project.close()
    app.processEvents()


if __name__ == "__main__":
    main()
