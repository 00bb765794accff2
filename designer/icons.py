"""Icons of the component kinds: resources/icons/<kind>.svg, or a drawn badge when the file is
missing. Pixmaps are rendered once per (kind, size) and cached: the canvas paints many items."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

from simcore.components import KINDS
from simcore.paths import icons_dir

CATEGORY_COLOURS = {
    "Traffic": "#475569",
    "Edge": "#0e7490",
    "Network": "#6d28d9",
    "Compute": "#1d4ed8",
    "Data": "#be185d",
    "Messaging": "#c2410c",
    "Groups": "#334155",
}

def badge_text(kind: str) -> str:
    """The letters of a drawn badge, from the kind's label: the initials of a label of several
    words ("Load balancer" → LB), else its first three letters ("Cache" → CAC)."""
    spec = KINDS.get(kind)
    label = spec.label if spec is not None else kind.replace("_", " ")  # zone, region
    words = [w for w in label.replace("-", " ").split() if w[:1].isalnum()]
    if len(words) > 1:
        return "".join(w[0] for w in words[:3]).upper()
    return (words[0] if words else kind)[:3].upper()


def kind_colour(kind: str) -> QColor:
    spec = KINDS.get(kind)
    category = spec.category if spec is not None else "Groups"
    return QColor(CATEGORY_COLOURS.get(category, "#475569"))


def _svg_path(kind: str):
    path = icons_dir() / f"{kind}.svg"
    return path if path.is_file() else None


def _draw_fallback(kind: str, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = kind_colour(kind)
    r = QRectF(0.5, 0.5, size - 1, size - 1)
    if kind in ("zone", "region"):
        pen = QPen(colour, max(1.0, size / 16), Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(QColor(colour.red(), colour.green(), colour.blue(), 30))
        p.drawRoundedRect(r.adjusted(size * 0.06, size * 0.06, -size * 0.06, -size * 0.06),
                          size * 0.15, size * 0.15)
        p.setPen(colour)
    elif kind == "database":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        w, h = size * 0.8, size * 0.9
        x0, y0 = (size - w) / 2, (size - h) / 2
        e = h * 0.22
        body = QPainterPath()
        body.addRect(QRectF(x0, y0 + e / 2, w, h - e))
        body.addEllipse(QRectF(x0, y0 + h - e, w, e))
        p.drawPath(body.simplified())
        p.setBrush(colour.lighter(140))
        p.drawEllipse(QRectF(x0, y0, w, e))
        p.setPen(Qt.GlobalColor.white)
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawRoundedRect(r, size * 0.2, size * 0.2)
        p.setPen(Qt.GlobalColor.white)
    text = badge_text(kind)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(size * (0.42 if len(text) <= 2 else 0.32))))
    p.setFont(font)
    p.drawText(QRectF(0, size * 0.05, size, size), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return pm


@lru_cache(maxsize=256)
def kind_pixmap(kind: str, size: int = 32) -> QPixmap:
    """The kind's icon as a square pixmap of ``size`` pixels (cached)."""
    svg = _svg_path(kind)
    if svg is not None:
        icon = QIcon(str(svg))
        pm = icon.pixmap(size, size)
        if not pm.isNull():
            return pm
    return _draw_fallback(kind, size)


@lru_cache(maxsize=64)
def kind_icon(kind: str) -> QIcon:
    svg = _svg_path(kind)
    if svg is not None:
        icon = QIcon(str(svg))
        if not icon.isNull():
            return icon
    icon = QIcon()
    for size in (16, 24, 32, 48, 64):
        icon.addPixmap(_draw_fallback(kind, size))
    return icon


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    path = icons_dir() / "skyline.svg"
    if path.is_file():
        return QIcon(str(path))
    icon = QIcon()
    for size in (16, 32, 64, 128, 256):
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#1d4ed8"))
        p.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        p.setBrush(QColor("#ffffff"))
        # a skyline: three towers of different heights
        for i, h in enumerate((0.45, 0.7, 0.55)):
            w = size * 0.2
            x = size * (0.15 + i * 0.25)
            p.drawRect(QRectF(x, size * (0.85 - h), w, size * h))
        p.end()
        icon.addPixmap(pm)
    return icon
