"""The two-minute walkthrough, driven through the real window with mouse and key events: build
the seed's stage 4 (users → load balancer → two app servers → cache → database) from the
palette, read its SPOFs and bottleneck off the summary bar, run it, fail the database from the
canvas's context menu while it runs, see the error plot rise, stop, save, and reopen the file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from designer.files import read_design

from .conftest import design_json
from .test_canvas import drag, drop_kind, vp

pytest.importorskip("pytestqt")

L = Qt.MouseButton.LeftButton

# Where each part goes on the canvas (viewport pixels at 100 %), and what is typed into the
# inspector for it: the seed's stage-4 figures.
PARTS = [
    ("client", "Users", QPoint(100, 200), {"rps": "300", "read_ratio": "0.9"}),
    ("load_balancer", "Load balancer", QPoint(300, 200), {"availability": "0.9995"}),
    ("service", "App servers", QPoint(500, 200),
     {"instances": "2", "workers": "50", "service_time_ms": "10", "availability": "0.999"}),
    ("cache", "Redis", QPoint(720, 90), {"hit_ratio": "0.8", "availability": "0.999"}),
    ("database", "MySQL", QPoint(720, 310), {"workers": "16", "service_time_ms": "5"}),
]
WIRES = [("client", "load_balancer"), ("load_balancer", "service"), ("service", "cache"),
         ("cache", "database")]


@pytest.fixture
def window(qtbot, monkeypatch):
    from designer.document import DesignDocument
    from designer.main_window import MainWindow
    from designer.simulation.processes import warm_up_workers

    warm_up_workers(wait=True)
    w = MainWindow(DesignDocument())
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w._sim is not None, timeout=5000)  # the panel builds once shown
    w.view.set_zoom(1.0)
    w.view.centerOn(w.view.mapToScene(w.view.viewport().rect().center()))
    # Closing the window at the end must not stop on "save your changes?".
    monkeypatch.setattr(w.files, "maybe_save", lambda: True)
    yield w
    w.sim.shutdown()
    w.files.shutdown()


def type_into(qtbot, editor, text: str) -> None:
    """Select what the field shows, type ``text`` and press Enter, like a user."""
    line = editor.lineEdit() if hasattr(editor, "lineEdit") else editor
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def component_centre(window, cid: str) -> QPoint:
    return vp(window.view, window.scene.component_item(cid).scene_box().center())


def run_context_menu_action(qtbot, window, cid: str, text: str) -> None:
    """Right-click the component and choose ``text`` from the menu that opens."""
    chosen = []

    def choose():
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, choose)
            return
        for action in menu.actions():
            if action.text() == text:
                chosen.append(text)
                menu.close()
                action.trigger()
                return
        menu.close()

    QTimer.singleShot(20, choose)
    at = component_centre(window, cid)
    viewport = window.view.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, event)
    assert chosen == [text]


def build_stage4(qtbot, window) -> dict[str, str]:
    """Drop, name, set and wire the five parts; returns kind → id."""
    doc, view, inspector = window.document, window.view, window.inspector
    ids: dict[str, str] = {}
    for kind, name, at, params in PARTS:
        before = {c.id for c in doc.design.components}
        drop_kind(view, kind, at)
        (cid,) = {c.id for c in doc.design.components} - before
        ids[kind] = cid
        # A double-click selects it and puts the cursor in its name, all selected.
        qtbot.mouseDClick(view.viewport(), L, Qt.KeyboardModifier.NoModifier,
                          component_centre(window, cid))
        assert inspector.shown_id == cid
        assert inspector.name_edit.hasFocus()
        assert inspector.name_edit.selectedText() == inspector.name_edit.text()
        qtbot.keyClicks(inspector.name_edit, name)
        qtbot.keyClick(inspector.name_edit, Qt.Key.Key_Return)
        for key, text in params.items():
            type_into(qtbot, inspector.editor(key).editor, text)
        comp = doc.design.component(cid)
        assert comp.name == name
        for key, text in params.items():
            assert comp.params.get(key) == pytest.approx(float(text)), (kind, key)
    # Linking the app servers to the lone cache offers to complete cache-aside: the user
    # picks MySQL from the menu, which draws the last wire.
    offers = []
    window.scene.ask_store = lambda cache, stores: offers.append((cache, stores)) or ids[
        "database"]
    for source, target in WIRES[:-1]:
        item = window.scene.component_item(ids[source])
        start = vp(view, item.mapToScene(item.port_centre()))
        qtbot.mouseMove(view.viewport(), start)  # hovering shows the handle
        drag(qtbot, view, start, component_centre(window, ids[target]))
    assert offers == [("Redis", [(ids["database"], "MySQL")])]
    assert {(lk.source, lk.target) for lk in doc.design.links} == {
        (ids[s], ids[t]) for s, t in WIRES}
    return ids


def test_build_analyse_run_fail_and_save_the_seeds_stage_4(qtbot, window, tmp_path,
                                                           monkeypatch):
    ids = build_stage4(qtbot, window)
    db = ids["database"]

    # The summary bar: availability figures, two SPOFs (the balancer and the database, not the
    # replicated app servers nor the cache), the app servers as the bottleneck.
    window.runner.wait_idle(30.0)
    qtbot.waitUntil(lambda: window.summary.analysis() is not None, timeout=10000)
    analysis = window.summary.analysis()
    assert set(analysis.spofs) == {ids["load_balancer"], db}
    assert window.summary.value_text("spofs") == "2"
    spof_tip = window.summary.tiles["spofs"].toolTip()
    assert "Load balancer" in spof_tip and "MySQL" in spof_tip and "Redis" not in spof_tip
    assert analysis.bottleneck == ids["service"]
    assert window.summary.value_text("bottleneck") == "App servers"
    assert window.scene.component_item(db).overlay.spof

    # A run: a long scenario that is stopped after a few simulated seconds.
    sim = window.sim
    for spin, text in ((sim.duration, "600"), (sim.warmup, "1"), (sim.replications, "1")):
        type_into(qtbot, spin, text)
    sim.workers = 1
    sc = window.document.design.scenario
    assert (sc.duration_s, sc.warmup_s, sc.replications) == (600, 1, 1)
    run = next(a for a in window.toolbar.actions() if a.text() == "Run simulation")
    assert run is sim.run_action and run.isEnabled()
    run.trigger()
    assert sim.is_running()
    qtbot.waitUntil(lambda: sim.plots.rows_seen >= 3, timeout=30000)

    # Fail the database from the canvas while it runs.
    bands = len(sim.plots.bands)
    run_context_menu_action(qtbot, window, db, "Fail now")
    assert "MySQL fails now" in sim.message.text()
    qtbot.waitUntil(lambda: len(sim.plots.bands) > bands, timeout=30000)
    start, _end, kind, label = sim.plots.bands[-1]
    assert (kind, label) == ("fail", "fail MySQL (now)")
    qtbot.waitUntil(lambda: sim.plots.rows_seen >= start + 4, timeout=30000)
    qtbot.waitUntil(lambda: sim.plots.curves["error_rate"].yData is not None
                    and len(sim.plots.curves["error_rate"].yData) >= start + 3, timeout=10000)

    # The error plot, as drawn: nothing failed before; after, the requests that need the
    # database fail: the writes and the reads the cache misses, (1 - 0.9) + 0.9 × (1 - 0.8)
    # = 28 % of the offered load (cache hits are still served). ~300 requests a second give
    # a standard error of ~1.8 points on the mean of two seconds: 8 points is over 4 of them.
    errors = np.asarray(sim.plots.curves["error_rate"].yData, dtype=float)
    before, after = errors[: int(start)], errors[int(start) + 1: int(start) + 3]
    assert np.nanmax(before) < 2.0
    assert np.nanmean(after) == pytest.approx(100 * (0.1 + 0.9 * 0.2), abs=8.0)

    stop = next(a for a in window.toolbar.actions() if a.text() == "Stop")
    assert stop.isEnabled()
    stop.trigger()
    assert not sim.is_running() and sim.last_outcome == "stopped"

    # Save (Ctrl+S asks where: the dialog answers with a file here) and reopen it equal.
    out = tmp_path / "stage4.json"
    monkeypatch.setattr("designer.files.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(out), "Skyline designs (*.json)"))
    window.save_action.trigger()
    assert out.exists() and not window.files.is_modified()
    saved = window.document.design
    reread, problems = read_design(out)
    assert problems == []
    assert design_json(reread) == design_json(saved)
    assert json.loads(out.read_text())["components"][0]["name"] == "Users"
    window.files.open_path(out, ask_unsaved=False)
    assert design_json(window.document.design) == design_json(saved)
    assert window.document.path == out.resolve()


@pytest.mark.parametrize("size", [(1400, 900), (1024, 700)])
def test_an_opened_design_is_fitted_and_the_canvas_gets_the_room(qtbot, size):
    from designer.document import DesignDocument
    from designer.main_window import MainWindow

    from .conftest import load_example

    w = MainWindow(DesignDocument())
    qtbot.addWidget(w)
    w.document.replace(load_example("microservices_gateway.json"), None)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w._sim is not None, timeout=5000)
    qtbot.wait(50)  # the panels settle after the simulation panel is built
    assert w.width() == size[0]  # the summary bar gives way instead of widening the window
    view = w.view
    assert view.viewport().height() >= 0.4 * size[1]
    assert w.sim.minimumSizeHint().height() <= 230
    # The whole diagram is in view, centred, at most 100 %.
    box = view.mapFromScene(w.scene.itemsBoundingRect()).boundingRect()
    port = view.viewport().rect()
    assert port.contains(box)
    assert abs(box.center().x() - port.center().x()) <= 3
    assert abs(box.center().y() - port.center().y()) <= 3
    assert view.zoom() <= 1.0
    shown = [k for k, t in w.summary.tiles.items() if t.isVisible()]
    assert {"availability", "bottleneck", "spofs"} <= set(shown)
    assert len(shown) == 8 if size[0] >= 1400 else len(shown) < 8


def test_hovering_a_component_says_how_to_connect(qtbot, canvas):
    _doc, scene, view = canvas
    messages = []
    scene.statusMessage.connect(messages.append)
    app = scene.component_item("app")
    qtbot.mouseMove(view.viewport(), vp(view, app.scene_box().center()))
    qtbot.mouseMove(view.viewport(), vp(view, app.mapToScene(app.port_centre())))
    assert any("to connect" in m and "right edge" in m for m in messages)
    assert messages[-1].startswith("Drag from this dot to another component")
