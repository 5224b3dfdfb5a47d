"""Screenshots of the coding window while the project server cannot be reached (docs/server.md):
docs/screenshots/coding-window-waiting-changes.png (the red status bar note with the count, the waiting events
grey and hatched) and docs/screenshots/waiting-changes-dialog.png (the "Waiting changes…" list).

A throwaway PostgreSQL server is started in a temporary folder (needs initdb and pg_ctl), a small project with
a synthetic video is pushed to it, and the window opens on the server as the coder Ana. The server is then made
unreachable for the window (its connections are cut and its address points nowhere), Ana makes three changes
(two events and a scale rating), and the screenshots are taken. The journal of waiting changes goes to a
temporary data folder, never the user's.

Run under a display, e.g.:
    xvfb-run -a -s "-screen 0 1920x1080x24" env PYTHONPATH=. python benchmarks/bench_waiting_screenshot.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if os.environ.get("DISPLAY"):
    # a real (X) window: bench_gui_common would otherwise fall back to the offscreen platform
    os.environ["QT_QPA_PLATFORM"] = "xcb"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from bench_gui_common import temp_folder  # noqa: E402

FOLDER = temp_folder()
os.environ["XDG_DATA_HOME"] = str(FOLDER / "data")   # before ssp_coder decides where journals go

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ssp_coder.domain import commands as cmds  # noqa: E402
from ssp_coder.gui.app import application, build_window  # noqa: E402
from ssp_coder.media import make_ssp_video, sha256_file, ssp_episode_plan  # noqa: E402
from ssp_coder.store.pg_conn import ServerConnection  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402
from ssp_coder.store.server_copy import push  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
EPISODE_S, FPS = 8, 25


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(test, ms: int = 15_000) -> None:
    for _ in range(ms // 50):
        if test():
            return
        wait(50)
    raise RuntimeError("the window did not get there in time")


def project_file(folder: Path) -> tuple[Path, list]:
    """A one-session project coded part of the way by Ana: episodes 1-5 set and a few events saved."""
    video = make_ssp_video(folder / "P001_pre.mp4", episode_seconds=EPISODE_S, fps=FPS, width=1280, height=720,
                           seed=5, label="session K7QX")
    path = folder / "trial.sspc"
    with Project.create(path, backups=False) as p:
        with p.bulk(actor="demo") as bw:
            pid = bw.add_participant("P001", "intervention")
            sid = bw.add_session(pid, "pre", "K7QX", video_path="P001_pre.mp4",
                                 video_sha256=sha256_file(folder / "P001_pre.mp4"), duration_ms=video.duration_ms,
                                 fps=video.fps, frame_count=video.frame_count)
        p.execute(cmds.AddCoder("Ana", "coder"), actor="demo")
        p.execute(cmds.CreateCoding(sid, int(p.coder("Ana").id)), actor="demo")
        cid = int(p.codings()[0].id)
        plan = ssp_episode_plan(EPISODE_S, FPS)
        saved = [cmds.SetBoundary(cid, ep, s, e) for ep, s, e in plan[:5]]
        saved += [cmds.AddEvent(cid, "proximity", plan[2][1] + 500, plan[2][1] + 3500),
                  cmds.AddEvent(cid, "cry", plan[3][1] + 1200, plan[3][1] + 4800),
                  cmds.AddEvent(cid, "approach", plan[4][1] + 900, None)]
        p.execute_many(saved, actor="Ana")
    return path, plan


def cut(project: Project, win, url: str) -> None:
    """The network goes: the window's connections are cut and a new one cannot reach the server."""
    dead = f"postgresql://nobody@/none?host={FOLDER}&port=1"
    project.conn.url = dead
    win.server_watch.url = dead
    with ServerConnection(url) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = 'ssp-coder' AND pid <> pg_backend_pid()")


def main() -> int:
    from tests.server.throwaway import start_server

    path, plan = project_file(FOLDER)
    server = start_server()
    try:
        url = server.create_database("waiting_screenshot")
        push(path, url)
        os.chdir(FOLDER)                 # relative video paths of a server project are found from here
        app = application()
        OUT.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(FOLDER / "settings.ini"), QSettings.Format.IniFormat)
        with Project.open(url, actor="Ana") as project:
            win = build_window(project, project.coder("Ana"), settings, decode_video=True, ask_relink=False)
            win.resize(1366, 768)
            win.apply_default_layout(1366)
            win.show()
            win.open_first_coding()
            wait(2500)
            c = win.controller
            cid = c.coding_id
            ep5 = plan[4][1]
            win.player.seek(ep5 + 3000)
            wait(1500)
            cut(project, win, url)
            # three changes while the server cannot be reached: two events and a scale rating
            c.execute(cmds.AddEvent(cid, "contact", ep5 + 1800, ep5 + 5600))
            wait_until(lambda: not win.server_watch.reachable)
            c.execute(cmds.AddEvent(cid, "look_door", ep5 + 6200, None))
            c.execute(cmds.SetScale(cid, "ps", 5, "m", 4.0))
            assert c.waiting_count == 3, c.waiting_count
            win.docks["events"].raise_()
            # nothing selected: a selected row or event would hide its "not saved" look
            win.events.view.clearSelection()
            win.timeline.select(None)
            wait(1500)
            pix = win.grab()
            pix.save(str(OUT / "coding-window-waiting-changes.png"))
            print("saved", OUT / "coding-window-waiting-changes.png", pix.width(), pix.height())
            win.waiting_view.open_list()
            wait(800)
            dialog = next(w for w in QApplication.topLevelWidgets()
                          if w.objectName() == "waiting_dialog" and w.isVisible())
            shot = dialog.grab()
            shot.save(str(OUT / "waiting-changes-dialog.png"))
            print("saved", OUT / "waiting-changes-dialog.png", shot.width(), shot.height())
            dialog.close()
            c.discard_waiting()          # nothing to keep: the window then closes without asking
            win.close()
            app.processEvents()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
