"""Screenshots of the coding window mid-coding at 1366x768 and 1920x1080 (docs/screenshots/), on a
camcorder-like 1080p recording with sound (benchmarks/camcorder_video.py), so the sound lanes show crying.

Run under a display, e.g.: xvfb-run -s "-screen 0 1920x1080x24" env PYTHONPATH=. python benchmarks/bench_gui_screenshots.py
[RECORDING.mp4, made with ``camcorder_video.py --episode-seconds 12``]
With QT_SCALE_FACTOR=2 (and a 3840x2160 screen) it saves the 4K-at-200 % view instead.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.pop("QT_QPA_PLATFORM", None) if os.environ.get("DISPLAY") else None
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gui_common import temp_folder  # noqa: E402
from camcorder_video import make_camcorder_video  # noqa: E402

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from ssp_coder.domain import commands as cmds  # noqa: E402
from ssp_coder.gui.app import application, build_window  # noqa: E402
from ssp_coder.media import probe_video, ssp_episode_plan  # noqa: E402
from ssp_coder.store.project import Project  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
EPISODE_S = 12


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    folder = temp_folder()
    if len(sys.argv) > 1:               # a recording made before with camcorder_video.py (it takes minutes)
        shutil.copyfile(sys.argv[1], folder / "K7QX.mp4")
    else:
        make_camcorder_video(folder / "K7QX.mp4", episode_seconds=EPISODE_S)
    info = probe_video(folder / "K7QX.mp4")
    from ssp_coder.media import sha256_file
    project = Project.create(folder / "trial.sspc", backups=False)
    with project.bulk(actor="demo") as bw:
        for i, code in enumerate(["K7QX", "M2TR", "B9LC", "Q4NW", "H6ZD"]):
            pid = bw.add_participant(f"P{i:03d}", "intervention")
            bw.add_session(pid, "pre", code, video_path="K7QX.mp4" if i == 0 else None,
                           video_sha256=sha256_file(folder / "K7QX.mp4") if i == 0 else None,
                           duration_ms=info.duration_ms, fps=info.fps, frame_count=info.frame_count)
    project.execute(cmds.AddCoder("Ana", "coder"), actor="demo")
    ana = project.coder("Ana")
    project.execute_many([cmds.CreateCoding(int(s.id), int(ana.id)) for s in project.sessions()], actor="demo")
    cid = int(project.codings()[0].id)
    plan = ssp_episode_plan(EPISODE_S, 25)
    batch = [cmds.SetBoundary(cid, ep, s, e) for ep, s, e in plan[:6]] + [cmds.SetBoundary(cid, 7, plan[6][1], None)]
    import random
    rng = random.Random(4)
    for ep, s, e in plan[:7]:
        for b in project.scheme.behaviours:
            if rng.random() < 0.55:
                on = rng.randrange(s, e - 2000)
                batch.append(cmds.AddEvent(cid, b.code, on, on + rng.randrange(800, 4000) if b.is_state else None))
    batch.append(cmds.AddEvent(cid, "cry", plan[6][1] + 1500, None))
    batch += [cmds.AddDIndex(cid, "III", plan[4][1] + 2300), cmds.AddDIndex(cid, "V", plan[5][1] + 5100, "5a")]
    for sc in project.scheme.scales:
        for ep, pa in sc.cells:
            if ep <= 5:
                batch.append(cmds.SetScale(cid, sc.id, ep, pa, rng.choice([1, 1.5, 2, 3, 4.5, 5, 6, 6.5])))
    batch += [cmds.SetClassification(cid, "D", "B3"), cmds.SetDRating(cid, 6.5)]
    project.execute_many(batch, actor="Ana")
    app = application()
    scale = os.environ.get("QT_SCALE_FACTOR", "")     # QT_SCALE_FACTOR=2: a 4K screen at 200 %
    sizes = ((1920, 1080),) if scale else ((1366, 768), (1920, 1080))
    for w, h in sizes:
        s = QSettings(str(folder / f"s{w}.ini"), QSettings.Format.IniFormat)
        win = build_window(project, project.coder("Ana"), s, decode_video=True, ask_relink=False)
        win.resize(w, h)
        win.apply_default_layout(w)
        win.show()
        win.open_first_coding()
        wait(2000)
        target = plan[6][1] + 3000
        win.player.seek(target)
        for _ in range(120):          # the nearest keyframe shows at once; wait for the exact frame
            wait(250)
            if abs(win.player.position_ms - target) <= 40:
                break
        wait(500)
        win.docks["events"].raise_() if w >= 1700 else win.docks["classification"].raise_()
        wait(300)
        pix = win.grab()
        OUT.mkdir(parents=True, exist_ok=True)
        name = f"coding-window-4k-scale{scale}.png" if scale else f"coding-window-{w}x{h}.png"
        pix.save(str(OUT / name))
        print("saved", OUT / name, pix.width(), pix.height())
        win.close()
    project.close()


if __name__ == "__main__":
    main()
