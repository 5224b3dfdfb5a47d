"""The shipped schemes and icons: kept in the top-level resources/ folder, installed inside the package.

A built wheel holds them as ssp_coder/resources/ and loads them with the source tree out of reach; an
editable install (pip install -e .) and a checkout run in place find them in resources/.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

# Run in a fresh interpreter: prints where the shipped files were found, the scheme id and the icons.
PROBE = ("import ssp_coder, ssp_coder.domain.scheme as s; from ssp_coder.shipped import shipped_folder; "
         "print(ssp_coder.__file__); print(shipped_folder()); print(s.load_builtin_scheme().id); "
         "print(' '.join(sorted(p.name for p in shipped_folder('icons').iterdir())))")


def _probe(code_before: str, cwd: Path) -> list[str]:
    # -E -S: no PYTHONPATH and no site-packages, so no other copy of ssp_coder can answer instead
    res = subprocess.run([sys.executable, "-E", "-S", "-c", code_before + PROBE], cwd=cwd, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()


def test_the_shipped_files_live_at_the_top_level():
    assert (ROOT / "resources" / "schemes" / "ssp-infant-v1.json").is_file()
    assert all((ROOT / "resources" / "icons" / f"ssp-coder-{n}.png").is_file() for n in ICON_SIZES)
    assert not (ROOT / "ssp_coder" / "resources").exists(), "one copy only: the top-level resources/ folder"


@pytest.mark.slow
def test_wheel_contains_and_loads_the_scheme_and_icons(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                          str(tmp_path), str(ROOT)], capture_output=True, text=True)
    if out.returncode != 0 and "No module named" in out.stderr and "setuptools" in out.stderr:
        pytest.fail("setuptools is needed to build the wheel: " + out.stderr[-400:])
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("ssp_coder-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "ssp_coder/resources/schemes/ssp-infant-v1.json" in names
    assert all(f"ssp_coder/resources/icons/ssp-coder-{n}.png" in names for n in ICON_SIZES)
    assert not [n for n in names if n.startswith("resources/")], "nothing may be installed as a top-level folder"
    # load them from the wheel alone, with the source tree out of reach
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    module, folder, scheme, icons = _probe(f"import sys; sys.path.insert(0, {str(target)!r}); ", tmp_path)
    assert Path(module).is_relative_to(target) and Path(folder) == target / "ssp_coder" / "resources"
    assert scheme == "ssp-infant-v1"
    assert all(f"ssp-coder-{n}.png" in icons.split() for n in ICON_SIZES)


@pytest.mark.slow
def test_an_editable_install_finds_them_in_the_checkout(tmp_path):
    target = tmp_path / "site"
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                          "--target", str(target), "-e", str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    module, folder, scheme, icons = _probe(f"import site; site.addsitedir({str(target)!r}); ", tmp_path)
    assert Path(module) == ROOT / "ssp_coder" / "__init__.py"
    assert Path(folder) == ROOT / "resources"
    assert scheme == "ssp-infant-v1"
    assert all(f"ssp-coder-{n}.png" in icons.split() for n in ICON_SIZES)
