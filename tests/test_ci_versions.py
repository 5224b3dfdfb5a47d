"""CI tests the oldest and the newest Python the README promises, and finds the newest robustly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _setting(name: str) -> str:
    return re.search(rf"^{name}=(\S+)$", CI, re.M).group(1)


def test_readme_pyproject_and_ci_promise_the_same_versions():
    oldest, newest = _setting("OLDEST_PYTHON"), _setting("NEWEST_PYTHON")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Python {oldest} to {newest}" in readme
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["requires-python"] == f">={oldest}"
    assert f"Programming Language :: Python :: {newest}" in meta["classifiers"]
    assert '-m pytest' in CI.split("NEWEST_PYTHON=", 1)[1], "the newest Python must run the tests too"


def _find_python_script() -> str:
    start = CI.index("python_version() {")
    end = CI.index("\n}\n", CI.index("find_python() {")) + 3
    return CI[start:end]


@pytest.mark.skipif(sys.platform == "win32", reason=".ci/run is a bash script")
def test_a_broken_shim_is_skipped_and_pyenv_is_asked(tmp_path):
    want = "%d.%d" % sys.version_info[:2]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / f"python{want}"
    shim.write_text("#!/bin/sh\necho 'pyenv: command not found' >&2\nexit 127\n")
    root = tmp_path / "pyenv"
    (root / "versions" / f"{want}.0" / "bin").mkdir(parents=True)
    (root / "versions" / f"{want}.0" / "bin" / "python3").symlink_to(sys.executable)
    pyenv = bin_dir / "pyenv"
    pyenv.write_text(f"#!/bin/sh\n[ \"$1\" = root ] && echo {root}\n")
    for f in (shim, pyenv):
        f.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    script = _find_python_script() + f"\nfind_python {want}\n"
    res = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == str(root / "versions" / f"{want}.0" / "bin" / "python3")
    missing = subprocess.run(["bash", "-c", _find_python_script() + "\nfind_python 3.99\n"], env=env,
                             capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stdout == ""
