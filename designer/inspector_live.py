"""Read-only parts of the inspector: the instant analysis' figures for the shown item, and the
scenario events that target it (each removable, as an undo step)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QToolButton, QWidget

from designer.summary_bar import format_money, format_ms, format_percent, format_rps

if TYPE_CHECKING:  # the analysis package loads on first use, after the window shows
    from simcore.analysis.result import ComponentResult, GroupResult

MUTED = "color: #64748b;"

COMPONENT_ROWS = [
    ("utilization", "Utilisation"), ("arrival_rps", "Arrivals"), ("latency_ms", "Latency"),
    ("availability", "Availability"), ("failure_impact", "If it fails"),
    ("monthly_cost", "Cost / month"),
]
GROUP_ROWS = [("availability", "Availability"), ("failure_impact", "If it fails")]


def _figure_text(key: str, value, client: bool) -> str:
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞ (saturated)"
    if key == "utilization":
        return f"{100 * value:.1f} %"
    if key == "arrival_rps":
        return format_rps(value)
    if key == "latency_ms":
        return format_ms(value) + (" end to end" if client else " here (wait + service)")
    if key == "availability":
        if value >= 1:  # the default: say what it means, and what to do to see nines
            return "100 % (availability 1: never fails; set it to see nines)"
        return format_percent(value)
    if key == "failure_impact":
        return "no request lost" if value <= 1e-12 else f"{format_percent(value)} of requests fail"
    if key == "monthly_cost":
        return format_money(value)
    return str(value)


class _WhyLabel(QLabel):
    """A figure that explains itself when clicked (``clicked``)."""

    clicked = Signal()

    def __init__(self, text: str):
        super().__init__(text)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click: why this figure (its formula with this design's numbers)")
        self.setWordWrap(True)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


class LiveFigures(QGroupBox):
    """What the instant analysis says about one component or group. A click on a figure asks
    why: ``whyRequested(key, label)``."""

    whyRequested = Signal(str, object)

    def __init__(self, group: bool, parent=None):
        super().__init__("Live analysis", parent)
        self.rows = GROUP_ROWS if group else COMPONENT_ROWS
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setContentsMargins(6, 6, 6, 6)
        form.setVerticalSpacing(2)
        self.labels: dict[str, QLabel] = {}
        for key, title in self.rows:
            value = _WhyLabel("—")
            value.clicked.connect(lambda k=key, w=value: self.whyRequested.emit(k, w))
            form.addRow(title, value)
            self.labels[key] = value
        # A cache's hit ratio: shown for caches only, saying whether it was computed
        self.hit_ratio = QLabel("—")
        self.hit_ratio.setWordWrap(True)
        self.hit_ratio.setToolTip("The share of reads the cache answers, as the analysis uses "
                                  "it: the one set, or computed from the cache's capacity over "
                                  "the clients' keys (Che's approximation)")
        form.addRow("Hit ratio", self.hit_ratio)
        form.setRowVisible(self.hit_ratio, False)
        self.form = form
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(MUTED)
        form.addRow(self.note)

    def show_figures(self, figures: ComponentResult | GroupResult | None, client: bool = False,
                     note: str = "") -> None:
        for key, label in self.labels.items():
            shown = figures is not None and not (client and key == "utilization")
            label.setText(_figure_text(key, getattr(figures, key), client) if shown else "—")
        h = getattr(figures, "hit_ratio", None)
        self.form.setRowVisible(self.hit_ratio, h is not None)
        if h is not None:
            how = "computed" if figures.hit_ratio_computed else "as set"
            self.hit_ratio.setText(f"{100 * h:.1f} % ({how})")
        self.note.setText(note)
        self.note.setVisible(bool(note))


class EventsBox(QGroupBox):
    """The scenario events on one item, each with a remove button."""

    def __init__(self, document, ident: str, parent=None):
        super().__init__("During the simulation", parent)
        self.document = document
        lay = QFormLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        sc = document.design.scenario
        events = [(i, e) for i, e in enumerate(sc.events if sc else []) if e.target == ident]
        self.count = len(events)
        for index, ev in events:
            row = QWidget()
            h = QHBoxLayout(row)
            h.setContentsMargins(0, 0, 0, 0)
            h.addWidget(QLabel(ev.spec.describe(ev)), 1)
            remove = QToolButton()
            remove.setText("×")
            remove.setAutoRaise(True)
            remove.setToolTip("Remove this event from the scenario")
            remove.clicked.connect(lambda _=False, i=index: self.document.remove_event(i))
            h.addWidget(remove)
            lay.addRow(row)
        if not events:
            hint = QLabel("Nothing scheduled. Right-click it on the canvas to schedule an "
                          "event during the run.")
            hint.setWordWrap(True)
            hint.setStyleSheet(MUTED)
            lay.addRow(hint)
