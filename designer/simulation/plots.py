"""The result plots (pyqtgraph), filled in live as simulated seconds arrive.

Time plots show, for each simulated second, the mean over the replications that have reached it
(so the curves settle as replications complete). Scenario events are shaded bands, the warm-up a
grey band. The previous run can stay on the plots as dashed grey curves for comparison.
Axis units are written in the labels and never SI-prefixed: "1.2 krps" or "kms" would read badly.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGridLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from designer.canvas.overlay import AMBER_FROM, BAR_AMBER, BAR_GREEN, BAR_RED, RED_FROM
from designer.simulation.style import plain_axes, title_width, title_with_legend, ui_font
from designer.simulation.sweep_plot import SaturationPlot
from simcore.events import EVENTS
from simcore.results.rows import SecondRow
from simcore.results.series import COMPONENT_SERIES, RUN_SERIES

CURVES = {s.key: s for s in RUN_SERIES if s.plot is not None}
"""The run series drawn as curves (simcore.results.series declares their plot and colour)."""
QUEUE_SERIES = next(s.key for s in COMPONENT_SERIES if s.plot == "queues")
"""The component series of the "Requests waiting" plot."""
TIME_PLOTS = {  # plot → (title, left axis label, what it means)
    "throughput": ("Throughput", "requests/s", "Succeeded requests per simulated second"),
    "latency": ("Latency", "ms", ("Percentiles of the latency of the requests that succeeded "
                                 "in each second")),
    "errors": ("Errors", "% of offered", ("Failed requests / offered, and requests a rate limit "
                                         "rejected / offered, per second")),
    "availability": ("Availability", "% of admitted", ("Succeeded requests / admitted requests "
                                                      "(offered less rate-limited), per second")),
    "queues": ("Requests waiting", "requests", ("Requests waiting for a worker, per component "
                                               "(the busiest few)")),
    "instances": ("Instances", "instances", ("Instances paid for (serving and starting) of "
                                             "each autoscaled service, per second")),
    "hit_ratio": ("Cache hit ratio", "% of reads", ("Reads each cache or CDN answered itself / "
                                                    "reads that reached it, per second")),
    "anomalies": ("Anomalies", "per second", ("What went wrong without failing a request, per "
                                              "second: reads served stale, writes lost, "
                                              "duplicate writes, messages lost or "
                                              "dead-lettered, sessions lost, requests served "
                                              "degraded (those that occur)")),
}
COMPONENT_PLOTS = {s.plot: s for s in COMPONENT_SERIES if s.plot in ("instances", "hit_ratio")}
"""Time plots of one curve per component, shown only when a run gives them data (an
autoscaled service, a cache), by plot key; simcore.results.series declares their series."""
ANOMALY_CURVES = [k for k, s in CURVES.items() if s.plot == "anomalies"]
"""The run series of the Anomalies plot: each joins its legend when it first counts one."""
ONLY_WITH_DATA = (*COMPONENT_PLOTS, "anomalies")
WARMUP_COLOUR = (120, 120, 120)


def _band_colour(kind: str) -> tuple[int, int, int]:
    """An event type's colour (its declaration's), grey for the warm-up."""
    spec = EVENTS.get(kind)
    return spec.colour if spec is not None else WARMUP_COLOUR
"""The warm-up's band; an event's band has the colour its type declares (simcore/events)."""
BAND_ALPHA = 40
BREAKER_COLOURS = {"open": "#dc2626", "half_open": "#d97706", "closed": "#16a34a"}
QUEUE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#17becf"]
MAX_QUEUE_CURVES = 6
MIN_PLOT_WIDTH = 120
"""Plots never get narrower (the panel can always shrink: the layout then changes)."""
MIN_PLOT_HEIGHT = 90
"""Plots never get lower: with one row of them the panel needs ~200 px, the canvas the rest."""
COLUMN_WIDTH = 185
"""A plot needs about this much width to be read comfortably."""
PREVIOUS_PEN = {"color": "#8a8a8a", "width": 1, "style": Qt.DashLine}
BOLD_UP_TO_S = 120
"""Runs up to this long get 2 px curves; longer ones 1 px: Qt strokes a wide antialiased line
of many points slowly (~0.2 s for three curves of 600 points), which would make the window lag."""


def util_colour(u: float) -> QColor:
    """The canvas's traffic-light colour for a utilisation (a fraction)."""
    return BAR_GREEN if u < AMBER_FROM else (BAR_AMBER if u < RED_FROM else BAR_RED)


class _Mean:
    """Per-second running mean of one series over replications."""

    def __init__(self):
        self.sums: list[float] = []
        self.counts: list[int] = []

    def add(self, i: int, value) -> None:
        if value is None:
            return
        while len(self.sums) <= i:
            self.sums.append(0.0)
            self.counts.append(0)
        self.sums[i] += float(value)
        self.counts[i] += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        c = np.asarray(self.counts, dtype=float)
        s = np.asarray(self.sums, dtype=float)
        ok = c > 0
        x = np.arange(1, len(s) + 1, dtype=float)
        y = np.full(len(s), np.nan)
        y[ok] = s[ok] / c[ok]
        return x, y  # NaN where no replication had a value: the curve breaks there


def _plot(title: str, y_label: str, tip: str) -> pg.PlotWidget:
    w = pg.PlotWidget()
    w.setTitle(title, size="9pt", color="#222")
    w.setToolTip(tip)
    w.setLabel("bottom", "simulated time (s)")
    w.setLabel("left", y_label)
    plain_axes(w)
    w.showGrid(x=True, y=True, alpha=0.15)
    w.setMouseEnabled(x=True, y=False)
    w.getPlotItem().getViewBox().setDefaultPadding(0.02)
    w.setMinimumSize(MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT)
    return w


class ResultPlots(QTabWidget):
    """Two tabs: the plots over time (with the utilisation bars) and the saturation curve."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDocumentMode(True)
        self.time_plots: dict[str, pg.PlotWidget] = {}
        for key, (title, label, tip) in TIME_PLOTS.items():
            self.time_plots[key] = _plot(title, label, tip)
        first = self.time_plots["throughput"]
        for w in self.time_plots.values():
            if w is not first:
                w.setXLink(first)
        self.util_plot = pg.PlotWidget()
        self.util_plot.setTitle("Utilisation", size="9pt", color="#222")
        self.util_plot.setToolTip("Busy fraction of each component's busiest instance, after "
                                  "the warm-up (dashed: 70 % and 90 %)")
        self.util_plot.setLabel("bottom", "busy (%)")
        plain_axes(self.util_plot)
        self.util_plot.showGrid(x=True, alpha=0.15)
        self.util_plot.setMouseEnabled(x=False, y=False)
        self.util_plot.setMinimumSize(MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT)
        self.util_plot.hideButtons()

        self.over_time = QWidget()
        column = QVBoxLayout(self.over_time)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(2, 2, 2, 2)
        self._grid.setSpacing(4)
        column.addLayout(self._grid, 1)
        # The bands' names, in a line under the plots: on a plot they covered the curves
        # and each other.
        self.bands_label = QLabel()
        self.bands_label.setContentsMargins(8, 0, 8, 2)
        column.addWidget(self.bands_label)
        self._cells = [*self.time_plots.values(), self.util_plot]
        # cells left out of the grid (isHidden() cannot tell: it is true of every widget
        # before the window is first shown)
        self._off: set[int] = {id(self.time_plots[k]) for k in ONLY_WITH_DATA}
        for key in ONLY_WITH_DATA:
            self.time_plots[key].hide()
        self._columns = 0
        self._layout_cells(self._one_row())  # a bottom dock is low and wide: one row
        self.addTab(self.over_time, "Over time")
        self.saturation = SaturationPlot()
        self.sat_plot = self.saturation.widget
        self.addTab(self.sat_plot, "Saturation curve")
        self._previous: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.bands: list[tuple[float, float, str, str]] = []
        self.legends: dict[str, list[tuple[str, str, str]]] = {k: [] for k in TIME_PLOTS}
        """Each time plot's legend (label, colour, mark), drawn beside its title."""
        self.duration_s: float | None = None
        self.reset()

    # --- layout: one row of plots when the panel is low, two rows when it is tall ---------------
    def _one_row(self) -> int:
        """Columns for one row of the plots shown."""
        return len(self._cells) - len(self._off)

    def _layout_cells(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns  # first: moving the cells may resize the tab, and re-enter
        for w in self._cells:
            self._grid.removeWidget(w)
        # the hidden ones after the shown ones, where they take no room
        ordered = sorted(self._cells, key=lambda w: id(w) in self._off)
        for i, w in enumerate(ordered):
            self._grid.addWidget(w, i // columns, i % columns)
        for c in range(len(self._cells)):
            self._grid.setColumnStretch(c, 1 if c < columns else 0)

    def _choose_layout(self, size) -> None:
        # Low and wide (a bottom dock): one row; taller: two rows; narrow: three.
        n = self._one_row()
        if size.height() < 380 and size.width() >= n * (MIN_PLOT_WIDTH + 20):
            self._layout_cells(n)
        else:
            self._layout_cells(3 if size.width() >= 3 * COLUMN_WIDTH else 2)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._choose_layout(event.size())
        self._update_titles()

    def _update_titles(self) -> None:
        """Titles with their legends, fitted to each plot's width."""
        for key, w in self.time_plots.items():
            title, _label, tip = TIME_PLOTS[key]
            entries = self.legends[key]
            w.setTitle(title_with_legend(title, entries, title_width(w)))
            w.setToolTip(tip + ("\n\n" + ", ".join(e[0] for e in entries) if entries else ""))

    # --- run lifecycle ----------------------------------------------------------------------------
    def reset(self, overlay_previous: bool = False, duration_s: float | None = None) -> None:
        """Clear for a new run; keep the last run as dashed grey curves when asked."""
        previous = self.final_series() if overlay_previous else {}
        if overlay_previous and not previous:
            previous = self._previous
        self._previous = previous
        for w in self.time_plots.values():
            w.clear()
        self.legends = {k: [] for k in TIME_PLOTS}
        self.duration_s = duration_s
        self.means: dict[str, _Mean] = {k: _Mean() for k in CURVES}
        self.queue_means: dict[str, _Mean] = {}
        self.component_means: dict[str, dict[str, _Mean]] = {k: {} for k in COMPONENT_PLOTS}
        """Per plot of COMPONENT_PLOTS: component id → its curve's data so far."""
        self._show_plots(ONLY_WITH_DATA, False)
        self.util_sums: dict[str, float] = {}
        self.util_counts: dict[str, int] = {}
        self.util_final: dict[str, float] | None = None
        self.rows_seen = 0
        self.curves: dict[str, pg.PlotDataItem] = {}
        # Legends only where they tell something: the percentiles, failed and rejected, the
        # queues' names, and the previous run where it is drawn.
        for key, s in CURVES.items():
            self.curves[key] = self.time_plots[s.plot].plot([], [], pen=self._pen(s.colour))
            if s.plot in ("latency", "errors"):
                self.legends[s.plot].append((s.label, s.colour, "━"))
        self.queue_curves: dict[str, pg.PlotDataItem] = {}
        self.component_curves: dict[str, dict[str, pg.PlotDataItem]] = {
            k: {} for k in COMPONENT_PLOTS}
        self.overlay_items: dict[str, pg.PlotDataItem] = {}
        for key, (x, y) in previous.items():
            if key in CURVES and len(x):
                item = self.time_plots[CURVES[key].plot].plot(
                    x, y, pen=pg.mkPen(**PREVIOUS_PEN), connect="finite")
                item.setZValue(-1)
                self.overlay_items[key] = item
                entry = ("previous run", PREVIOUS_PEN["color"], "┅")
                if entry not in self.legends[CURVES[key].plot]:
                    self.legends[CURVES[key].plot].append(entry)
        self._update_titles()
        self.no_queue_text = pg.TextItem("no request waited", color="#888", anchor=(0.5, 0.5))
        self.no_queue_text.setFont(ui_font(8))
        self.time_plots["queues"].addItem(self.no_queue_text)
        self.no_queue_text.setVisible(False)
        self.util_plot.clear()
        self.util_plot.getAxis("left").setTicks([[]])
        self.util_plot.setXRange(0, 100, padding=0)
        self.util_plot.setYRange(0, 1, padding=0)
        waiting = pg.TextItem("after a run", color="#888", anchor=(0.5, 0.5))
        waiting.setFont(ui_font(8))
        waiting.setPos(50, 0.5)
        self.util_plot.addItem(waiting)
        self.bars = None
        self.bands = []
        self._show_band_names()
        if duration_s:
            self.time_plots["throughput"].setXRange(0, duration_s, padding=0.01)
        self._scale_percent_axes()

    def _pen(self, colour: str):
        bold = self.duration_s is not None and self.duration_s <= BOLD_UP_TO_S
        return pg.mkPen(colour, width=2 if bold else 1)

    def final_series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The curves shown now (in plotted units), by series key."""
        out = {}
        for k, s in CURVES.items():
            mean = self.means.get(k)
            if mean is not None and mean.sums:
                x, y = mean.arrays()
                out[k] = (x, y * s.scale)
        return out

    def add_row(self, row: SecondRow) -> None:
        """Take one simulated second (from any replication); curves update on refresh()."""
        i = max(0, int(np.ceil(float(row.t_s) - 1e-9)) - 1)
        for key, mean in self.means.items():
            mean.add(i, row.values.get(key))
        for cid, depth in row.components.get(QUEUE_SERIES, {}).items():
            self.queue_means.setdefault(cid, _Mean()).add(i, depth)
        for plot, series in COMPONENT_PLOTS.items():
            means = self.component_means[plot]
            for cid, value in row.components.get(series.key, {}).items():
                means.setdefault(cid, _Mean()).add(i, value)
        for cid, u in row.components.get("utilization", {}).items():
            if u is None:
                continue
            self.util_sums[cid] = self.util_sums.get(cid, 0.0) + float(u)
            self.util_counts[cid] = self.util_counts.get(cid, 0) + 1
        self.rows_seen += 1

    def refresh(self, labels: dict[str, str] | None = None, bars: bool = True) -> None:
        """Redraw the curves (and with ``bars`` the utilisation) from the data so far."""
        labels = labels or {}
        for key, mean in self.means.items():
            x, y = mean.arrays()
            self.curves[key].setData(x, y * CURVES[key].scale, connect="finite")
        self._draw_queues(labels)
        for plot in COMPONENT_PLOTS:
            self._draw_per_component(plot, labels)
        self._show_anomalies()
        self._fit_from_zero("throughput")
        self._fit_from_zero("latency")
        self._scale_percent_axes()
        if bars:
            self._draw_utilisation(labels)

    def _draw_queues(self, labels: dict[str, str]) -> None:
        # The busiest few components; components that never queue add nothing but clutter.
        ranked = sorted(self.queue_means.items(), key=lambda kv: -max(kv[1].sums, default=0.0))
        qplot = self.time_plots["queues"]
        for cid, mean in ranked[:MAX_QUEUE_CURVES]:
            x, y = mean.arrays()
            if cid not in self.queue_curves:
                if not len(y) or not float(np.nanmax(y)) > 0:
                    continue
                colour = QUEUE_COLOURS[len(self.queue_curves) % len(QUEUE_COLOURS)]
                self.queue_curves[cid] = qplot.plot([], [], pen=self._pen(colour))
                self.legends["queues"].append((labels.get(cid, cid), colour, "━"))
                self._update_titles()
            self.queue_curves[cid].setData(x, y, connect="finite")
        if not self.queue_curves:
            qplot.setYRange(0, 1, padding=0)
            x = [v for v in (self.duration_s, self.rows_seen) if v]
            self.no_queue_text.setPos((x[0] if x else 1.0) / 2, 0.5)
            self.no_queue_text.setVisible(self.rows_seen > 0)
        else:
            self.no_queue_text.setVisible(False)
            self._fit_from_zero("queues")

    def _draw_per_component(self, plot: str, labels: dict[str, str]) -> None:
        """One curve per component in a plot of COMPONENT_PLOTS; the plot appears with the first
        of them. Percentages (a hit ratio) span 0–100 %; counts fit from 0."""
        means = self.component_means[plot]
        if not means:
            return
        widget = self.time_plots[plot]
        self._show_plots((plot,), True)
        curves = self.component_curves[plot]
        scale = COMPONENT_PLOTS[plot].scale
        for cid, mean in means.items():
            if cid not in curves:
                colour = QUEUE_COLOURS[len(curves) % len(QUEUE_COLOURS)]
                curves[cid] = widget.plot([], [], pen=self._pen(colour))
                self.legends[plot].append((labels.get(cid, cid), colour, "━"))
                self._update_titles()
            x, y = mean.arrays()  # sampled every second: steps show as steps
            curves[cid].setData(x, y * scale, connect="finite")
        if scale == 100.0:
            widget.setYRange(0, 104, padding=0)
        else:
            self._fit_from_zero(plot)

    def _show_anomalies(self) -> None:
        """The Anomalies plot appears with the first count, and each series joins the legend
        with its own first."""
        legend = self.legends["anomalies"]
        for key in ANOMALY_CURVES:
            y = self.curves[key].yData
            counted = bool(y is not None and len(y) > 0 and np.nan_to_num(y).max() > 0)
            self.curves[key].setVisible(counted)  # a line along 0 would only hide the others
            if not counted:
                continue
            entry = (CURVES[key].label, CURVES[key].colour, "━")
            if entry not in legend:
                legend.append(entry)
                self._show_plots(("anomalies",), True)
                self._update_titles()
        if legend:
            self._fit_from_zero("anomalies")

    def _show_plots(self, keys, on: bool) -> None:
        """Show or hide time plots, laying the cells out again when that changes them."""
        changed = False
        for key in keys:
            w = self.time_plots[key]
            if (id(w) in self._off) == on:
                self._off.symmetric_difference_update({id(w)})
                w.setVisible(on)
                changed = True
        if changed:
            self._columns = 0
            self._choose_layout(self.size())

    def _fit_from_zero(self, key: str) -> None:
        """y from 0 to a little over the data's top."""
        w = self.time_plots[key]
        tops = [float(np.nanmax(i.yData)) for i in w.plotItem.listDataItems()
                if i.yData is not None and len(i.yData) and np.isfinite(i.yData).any()]
        top = max(tops, default=0.0)
        if top <= 0:
            w.setYRange(0, 1, padding=0)
            return
        w.setYRange(-0.02 * top, top * 1.06, padding=0)  # 0 keeps its label

    def _scale_percent_axes(self) -> None:
        """Error rate from 0 (at least 0–1 %), availability up to 100 % (at least 99–100 %), so
        that a clean run does not show noise magnified to fill the plot."""
        def values(key):
            items = [self.curves.get(key), self.overlay_items.get(key)]
            return [i.yData for i in items
                    if i is not None and i.yData is not None and len(i.yData)]

        top = max([float(np.nanmax(y)) for key in ("error_rate", "rejected_rate")
                   for y in values(key) if np.isfinite(y).any()] + [0.0])
        errors = self.time_plots["errors"]
        errors.setYRange(0, max(1.0, top * 1.1), padding=0)
        # ... but no tick beyond 100 %, which would mean nothing
        errors.getAxis("left").setTicks(
            [[(v, f"{v:g}") for v in range(0, 101, 20)]] if top * 1.1 > 100 else None)
        low = min([float(np.nanmin(y)) for y in values("availability") if np.isfinite(y).any()]
                  + [100.0])
        bottom = 99.0 if low >= 99.0 else max(0.0, low - max(0.5, (100.0 - low) * 0.08))
        self.time_plots["availability"].setYRange(bottom, 100.0 + (100.0 - bottom) * 0.04,
                                                  padding=0)

    # --- utilisation bars ---------------------------------------------------------------------------
    def set_final_utilisation(self, util: dict[str, float], labels: dict[str, str]) -> None:
        """The run's utilisation after the warm-up (from the replications' results)."""
        self.util_final = dict(util)
        self._draw_utilisation(labels)

    def utilisation(self) -> dict[str, float]:
        """Shown utilisation per component id (fraction): the results' once the run is over,
        the mean of the per-second figures so far while it runs."""
        if self.util_final is not None:
            return dict(self.util_final)
        return {c: self.util_sums[c] / self.util_counts[c] for c in self.util_sums}

    def _draw_utilisation(self, labels: dict[str, str]) -> None:
        util = self.utilisation()
        if not util:
            return
        ids = sorted(util, key=lambda c: -util[c])[:12][::-1]  # busiest at the top
        vals = np.array([100.0 * util[c] for c in ids])
        self.util_plot.clear()
        ys = np.arange(len(ids), dtype=float)
        self.bars = pg.BarGraphItem(x0=0, y=ys, height=0.62, width=vals,
                                    brushes=[pg.mkBrush(util_colour(v / 100)) for v in vals],
                                    pens=[pg.mkPen(None)] * len(vals))
        self.util_plot.addItem(self.bars)
        top = max(100.0, float(vals.max()) * 1.15)
        for limit in (AMBER_FROM, RED_FROM):
            self.util_plot.addItem(pg.InfiniteLine(100 * limit, angle=90, pen=pg.mkPen(
                util_colour(limit), width=1, style=Qt.DashLine)))
        for y, v in zip(ys, vals):
            inside = v > 0.6 * top  # a long bar carries its figure inside, in white
            text = pg.TextItem(f"{v:.0f} %", color="#fff" if inside else "#333",
                               anchor=(1, 0.5) if inside else (0, 0.5))
            text.setFont(ui_font(7))
            text.setPos(v - top * 0.01 if inside else v + top * 0.01, y)
            self.util_plot.addItem(text)
        axis = self.util_plot.getAxis("left")
        names = [labels.get(c, c) for c in ids]
        names = [n if len(n) <= 16 else n[:15] + "…" for n in names]
        axis.setTicks([[(float(y), n) for y, n in zip(ys, names)]])
        axis.setStyle(tickFont=ui_font(7.5))
        axis.setWidth(min(110, 14 + 6 * max(len(n) for n in names)))
        self.util_plot.setXRange(0, top, padding=0)
        self.util_plot.setYRange(-0.6, len(ids) - 0.4, padding=0)

    # --- bands -------------------------------------------------------------------------------------
    def clear_bands(self) -> None:
        for w in self.time_plots.values():
            for item in list(w.getPlotItem().items):
                if isinstance(item, pg.LinearRegionItem):
                    w.removeItem(item)
        self.bands = []
        self._show_band_names()

    def _show_band_names(self) -> None:
        """The line under the plots: each band's colour, name and time span."""
        parts = []
        for start, end, kind, text in self.bands:
            colour = QColor(*_band_colour(kind)).name()
            parts.append(f"<span style='color:{colour}'>■</span> {text} "
                         f"<span style='color:#888'>{start:g}–{end:g} s</span>")
        self.bands_label.setText("Shaded: " + " &nbsp;·&nbsp; ".join(parts) if parts else "")
        self.bands_label.setVisible(bool(parts))

    def add_band(self, start_s: float, end_s: float, kind: str, text: str) -> None:
        """A shaded band on every time plot (a scenario event, the warm-up), named in the line
        under the plots and by a tooltip on each."""
        rgb = _band_colour(kind)
        alpha = 28 if kind == "warmup" else BAND_ALPHA
        self.bands.append((float(start_s), float(end_s), kind, text))
        for w in self.time_plots.values():
            region = pg.LinearRegionItem((start_s, end_s), movable=False,
                                         brush=pg.mkBrush(*rgb, alpha), pen=pg.mkPen(None))
            region.setZValue(-10)
            region.setToolTip(text)
            w.addItem(region)
        self._show_band_names()

    def add_breaker_marks(self, transitions: dict[str, list], labels: dict[str, str]) -> None:
        """A thin vertical line on the throughput and error plots at each circuit-breaker
        transition ({link id: [[t_s, state], ...]}): red when it opens, amber when it lets a
        trial call through, green when it closes; the tooltip names the link."""
        for lid, marks in transitions.items():
            name = labels.get(lid, lid)
            for t, state in marks:
                colour = BREAKER_COLOURS.get(state, "#888")
                for key in ("throughput", "errors"):
                    line = pg.InfiniteLine(float(t), angle=90, pen=pg.mkPen(
                        colour, width=1, style=Qt.DashLine))
                    line.setToolTip(f"circuit breaker on {name}: "
                                    f"{state.replace('_', '-')} at {t:.1f} s")
                    line.setZValue(-5)
                    self.time_plots[key].addItem(line)

    # --- saturation sweep ----------------------------------------------------------------------------
    def reset_sweep(self, saturation_rps: float | None, overlay_previous: bool = False) -> None:
        self.saturation.reset(saturation_rps, overlay_previous)

    def add_sweep_point(self, point: dict) -> None:
        self.saturation.add_point(point)

    @property
    def sweep_points(self) -> list[dict]:
        return self.saturation.points

    # --- images for the report ---------------------------------------------------------------------
    def images(self, size=(900, 360)) -> dict[str, QImage]:
        """Each plot that has data, rendered to an image (for the PDF report)."""
        out = {}
        # One-word names: they become resource URLs in the report.
        widgets = [(k.capitalize(), w) for k, w in self.time_plots.items()]
        widgets += [("Utilisation", self.util_plot), ("Saturation", self.sat_plot)]
        for name, w in widgets:
            if name == "Utilisation" and not self.utilisation():
                continue
            if name == "Saturation" and not self.sweep_points:
                continue
            if name not in ("Utilisation", "Saturation") and not self.rows_seen:
                continue
            if id(w) in self._off:  # a plot this run has no data for
                continue
            old = w.size()
            w.resize(*size)
            image = QImage(size[0], size[1], QImage.Format_ARGB32_Premultiplied)
            image.fill(QColor("white"))
            painter = QPainter(image)
            w.render(painter)
            painter.end()
            w.resize(old)
            out[name] = image
        return out
