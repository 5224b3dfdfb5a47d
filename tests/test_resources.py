"""The scheme ships inside the installed package (a built wheel holds it and loads it)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_and_loads_the_scheme(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                          str(tmp_path), str(ROOT)], capture_output=True, text=True)
    if out.returncode != 0 and "No module named" in out.stderr and "setuptools" in out.stderr:
        pytest.fail("setuptools is needed to build the wheel: " + out.stderr[-400:])
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("ssp_coder-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "ssp_coder/resources/schemes/ssp-infant-v1.json" in names
    # load it from the wheel alone, with the source tree out of reach
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    code = ("import sys; sys.path = [p for p in sys.path if 'ssp' not in p]; sys.path.insert(0, %r); "
            "import ssp_coder, ssp_coder.domain.scheme as s; "
            "assert %r not in ssp_coder.__file__; print(s.load_builtin_scheme().id)") % (str(target), str(ROOT))
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ssp-infant-v1"
