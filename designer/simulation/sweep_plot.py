"""The saturation curve: throughput (left axis) and p99 latency (right axis) against offered load.

Each point is one short run at a fraction of the instant analysis's saturation rps. Below
saturation the throughput follows the dotted "throughput = offered" line; past it the throughput
flattens and p99 climbs steeply. The analysis's saturation point is a dashed vertical line.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from designer.simulation.style import plain_axes, title_width, title_with_legend

THROUGHPUT_COLOUR = "#1f77b4"
P99_COLOUR = "#d62728"
IDEAL_COLOUR = "#9a9a9a"
SATURATION_COLOUR = "#555"
PREVIOUS_COLOUR = "#8a8a8a"
TITLE = "Saturation curve"


class SaturationPlot:
    """A PlotWidget with a second ViewBox for p99 on the right axis."""

    def __init__(self):
        w = self.widget = pg.PlotWidget()
        w.setToolTip("Throughput (succeeded requests/s, left axis) and p99 latency (right "
                     "axis) against the offered load, one short run a point")
        item = w.getPlotItem()
        # short axis titles: a long one is cut off when the panel is low
        w.setLabel("bottom", "offered load (requests/s)")
        w.setLabel("left", "throughput (rps)", color=THROUGHPUT_COLOUR)
        item.showAxis("right")
        item.getAxis("right").setLabel("p99 (ms)", color=P99_COLOUR)
        plain_axes(w)
        w.showGrid(x=True, y=True, alpha=0.15)
        w.setMouseEnabled(x=False, y=False)
        w.setMinimumSize(300, 90)
        self.p99_view = pg.ViewBox()
        item.scene().addItem(self.p99_view)
        item.getAxis("right").linkToView(self.p99_view)
        self.p99_view.setXLink(item)
        item.getViewBox().sigResized.connect(self._sync_views)
        item.getViewBox().sigResized.connect(self._update_title)
        self.legend: list[tuple[str, str, str]] = []
        """(label, colour, mark) of each curve, drawn beside the title, outside the data."""
        self.points: list[dict] = []
        self._previous: list[dict] = []
        self._saturation_rps: float | None = None
        self.reset(None)

    def reset(self, saturation_rps: float | None, overlay_previous: bool = False) -> None:
        previous = list(self.points) if overlay_previous and self.points else (
            self._previous if overlay_previous else [])
        self._previous = previous
        self.widget.clear()
        self.p99_view.clear()
        self.points = []
        self._saturation_rps = saturation_rps
        self.legend = [("throughput", THROUGHPUT_COLOUR, "●"), ("p99", P99_COLOUR, "▲"),
                       ("= offered", IDEAL_COLOUR, "┈")]
        self.ideal = self.widget.plot([], [], pen=pg.mkPen(IDEAL_COLOUR, width=1,
                                                           style=Qt.DotLine))
        if previous:
            x, thr, p99 = _arrays(previous)
            prev_thr = self.widget.plot(x, thr, pen=pg.mkPen(PREVIOUS_COLOUR, width=1.5,
                                                             style=Qt.DashLine),
                                        connect="finite")
            self.legend.append(("previous sweep", PREVIOUS_COLOUR, "┅"))
            prev_thr.setZValue(-1)
            prev_p99 = pg.PlotDataItem(x, p99, pen=pg.mkPen("#c9a0a0", width=1.5,
                                                            style=Qt.DashLine), connect="finite")
            self.p99_view.addItem(prev_p99)
        self.throughput = self.widget.plot([], [], pen=pg.mkPen(THROUGHPUT_COLOUR, width=2),
                                           symbol="o", symbolSize=6,
                                           symbolBrush=THROUGHPUT_COLOUR, symbolPen=None)
        self.p99 = pg.PlotDataItem([], [], pen=pg.mkPen(P99_COLOUR, width=2), symbol="t",
                                   symbolSize=7, symbolBrush=P99_COLOUR, symbolPen=None)
        self.p99_view.addItem(self.p99)
        if saturation_rps:  # named in the legend: a label on the plot sat on the data
            line = pg.InfiniteLine(saturation_rps, angle=90,
                                   pen=pg.mkPen(SATURATION_COLOUR, width=1, style=Qt.DashLine))
            self.widget.addItem(line)
            self.legend.append((f"saturation (analysis) {saturation_rps:,.0f} rps",
                                SATURATION_COLOUR, "┆"))
            self.widget.setXRange(0, 1.25 * saturation_rps, padding=0.02)
            self.widget.setYRange(0, 1.25 * saturation_rps, padding=0.02)
        self._sync_views()
        self._update_title()

    def _update_title(self) -> None:
        self.widget.setTitle(title_with_legend(TITLE, self.legend, title_width(self.widget)))

    @property
    def has_previous(self) -> bool:
        return bool(self._previous)

    def add_point(self, point: dict) -> None:
        self.points.append(point)
        x, thr, p99 = _arrays(self.points)
        self.throughput.setData(x, thr, connect="finite")
        self.p99.setData(x, p99, connect="finite")
        top = max(float(x.max()), self._saturation_rps or 0.0) * 1.25
        self.ideal.setData([0, top], [0, top])
        finite = p99[np.isfinite(p99)]
        if self._previous:
            prev = _arrays(self._previous)[2]
            finite = np.concatenate([finite, prev[np.isfinite(prev)]])
        if finite.size:
            self.p99_view.setYRange(0, float(finite.max()) * 1.1, padding=0)
        self._sync_views()

    def _sync_views(self) -> None:
        main = self.widget.getPlotItem().getViewBox()
        self.p99_view.setGeometry(main.sceneBoundingRect())
        self.p99_view.linkedViewChanged(main, self.p99_view.XAxis)


def _arrays(points: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pts = sorted(points, key=lambda p: p["offered_rps"])

    def col(key):
        return np.array([np.nan if p.get(key) is None else p[key] for p in pts], dtype=float)

    return col("offered_rps"), col("throughput_rps"), col("p99_ms")
