"""Shared looks of the result plots: the application's font, plain axes (units in the labels)."""

from __future__ import annotations

from html import escape

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF
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


TITLE_PT = 9.0
ENTRY_PT = 8.0
TITLE_COLOUR = "#222"


def title_width(w: pg.PlotWidget) -> float:
    """The width a plot's title may take (it is centred over the whole plot)."""
    return w.width() - 24


def title_with_legend(title: str, entries: list[tuple[str, str, str]], width: float) -> str:
    """A plot's title with its legend beside it, outside the data: ``entries`` are (label,
    colour, mark: "━" a line, "┅" a dashed one, "●" a point); those that do not fit in
    ``width`` pixels (see :func:`title_width`) become "+N" (the plot's tooltip names every
    curve)."""
    fm_title = QFontMetricsF(ui_font(TITLE_PT))
    fm = QFontMetricsF(ui_font(ENTRY_PT))
    used = fm_title.horizontalAdvance(title) + 24
    parts = []
    for i, (label, colour, mark) in enumerate(entries):
        w = fm.horizontalAdvance(f"  {mark} {label}")
        rest = len(entries) - i
        if used + w + (0 if rest == 1 else fm.horizontalAdvance("  +99")) > width:
            parts.append(f"<span style='color:#666'>&nbsp; +{rest}</span>")
            break
        used += w
        parts.append(f"&nbsp; <span style='color:{colour}'>{mark}</span>"
                     f"<span style='color:#444'>&nbsp;{escape(label)}</span>")
    legend = f"<span style='font-size:{ENTRY_PT}pt'>{''.join(parts)}</span>" if parts else ""
    return (f"<span style='font-size:{TITLE_PT}pt; color:{TITLE_COLOUR}'>{escape(title)}</span>"
            + legend)
