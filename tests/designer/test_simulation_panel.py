"""The simulation panel: runs in worker processes, live plots, Stop, errors, settings, sweep,
scenario bands, overlay and "fail now". Runs are a few simulated seconds."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from designer.simulation import worker
from simcore import io

pytest.importorskip("pytestqt")

RPS = 200.0


def design_dict(duration_s=4, warmup_s=1, replications=2, events=None, rps=RPS) -> dict:
    return {
        "schema_version": 1, "name": "Shop",
        "components": [
            {"id": "users", "kind": "client", "name": "Users", "params": {"rps": rps}},
            {"id": "app", "kind": "service", "name": "App",
             "params": {"workers": 8, "service_time_ms": 20}},
            {"id": "db", "kind": "database", "name": "DB",
             "params": {"workers": 16, "service_time_ms": 5}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "app"},
                  {"id": "l2", "source": "app", "target": "db"}],
        "scenario": {"duration_s": duration_s, "warmup_s": warmup_s, "seed": 7,
                     "replications": replications, "events": events or []},
    }


FAIL_DB = [{"type": "fail", "target": "db", "at_s": 2, "duration_s": 1}]


@pytest.fixture(scope="module")
def warm_workers():
    """The fork server is started ahead of the first run (the panel does it when shown)."""
    from designer.simulation.processes import warm_up_workers

    warm_up_workers(wait=True)


@pytest.fixture
def make_panel(qtbot, warm_workers):
    from designer.document import DesignDocument
    from designer.simulation.panel import SimulationPanel

    panels = []

    def make(data: dict, analysis=None, workers=1):
        doc = DesignDocument(io.parse(data))
        panel = SimulationPanel(doc, (lambda: analysis) if analysis is not None else None)
        panel.workers = workers
        qtbot.addWidget(panel)
        panel.resize(1400, 320)
        panel.show()
        panels.append(panel)
        return panel

    yield make
    for p in panels:
        p.shutdown()


def wait_done(qtbot, panel, timeout_s=40):
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=int(timeout_s * 1000))


def engine_rows(data: dict) -> tuple[list[list[dict]], list[dict]]:
    """The rows and results the engine gives for the scenario, computed here."""
    from simcore.engine.replication import run_replication as run

    design = io.parse(data)
    sc = data["scenario"]
    rows, results = [], []
    for rep in range(sc["replications"]):
        got: list[dict] = []
        results.append(run(design, seed=sc["seed"], rep_index=rep, duration_s=sc["duration_s"],
                           warmup_s=sc["warmup_s"], on_second=got.append))
        rows.append(got)
    return rows, results


def mean_series(rows: list[list[dict]], key: str) -> np.ndarray:
    n = max(len(r) for r in rows)
    out = []
    for i in range(n):
        vals = [r[i][key] for r in rows if i < len(r) and r[i][key] is not None]
        out.append(sum(vals) / len(vals) if vals else np.nan)
    return np.array(out)


def regions(plot) -> list[tuple[float, float]]:
    import pyqtgraph as pg

    return sorted(tuple(round(v, 6) for v in item.getRegion())
                  for item in plot.getPlotItem().items if isinstance(item, pg.LinearRegionItem))


# Targets for the worker process in the error tests (module level: the process imports them).
def broken_design_study(design_dict, options, out, ctl, share):
    worker.run_study({"schema_version": 1, "components": "none", "links": []}, options, out,
                     ctl, share)


def dying_study(design_dict, options, out, ctl, share):
    os._exit(3)


def test_a_run_fills_the_plots_with_the_engines_figures(qtbot, make_panel, tmp_path):
    data = design_dict(events=FAIL_DB)
    panel = make_panel(data)
    assert panel.start_run()
    assert panel.is_running() and not panel.run_action.isEnabled()
    assert panel.stop_action.isEnabled()
    assert all(p.is_alive() or p.exitcode is not None for p in panel._run.procs)
    wait_done(qtbot, panel)
    assert panel.last_outcome == "done", panel.last_error
    assert panel.progress.value() == 1000

    rows, results = engine_rows(data)
    plots = panel.plots
    for key, scale in (("throughput_rps", 1), ("p50_ms", 1), ("p95_ms", 1), ("p99_ms", 1),
                       ("error_rate", 100), ("rejected_rate", 100), ("availability", 100)):
        curve = plots.curves[key]
        np.testing.assert_array_equal(curve.xData, [1, 2, 3, 4])
        np.testing.assert_allclose(curve.yData, mean_series(rows, key) * scale, rtol=1e-9,
                                   equal_nan=True, err_msg=key)
    # The failure of the database (2 s to 3 s) shows in the second that ends at 3 s.
    errors = plots.curves["error_rate"].yData
    assert errors[2] > 50 and errors[0] < 5
    # Utilisation bars: the replications' post-warm-up utilisation, busiest on top.
    expected = {c: np.mean([r["components"][c]["utilization"] for r in results])
                for c in ("app", "db")}
    assert plots.utilisation() == pytest.approx(expected, rel=1e-9)
    bars = plots.bars.opts
    assert sorted(bars["width"]) == pytest.approx(sorted(100 * v for v in expected.values()))
    # Scenario bands: the warm-up and the failure, on every time plot.
    for w in plots.time_plots.values():
        assert regions(w) == [(0.0, 1.0), (2.0, 3.0)]
    from designer.simulation.summary import _fmt

    mean_thr = np.mean([r["throughput_rps"] for r in results])
    assert panel.message.text().startswith("2 replications (± 95 % confidence): "
                                           f"{_fmt(mean_thr)} ± ")
    assert panel.summary_for_report() == panel._summary_text()
    images = plots.images()
    assert set(images) == {"Throughput", "Latency", "Errors", "Availability", "Queues",
                           "Utilisation"}
    from designer.export import export_report

    design = panel.document.design
    with_plots = export_report(tmp_path / "r.pdf", design, None, None, [], images,
                               panel.summary_for_report()).stat().st_size
    without = export_report(tmp_path / "bare.pdf", design, None, None, [], {}).stat().st_size
    assert with_plots > 2 * without  # the plots are in the report


def test_stop_ends_the_run_at_once_and_the_window_stays_responsive(qtbot, make_panel):
    from PySide6.QtCore import QTimer

    panel = make_panel(design_dict(duration_s=3600, replications=2), workers=2)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    assert panel.start_run()
    qtbot.waitUntil(lambda: panel.plots.rows_seen >= 6 and panel.progress.value() > 0,
                    timeout=30000)
    assert 0 < panel.progress.value() < 1000
    qtbot.wait(800)  # the window keeps working while the workers do
    procs = list(panel._run.procs)
    assert len(procs) == 2 and all(p.is_alive() for p in procs)
    if hasattr(os, "getpriority"):  # the workers yield to the window
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert all(os.getpriority(os.PRIO_PROCESS, p.pid) > mine for p in procs)
    t0 = time.monotonic()
    panel.stop_action.trigger()
    stopped_in = time.monotonic() - t0
    timer.stop()
    assert not any(p.is_alive() for p in procs)
    assert stopped_in < 2.0
    assert panel.last_outcome == "stopped" and not panel.is_running()
    assert panel.run_action.isEnabled() and not panel.stop_action.isEnabled()
    assert len(panel.plots.curves["throughput_rps"].xData) >= 1
    assert panel.message.text().startswith("Stopped")
    # The event loop kept running while the workers worked (a window waiting on the workers
    # would not tick until the end of the hour-long run; the bound allows for a busy machine).
    assert len(ticks) >= 3 and np.diff(ticks).max() < 2.0, ticks


def test_an_error_in_the_worker_is_shown_clearly(qtbot, make_panel, monkeypatch):
    panel = make_panel(design_dict(replications=1))
    monkeypatch.setattr(worker, "process_main", broken_design_study)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "error"
    assert panel.message.text().startswith("The design cannot be simulated")
    assert "Traceback" not in panel.message.text()
    assert "fde8e8" in panel.message.styleSheet()  # the error look
    assert panel.run_action.isEnabled()


def test_a_worker_that_dies_is_reported(qtbot, make_panel, monkeypatch):
    panel = make_panel(design_dict(replications=1))
    monkeypatch.setattr(worker, "process_main", dying_study)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "error"
    assert "ended unexpectedly (exit code 3)" in panel.message.text()


def test_a_design_with_problems_is_not_started(make_panel):
    data = design_dict()
    data["components"] = data["components"][1:]  # no client
    data["links"] = data["links"][1:]
    panel = make_panel(data)
    assert not panel.start_run()
    assert not panel.is_running() and panel.last_outcome == "error"
    assert panel.message.text().startswith("Fix the design first")


def test_run_settings_are_undoable_scenario_edits(make_panel):
    panel = make_panel(design_dict(duration_s=4, warmup_s=1, replications=2))
    doc = panel.document
    panel.replications.setValue(5)
    panel.replications.editingFinished.emit()
    assert doc.design.scenario.replications == 5
    panel.seed.setValue(11)
    panel.seed.editingFinished.emit()
    assert doc.design.scenario.seed == 11
    doc.undo_stack.undo()
    assert doc.design.scenario.seed == 7 and panel.seed.value() == 7
    doc.undo_stack.undo()
    assert doc.design.scenario.replications == 2 and panel.replications.value() == 2
    # A run shorter than its warm-up shortens the warm-up in the same edit.
    panel.duration.setValue(1)
    panel.duration.editingFinished.emit()
    assert (doc.design.scenario.duration_s, doc.design.scenario.warmup_s) == (1.0, 0.0)
    assert "Warm-up shortened" in panel.message.text()
    doc.undo_stack.undo()
    assert (doc.design.scenario.duration_s, doc.design.scenario.warmup_s) == (4.0, 1.0)
    assert panel.duration.value() == 4
    # A warm-up as long as the run is refused, and nothing changes.
    count = doc.undo_stack.count()
    panel.warmup.setValue(4)
    panel.warmup.editingFinished.emit()
    assert doc.design.scenario.warmup_s == 1.0 and doc.undo_stack.count() == count
    assert panel.warmup.value() == 1


def test_scenario_events_are_shaded_bands_before_and_during_a_run(make_panel):
    panel = make_panel(design_dict(duration_s=10, warmup_s=2, events=FAIL_DB))
    plot = panel.plots.time_plots["latency"]
    assert regions(plot) == [(0.0, 2.0), (2.0, 3.0)]
    panel.document.add_event({"type": "spike", "target": "users", "at_s": 5, "duration_s": 3,
                              "multiplier": 2})
    assert regions(plot) == [(0.0, 2.0), (2.0, 3.0), (5.0, 8.0)]
    assert [b[2] for b in panel.plots.bands] == ["warmup", "fail", "spike"]
    panel.document.undo_stack.undo()
    assert regions(plot) == [(0.0, 2.0), (2.0, 3.0)]


def test_saturation_sweep_draws_throughput_and_p99_against_offered_load(qtbot, make_panel):
    from simcore.analysis import analyze

    data = design_dict(duration_s=6, warmup_s=1, replications=1)
    analysis = analyze(io.parse(data))
    sat = analysis.saturation_rps
    panel = make_panel(data, analysis)
    panel.sweep_factors = (0.5, 1.2)
    assert panel.start_sweep()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "done", panel.last_error
    curve = panel.plots.saturation
    np.testing.assert_allclose(curve.throughput.xData, [0.5 * sat, 1.2 * sat])
    low, high = curve.throughput.yData
    assert low == pytest.approx(0.5 * sat, rel=0.15)  # below saturation all is carried
    assert high < 0.95 * 1.2 * sat  # past it the throughput falls short of the offer
    p99_low, p99_high = curve.p99.yData
    assert p99_high > 2 * p99_low


def test_a_sweep_needs_the_analysis(make_panel):
    from dataclasses import replace

    from simcore.analysis import analyze

    data = design_dict()
    unsaturable = replace(analyze(io.parse(data)), saturation_rps=None)
    panel = make_panel(data, analysis=unsaturable)
    assert not panel.start_sweep()
    assert "saturation point" in panel.message.text()


def test_the_previous_run_can_stay_on_the_plots(qtbot, make_panel):
    panel = make_panel(design_dict(duration_s=3, replications=1))
    assert panel.start_run()
    wait_done(qtbot, panel)
    first = panel.plots.curves["throughput_rps"].yData.copy()
    panel.seed.setValue(8)
    panel.seed.editingFinished.emit()
    panel.overlay.setChecked(True)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "done"
    previous = panel.plots.overlay_items["throughput_rps"]
    np.testing.assert_array_equal(previous.yData, first)
    assert not np.array_equal(panel.plots.curves["throughput_rps"].yData, first)
    style = previous.opts["pen"].style()
    assert style == panel.plots.overlay_items["p99_ms"].opts["pen"].style() != \
        panel.plots.curves["p99_ms"].opts["pen"].style()
    # A third run without the overlay clears it.
    panel.overlay.setChecked(False)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.plots.overlay_items == {}


def test_fail_now_injects_a_failure_into_the_running_replication(qtbot, make_panel):
    panel = make_panel(design_dict(duration_s=600, warmup_s=1, replications=1))
    assert panel.start_run()
    qtbot.waitUntil(lambda: panel.plots.rows_seen >= 3, timeout=30000)
    bands = len(panel.plots.bands)
    panel.fail_now("db")
    assert "DB fails now" in panel.message.text()
    qtbot.waitUntil(lambda: len(panel.plots.bands) > bands, timeout=30000)
    start, end, kind, text = panel.plots.bands[-1]
    assert (kind, text, end - start) == ("fail", "fail DB (now)", 30.0)
    qtbot.waitUntil(lambda: panel.plots.rows_seen >= start + 4, timeout=30000)
    panel.stop()
    errors = panel.plots.final_series()["error_rate"][1]
    # Before the failure the database served; in the second after it starts, everything fails.
    assert errors[0] < 5
    assert errors[int(start) + 1] > 90


def test_fail_now_without_a_run_says_what_to_do(make_panel):
    panel = make_panel(design_dict())
    panel.fail_now("db")
    assert "press Run first" in panel.message.text() and "DB" in panel.message.text()


def test_chaos_from_the_canvas_reaches_the_panel(qtbot):
    from designer.document import DesignDocument
    from designer.main_window import MainWindow

    window = MainWindow(DesignDocument(io.parse(design_dict(duration_s=10, warmup_s=2))))
    qtbot.addWidget(window)
    # "Schedule failure…" adds a scenario event: a band, undoable.
    window.document.add_event({"type": "fail", "target": "db", "at_s": 4.0,
                               "duration_s": 3.0})
    assert window.sim.plots.bands[-1][:3] == (4.0, 7.0, "fail")
    assert window.document.design.scenario.events[-1].target == "db"
    window.document.undo_stack.undo()
    assert [b[2] for b in window.sim.plots.bands] == ["warmup"]
    # "Fail now" goes to the panel, which explains it needs a running simulation.
    window.scene.failRequested.emit("db")
    assert "press Run" in window.sim.message.text()
    assert window.sim.run_action in window.toolbar.actions()


def test_circuit_breaker_transitions_are_marked_on_the_plots(qtbot, make_panel):
    import pyqtgraph as pg

    data = design_dict(duration_s=6, events=[{"type": "fail", "target": "db", "at_s": 2,
                                              "duration_s": 2}])
    data["links"][1]["params"] = {"circuit_breaker": {"failure_threshold": 3, "window_s": 5,
                                                      "open_s": 1}}
    panel = make_panel(data)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "done", panel.last_error
    _rows, results = engine_rows(data)
    expected = results[0]["links"]["l2"]["breaker"]["transitions"]
    assert [s for _t, s in expected][:2] == ["open", "half_open"]
    for key in ("throughput", "errors"):
        lines = [item for item in panel.plots.time_plots[key].getPlotItem().items
                 if isinstance(item, pg.InfiniteLine)]
        assert sorted(ln.value() for ln in lines) == pytest.approx(sorted(t for t, _ in expected))
        assert all("circuit breaker on App → DB" in ln.toolTip() for ln in lines)


def test_the_summary_line_names_duplicates_and_degraded_requests():
    from designer.simulation.summary import run_summary

    def rep(dups, degraded):
        return {"throughput_rps": 100.0, "offered": 400, "degraded": degraded,
                "latency_ms": {"mean": 10.0, "p50": 8.0, "p99": 30.0},
                "components": {"pay": {"duplicate_executions": dups, "deduplicated": 0},
                               "app": {"utilization": 0.2, "instances_mean": 4.5,
                                       "degraded": degraded, "served": 400},
                               "lb": {"lost_sessions": 3}}}

    text = run_summary([rep(10, 100), rep(14, 100)], {"app": "API"})
    assert "API 4.50 instances" in text
    assert "duplicate writes 12" in text and "degraded 25.0 ± 0.0 %" in text
    assert "lost sessions 3" in text
    assert "deduplicated" not in text
    plain = run_summary([rep(0, 0)])
    assert "duplicate" not in plain and "degraded" not in plain


def test_an_autoscaled_service_gets_an_instances_plot(qtbot, make_panel):
    plain = make_panel(design_dict())
    assert plain.plots.time_plots["instances"].isHidden()
    data = design_dict(duration_s=8, replications=1, rps=600)
    data["schema_version"] = 2
    data["components"][1]["params"]["autoscale"] = {
        "min_instances": 1, "max_instances": 4, "interval_s": 2, "startup_s": 1}
    panel = make_panel(data)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "done", panel.last_error
    rows, _results = engine_rows(data)
    plot = panel.plots.time_plots["instances"]
    assert not plot.isHidden()
    curve = panel.plots.component_curves["instances"]["app"]
    assert list(curve.yData) == [r["instances"]["app"] for r in rows[0]]
    assert max(curve.yData) > 1  # 600 req/s × 20 ms needs 12 busy workers: more than 1 × 8
    assert "Instances" in panel.plots.images()


def test_a_cache_gets_a_hit_ratio_plot_that_shows_a_flush(qtbot, make_panel):
    # app → cache → db; the cache is emptied at 3 s: its hit ratio, plotted per second in %,
    # falls there and climbs back as keys are read again.
    plain = make_panel(design_dict())
    assert plain.plots.time_plots["hit_ratio"].isHidden()
    data = design_dict(duration_s=8, replications=1, rps=400,
                       events=[{"type": "flush", "target": "cache", "at_s": 3}])
    data["schema_version"] = 2
    data["components"].append({"id": "cache", "kind": "cache", "name": "Cache",
                               "params": {"hit_ratio": 0.8}})
    data["links"] = [{"id": "l1", "source": "users", "target": "app"},
                     {"id": "l2", "source": "app", "target": "cache"},
                     {"id": "l3", "source": "cache", "target": "db"}]
    panel = make_panel(data)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "done", panel.last_error
    rows, _results = engine_rows(data)
    plot = panel.plots.time_plots["hit_ratio"]
    assert not plot.isHidden()
    y = list(panel.plots.component_curves["hit_ratio"]["cache"].yData)
    assert y == pytest.approx([100.0 * r["hit_ratio"]["cache"] for r in rows[0]])
    assert y[3] < y[2] - 20  # the second after the flush starts from an empty cache
    assert y[-1] > y[3]
    assert "Hit_ratio" in panel.plots.images()


def test_anomalies_get_a_plot_with_the_ones_that_occur(qtbot, make_panel):
    # app → db, and an optional call app → recs; recs fails from 2 s to 5 s: the requests served
    # without it are degraded, and only that curve joins the Anomalies plot.
    plain = make_panel(design_dict())
    assert plain.plots.time_plots["anomalies"].isHidden()
    data = design_dict(duration_s=6, replications=1,
                       events=[{"type": "fail", "target": "recs", "at_s": 2, "duration_s": 3}])
    data["schema_version"] = 2
    data["components"].append({"id": "recs", "kind": "service", "name": "Recs",
                               "params": {"workers": 8, "service_time_ms": 5}})
    data["links"].append({"id": "l3", "source": "app", "target": "recs",
                          "params": {"optional": True}})
    panel = make_panel(data)
    assert panel.start_run()
    wait_done(qtbot, panel)
    assert panel.last_outcome == "done", panel.last_error
    rows, _results = engine_rows(data)
    assert not panel.plots.time_plots["anomalies"].isHidden()
    assert [e[0] for e in panel.plots.legends["anomalies"]] == ["degraded"]
    curve = panel.plots.curves["degraded_per_s"]
    assert list(curve.yData) == [r["degraded_per_s"] for r in rows[0]]
    assert max(curve.yData) > 100  # 200 req/s, all degraded while recs is down
    assert not panel.plots.curves["stale_reads_per_s"].isVisible()
