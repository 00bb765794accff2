"""Icons for the toolbar actions that the style has none for (zoom, fit, sweep), drawn in the
palette's text colour so that they read on a light and on a dark toolbar alike."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

SIZE = 18


def _draw(name: str, p: QPainter) -> None:
    if name in ("zoom_in", "zoom_out"):  # a magnifying glass with + or −
        p.drawEllipse(QPointF(7.5, 7.5), 5, 5)
        p.drawLine(QPointF(11.2, 11.2), QPointF(16, 16))
        p.drawLine(QPointF(5, 7.5), QPointF(10, 7.5))
        if name == "zoom_in":
            p.drawLine(QPointF(7.5, 5), QPointF(7.5, 10))
    elif name == "fit":  # four corners around a box
        for x, y, dx, dy in ((2, 2, 1, 1), (16, 2, -1, 1), (2, 16, 1, -1), (16, 16, -1, -1)):
            p.drawLine(QPointF(x, y), QPointF(x + 4 * dx, y))
            p.drawLine(QPointF(x, y), QPointF(x, y + 4 * dy))
        p.drawRect(QRectF(6, 6.5, 6, 5))
    elif name == "sweep":  # throughput rising, then flat: a saturation curve
        path = QPainterPath(QPointF(2, 15))
        path.lineTo(10, 6)
        path.lineTo(16, 5)
        p.drawLine(QPointF(2, 16.5), QPointF(16.5, 16.5))
        p.drawLine(QPointF(1.5, 2), QPointF(1.5, 16.5))
        p.drawPath(path)
    else:
        raise KeyError(name)


def action_icon(name: str) -> QIcon:
    """``zoom_in``, ``zoom_out``, ``fit`` or ``sweep``, at 1× and 2× (high-DPI screens)."""
    colour = QApplication.palette().color(QPalette.ColorRole.WindowText)
    icon = QIcon()
    for ratio in (1, 2):
        pm = QPixmap(SIZE * ratio, SIZE * ratio)
        pm.setDevicePixelRatio(ratio)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(colour, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        _draw(name, p)
        p.end()
        icon.addPixmap(pm)
    return icon
