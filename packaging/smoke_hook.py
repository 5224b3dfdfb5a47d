"""Drives the window for the packaging smoke test, inside the built program.

Enabled only by ``SSP_CODER_SMOKE_MS`` (see ``entry.py``); ``SSP_CODER_SMOKE_VIDEO``
names a video that a player of its own loads meanwhile. It accepts the
start dialogs (the coder chosen by default), waits until the main window has
been shown for the given time and its video has loaded (or failed), prints
what it saw as ``smoke:`` lines on stdout, and closes the window the way a
user would: ``close()``, so the window saves its layout and ``run()`` closes
the project. The smoke test reads those lines: a loaded video with a
duration proves the QtMultimedia FFmpeg plugin was found in the build.
"""

from __future__ import annotations

import os
import sys
import time

def outside_report() -> str:
    """What the running program loaded from outside its own folder, apart from the system's libraries.

    Python modules must all come from the bundle; shared libraries from the bundle or the operating
    system (/lib, /usr/lib: glibc, X11, OpenGL, fonts). Anything else means the build leaned on a
    Python installation or a library that a coder's computer will not have.
    """
    bundle = os.path.realpath(getattr(sys, "_MEIPASS", os.path.dirname(sys.executable)))
    outside = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        # Modules inside the program's archive have names but no file; only real files count.
        if path and os.path.isabs(path) and os.path.exists(path) and not os.path.realpath(path).startswith(bundle):
            outside.add(os.path.realpath(path))
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip() if line.count(" ") >= 5 else ""
                if not path.startswith("/") or ".so" not in path or path.startswith(("/lib", "/usr/lib")):
                    continue
                if not os.path.realpath(path).startswith(bundle):
                    outside.add(path)
    except OSError:  # not Linux: modules only
        pass
    return "outside files: " + (", ".join(sorted(outside)) if outside else "none")


class _VideoProbe:
    """Its own QMediaPlayer on a known video: decodes only if the FFmpeg media plugin was bundled."""

    def __init__(self, path: str):
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

        self.frames = 0
        self.player = QMediaPlayer()
        self.sink = QVideoSink()
        self.player.setVideoSink(self.sink)
        self.sink.videoFrameChanged.connect(self._on_frame)
        self.player.setSource(QUrl.fromLocalFile(path))
        self.player.pause()  # paused: decodes and shows the first frame without playing

    def _on_frame(self, _frame) -> None:
        self.frames += 1


# Generous: a cold start of the frozen build on a slow disk, plus loading a video.
GIVE_UP_AFTER_S = 60.0


def install(show_ms: int, video: str | None = None) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtMultimedia import QMediaPlayer
    from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    started = time.monotonic()
    state: dict = {"shown_at": None, "done": False}

    def say(text: str) -> None:
        print(f"smoke: {text}", flush=True)

    probe = _VideoProbe(video) if video else None

    def media_report(window: QMainWindow) -> tuple[bool, list[str]]:
        players = []
        # The window's own player, when a coding with a video is open (informational only).
        source = getattr(getattr(window, "player", None), "source", None)
        if isinstance(getattr(source, "player", None), QMediaPlayer):
            players.append(("window", source.player))
        if probe is not None:
            players.append(("probe", probe.player))
        settled = all(p.mediaStatus() not in (QMediaPlayer.MediaStatus.LoadingMedia,
                                              QMediaPlayer.MediaStatus.NoMedia) for _, p in players)
        if probe is not None:
            settled = settled and (probe.frames > 0 or probe.player.error() != QMediaPlayer.Error.NoError)
        lines = [f"media {who} status={p.mediaStatus().name} duration_ms={p.duration()} error={p.error().name}"
                 for who, p in players]
        if probe is not None:
            lines.append(f"media probe frames={probe.frames}")
        return settled, lines

    def tick() -> None:
        if state["done"]:
            return
        for w in QApplication.topLevelWidgets():
            if not w.isVisible():
                continue
            if isinstance(w, QMessageBox):
                say(f"message box: {w.windowTitle()}: {w.text()}")
                w.accept()
            elif isinstance(w, QDialog):
                say(f"dialog accepted: {w.windowTitle()}")
                w.accept()
            elif isinstance(w, QMainWindow):
                if state["shown_at"] is None:
                    state["shown_at"] = time.monotonic()
                    say(f"window shown: {w.windowTitle()} after {state['shown_at'] - started:.2f} s")
                settled, lines = media_report(w)
                long_enough = time.monotonic() - state["shown_at"] >= show_ms / 1000
                if long_enough and (settled or time.monotonic() - started > GIVE_UP_AFTER_S):
                    for line in lines or ["media none (no player in the window)"]:
                        say(line)
                    say(outside_report())
                    state["done"] = True
                    say("closing the window")
                    w.close()
                    return
        if time.monotonic() - started > GIVE_UP_AFTER_S:
            state["done"] = True
            say("timeout: the window never appeared")
            app.exit(3)

    timer = QTimer(app)
    timer.setInterval(100)
    timer.timeout.connect(tick)
    timer.start()
