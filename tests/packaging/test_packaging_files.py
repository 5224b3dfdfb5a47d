"""The packaging files are complete and consistent (no build: that is packaging/smoke_test.py)."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import struct
import sys
import tarfile
import zipfile
from xml.etree import ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _load(name: str):
    """Import a packaging script by path (the folder is not a package, and `packaging` is a PyPI name)."""
    sys.path.insert(0, str(PACKAGING))
    try:
        spec = importlib.util.spec_from_file_location(f"_ssp_packaging_{name}", PACKAGING / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(PACKAGING))


@pytest.fixture(scope="module")
def cfg():
    return _load("spec_config")


@pytest.fixture(scope="module")
def build_script():
    return _load("build")


def test_spec_parses_and_uses_the_shared_configuration():
    tree = ast.parse((PACKAGING / "ssp-coder.spec").read_text(encoding="utf-8"))
    called = {n.func.id if isinstance(n.func, ast.Name) else n.func.attr
              for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "collect_submodules", "hidden_imports", "datas"} <= called
    assert "onefile" not in (PACKAGING / "ssp-coder.spec").read_text(encoding="utf-8")


def test_hidden_imports_include_every_command_module(cfg):
    from ssp_coder.cli.app import COMMAND_MODULES

    hidden = set(cfg.hidden_imports())
    on_disk = {f"ssp_coder.cli.{p.stem}" for p in (ROOT / "ssp_coder" / "cli").glob("cmd_*.py")}
    assert on_disk and on_disk <= hidden
    listed = {f"ssp_coder.cli.{m}" for m in COMMAND_MODULES if (ROOT / "ssp_coder" / "cli" / f"{m}.py").exists()}
    assert listed <= hidden
    assert {"ssp_coder", "ssp_coder.cli", "ssp_coder.gui.app", "ssp_coder.demo"} <= hidden
    assert not any("__pycache__" in h or h.endswith("__init__") for h in hidden)


def test_unused_qt_modules_are_excluded_and_used_ones_are_not(cfg):
    excluded = set(cfg.EXCLUDES)
    assert {"PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtQuick", "PySide6.QtPdf"} <= excluded
    used = set()
    for path in (ROOT / "ssp_coder").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6."):
                used.add(node.module)
            elif isinstance(node, ast.Import):
                used.update(a.name for a in node.names if a.name.startswith("PySide6."))
    assert "PySide6.QtMultimedia" in used
    assert not used & excluded, f"the program imports excluded Qt modules: {used & excluded}"


def test_resources_are_placed_where_importlib_resources_finds_them(cfg, tmp_path):
    meta = cfg.metadata_dir(tmp_path, "9.8.7")
    pairs = dict((dest, Path(src)) for src, dest in cfg.datas(meta))
    assert pairs["ssp_coder/resources/schemes"] == ROOT / "resources" / "schemes"
    assert any(pairs["ssp_coder/resources/schemes"].glob("*.json"))
    assert pairs["ssp_coder/resources/icons"] == ROOT / "resources" / "icons"
    assert (meta / "METADATA").read_text(encoding="utf-8").splitlines()[1:3] == ["Name: ssp-coder",
                                                                                  "Version: 9.8.7"]
    # what importlib.metadata will find inside the build
    from importlib.metadata import PathDistribution

    assert PathDistribution(meta).version == "9.8.7"
    assert PathDistribution(meta).metadata["Name"] == "ssp-coder"


def test_entry_point_supports_frozen_worker_processes_before_anything_else():
    tree = ast.parse((PACKAGING / "entry.py").read_text(encoding="utf-8"))
    main_block = next(n for n in tree.body if isinstance(n, ast.If))
    first = main_block.body[0].value
    assert isinstance(first, ast.Call) and ast.unparse(first.func) == "multiprocessing.freeze_support"
    source = ast.unparse(tree)
    assert "gui_main()" in source and "main()" in source


def test_desktop_file_is_valid():
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(PACKAGING / "ssp-coder.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    for key in ("Type", "Name", "Exec", "Icon", "Categories"):
        assert entry.get(key), key
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "ssp-coder"
    assert entry["Icon"] == "ssp-coder"
    assert entry["Categories"].endswith(";")
    assert entry["Terminal"] == "false"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_icons_exist_in_every_size(cfg):
    root = ElementTree.parse(cfg.ICONS / "ssp-coder.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 512 512"
    for size in cfg.ICON_SIZES:
        assert _png_size(cfg.ICONS / f"ssp-coder-{size}.png") == (size, size)
    assert {16, 32, 48, 256, 512} <= set(cfg.ICON_SIZES)


def test_archive_name_carries_version_and_platform(cfg):
    version = cfg.project_version()
    name = cfg.archive_name(version)
    assert name.startswith(f"ssp-coder-{version}-") and cfg.platform_tag() in name
    assert cfg.archive_name("1.2.3", "windows-x86_64") == "ssp-coder-1.2.3-windows-x86_64.zip"
    assert cfg.archive_name("1.2.3", "linux-x86_64") == "ssp-coder-1.2.3-linux-x86_64.tar.gz"
    assert cfg.archive_name("1.2.3", "macos-arm64") == "ssp-coder-1.2.3-macos-arm64.tar.gz"


@pytest.mark.parametrize("suffix", ["tar.gz", "zip"])
def test_archive_holds_the_folder_and_is_reproducible(build_script, tmp_path, monkeypatch, suffix):
    folder = tmp_path / "ssp-coder"
    (folder / "_internal").mkdir(parents=True)
    (folder / "ssp-coder").write_bytes(b"\x7fELF program")
    (folder / "_internal" / "lib.so").write_bytes(b"library")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build_script.write_archive(folder, tmp_path / f"a.{suffix}")
    second = build_script.write_archive(folder, tmp_path / f"b.{suffix}")
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob("*.part"))
    if suffix == "zip":
        with zipfile.ZipFile(first) as zf:
            names = set(zf.namelist())
    else:
        with tarfile.open(first) as tf:
            names = set(tf.getnames())
    assert {"ssp-coder/ssp-coder", "ssp-coder/_internal/lib.so"} <= names


def test_a_finished_build_replaces_the_old_one_whole(build_script, tmp_path):
    target = tmp_path / "dist" / "ssp-coder"
    target.mkdir(parents=True)
    (target / "stale").write_text("old")
    new = tmp_path / "out" / "ssp-coder"
    new.mkdir(parents=True)
    (new / "ssp-coder").write_text("new")
    build_script.replace_folder(new, target)
    assert sorted(p.name for p in target.iterdir()) == ["ssp-coder"]
    assert not new.exists() and not (tmp_path / "dist" / "ssp-coder.old").exists()


def test_smoke_test_accepts_qt_notices_but_not_errors():
    smoke = _load("smoke_test")
    noise = ("qt.multimedia.symbolsresolver: Couldn't load pipewire-0.3 library\n"
             "This plugin does not support propagateSizeHints()\n")
    assert smoke.unexpected_stderr(noise) == []
    assert smoke.unexpected_stderr(noise + "Traceback (most recent call last):\n") == [
        "Traceback (most recent call last):"]
    assert smoke.unexpected_stderr("ssp-coder: sorry, something went wrong") != []
