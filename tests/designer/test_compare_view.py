"""The Compare window: two designs on the same random numbers, B − A coloured when its interval
excludes 0, the time plots overlaid; two saved runs compared unpaired."""

from __future__ import annotations

import json

import pytest

from simcore import io
from tests.designer.test_simulation_panel import design_dict


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return str(p)


@pytest.fixture
def window(qtbot):
    from designer.simulation.compare_view import CompareWindow

    slow = io.parse(design_dict(duration_s=6, warmup_s=1, replications=3))
    w = CompareWindow(lambda: slow)
    qtbot.addWidget(w)
    w.show()
    return w


def _faster(data):
    data["components"][1]["params"]["service_time_ms"] = 10
    return data


def test_two_designs_run_paired_and_a_faster_b_is_coloured_better(qtbot, window, tmp_path):
    window.choose_path("B", _write(tmp_path, "fast.json", _faster(design_dict(duration_s=6,
                                                                             warmup_s=1))))
    assert window.names["A"].text().endswith("(open)")
    assert window.names["B"].text() == "Shop — fast.json"
    assert window.start()
    qtbot.waitUntil(lambda: not window.is_running(), timeout=120_000)
    r = window.result
    assert r is not None and r["a"]["replications"] == 3
    d = r["difference"]["latency_mean_ms"]
    assert d["ci95"][1] < 0  # 10 ms less service: clearly faster
    row = [window.table.verticalHeaderItem(i).text() for i in range(5)].index(
        "Latency mean (ms)")
    item = window.table.item(row, 2)
    assert item.text().startswith("-")
    assert item.background().color().name() == "#dff3e3"  # green: B is better
    for plot in window.plots.values():
        assert len(plot.getPlotItem().listDataItems()) == 2  # A and B overlaid


def test_two_saved_runs_are_compared_unpaired(qtbot, window, tmp_path):
    from simcore.engine.study import simulate

    runs = []
    for name, data in (("a.json", design_dict(duration_s=4)),
                       ("b.json", _faster(design_dict(duration_s=4)))):
        runs.append(_write(tmp_path, "run-" + name,
                           simulate(io.parse(data), workers=1).to_json()))
    assert window.choose_path("A", runs[0]) and window.choose_path("B", runs[1])
    assert window.names["A"].text() == "Shop — saved run run-a.json"
    assert not window.replications.isEnabled()  # nothing to run
    assert window.start()
    assert not window.is_running()
    assert "unpaired" in window.table.horizontalHeaderItem(2).text()
    d = window.result["difference"]["latency_mean_ms"]
    assert d["paired"] is False and d["mean"] < 0


def test_a_design_and_a_saved_run_are_not_compared(window, tmp_path):
    from simcore.engine.study import simulate

    run = _write(tmp_path, "run.json",
                 simulate(io.parse(design_dict(duration_s=3)), workers=1).to_json())
    assert window.choose_path("B", run)
    assert not window.start()
    assert "two designs, or two saved runs" in window.message.text()


def test_a_bad_file_is_named_and_nothing_changes(window, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{ not json")
    assert not window.choose_path("B", str(bad))
    assert "broken.json" in window.message.text()
    assert window.sides["B"] is None and not window.compare_button.isEnabled()


def test_the_simulation_menu_opens_the_compare_window_on_the_open_design(qtbot):
    from designer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Simulation")
    action = next(a for a in menu.actions() if a.text() == "&Compare designs…")
    action.trigger()
    compare = win._compare_window
    assert compare.isVisible()
    assert compare.sides["A"].design == win.document.snapshot()  # a copy of its own
    compare.close()
