"""Render the icon's PNG sizes (and .ico/.icns when Pillow is installed) from ssp-coder.svg.

``python packaging/make_icons.py``. The PNGs are committed; run this again
after changing the SVG. Uses Qt's SVG renderer offscreen (PySide6 is already
a dependency); Pillow is used only here, at build time, and only if present.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec_config as cfg  # noqa: E402


def png_path(size: int) -> Path:
    return cfg.ICONS / f"ssp-coder-{size}.png"


def render_pngs() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt needs one)
    renderer = QSvgRenderer(str(cfg.ICONS / "ssp-coder.svg"))
    if not renderer.isValid():
        sys.exit("make_icons: ssp-coder.svg is not a valid SVG")
    made = []
    for size in cfg.ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        if not image.save(str(png_path(size)), "PNG"):
            sys.exit(f"make_icons: cannot write {png_path(size)}")
        made.append(png_path(size))
    return made


def write_ico_icns() -> list[Path]:
    try:
        from PIL import Image
    except ImportError:
        print("make_icons: Pillow is not installed; .ico and .icns not made (the Windows and macOS "
              "builds then have no custom icon)")
        return []
    big = Image.open(png_path(512))
    ico = cfg.ICONS / "ssp-coder.ico"
    big.save(ico, sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    made = [ico]
    try:
        icns = cfg.ICONS / "ssp-coder.icns"
        big.save(icns)
        made.append(icns)
    except (OSError, ValueError, KeyError) as exc:  # older Pillow could write ICNS only on macOS
        print(f"make_icons: .icns not made ({exc})")
    return made


if __name__ == "__main__":
    for path in render_pngs() + write_ico_icns():
        print(f"make_icons: {path.relative_to(cfg.ROOT)} ({path.stat().st_size} bytes)")
