"""Settings → "Run replications on a cluster": the stored address, the connection check, and
the simulation panel's runs and load sweep going to the cluster with the same results."""

from __future__ import annotations

import pytest

from designer.settings_dialog import (
    ClusterSettingsDialog,
    cluster_scheduler,
    store_cluster_setting,
)
from simcore import io
from tests.designer import test_simulation_panel as panel_tests
from tests.designer.test_simulation_panel import design_dict, wait_done

make_panel = panel_tests.make_panel  # the simulation panel's fixtures
warm_workers = panel_tests.warm_workers
distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


def test_the_setting_is_stored_and_off_means_this_computer(qapp):
    assert cluster_scheduler() is None
    store_cluster_setting(True, " tcp://10.0.0.5:8786 ")
    assert cluster_scheduler() == "tcp://10.0.0.5:8786"
    store_cluster_setting(False, "tcp://10.0.0.5:8786")
    assert cluster_scheduler() is None


def test_the_dialog_refuses_a_malformed_address_and_keeps_the_old_setting(qtbot):
    store_cluster_setting(True, "tcp://10.0.0.5:8786")
    dlg = ClusterSettingsDialog()
    qtbot.addWidget(dlg)
    dlg.address.setText("10.0.0.5")
    dlg.check_connection()
    assert "expected tcp://HOST:PORT" in dlg.status.text()  # said at once, no network
    dlg.accept()
    assert dlg.isVisible() is False or dlg.result() != dlg.Accepted
    assert cluster_scheduler() == "tcp://10.0.0.5:8786"


def test_the_connection_check_counts_the_workers(qtbot, cluster):
    dlg = ClusterSettingsDialog()
    qtbot.addWidget(dlg)
    dlg.enabled.setChecked(True)
    dlg.address.setText(cluster.scheduler_address)
    dlg.check_connection()
    qtbot.waitUntil(lambda: not dlg.is_checking(), timeout=30_000)
    assert dlg.status.text().startswith("Connected: 2 workers on 1 machine"), dlg.status.text()
    dlg.accept()
    assert cluster_scheduler() == cluster.scheduler_address


def test_a_run_and_a_sweep_on_the_cluster_give_the_local_results(qtbot, make_panel, cluster):
    from simcore.analysis import analyze

    data = design_dict(duration_s=4, warmup_s=1, replications=2)
    analysis = analyze(io.parse(data))
    local = make_panel(data, analysis, workers=1)
    local.sweep_factors = (0.5, 1.2)
    assert local.start_run()
    wait_done(qtbot, local)
    local_results = list(local.results)
    assert len(local_results) == 2
    assert local.start_sweep()
    wait_done(qtbot, local)

    store_cluster_setting(True, cluster.scheduler_address)
    remote = make_panel(data, analysis)
    remote.sweep_factors = (0.5, 1.2)
    assert remote.start_run()
    wait_done(qtbot, remote, timeout_s=120)
    assert remote.last_outcome == "done", remote.last_error
    def by_replication(results):
        return sorted(results, key=lambda r: r["rep_index"])

    assert by_replication(remote.results) == by_replication(local_results)
    assert remote.plots.rows_seen
    assert remote.start_sweep()
    wait_done(qtbot, remote, timeout_s=120)
    assert remote.last_outcome == "done", remote.last_error
    def by_index(points):  # a cluster returns the points in the order they finish
        return sorted(points, key=lambda p: p["index"])

    assert by_index(remote.plots.sweep_points) == by_index(local.plots.sweep_points)


def test_an_unreachable_cluster_is_a_clear_error_in_the_panel(qtbot, make_panel):
    store_cluster_setting(True, "tcp://127.0.0.1:9")
    panel = make_panel(design_dict(duration_s=3, replications=1))
    assert panel.start_run()
    wait_done(qtbot, panel, timeout_s=60)
    assert panel.last_outcome == "error"
    assert "cannot reach the Dask scheduler" in panel.last_error
