"""Light or dark window colours, following the system's colour scheme (Qt 6.5+).

Many workshop laptops run a dark desktop theme. The window (panels, menus, fields) follows it;
the canvas, the summary bar above it and the plots stay light, as paper: they are what is
exported and printed, and their colours (utilisation, SPOF red) are chosen on white.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_DARK = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282c",
    QPalette.ColorRole.ToolTipBase: "#3a3d42",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#8a8f98",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#35373c",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4d53",
    QPalette.ColorRole.Midlight: "#3d4045",
    QPalette.ColorRole.Mid: "#4f535a",
    QPalette.ColorRole.Dark: "#1a1b1e",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#3b82f6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7fb2ff",
}
_DISABLED = {QPalette.ColorRole.WindowText: "#7c8088", QPalette.ColorRole.Text: "#7c8088",
             QPalette.ColorRole.ButtonText: "#7c8088"}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


def apply(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """Dark colours for a dark scheme, the style's own for a light or unknown one."""
    if scheme == Qt.ColorScheme.Dark:
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())
    for window in app.topLevelWidgets():
        if window.styleSheet():  # a style sheet fixes its widgets' palettes when polished
            window.setStyleSheet(window.styleSheet())


def is_dark(app: QApplication) -> bool:
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


_following: set[int] = set()


def follow_system(app: QApplication) -> None:
    """Take the system's scheme now and whenever it changes (once per application)."""
    if id(app) in _following:
        return
    _following.add(id(app))
    hints = app.styleHints()
    if hints.colorScheme() == Qt.ColorScheme.Dark:
        apply(app, Qt.ColorScheme.Dark)
    hints.colorSchemeChanged.connect(lambda scheme: apply(app, scheme))
