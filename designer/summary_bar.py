"""The summary bar: the instant analysis's headline figures, readable at a glance.

Availability (and under load, when it differs), nines, downtime per year, monthly cost,
saturation, bottleneck, SPOFs and capacity risks (plus the mean and p99 latency), each a small tile with a caption, a large value and a tooltip that explains the figure.
When the design has problems the bar says so instead of showing stale numbers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from simcore.explain import CONCEPTS
from simcore.text import finite_or_none

if TYPE_CHECKING:  # the analysis package loads on first use, after the window shows
    from simcore.analysis.result import AnalysisResult

GOOD, WARN, BAD, NEUTRAL = "#1b7f3b", "#b36b00", "#c0262d", "#1f2933"

YEAR_S = 365 * 24 * 3600.0
TILE_CONCEPTS = {"availability": "availability", "nines": "nines", "downtime": "nines",
                 "latency": "latency", "cost": "cost", "saturation": "saturation",
                 "bottleneck": "saturation", "spofs": "spof", "under_load": "capacity",
                 "p99": "latency", "risks": "capacity"}
NOTHING_FAILS = ("100 % and ∞ nines: nothing in this design can fail. Every part has "
                 "availability 1 (never fails), the default: set availability or MTBF/MTTR in "
                 "the inspector to see nines.")


# --- formatting (pure functions, also used by the report) ---------------------------------------
def format_percent(availability: float | None, unavailability: float | None = None) -> str:
    """99.95 %, with enough decimals to show two significant digits of the unavailability."""
    if availability is None:
        return "—"
    u = unavailability if unavailability is not None else 1.0 - availability
    if u <= 0:
        return "100 %"
    if u >= 1:
        return "0 %"
    decimals = max(1, min(10, math.ceil(-math.log10(u * 100)) + 1))
    text = f"{100 * (1 - u):.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text} %"


def format_nines(nines: float | None, availability: float | None = None) -> str:
    if nines is None:
        return "∞" if availability == 1 else "—"
    return f"{nines:.1f}"


def format_duration(seconds: float | None) -> str:
    """A duration in the unit a person would use: 26.3 s, 43.8 min, 8.76 h, 3.65 days."""
    if seconds is None:
        return "—"
    s = float(seconds)
    if s <= 0:
        return "0 s"
    if s < 1:
        return f"{s * 1000:.3g} ms"
    if s < 60:
        return f"{s:.3g} s"
    if s < 3600:
        return f"{s / 60:.3g} min"
    if s < 86400 * 2:
        return f"{s / 3600:.3g} h"
    return f"{s / 86400:.3g} days"


def format_money(amount: float | None) -> str:
    if amount is None:
        return "—"
    if amount >= 100:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def format_rps(rps: float | None) -> str:
    if rps is None:
        return "—"
    if rps >= 100:
        return f"{rps:,.0f} rps"
    return f"{rps:.3g} rps"


def format_ratio(r: float) -> str:
    """A headroom ratio as people write it: 1.3×, 5.2×, 12×, 570× (never 5.7e+02×)."""
    return f"{r:.2g}×" if r < 10 else f"{r:,.0f}×"


def format_ms(ms: float | None) -> str:
    if ms is None:
        return "∞"
    if ms >= 1000:
        return f"{ms / 1000:.3g} s"
    return f"{ms:.3g} ms"


def unavailability(analysis: AnalysisResult) -> float | None:
    """U = 1 − A, as the analysis carries it (keeps the digits of many nines)."""
    if analysis.unavailability is not None:
        return analysis.unavailability
    return None if analysis.availability is None else 1.0 - analysis.availability


def downtime(analysis: AnalysisResult, period: str) -> float | None:
    """Expected downtime per ``period`` ("year", "month", "week"), in seconds."""
    return finite_or_none((analysis.downtime_s or {}).get(period))


class FitLabel(QLabel):
    """A value that shrinks with the window: the full text while it fits, elided (…) below."""

    def __init__(self, text: str = "", parent=None, keep: int = 48):
        super().__init__(text, parent)
        self._full = text
        self._tip = ""  # a tooltip of its own; else the full text when it is elided
        self._keep = keep  # the width kept before eliding

    def setText(self, text: str) -> None:
        self._full = text
        super().setText(text)
        self.updateGeometry()

    def text(self) -> str:
        return self._full

    def setToolTip(self, tip: str) -> None:
        self._tip = tip
        super().setToolTip(tip)

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4,
                     super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self.sizeHint().width(), self._keep),
                     super().minimumSizeHint().height())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()  # the style sheet's font arrives after the text
            self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              self.contentsRect().width())
        if shown != super().text():
            super().setText(shown)
            super().setToolTip(self._tip or (self._full if shown != self._full else ""))


class _Tile(QFrame):
    """One figure: a small grey caption over a large value; a click asks why (``clicked``)."""

    clicked = Signal()

    def __init__(self, caption: str, tooltip: str, parent=None, keep: int = 170):
        super().__init__(parent)
        self.setObjectName("summaryTile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        tooltip += "\nClick: why this figure (its formula with this design's numbers)."
        self._base_tooltip = tooltip
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(0)
        self.caption = FitLabel(caption.upper(), keep=1000)  # short: never cut
        self.caption.setObjectName("summaryCaption")
        self.value = FitLabel("—", keep=keep)
        self.value.setObjectName("summaryValue")
        self.value.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        self.setToolTip(tooltip)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()

    def set(self, text: str, color: str = NEUTRAL, detail: str = "") -> None:
        self.value.setText(text)
        self.value.setStyleSheet(f"color: {color};")
        self.setToolTip(self._base_tooltip + (f"\n\n{detail}" if detail else ""))


class SummaryBar(QFrame):
    """Headline figures of the current design's instant analysis. In a narrow window the
    less telling figures give way (DROP_FIRST, in that order) rather than widening the window."""

    DROP_FIRST = ("nines", "p99", "downtime", "latency", "cost", "saturation", "risks",
                  "under_load")
    whyRequested = Signal(str, object)  # figure key, the tile (a QWidget) that shows it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("summaryBar")
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.setStyleSheet(
            "#summaryBar { background: #f7f9fb; border-bottom: 1px solid #d5dbe1; }"
            "#summaryTile { border-right: 1px solid #e1e6eb; }"
            "#summaryCaption { color: #6b7783; font-size: 8pt; font-weight: 600;"
            " letter-spacing: 0.5px; }"
            "#summaryValue { font-size: 13pt; font-weight: 600; }"
            "#summaryMessage { font-size: 11pt; padding: 0 12px; }"
        )
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(0)
        self.tiles: dict[str, _Tile] = {}
        for key, caption, tip in (
            ("availability", "Availability",
             ("Share of requests that succeed, every part in its steady state\n"
              "(instances, standbys, zones and regions failing independently).")),
            ("under_load", "Under load",
             ("Availability when survivors must carry the load of what failed: an overloaded\n"
              "part serves only what its capacity allows (N+1). Shown when it differs.")),
            ("nines", "Nines", "−log10(1 − availability): 3 nines = 99.9 %."),
            ("downtime", "Down / year",
             "Expected time per year during which requests fail (a year = 365 days)."),
            ("latency", "Latency", "End-to-end mean response time of admitted requests."),
            ("p99", "p99",
             ("99th percentile of the end-to-end response time: an approximation (a gamma\n"
              "distribution fitted to each client's mean and variance); simulate to confirm.")),
            ("cost", "Cost / month",
             "cost_per_hour × 730 h × (instances or database nodes + standbys), summed."),
            ("saturation", "Saturation",
             ("Total request rate, all clients scaled together, at which the first component\n"
              "reaches 100 % utilisation.")),
            ("bottleneck", "Bottleneck", "The component that saturates first as traffic grows."),
            ("spofs", "SPOFs",
             "Single points of failure: parts whose failure alone loses requests."),
            ("risks", "N+1 risks",
             ("Capacity risks: parts redundant on paper whose survivors cannot carry\n"
              "the load when one instance fails.")),
        ):
            # a long component name gives way first
            tip += f"\nConcept: “{CONCEPTS[TILE_CONCEPTS[key]]}” (Help → Concepts)."
            tile = _Tile(caption, tip, self, keep=90 if key == "bottleneck" else 170)
            tile.clicked.connect(lambda k=key, t=tile: self.whyRequested.emit(k, t))
            self.tiles[key] = tile
            lay.addWidget(tile)
        # One line, elided: a long problem text must not make the bar (and the canvas under
        # it) jump; the whole text is in the tooltip.
        self.message = FitLabel("", keep=120)
        self.message.setObjectName("summaryMessage")
        self.message.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        lay.addWidget(self.message, 1)
        self._stretch = QWidget(self)  # keeps the tiles left when no message is shown
        self._stretch.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self._stretch.setMinimumWidth(0)
        lay.addWidget(self._stretch, 1)
        self._analysis: AnalysisResult | None = None
        self._tiles_on = False
        self._absent: set[str] = set()  # tiles with nothing to show for this analysis
        self._quiet: set[str] = set()  # tiles whose figure tells little now (give way first)
        self.set_pending()
        # The same height whatever it shows (a message, or the figures): the canvas under it
        # never moves.
        self.ensurePolished()
        tile = self.tiles["availability"]
        for w in (tile, tile.caption, tile.value):
            w.ensurePolished()
        m = lay.contentsMargins()
        self.setFixedHeight(tile.sizeHint().height() + m.top() + m.bottom())

    # --- width: hide the least telling tiles that do not fit -----------------------------------
    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self._tiles_on:
            return hint
        kept = sum(t.minimumSizeHint().width() for k, t in self.tiles.items()
                   if k not in self.DROP_FIRST and k not in self._absent)
        return QSize(min(hint.width(), kept + 8), hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_tiles()

    def _fit_tiles(self) -> None:
        if not self._tiles_on:
            return
        available = self.width() - 8
        needed = sum(t.minimumSizeHint().width() for k, t in self.tiles.items()
                     if k not in self._absent)
        hidden = list(self._absent)
        order = sorted(self.DROP_FIRST, key=lambda k: k not in self._quiet)  # stable
        for key in order:
            if needed <= available:
                break
            if key in self._absent:
                continue
            hidden.append(key)
            needed -= self.tiles[key].minimumSizeHint().width()
        for key, tile in self.tiles.items():
            tile.setVisible(key not in hidden)

    # --- states ------------------------------------------------------------------------------
    def set_pending(self) -> None:
        self._show_message("Analysing…", NEUTRAL, tiles=False)

    def set_problems(self, problems: list) -> None:
        n = len(problems)
        first = str(problems[0]) if problems else ""
        more = f" (and {n - 1} more: see Problems)" if n > 1 else ""
        self._show_message(f"⚠ {n} problem{'s' if n != 1 else ''} — {first}{more}", BAD,
                           tiles=False)
        self.message.setToolTip("\n".join(str(p) for p in problems))

    def set_unavailable(self, reason: str) -> None:
        self._show_message(reason, WARN, tiles=False)

    def _show_message(self, text: str, color: str, tiles: bool) -> None:
        self._analysis = None
        self._tiles_on = tiles
        for t in self.tiles.values():
            t.setVisible(tiles)
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {color};")
        self.message.setToolTip("")
        self.message.setVisible(bool(text))
        self._stretch.setVisible(not text)

    def analysis(self) -> AnalysisResult | None:
        return self._analysis

    def value_text(self, key: str) -> str:
        return self.tiles[key].value.text()

    # --- figures -----------------------------------------------------------------------------
    def set_analysis(self, a: AnalysisResult, labels: dict[str, str] | None = None) -> None:
        """Show an analysis; ``labels`` maps ids to names."""
        labels = labels or {}
        self._analysis = a
        self._tiles_on = True
        self.message.setText("")
        self.message.setToolTip("")
        self.message.hide()
        self._stretch.show()

        avail = a.availability
        u = unavailability(a)
        nines = finite_or_none(a.nines)
        color = GOOD if nines is None or nines >= 3 else (WARN if nines >= 2 else BAD)
        detail = ""
        if a.availability_method == "monte_carlo":
            ci = a.availability_ci95 or [None, None]
            detail = ("Estimated by Monte Carlo (the design is too large for the exact sum)"
                      + (f"; 95 % interval {format_percent(ci[0])} – {format_percent(ci[1])}"
                         if ci[0] is not None else ""))
        if u is not None and u <= 0:
            detail = NOTHING_FAILS
        self.tiles["availability"].set(format_percent(avail, u), color, detail)
        self._set_under_load(a, format_percent(avail, u))
        self.tiles["nines"].set(format_nines(nines, avail), color,
                                NOTHING_FAILS if nines is None and avail == 1 else "")
        self.tiles["downtime"].set(
            format_duration(downtime(a, "year")), color,
            f"per month {format_duration(downtime(a, 'month'))}, "
            f"per week {format_duration(downtime(a, 'week'))}")
        lat = finite_or_none(a.latency_mean_ms)
        self.tiles["latency"].set(format_ms(lat), BAD if lat is None and a.offered_rps
                                  else NEUTRAL)
        p50, p95, p99 = (finite_or_none(v) for v in (a.latency_p50_ms, a.latency_p95_ms,
                                                      a.latency_p99_ms))
        self.tiles["p99"].set(format_ms(p99), NEUTRAL,
                              f"p50 {format_ms(p50)}, p95 {format_ms(p95)}"
                              if p99 is not None else "")
        self.tiles["cost"].set(format_money(a.monthly_cost), NEUTRAL, _cost_detail(a, labels))

        sat, offered = finite_or_none(a.saturation_rps), a.offered_rps or 0.0
        if a.saturated:
            self.tiles["saturation"].set("SATURATED", BAD,
                                         f"Offered {format_rps(offered)} is beyond capacity "
                                         f"({format_rps(sat)}): queues grow without bound.")
        elif sat is None:
            self.tiles["saturation"].set("—", NEUTRAL, "No traffic, or no component saturates.")
        else:
            headroom = sat / offered if offered > 0 else None
            color = BAD if headroom is not None and headroom < 1.1 else (
                WARN if headroom is not None and headroom < 1.5 else GOOD)
            text = format_rps(sat) + (f" ({format_ratio(headroom)})" if headroom else "")
            self.tiles["saturation"].set(text, color,
                                         f"Offered now: {format_rps(offered)}; headroom "
                                         f"{format_ratio(headroom)} the current load."
                                         if headroom else "")
        bn = a.bottleneck
        util = finite_or_none(a.components[bn].utilization) if bn in a.components else None
        self.tiles["bottleneck"].set(
            labels.get(bn, bn) if bn else "—", NEUTRAL,
            f"'{bn}' ({labels.get(bn, bn)}), utilisation now {util:.0%}" if util is not None
            else "")
        spofs = sorted(a.spofs)
        spof_detail = ("\n".join(f"• {labels.get(s, s)} ({s})" for s in spofs) if spofs
                       else "None.")
        if spofs and u is not None and u <= 0:
            spof_detail += ("\n\nEach would lose requests if it failed, but nothing here can "
                            "fail yet: every part has availability 1 (never fails), the "
                            "default. Set availability or MTBF/MTTR to see what they cost.")
        self.tiles["spofs"].set(str(len(spofs)), BAD if spofs else GOOD, spof_detail)
        risks = list(a.capacity_risks)
        why = a.capacity_risk_detail
        self.tiles["risks"].set(
            str(len(risks)), BAD if risks else GOOD,
            "\n".join(f"• {why.get(r) or labels.get(r, r)}" for r in risks) if risks
            else "None: every redundant part can lose one instance.")
        # no risk is worth a tile only when there is room: the nines come first
        self._quiet = set() if risks else {"risks"}
        self._fit_tiles()

    def _set_under_load(self, a: AnalysisResult, structural: str) -> None:
        """The availability under load, shown only when it reads differently."""
        ul = finite_or_none(a.availability_under_load)
        text = format_percent(ul, finite_or_none(a.unavailability_under_load))
        if ul is None or text == structural:
            self._absent.add("under_load")
            return
        self._absent.discard("under_load")
        detail = ""
        if a.availability_under_load_method == "monte_carlo":
            ci = a.availability_under_load_ci95 or [None, None]
            detail = (f"Estimated by Monte Carlo; 95 % interval {format_percent(ci[0])} – "
                      f"{format_percent(ci[1])}" if ci[0] is not None else "")
        self.tiles["under_load"].set(text, WARN, detail)


def _cost_detail(a: AnalysisResult, labels: dict[str, str]) -> str:
    rows = [(cid, c.monthly_cost or 0.0) for cid, c in a.components.items()]
    rows = sorted((r for r in rows if r[1] > 0), key=lambda r: -r[1])[:8]
    return "\n".join(f"{labels.get(cid, cid)}: {format_money(v)}" for cid, v in rows)
