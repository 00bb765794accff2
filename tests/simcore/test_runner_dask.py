"""The Dask backend of the runner: the same results as the local pool for the same seeds, a
worker killed mid-sweep retried without changing them, and dask loaded only when asked for."""

import os
import signal
import subprocess
import sys
import threading

import pytest

from simcore.io import parse
from simcore.param_path import resolve
from simcore.sweep import sweep

distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")


def _design(rps=200):
    return parse({
        "schema_version": 1, "name": "two tiers",
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": rps}},
            {"id": "app", "kind": "service", "params": {"workers": 4, "service_time_ms": 8}},
            {"id": "db", "kind": "database", "params": {"workers": 4, "service_time_ms": 3}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "app"},
                  {"id": "l2", "source": "app", "target": "db"}],
        "scenario": {"duration_s": 6, "warmup_s": 1, "replications": 3, "seed": 11},
    })


@pytest.fixture
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


def test_a_sweep_on_a_cluster_equals_the_local_pool(cluster):
    d = _design()
    path = resolve(d, "app.workers")
    on_cluster = sweep(d, path, [2, 3, 6], scheduler=cluster.scheduler_address).to_json()
    local = sweep(d, path, [2, 3, 6], workers=2).to_json()
    assert on_cluster["runner"] == "dask" and local["runner"] == "local"
    assert on_cluster["results"] == local["results"]
    assert len(on_cluster["results"]) == 3


def test_a_worker_killed_mid_sweep_is_retried_and_the_results_do_not_change(cluster):
    d = _design(rps=400)
    path = resolve(d, "app.service_time_ms")
    values = [4, 5, 6, 7]
    watcher = distributed.Client(cluster.scheduler_address, set_as_default=False)
    killed: list[tuple] = []
    lock = threading.Lock()

    def kill_a_busy_worker(done, total):
        # at the first finished task the others are still running: end the process of a
        # worker that holds unfinished tasks, as a machine switched off would
        with lock:
            if killed:
                return
            busy = {w: keys for w, keys in watcher.processing().items() if keys}
            assert busy, "no worker holds a task after the first finished"
            worker, keys = next(iter(busy.items()))
            pid = watcher.run(os.getpid, workers=[worker])[worker]
            os.kill(pid, signal.SIGKILL)
            killed.append((worker, pid, tuple(keys)))

    try:
        on_cluster = sweep(d, path, values, scheduler=cluster.scheduler_address,
                           progress=kill_a_busy_worker).to_json()
        assert killed and killed[0][2]
        # the scheduler has let the killed worker go (its nanny starts a new one elsewhere)
        assert killed[0][0] not in watcher.processing()
    finally:
        watcher.close()
    local = sweep(d, path, values, workers=1).to_json()
    assert on_cluster["results"] == local["results"]
    assert on_cluster["stopped"] is False


def test_stopping_cancels_the_clusters_futures(cluster):
    d = _design()
    calls = []

    def stop_after_first():
        return bool(calls)

    out = sweep(d, resolve(d, "app.workers"), [2, 3, 4, 5, 6, 7],
                duration_s=300, scheduler=cluster.scheduler_address,
                progress=lambda done, total: calls.append(done), should_stop=stop_after_first)
    assert out.stopped is True
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        client.sync(_wait_idle, client)  # nothing left running on the cluster
        assert not any(client.processing().values())
    finally:
        client.close()


async def _wait_idle(client):
    import asyncio

    while any((await client.scheduler.processing()).values()):
        await asyncio.sleep(0.05)


def test_an_unreachable_or_empty_scheduler_is_a_clear_error():
    from simcore.runner_dask import ClusterError, check_address, connect

    with pytest.raises(ClusterError, match="expected tcp://HOST:PORT"):
        check_address("192.168.1.10:8786")
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        connect("tcp://127.0.0.1:9", timeout_s=1)


def test_importing_the_runner_and_running_locally_does_not_load_dask():
    code = ("import sys, simcore.runner, simcore.runner_dask, simcore.sweep, simcore.compare\n"
            "from simcore.cli import main\n"
            "import io, contextlib\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['compare', sys.argv[1], sys.argv[1], '--replications', '2',"
            " '--duration', '2', '--quiet'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    example = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "examples",
                           "stage1_single_server.json")
    r = subprocess.run([sys.executable, "-c", code, example], capture_output=True, text=True,
                       check=True)
    assert r.stdout.strip() == "[]", r.stdout
