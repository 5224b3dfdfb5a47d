"""The coding window (PySide6). The only package that imports Qt."""

import os

# QtMultimedia's FFmpeg backend lists every optional system library it cannot load; quiet that one
# category before Qt is imported (a user's own QT_LOGGING_RULES wins).
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")

from ssp_coder.gui import refcount_fix  # noqa: E402,F401  (must run before the window makes Qt calls)
