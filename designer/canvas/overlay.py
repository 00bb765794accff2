"""What the instant analysis looks like on the canvas: utilisation colours and the texts of the
tooltips. Thresholds follow the analysis' traffic lights: green below 0.7, amber below 0.9, red
from 0.9 (a queue's waiting time grows steeply past ~70–80% utilisation)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

from simcore.text import finite_or_none

if TYPE_CHECKING:  # the analysis package loads on first use, after the window shows
    from simcore.analysis.result import ComponentResult

AMBER_FROM = 0.7
RED_FROM = 0.9

# Box fills (light, so names stay readable) and the stronger bar colours.
FILL_NONE = QColor("#ffffff")
FILL_GREEN = QColor("#e3f6e8")
FILL_AMBER = QColor("#fdf0d5")
FILL_RED = QColor("#fbe0e0")
BAR_GREEN = QColor("#16a34a")
BAR_AMBER = QColor("#d97706")
BAR_RED = QColor("#dc2626")
SPOF_RED = QColor("#dc2626")
CAPACITY_AMBER = QColor("#c2410c")  # a capacity risk: redundant on paper, overloaded in fact
BOTTLENECK = QColor("#b45309")
PROBLEM_RED = QColor("#b91c1c")
WARNING_AMBER = QColor("#d97706")


def utilisation_level(u: float | None) -> str | None:
    """'green', 'amber' or 'red' for a utilisation, None when there is none."""
    if u is None:
        return None
    if u < AMBER_FROM:
        return "green"
    if u < RED_FROM:
        return "amber"
    return "red"


def fill_colour(u: float | None) -> QColor:
    return {"green": FILL_GREEN, "amber": FILL_AMBER, "red": FILL_RED}.get(
        utilisation_level(u), FILL_NONE)


def bar_colour(u: float | None) -> QColor:
    return {"green": BAR_GREEN, "amber": BAR_AMBER, "red": BAR_RED}.get(
        utilisation_level(u), BAR_GREEN)


@dataclass
class ItemOverlay:
    """The analysis' figures for one component, as the canvas shows them (``utilization`` may
    be infinite: a blocking service whose callee is saturated)."""

    utilization: float | None = None
    spof: bool = False
    failure_impact: float | None = None
    bottleneck: bool = False
    capacity_risk: str | None = None  # the sentence that explains it, when the part is one
    problems: list[str] = field(default_factory=list)
    figures: ComponentResult | None = None


def _fmt(v, unit: str = "", digits: int = 4) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}g}{unit}"
    return f"{v}{unit}"


def _percent(v: float | None) -> str:
    if v is None:
        return "—"
    return "∞" if math.isinf(v) else f"{100 * v:.1f}%"


def tooltip_lines(ov: ItemOverlay) -> list[str]:
    """Lines added to a component's tooltip by the analysis."""
    lines: list[str] = []
    f = ov.figures
    if ov.utilization is not None:
        lines.append(f"Utilisation: {_percent(ov.utilization)}")
    if f is not None:
        arrivals, latency = finite_or_none(f.arrival_rps), finite_or_none(f.latency_ms)
        if arrivals is not None:
            lines.append(f"Arrivals: {_fmt(arrivals, ' req/s')}")
        if latency is not None:
            lines.append(f"Latency: {_fmt(latency, ' ms')}")
        if f.availability is not None:
            lines.append(f"Availability: {f.availability:.6g}")
        if f.monthly_cost:
            lines.append(f"Cost: ${f.monthly_cost:,.2f}/month")
    if ov.bottleneck:
        lines.append("Bottleneck: the first part to saturate as traffic grows.")
    if ov.spof:
        impact = ov.failure_impact
        lost = f"{_percent(impact)} of requests fail" if impact is not None else "requests fail"
        lines.append(f"Single point of failure: when it fails alone, {lost}.")
    if ov.capacity_risk:
        lines.append(f"Capacity risk (not N+1): {ov.capacity_risk}.")
    for msg in ov.problems:
        lines.append(f"Problem: {msg}")
    return lines
