"""Size and start-up time of the build, against the pip-installed command.

``python packaging/measure.py [--pip-command PATH] [--runs N]`` after
``python packaging/build.py``. Prints the size of ``packaging/dist/ssp-coder``
and of its archive, then the wall-clock time of ``--version`` and of
``demo --no-gui`` (building the demo, once; then reopening it, N times) for
the built program and for the pip-installed ``ssp-coder``. The first run of
each is reported on its own: it is the closest to a cold start that can be
had without emptying the operating system's file cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build  # noqa: E402
import spec_config as cfg  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def series(label: str, cmd: list[str], env: dict[str, str], runs: int) -> None:
    first = timed(cmd, env)
    rest = [timed(cmd, env) for _ in range(runs)]
    print(f"  {label:<34} first {first:6.2f} s   then median {statistics.median(rest):6.2f} s "
          f"(min {min(rest):.2f}, max {max(rest):.2f}, {runs} runs)")


def measure(name: str, exe: str, runs: int, tmp: Path) -> None:
    env = dict(os.environ, SSP_CODER_LOG_DIR=str(tmp / "logs"), HOME=str(tmp / "home"))
    print(f"{name}: {exe}")
    series("--version", [exe, "--version"], env, runs)
    demo = tmp / f"demo-{name}"
    print(f"  {'demo --no-gui (build the demo)':<34} {timed([exe, 'demo', '--no-gui', '--dir', str(demo)], env):6.2f} s")
    series("demo --no-gui (reopen the demo)", [exe, "demo", "--no-gui", "--dir", str(demo)], env, runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-command", default=shutil.which("ssp-coder"),
                        help="the pip-installed ssp-coder to compare with (default: the one on PATH)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    folder = build.DIST / cfg.APP_NAME
    if not folder.exists():
        sys.exit("measure: build first: python packaging/build.py")
    archive = build.DIST / cfg.archive_name(cfg.project_version())
    print(f"build folder: {build.folder_size(folder) / 1e6:.0f} MB in "
          f"{sum(1 for p in folder.rglob('*') if p.is_file())} files")
    if archive.exists():
        print(f"archive: {archive.name}: {archive.stat().st_size / 1e6:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="ssp-coder-measure-") as tmp:
        tmp = Path(tmp)
        moved = tmp / "moved" / cfg.APP_NAME
        shutil.copytree(folder, moved, symlinks=True)
        measure("build", str(moved / build.executable_name()), args.runs, tmp)
        if args.pip_command:
            measure("pip", args.pip_command, args.runs, tmp)
        else:
            print("pip: no ssp-coder on PATH; give --pip-command to compare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
