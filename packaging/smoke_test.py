"""Smoke test of the self-contained build: ``python packaging/smoke_test.py [--reuse]``.

Builds the folder (unless ``--reuse`` and one exists), copies it to a new
temporary folder away from the source tree, and there, with a bare
environment (no PYTHONPATH, a PATH without Python, a fresh home folder):

1. ``ssp-coder --version`` prints the version from pyproject.toml;
2. ``ssp-coder demo --no-gui --dir DEMO`` builds the demo project (videos
   made in worker processes) and prints its summary;
3. ``ssp-coder gui DEMO/demo.sspc`` opens the window offscreen, accepts the
   coder dialog, keeps the window up for a moment while a player of its own
   decodes a demo video through QtMultimedia's FFmpeg plugin, reports any
   Python module or non-system library loaded from outside the build, and
   closes the window the way a user would; it must exit with code 0.

Takes a few minutes (the build); not part of ``pytest``. Exit code 0 when
every check passed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build  # noqa: E402
import spec_config as cfg  # noqa: E402

FFMPEG_PLUGIN = re.compile(r"^(lib)?ffmpegmediaplugin\.(so|dll|dylib)$")
# Qt notices that are expected offscreen or on a machine without these optional libraries.
HARMLESS_STDERR = re.compile(
    r"^(qt\.multimedia\.\S+: |This plugin does not support |QStandardPaths: |Input #0|  |Using Qt multimedia|"
    r"\[.*\] |Making demo videos|qt\.qpa\.)")


class Failed(Exception):
    pass


def bare_environment(home: Path) -> dict[str, str]:
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_STATE_HOME": str(home / ".local/state"), "XDG_CACHE_HOME": str(home / ".cache"),
           "SSP_CODER_LOG_DIR": str(home / "logs"), "LANG": "C.UTF-8", "TMPDIR": str(home / "tmp")}
    if sys.platform == "win32":
        env.update(PATH=os.environ.get("SystemRoot", r"C:\Windows") + r"\System32",
                   SystemRoot=os.environ.get("SystemRoot", r"C:\Windows"),
                   APPDATA=str(home / "AppData"), LOCALAPPDATA=str(home / "LocalAppData"))
    else:
        env["PATH"] = "/usr/bin:/bin"
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise Failed(f"{' '.join(cmd[1:])} did not finish within {timeout:.0f} s") from exc
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise Failed(f"{' '.join(cmd[1:])} exited with {done.returncode}\n--- stdout\n{done.stdout}\n"
                     f"--- stderr\n{done.stderr}")
    return done, seconds


def unexpected_stderr(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not HARMLESS_STDERR.match(line)]


def check_folder(folder: Path) -> list[str]:
    notes = []
    plugins = [p for p in folder.rglob("*") if FFMPEG_PLUGIN.match(p.name)]
    if not plugins:
        raise Failed("the QtMultimedia FFmpeg plugin is not in the build")
    notes.append(f"FFmpeg media plugin: {plugins[0].relative_to(folder)}")
    for name in ("ssp_coder/resources/schemes", "ssp_coder/resources/icons"):
        if not any(folder.rglob(name)) or not any(next(folder.rglob(name)).iterdir()):
            raise Failed(f"{name} is missing from the build")
    return notes


def smoke(folder: Path, show_ms: int) -> list[str]:
    notes = check_folder(folder)
    version = cfg.project_version()
    with tempfile.TemporaryDirectory(prefix="ssp-coder-smoke-") as tmp:
        tmp = Path(tmp)
        moved = tmp / "elsewhere" / cfg.APP_NAME
        shutil.copytree(folder, moved, symlinks=True)
        exe = str(moved / build.executable_name())
        env = bare_environment(tmp / "home")
        work = tmp / "work"
        work.mkdir()

        done, seconds = run([exe, "--version"], env, work, 60)
        if done.stdout.strip() != f"ssp-coder {version}":
            raise Failed(f"--version printed {done.stdout.strip()!r}, expected 'ssp-coder {version}'")
        notes.append(f"--version: {done.stdout.strip()} ({seconds:.2f} s, first run from the moved copy)")

        demo = tmp / "demo"
        done, seconds = run([exe, "demo", "--no-gui", "--dir", str(demo)], env, work, 600)
        project = demo / "demo.sspc"
        if not project.exists() or "Open it in the coding window" not in done.stdout:
            raise Failed(f"demo --no-gui did not make {project}\n{done.stdout}\n{done.stderr}")
        if bad := unexpected_stderr(done.stderr):
            raise Failed("demo --no-gui wrote to stderr:\n" + "\n".join(bad))
        notes.append(f"demo --no-gui: built {project.name} with "
                     f"{len(list((demo / 'videos').glob('*.mp4')))} videos ({seconds:.1f} s)")

        gui_env = dict(env, QT_QPA_PLATFORM="offscreen", SSP_CODER_SMOKE_MS=str(show_ms),
                       SSP_CODER_SMOKE_VIDEO=str(sorted((demo / "videos").glob("*.mp4"))[0]))
        done, seconds = run([exe, "gui", str(project)], gui_env, work, 120)
        out = done.stdout
        if "smoke: window shown:" not in out:
            raise Failed(f"the window was not shown\n{out}\n{done.stderr}")
        probe = re.search(r"media probe status=(\w+) duration_ms=(-?\d+) error=(\w+)", out)
        frames = re.search(r"media probe frames=(\d+)", out)
        if not probe or probe.group(3) != "NoError" or int(probe.group(2)) <= 0 or not frames \
                or int(frames.group(1)) < 1:
            raise Failed(f"the FFmpeg backend did not decode the demo video in the build\n{out}\n{done.stderr}")
        outside = re.search(r"smoke: outside files: (.*)", out)
        if not outside or outside.group(1) != "none":
            raise Failed(f"the build loaded files from outside its folder: {outside and outside.group(1)}")
        if "message box:" in out:
            raise Failed(f"the window showed a message box\n{out}")
        if bad := unexpected_stderr(done.stderr):
            raise Failed("the window wrote to stderr:\n" + "\n".join(bad))
        notes.append(f"gui: window shown and closed cleanly, exit 0 ({seconds:.1f} s in all); "
                     f"video decoded by the FFmpeg plugin: {probe.group(2)} ms, status {probe.group(1)}")
        notes.append("no Python module and no non-system library was loaded from outside the build")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="use packaging/dist/ssp-coder if it exists")
    parser.add_argument("--show-ms", type=int, default=1500, help="how long the window stays up")
    args = parser.parse_args(argv)
    folder = build.DIST / cfg.APP_NAME
    if not (args.reuse and (folder / build.executable_name()).exists()):
        try:
            import PyInstaller  # noqa: F401
        except ImportError:
            print("smoke: SKIPPED: PyInstaller is not installed (pip install -e '.[build]')")
            return 0
        folder, _ = build.build(archive=False)
    try:
        for note in smoke(folder, args.show_ms):
            print(f"smoke: ok  {note}")
    except Failed as exc:
        print(f"smoke: FAILED  {exc}", file=sys.stderr)
        return 1
    print("smoke: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
