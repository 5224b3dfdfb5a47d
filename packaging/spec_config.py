"""What goes into the self-contained build: used by ``ssp-coder.spec``, ``build.py`` and the tests.

Kept free of PyInstaller imports so the test suite can check it without
PyInstaller installed.
"""

from __future__ import annotations

import platform
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = ROOT / "ssp_coder"
APP_NAME = "ssp-coder"
BUNDLE_ID = "org.ssp-coder.ssp-coder"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SHIPPED = ROOT / "resources"        # installed inside the package as ssp_coder/resources
ICONS = SHIPPED / "icons"

# Qt modules the program imports (ssp_coder/gui): QtCore, QtGui, QtWidgets, QtMultimedia. Every other
# PySide6 module is excluded so its hook does not pull its Qt libraries, plugins and translations in.
# (The FFmpeg media plugin itself links libQt6Quick/Qml; those libraries still come in as its
# dependencies, which is what it needs, but not their Python modules or QML files.)
PYSIDE6_UNUSED = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtAxContainer",
    "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus",
    "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLocation", "QtNfc",
    "QtNetworkAuth", "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets", "QtPositioning",
    "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest",
    "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort",
    "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest", "QtTextToSpeech",
    "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets",
    "QtWebSockets", "QtWebView", "QtXml",
)
EXCLUDES = (
    *(f"PySide6.{m}" for m in PYSIDE6_UNUSED),
    "PyQt5", "PyQt6", "PySide2", "tkinter", "_tkinter", "IPython", "jupyter_client", "notebook",
    "pytest", "_pytest", "pytestqt", "hypothesis", "setuptools", "pip", "PyInstaller",
    # Optional cloud-storage readers that pandas would use only for s3:// paths (26 MB).
    "botocore", "boto3", "s3transfer", "s3fs",
    # Figures are drawn with Agg (and PDF); no interactive matplotlib backend is ever started.
    "matplotlib.backends.backend_qtagg", "matplotlib.backends.backend_qt", "matplotlib.backends.qt_compat",
    "matplotlib.backends.backend_tkagg", "matplotlib.backends.backend_wx", "matplotlib.backends.backend_gtk3",
    "matplotlib.backends.backend_gtk4", "matplotlib.backends.backend_macosx", "matplotlib.backends.backend_webagg",
    "matplotlib.backends.backend_nbagg",
)


def project_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def hidden_imports() -> list[str]:
    """Every module of the package, found from the source files.

    The command line finds its ``cmd_*`` modules by name at run time, which static analysis cannot
    see; listing the whole package also covers lazily imported layers. The spec adds PyInstaller's
    ``collect_submodules("ssp_coder")`` on top; this walk is what the tests check.
    """
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def metadata_dir(folder: Path, version: str) -> Path:
    """A minimal ``.dist-info`` so ``importlib.metadata.version("ssp-coder")`` works in the build.

    The build is made from the source tree, which need not be pip-installed, so there may be no
    installed metadata to copy; pyproject.toml is the one source of the version.
    """
    info = folder / f"ssp_coder-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {APP_NAME}\nVersion: {version}\n",
                                   encoding="utf-8")
    return info


def datas(metadata: Path) -> list[tuple[str, str]]:
    """(source, folder inside the build): resources where ``importlib.resources.files("ssp_coder")`` looks."""
    return [
        (str(SHIPPED / "schemes"), "ssp_coder/resources/schemes"),
        (str(ICONS), "ssp_coder/resources/icons"),
        (str(metadata), metadata.name),
    ]


def platform_tag() -> str:
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


def archive_name(version: str, tag: str | None = None) -> str:
    tag = tag or platform_tag()
    extension = "zip" if tag.startswith("windows") else "tar.gz"
    return f"{APP_NAME}-{version}-{tag}.{extension}"


def icon_file() -> str | None:
    """The executable's icon: .ico on Windows, .icns on macOS (when they were made), none on Linux."""
    name = {"win32": "ssp-coder.ico", "darwin": "ssp-coder.icns"}.get(sys.platform)
    if name and (ICONS / name).exists():
        return str(ICONS / name)
    return None
