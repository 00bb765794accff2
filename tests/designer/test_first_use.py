"""What a first-time user trips over in the window: a canvas that jumps under the cursor,
stale text after New or Open, a "Fail now" that does nothing, dialogs that forget the folder,
File → Close, the toolbar's icons and the dark palette. Driven through the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from .conftest import load_example
from .test_canvas import vp

L = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, monkeypatch):
    from designer.document import DesignDocument
    from designer.main_window import MainWindow
    from designer.simulation.processes import warm_up_workers

    warm_up_workers(wait=True)
    w = MainWindow(DesignDocument())
    qtbot.addWidget(w)
    w.document.replace(load_example(), None)  # as `skyline FILE` opens a file
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w._sim is not None, timeout=5000)
    monkeypatch.setattr(w.files, "maybe_save", lambda: True)
    yield w
    w.sim.shutdown()
    w.files.shutdown()


def card_on_screen(window, cid: str) -> QPoint:
    return vp(window.view, window.scene.component_item(cid).pos())


def short_run(qtbot, window, duration_s: float = 3) -> None:
    sim = window.sim
    sim.workers = 1
    window.document.set_scenario(duration_s=duration_s, warmup_s=1, replications=1)
    assert sim.start_run()
    qtbot.waitUntil(lambda: not sim.is_running(), timeout=60000)
    assert sim.last_outcome == "done"


def test_nothing_moves_the_cards_when_the_analysis_arrives_or_a_run_ends(qtbot, window):
    qtbot.mouseClick(window.view.viewport(), L, Qt.KeyboardModifier.NoModifier, QPoint(5, 5))
    window.runner.wait_idle(30)
    qtbot.wait(20)
    where = card_on_screen(window, "db")
    heights = (window.summary.height(), window.sim.height())
    # a problem: the bar shows a long message instead of the figures
    window.document.add_component("load_balancer", 0, 600)  # a balancer without a target
    window.runner.wait_idle(30)
    qtbot.wait(20)
    assert window.summary.analysis() is None and window.summary.message.isVisible()
    assert card_on_screen(window, "db") == where
    window.document.undo_stack.undo()  # the figures come back
    window.runner.wait_idle(30)
    qtbot.waitUntil(lambda: window.summary.analysis() is not None, timeout=10000)
    qtbot.wait(20)
    assert card_on_screen(window, "db") == where
    short_run(qtbot, window)
    qtbot.wait(20)
    assert card_on_screen(window, "db") == where
    assert (window.summary.height(), window.sim.height()) == heights


def test_new_and_open_leave_nothing_of_the_previous_design_on_screen(qtbot, window, tmp_path):
    from simcore.io import save

    sim = window.sim
    assert sim.progress.text() == "idle"  # not an empty box
    window.runner.wait_idle(30)
    window.document.set_scenario(duration_s=3, warmup_s=1, replications=1)
    sim.workers = 1
    assert sim.start_sweep()
    qtbot.waitUntil(lambda: not sim.is_running(), timeout=60000)
    assert "Sweep done" in sim.message.text()
    window.new_action.trigger()
    assert "Sweep done" not in sim.message.text()
    assert sim.plots.sweep_points == [] and sim.progress.text() == "idle"
    # the inspector's header names the design as the title bar does
    path = tmp_path / "mine.json"
    design = load_example()
    design.name = None
    save(design, path)
    assert window.files.open_path(path, ask_unsaved=False)
    assert "mine" in window.windowTitle()
    assert window.inspector.header.title.text() == "mine"
    window.files.save_to(tmp_path / "theirs.json")
    assert window.inspector.header.title.text() == "theirs"


def menu_offers(window, cid: str, text: str) -> bool:
    """Whether the canvas's context menu on a component has ``text`` enabled."""
    from designer.canvas.menus import context_menu

    menu = context_menu(window.scene, window.scene.component_item(cid))
    (action,) = [a for a in menu.actions() if a.text() == text]
    return action.isEnabled()


def test_fail_now_is_offered_only_while_a_run_goes_on(qtbot, window):
    assert not menu_offers(window, "db", "Fail now")
    sim = window.sim
    sim.workers = 1
    window.document.set_scenario(duration_s=600, warmup_s=1, replications=1)
    assert sim.start_run()
    assert menu_offers(window, "db", "Fail now")
    sim.stop()
    assert not menu_offers(window, "db", "Fail now")


def test_file_dialogs_start_in_the_last_folder_used(window, tmp_path, monkeypatch):
    from simcore.io import save

    folder = tmp_path / "class"
    folder.mkdir()
    save(load_example(), folder / "a.json")
    starts = []

    def ask(_parent, _title, start, _filter):
        starts.append(start)
        return "", ""

    monkeypatch.setattr("designer.files.QFileDialog.getOpenFileName", ask)
    monkeypatch.setattr("designer.files.QFileDialog.getSaveFileName", ask)
    monkeypatch.setattr("designer.main_window.QFileDialog.getSaveFileName", ask)
    assert window.files.open_path(folder / "a.json", ask_unsaved=False)
    window.new_action.trigger()  # untitled again: no file of its own to start from
    window.open_action.trigger()
    window.save_as_action.trigger()
    window.export_png_action.trigger()
    assert starts[0] == str(folder.resolve())
    from pathlib import Path

    assert [str(Path(s).parent) for s in starts[1:]] == [str(folder.resolve())] * 2


def test_file_close_leaves_an_empty_untitled_design(window):
    assert window.document.design.components
    window.close_action.trigger()
    assert window.isVisible()
    assert not window.document.design.components and window.document.path is None
    assert "Untitled" in window.windowTitle()


# --- cache-aside ----------------------------------------------------------------------------
def test_connecting_a_service_to_a_lone_cache_offers_to_complete_cache_aside(qtbot, canvas):
    from .test_canvas import centre_of, drag

    doc, scene, view = canvas
    doc.remove_items(["l3", "l4"])  # app and cache unlinked; the cache has no target
    asked = []
    scene.ask_store = lambda cache, stores: asked.append((cache, stores)) or "db"
    n = doc.undo_stack.count()
    app = scene.component_item("app")
    drag(qtbot, view, vp(view, app.mapToScene(app.port_centre())),
         vp(view, centre_of(scene, "cache")))
    assert asked == [("Redis", [("db", "MySQL")])]
    pairs = {(lk.source, lk.target) for lk in doc.design.links}
    assert {("app", "cache"), ("cache", "db")} <= pairs
    assert doc.undo_stack.count() == n + 1  # one gesture, one step
    doc.undo_stack.undo()
    assert not {("app", "cache"), ("cache", "db")} & {(lk.source, lk.target)
                                                      for lk in doc.design.links}
    # "Not now": only the drawn link
    scene.ask_store = lambda cache, stores: None
    drag(qtbot, view, vp(view, app.mapToScene(app.port_centre())),
         vp(view, centre_of(scene, "cache")))
    assert not any(lk.source == "cache" for lk in doc.design.links)


def test_a_cache_bypass_is_a_warning_on_the_canvas_and_in_problems_with_a_fix(qtbot, window):
    from PySide6.QtWidgets import QPushButton

    doc = window.document
    lid = doc.add_link("app", "db")  # app → cache → db, and app → db beside it
    window.runner.wait_idle(30)
    qtbot.waitUntil(lambda: window.summary.analysis() is not None, timeout=10000)
    assert window.summary.analysis() is not None  # a warning, not an error: figures shown
    link = window.scene.link_item(lid)
    assert link.warnings == [("MySQL gets the direct calls of App servers and the misses of "
                              "Redis; for cache-aside, remove App servers → MySQL")]
    assert window.problems.warning_count() == 1
    assert "1 warning" in window.problems_dock.windowTitle()
    (button,) = window.problems.findChildren(QPushButton)
    assert button.text() == "Remove App servers → MySQL (cache-aside)"
    qtbot.mouseClick(button, L)
    assert doc.find(lid) is None
    assert doc.undo_stack.undoText() == "Remove App servers → MySQL (cache-aside)"
    window.runner.wait_idle(30)
    assert window.problems.warning_count() == 0
    doc.undo_stack.undo()
    window.runner.wait_idle(30)
    assert window.scene.link_item(lid).warnings  # back, with its warning


def test_a_hit_ratio_beyond_what_the_cache_can_reach_is_a_warning_without_a_fix(qtbot, window):
    # the users read 90% of the time: a cache-aside cache hits at most 90% of the reads
    from PySide6.QtWidgets import QPushButton

    window.document.set_component_param("cache", "hit_ratio", 0.95)
    window.runner.wait_idle(30)
    qtbot.waitUntil(lambda: window.problems.warning_count() == 1, timeout=10000)
    assert window.summary.analysis() is not None  # a warning, not an error: figures shown
    item = window.problems.item(0)
    assert item.data(256) == "cache"  # on the component: a click selects it
    assert "hit ratio 0.95 is more than a cache-aside cache can reach" in item.toolTip()
    assert "(0.90)" in item.toolTip()
    assert window.problems.findChildren(QPushButton) == []  # nothing to fix in one click


# --- toolbar and palette ----------------------------------------------------------------------
def test_every_toolbar_button_has_an_icon_and_a_text(window):
    from PySide6.QtWidgets import QToolButton

    buttons = [b for b in window.toolbar.findChildren(QToolButton)
               if b.defaultAction() is not None and b.isVisible()]
    assert len(buttons) >= 11
    for b in buttons:
        a = b.defaultAction()
        assert not a.icon().isNull() and a.iconText(), a.text()
    assert b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    window.document.add_component("service", 0, 400)
    assert window.undo_action.iconText() == "Undo"  # the edit's name is in the menu


def test_the_window_follows_the_system_colour_scheme(qapp, window):
    from designer import theme

    hints = qapp.styleHints()
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qapp.processEvents()
        assert theme.is_dark(qapp)
        assert window.inspector.palette().color(window.backgroundRole()).lightness() < 80
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        qapp.processEvents()
        assert not theme.is_dark(qapp)
        assert window.inspector.palette().color(window.backgroundRole()).lightness() > 180
    finally:
        theme.apply(qapp, Qt.ColorScheme.Light)


# --- room for the results ---------------------------------------------------------------------
def test_the_results_can_fill_the_window_or_have_their_own_and_reset_layout_undoes_both(
        qtbot, window):
    from PySide6.QtWidgets import QDockWidget

    dock, room = window.results_dock, window.results_room
    assert not dock.features() & (QDockWidget.DockWidgetFeature.DockWidgetFloatable
                                  | QDockWidget.DockWidgetFeature.DockWidgetMovable)
    normal = dock.height()
    assert normal >= 0.3 * window.height()  # a third of the window from the start
    room.fill_action.trigger()
    qtbot.waitUntil(lambda: dock.height() > 0.8 * window.height(), timeout=5000)
    assert not window.view.isVisible()
    room.fill_action.trigger()
    qtbot.waitUntil(lambda: window.view.isVisible(), timeout=5000)
    room.separate_action.trigger()
    assert dock.isFloating() and dock.width() >= 900
    room.reset_action.trigger()
    qtbot.waitUntil(lambda: not dock.isFloating(), timeout=5000)
    qtbot.waitUntil(lambda: abs(dock.height() - normal) <= 2, timeout=5000)
    assert window.view.isVisible() and window.inspector_dock.isVisible()


def test_legends_and_band_names_are_outside_the_data(qtbot, window):
    import pyqtgraph as pg

    short_run(qtbot, window, duration_s=4)
    plots = window.sim.plots
    everything = [*plots.time_plots.values(), plots.util_plot, plots.sat_plot]
    for w in plots.time_plots.values():  # data room at the default size (1400 × 900)
        assert w.getPlotItem().getViewBox().height() >= 100
    for w in everything:
        inside = w.getPlotItem().getViewBox().allChildren()
        assert not [i for i in inside if isinstance(i, (pg.LegendItem, pg.InfLineLabel))]
    title = plots.time_plots["latency"].getPlotItem().titleLabel.text
    assert "p50" in title and "p95" in title and "p99" in title
    assert "warm-up" in plots.bands_label.text() and plots.bands_label.isVisible()
    sat = plots.saturation
    sat.reset(1000.0)
    assert "saturation (analysis) 1,000 rps" in sat.widget.getPlotItem().titleLabel.text
    # the axis titles fit the plot's height at the default size
    axis = sat.widget.getPlotItem().getAxis("left")
    assert axis.label.boundingRect().width() <= sat.widget.getPlotItem().vb.height()
