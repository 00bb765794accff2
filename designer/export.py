"""Export: the canvas as PNG or SVG, and a PDF report (diagram, summary, analysis table, plots).

The canvas is rendered from the scene (not grabbed from the screen), so exports are sharp at any
zoom and do not show the selection.
"""

from __future__ import annotations

import html
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtSvg import QSvgGenerator

from designer.summary_bar import (
    downtime,
    format_duration,
    format_money,
    format_ms,
    format_nines,
    format_percent,
    format_rps,
    unavailability,
)
from simcore.text import finite_or_none

if TYPE_CHECKING:  # the analysis package loads on first use, after the window shows
    from simcore.analysis.result import AnalysisResult

MARGIN = 24.0


def _source_rect(scene) -> QRectF:
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 400, 300)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


@contextmanager
def _no_selection(scene):
    """Render without selection outlines; the selection comes back afterwards."""
    selected = list(scene.selectedItems())
    blocked = scene.blockSignals(True)
    uncached = scene.uncached()
    try:
        for item in selected:
            item.setSelected(False)
        with uncached:
            yield
    finally:
        for item in selected:
            item.setSelected(True)
        scene.blockSignals(blocked)


def render_image(scene, scale: float = 2.0, max_side: int = 8000) -> QImage:
    """The whole diagram as an image on white, ``scale`` device pixels per scene unit."""
    src = _source_rect(scene)
    scale = min(scale, max_side / max(src.width(), src.height()))
    size = QSize(max(1, round(src.width() * scale)), max(1, round(src.height() * scale)))
    image = QImage(size, QImage.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    with _no_selection(scene):
        painter = QPainter(image)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing
                               | QPainter.SmoothPixmapTransform)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), src,
                     Qt.KeepAspectRatio)
        painter.end()
    return image


def export_png(scene, path: str | Path, scale: float = 2.0) -> Path:
    image = render_image(scene, scale)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return Path(path)


def export_svg(scene, path: str | Path, title: str = "Skyline design") -> Path:
    src = _source_rect(scene)
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(round(src.width()), round(src.height())))
    gen.setViewBox(QRectF(0, 0, src.width(), src.height()))
    gen.setTitle(title)
    gen.setDescription("Exported from Skyline")
    with _no_selection(scene):
        painter = QPainter()
        if not painter.begin(gen):
            raise OSError(f"could not write {path}")
        painter.fillRect(QRectF(0, 0, src.width(), src.height()), QColor("white"))
        scene.render(painter, QRectF(0, 0, src.width(), src.height()), src, Qt.KeepAspectRatio)
        painter.end()
    if not Path(path).exists() or Path(path).stat().st_size == 0:
        raise OSError(f"could not write {path}")
    return Path(path)


# --- the report -------------------------------------------------------------------------------------
def _summary_rows(a: AnalysisResult, labels: dict) -> list[tuple[str, str]]:
    bn = a.bottleneck
    rows = [
        ("Availability", format_percent(a.availability, unavailability(a))
         + (" (Monte Carlo estimate)" if a.availability_method == "monte_carlo" else "")),
        ("Nines", format_nines(finite_or_none(a.nines), a.availability)),
        ("Downtime per year / month / week",
         " / ".join(format_duration(downtime(a, p)) for p in ("year", "month", "week"))),
        ("Mean latency", format_ms(finite_or_none(a.latency_mean_ms))),
        ("Offered load", format_rps(a.offered_rps)),
        ("Saturation", format_rps(finite_or_none(a.saturation_rps))
         + ("  — saturated now" if a.saturated else "")),
        ("Bottleneck", f"{labels.get(bn, bn)} ({bn})" if bn else "—"),
        ("SPOFs", ", ".join(f"{labels.get(s, s)} ({s})" for s in sorted(a.spofs)) or "none"),
        ("Monthly cost", format_money(a.monthly_cost)),
    ]
    return rows


def _num(v, fmt: str) -> str:
    v = finite_or_none(v)
    return "—" if v is None else format(v, fmt)


def report_html(design, analysis: AnalysisResult | None, problems: list, has_diagram: bool,
                plot_names: list[str], sim_summary: str | None = None) -> str:
    labels = {c.id: c.label for c in design.components}
    kinds = {c.id: c.kind for c in design.components}
    h = html.escape
    parts = [
        "<html><body style='font-family: sans-serif; font-size: 9pt;'>",
        f"<h1 style='color:#1f2933'>{h(design.name or 'Untitled design')}</h1>",
        f"<p style='color:#555'>Skyline report, {time.strftime('%Y-%m-%d %H:%M')}</p>",
    ]
    if design.description:
        parts.append(f"<p>{h(design.description)}</p>")
    if has_diagram:
        parts.append("<p align='center'><img src='skyline://diagram' width='640'></p>")
    parts.append("<h2>Instant analysis</h2>")
    if problems:
        parts.append("<p style='color:#c0262d'>The design has problems, so it was not analysed:"
                     "</p><ul>" + "".join(f"<li>{h(str(p))}</li>" for p in problems) + "</ul>")
    elif analysis is None:
        parts.append("<p>No analysis is available.</p>")
    else:
        parts.append("<table cellpadding='3' cellspacing='0' border='1' "
                     "style='border-collapse: collapse; border-color:#ccc'>")
        for k, v in _summary_rows(analysis, labels):
            parts.append(f"<tr><td><b>{h(k)}</b></td><td>{h(v)}</td></tr>")
        parts.append("</table>")
        parts.append("<h3>Components</h3><table cellpadding='3' cellspacing='0' border='1' "
                     "style='border-collapse: collapse; border-color:#ccc' width='100%'>"
                     "<tr style='background:#eef2f5'><th align='left'>Component</th>"
                     "<th align='left'>Kind</th><th align='right'>Arrivals (rps)</th>"
                     "<th align='right'>Utilisation</th><th align='right'>Latency (ms)</th>"
                     "<th align='right'>Availability</th><th align='right'>Failure impact</th>"
                     "<th align='right'>Cost / month</th></tr>")
        spofs = set(analysis.spofs)
        for cid, row in analysis.components.items():
            util = finite_or_none(row.utilization)
            color = ("" if util is None else "#c0262d" if util >= 0.9 else
                     "#b36b00" if util >= 0.7 else "#1b7f3b")
            name = h(labels.get(cid, cid)) + (" <b style='color:#c0262d'>SPOF</b>"
                                              if cid in spofs else "")
            parts.append(
                f"<tr><td>{name}</td><td>{h(kinds.get(cid, ''))}</td>"
                f"<td align='right'>{_num(row.arrival_rps, ',.1f')}</td>"
                f"<td align='right' style='color:{color}'>"
                f"{'—' if util is None else f'{util:.1%}'}</td>"
                f"<td align='right'>{format_ms(finite_or_none(row.latency_ms))}</td>"
                f"<td align='right'>{format_percent(row.availability)}</td>"
                f"<td align='right'>{_num(row.failure_impact, '.3g')}</td>"
                f"<td align='right'>{format_money(row.monthly_cost)}</td></tr>")
        parts.append("</table>")
    if plot_names:
        parts.append("<h2>Simulation</h2>")
        if sim_summary:
            parts.append(f"<p>{h(sim_summary)}</p>")
        for name in plot_names:
            parts.append(f"<p align='center'><img src='skyline://plot/{h(name)}' width='600'>"
                         "</p>")
    parts.append("</body></html>")
    return "".join(parts)


def export_report(path: str | Path, design, scene, analysis: AnalysisResult | None,
                  problems: list,
                  plots: dict[str, QImage] | None = None, sim_summary: str | None = None) -> Path:
    """A PDF report: the diagram, the summary, the per-component table and any run's plots."""
    from PySide6.QtCore import QUrl

    plots = plots or {}
    writer = QPdfWriter(str(path))
    writer.setTitle(f"Skyline report — {design.name or 'Untitled design'}")
    writer.setCreator("Skyline")
    writer.setResolution(150)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Millimeter))
    doc = QTextDocument()
    has_diagram = scene is not None and bool(scene.items())
    if has_diagram:
        doc.addResource(QTextDocument.ImageResource, QUrl("skyline://diagram"),
                        render_image(scene, scale=2.0, max_side=3000))
    for name, image in plots.items():
        doc.addResource(QTextDocument.ImageResource, QUrl(f"skyline://plot/{name}"), image)
    doc.setHtml(report_html(design, analysis, problems, has_diagram, list(plots), sim_summary))
    doc.print_(writer)
    del writer  # finishes the file
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0:
        raise OSError(f"could not write {path}")
    return p
