"""The live analysis on the canvas: each component's colour is its utilisation's traffic light
(green < 0.7, amber < 0.9, red from 0.9), SPOFs are outlined with their failure impact in the
tooltip, the bottleneck is tagged, validation problems become badges; all from the analysis
that simcore computes for the same design."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from designer.analysis_runner import AnalysisRunner
from designer.canvas import overlay as ov
from designer.canvas.items import BOX_H
from designer.summary_bar import SummaryBar
from simcore.analysis import analyze
from simcore.analysis.result import AnalysisResult

EXPECTED_FILL = {"green": QColor("#e3f6e8"), "amber": QColor("#fdf0d5"),
                 "red": QColor("#fbe0e0")}


def level(u: float) -> str:
    return "green" if u < 0.7 else ("amber" if u < 0.9 else "red")


def painted(item) -> QImage:
    """The item painted on white, its origin at (20, 30)."""
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    image = QImage(220, 110, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    p = QPainter(image)
    p.translate(20, 30)
    item.paint(p, QStyleOptionGraphicsItem(), None)
    p.end()
    return image


def pixel_in_box(item) -> QColor:
    """The colour painted near the box's lower-left corner (clear of icon, text and bar)."""
    return painted(item).pixelColor(20 + 6, int(30 + BOX_H - 6))


def run(doc, scene) -> AnalysisResult:
    runner = AnalysisRunner(doc, scene, delay_ms=0)
    runner.run_now()
    assert runner.wait_idle(30)
    return runner.analysis


def test_colours_outlines_and_tags_match_the_analysis(canvas):
    doc, scene, _ = canvas
    seen = set()
    for rps in (1500.0, 6000.0, 6600.0):  # green; amber; red, still below saturation
        doc.set_component_param("users", "rps", rps)
        shown = run(doc, scene)
        truth = analyze(doc.design)
        spofs = set(truth.spofs)
        assert spofs == {"lb", "db"}
        for cid, figures in truth.components.items():
            item = scene.component_item(cid)
            u = figures.utilization
            if item.kind == "client":
                assert item.overlay.utilization is None
                continue
            assert item.overlay.utilization == shown.components[cid].utilization == u
            want = EXPECTED_FILL[level(u)]
            assert item.brush().color() == want, (cid, u)
            assert pixel_in_box(item) == want, (cid, u)
            seen.add(level(u))
            assert item.overlay.spof == (cid in spofs)
            assert item.overlay.bottleneck == (cid == truth.bottleneck)
            if cid in spofs:
                impact = truth.components[cid].failure_impact
                assert f"{100 * impact:.1f}%" in item.toolTip()
                assert "Single point of failure" in item.toolTip()
    assert seen == {"green", "amber", "red"}


def test_a_spof_is_outlined_red(canvas):
    doc, scene, _ = canvas
    run(doc, scene)
    image = QImage(220, 110, QImage.Format.Format_ARGB32)
    for cid, outlined in (("db", True), ("cache", False)):
        image.fill(Qt.GlobalColor.white)
        p = QPainter(image)
        p.translate(20, 30)
        from PySide6.QtWidgets import QStyleOptionGraphicsItem

        scene.component_item(cid).paint(p, QStyleOptionGraphicsItem(), None)
        p.end()
        edge = image.pixelColor(20 + 40, 30)  # the top edge of the box
        reddish = edge.red() > 180 and edge.green() < 120 and edge.blue() < 120
        assert reddish == outlined, (cid, edge.name())


def test_thresholds_of_the_overlay():
    assert ov.utilisation_level(0.0) == "green"
    assert ov.utilisation_level(0.6999) == "green"
    assert ov.utilisation_level(0.7) == "amber"
    assert ov.utilisation_level(0.8999) == "amber"
    assert ov.utilisation_level(0.9) == "red"
    assert ov.utilisation_level(3.0) == "red"
    assert ov.utilisation_level(None) is None


def test_validation_problems_become_badges_and_clear_when_mended(canvas):
    doc, scene, _ = canvas
    doc.remove_items(["l4"])  # the cache has no target now
    runner = AnalysisRunner(doc, scene, delay_ms=0)
    runner.run_now()
    runner.wait_idle(10)
    assert runner.analysis is None
    cache = scene.component_item("cache")
    assert cache.overlay.problems and "target" in " ".join(cache.overlay.problems)
    assert "Problem:" in cache.toolTip()
    assert scene.component_item("app").overlay.problems == []
    doc.undo_stack.undo()
    runner.run_now()
    runner.wait_idle(10)
    assert cache.overlay.problems == []
    assert runner.analysis is not None


def test_the_summary_bar_shows_the_headline_figures(qtbot, doc):
    bar = SummaryBar()
    qtbot.addWidget(bar)
    a = analyze(doc.design)
    bar.set_analysis(a, {c.id: c.label for c in doc.design.components})
    assert bar.value_text("availability").startswith(f"{100 * a.availability:.3f}"[:5])
    assert bar.value_text("nines") == f"{a.nines:.1f}"
    assert bar.value_text("downtime").endswith("h")
    assert bar.value_text("cost") == f"${a.monthly_cost:,.0f}"
    assert f"{a.saturation_rps:,.0f} rps" in bar.value_text("saturation")
    assert bar.value_text("bottleneck") == doc.design.component(a.bottleneck).label
    assert bar.value_text("spofs") == str(len(a.spofs))


def test_the_scene_keeps_its_overlay_through_moves(canvas):
    doc, scene, _ = canvas
    run(doc, scene)
    before = scene.component_item("db").overlay
    doc.move_components({"db": (QPointF(0, 900).x(), 900.0)})
    assert scene.component_item("db").overlay.spof == before.spof
    assert QRectF(scene.component_item("db").scene_box()).top() == 900.0


def test_stage4_app_servers_are_flagged_when_not_n_plus_1(canvas):
    # At 1,500 rps the two app instances carry each other's load; at 6,000 they do not: the
    # app gets a capacity-risk badge and a tooltip that says what overloads and by how much.
    doc, scene, _ = canvas
    run(doc, scene)
    app = scene.component_item("app")
    assert app.overlay.capacity_risk is None and "Capacity risk" not in app.toolTip()
    doc.set_component_param("users", "rps", 6000.0)
    shown = run(doc, scene)
    assert "app" in shown.capacity_risks  # (the cache too: without it the database overloads)
    assert app.overlay.capacity_risk == shown.capacity_risk_detail["app"]
    assert app.overlay.capacity_risk.startswith("if one of app's 2 instances fails, app runs at ")
    assert "Capacity risk (not N+1): if one of app" in app.toolTip()  # (HTML-escaped quote)
    image = painted(app)
    # The badge sits at the top right, in the capacity colour, not the SPOF red.
    badge = [image.pixelColor(x, y) for x in range(150, 220) for y in range(10, 30)]
    assert ov.CAPACITY_AMBER in badge and ov.SPOF_RED not in badge


def test_the_summary_bar_shows_under_load_only_when_it_differs(qtbot, doc):
    bar = SummaryBar()
    qtbot.addWidget(bar)
    bar.resize(2000, 80)
    bar.set_analysis(analyze(doc.design))
    assert bar.tiles["under_load"].isHidden()
    assert bar.value_text("risks") == "0"
    doc.set_component_param("users", "rps", 6000.0)
    a = analyze(doc.design)
    bar.set_analysis(a)
    assert not bar.tiles["under_load"].isHidden()
    assert bar.value_text("under_load").startswith(f"{100 * a.availability_under_load:.2f}"[:5])
    assert bar.value_text("risks") == str(len(a.capacity_risks))
    assert a.capacity_risk_detail["app"] in bar.tiles["risks"].toolTip()
    assert bar.value_text("p99") != "∞"


def test_a_narrow_summary_bar_drops_a_zero_risk_count_before_the_nines(qtbot, doc):
    bar = SummaryBar()
    qtbot.addWidget(bar)
    bar.set_analysis(analyze(doc.design))
    assert bar.value_text("risks") == "0"
    widths = {k: t.minimumSizeHint().width() for k, t in bar.tiles.items()
              if k != "under_load"}
    # room for every tile but the risk count: it gives way first, the nines stay
    bar.resize(sum(widths.values()) - widths["risks"] + 8, 80)
    bar.show()
    assert bar.tiles["risks"].isHidden() and not bar.tiles["nines"].isHidden()
    doc.set_component_param("users", "rps", 6000.0)  # now one app server cannot carry it
    bar.set_analysis(analyze(doc.design))
    assert bar.value_text("risks") != "0"
    assert not bar.tiles["risks"].isHidden() and bar.tiles["nines"].isHidden()
