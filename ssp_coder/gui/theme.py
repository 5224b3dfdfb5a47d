"""Fusion style with a light or dark palette that follows the system's colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


def dark_palette() -> QPalette:
    p = QPalette()
    c = QPalette.ColorRole
    for role, colour in ((c.Window, "#2b2d30"), (c.WindowText, "#dfe1e5"), (c.Base, "#1e1f22"),
                         (c.AlternateBase, "#26282b"), (c.ToolTipBase, "#3c3f41"), (c.ToolTipText, "#dfe1e5"),
                         (c.Text, "#dfe1e5"), (c.Button, "#35373a"), (c.ButtonText, "#dfe1e5"),
                         (c.BrightText, "#ff6b68"), (c.Highlight, "#2f65ca"), (c.HighlightedText, "#ffffff"),
                         (c.Link, "#589df6"), (c.Mid, "#4e5157"), (c.PlaceholderText, "#8c8f94")):
        p.setColor(role, QColor(colour))
    for role in (c.Text, c.WindowText, c.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f737a"))
    return p


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()

    def follow() -> None:
        if hints.colorScheme() == Qt.ColorScheme.Dark:
            app.setPalette(dark_palette())
        else:
            app.setPalette(app.style().standardPalette())

    follow()
    hints.colorSchemeChanged.connect(lambda _s: follow())
