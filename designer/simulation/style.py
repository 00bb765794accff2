"""Shared looks of the result plots: the application's font, plain axes (units in the labels)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

pg.setConfigOptions(antialias=True, background="w", foreground="#333")


def ui_font(points: float) -> QFont:
    """The application's font at a given size (pyqtgraph would otherwise pick its own)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(points)
    return font


def plain_axes(w: pg.PlotWidget) -> None:
    """No SI prefixes ("1.2 krps" or "kms" read badly): the units are in the axis labels."""
    for name in ("left", "bottom", "right"):
        axis = w.getPlotItem().getAxis(name)
        axis.enableAutoSIPrefix(False)
        axis.setTextPen("#444")
        axis.setStyle(tickFont=ui_font(7.5))
        axis.label.setFont(ui_font(8))
