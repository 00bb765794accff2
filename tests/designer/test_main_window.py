"""The main window as a whole: selection drives the inspector, the palette adds at the centre,
the undo history lists every edit, chaos from the canvas schedules an outage, exports write
files, and `skyline` with no file opens the default example."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication, QDialog

from designer.canvas import menus
from designer.main_window import MainWindow
from simcore.events import EVENTS
from simcore.paths import default_example

from .conftest import design_json, load_example


def test_selecting_an_item_shows_it_in_the_inspector(win):
    win.select_ids(["db"])
    assert win.inspector.shown_id == "db"
    assert "replicas" in win.inspector.editors
    win.select_ids(["l2"])
    assert win.inspector.shown_id == "l2"
    win.scene.clearSelection()
    assert win.inspector.shown_id is None


def test_inspector_edits_reach_the_canvas_and_the_summary(win, qtbot):
    win.select_ids(["app"])
    win.inspector.editors["instances"].set_text_and_finish("1")
    win.runner.wait_idle(10)
    assert "app" in win.runner.analysis.spofs
    assert win.scene.component_item("app").overlay.spof
    assert win.summary.value_text("spofs") == "3"


def test_palette_double_click_adds_at_the_centre_of_the_view(win):
    n = len(win.document.design.components)
    win.palette.kindActivated.emit("blob_storage")
    assert len(win.document.design.components) == n + 1
    c = win.document.design.components[-1]
    centre = win.view.mapToScene(win.view.viewport().rect().center())
    assert abs(c.x + 60 - centre.x()) < 2 and abs(c.y + 30 - centre.y()) < 2
    assert win.scene.selected_ids() == [c.id]
    assert win.inspector.shown_id == c.id


def test_the_history_lists_every_edit(win):
    doc = win.document
    doc.rename("app", "A")
    doc.move_components({"app": (0.0, 200.0)})
    doc.add_link("app", "db")
    model = win.undo_view.model()
    texts = [model.index(i, 0).data() for i in range(model.rowCount())]
    assert texts[0] == "<opened>"
    assert texts[1:] == ["Rename App servers", "Move A", "Connect A → MySQL"]
    win.undo_view.setCurrentIndex(model.index(1, 0))  # click in the history: back to there
    assert doc.design.component("app").name == "A"
    assert doc.design.component("app").y != 200.0


def test_fail_for_n_seconds_from_the_canvas_adds_a_scenario_event(win, monkeypatch):
    def accept(dialog):
        dialog.start.setValue(40)
        dialog.duration.setValue(15)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(menus.EventDialog, "exec", accept)
    before = design_json(win.document.design)
    menus._ask_event(win.scene, EVENTS["fail"], "db", "MySQL")
    events = win.document.design.scenario.events
    assert [(e.type, e.target, e.at_s, e.duration_s) for e in events] == [
        ("fail", "db", 40.0, 15.0)]
    win.document.undo_stack.undo()
    assert design_json(win.document.design) == before


def test_exports_write_png_svg_and_pdf(win, tmp_path):
    from designer import export

    png = export.export_png(win.scene, tmp_path / "d.png")
    svg = export.export_svg(win.scene, tmp_path / "d.svg", "Stage 4")
    win.runner.wait_idle(10)
    pdf = export.export_report(tmp_path / "r.pdf", win.document.design, win.scene,
                               win.runner.analysis, win.runner.problems, [], None)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text()[:2000]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 3000


def test_the_window_has_an_icon_and_a_title_with_the_design(win):
    assert not win.windowIcon().isNull()
    assert "Stage 4" in win.windowTitle()
    win.document.rename("app", "Z")
    assert win.isWindowModified()


def test_skyline_with_no_file_opens_the_default_example(qapp, monkeypatch):
    from designer import app as app_mod

    monkeypatch.setattr(type(qapp), "exec", lambda self: 0)
    before = set(QApplication.topLevelWidgets())
    assert app_mod.main(None) == 0
    new = [w for w in QApplication.topLevelWidgets()
           if isinstance(w, MainWindow) and w not in before]
    assert len(new) == 1
    w = new[0]
    try:
        expected = load_example(default_example().name)
        assert design_json(w.document.design) == design_json(expected)
        assert w.document.path is None  # an example is a template: saving asks where
        assert w.runner.wait_idle(10) and w.runner.analysis is not None
    finally:
        w.close()
        w.deleteLater()
        QApplication.processEvents()


def test_moving_on_the_canvas_is_one_step_in_the_window(win, qtbot):
    doc = win.document
    n = doc.undo_stack.count()
    item = win.scene.component_item("cache")
    start = win.view.mapFromScene(item.scene_box().center())
    from PySide6.QtCore import Qt

    vp = win.view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 6):
        qtbot.mouseMove(vp, start + (QPointF(60, 40) * (i / 5)).toPoint())
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPointF(60, 40).toPoint())
    assert doc.undo_stack.count() == n + 1


def test_the_inspector_shows_the_live_figures_of_the_selection(win):
    win.runner.wait_idle(10)
    a = win.runner.analysis
    win.select_ids(["db"])
    live = win.inspector.live
    assert live.labels["utilization"].text() == f"{100 * a.components['db'].utilization:.1f} %"
    assert live.labels["arrival_rps"].text().endswith("rps")
    assert "of requests fail" in live.labels["failure_impact"].text()
    win.document.remove_items(["l4"])  # a problem: the figures give way to a note
    win.runner.wait_idle(10)
    win.select_ids(["db"])
    assert win.inspector.live.labels["utilization"].text() == "—"
    assert "problems" in win.inspector.live.note.text()


def test_scheduled_outages_are_listed_and_removable_in_the_inspector(win):
    win.select_ids(["db"])
    assert win.inspector.events_box.count == 0
    win.document.add_event({"type": "fail", "target": "db", "at_s": 30.0,
                            "duration_s": 10.0})
    box = win.inspector.events_box
    assert box.count == 1
    from PySide6.QtWidgets import QLabel, QToolButton

    assert any("fails at 30 s for 10 s" in lb.text() for lb in box.findChildren(QLabel))
    box.findChildren(QToolButton)[0].click()
    assert win.document.design.scenario.events == []
    assert win.inspector.events_box.count == 0
