"""The Dask backend of ``simcore.runner.run_all``: the tasks run on an existing cluster.

A classroom or a lab starts a scheduler (``dask scheduler``) and workers on other machines
(``dask worker tcp://HOST:8786``), each with Skyline installed; ``run_all(tasks,
scheduler="tcp://HOST:8786")`` then sends every task (its function is named by reference, its
arguments — the design itself, the seed, the replication index — are pickled) and gets back the
plain result dicts. No file path crosses the network, and a result depends only on the task's
arguments, so the same seeds give the same results as the local pool.

A worker that dies while running a task is replaced by the scheduler, which runs the task
again elsewhere (up to its ``allowed-failures``, 3 by default): the results do not change, since
a task is a pure function of its arguments. Stopping (``should_stop()`` or Ctrl-C) cancels the
futures still pending; the results finished so far are returned, as with the local pool.

``dask`` and ``distributed`` (the ``cluster`` extra) are imported only inside these functions:
``import simcore.runner`` never loads them.
"""

from __future__ import annotations

import queue
import re
import sys
import uuid
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from simcore.runner import RunOutcome, Task, _call

CONNECT_TIMEOUT_S = 10.0
"""How long to try reaching the scheduler before saying it cannot be reached."""
POLL_S = 0.2
"""How often the waiting loop asks ``should_stop()`` while no task finishes."""
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s:/]+:\d{1,5}$")
INSTALL_HINT = 'install the cluster extra: pip install "skyline[cluster]"'


class ClusterError(Exception):
    """The cluster cannot be used (bad address, unreachable, no workers, dask missing, workers
    without Skyline); ``str()`` says which, in words for the user."""


def check_address(address: str) -> str:
    """``address`` stripped, when it has the form ``tcp://HOST:PORT``. Raises ClusterError."""
    text = (address or "").strip()
    if not _ADDRESS.match(text):
        raise ClusterError(f"scheduler address {address!r}: expected tcp://HOST:PORT, such as "
                           "tcp://192.168.1.10:8786")
    return text


def connect(address: str, timeout_s: float = CONNECT_TIMEOUT_S):
    """A ``distributed.Client`` on the scheduler at ``address`` that has at least one worker.
    Raises ClusterError with the reason."""
    address = check_address(address)
    try:
        from distributed import Client
    except ImportError:
        if getattr(sys, "frozen", False):
            raise ClusterError("this Skyline was packaged without Dask: it runs on this "
                               f"computer only; to use a cluster, {INSTALL_HINT}") from None
        raise ClusterError(f"running on a cluster needs dask and distributed: {INSTALL_HINT}"
                           ) from None
    try:
        with warnings.catch_warnings():
            if getattr(sys, "frozen", False):
                # a packaged program keeps no package metadata: Dask would find the client's
                # versions "None" and warn of a mismatch that is not there
                warnings.filterwarnings("ignore", message="Mismatched versions found")
            client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        why = "" if "timed out" in _reason(exc).lower() else f" ({_reason(exc)})"
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within "
                           f"{timeout_s:g} s{why}: is `dask scheduler` running there, and is "
                           "the port open?") from None
    if not client.scheduler_info().get("workers"):
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers: start some with "
                           f"`dask worker {address}`")
    return client


def describe(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> str:
    """A one-line account of the cluster (workers, threads), for a connection check.
    Raises ClusterError."""
    client = connect(address, timeout_s)
    try:
        workers = client.scheduler_info()["workers"]
        threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        hosts = {w.get("host") for w in workers.values()}
        return (f"{len(workers)} worker{'s' if len(workers) != 1 else ''} on {len(hosts)} "
                f"machine{'s' if len(hosts) != 1 else ''}, {threads} thread"
                f"{'s' if threads != 1 else ''}")
    finally:
        client.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _task_error(exc: BaseException) -> BaseException:
    """A worker that lacks Skyline cannot unpickle the task: say so instead of its traceback."""
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("simcore"):
        return ClusterError("the cluster's workers cannot import Skyline's engine: install "
                            f"Skyline on every worker machine ({INSTALL_HINT})")
    return exc


def run_on_cluster(tasks: Sequence[Task], address: str, *,
                   progress: Callable[[int, int], None] | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   on_result: Callable[[int, Any], None] | None = None,
                   timeout_s: float = CONNECT_TIMEOUT_S) -> RunOutcome:
    """Run ``tasks`` on the Dask cluster at ``address``; results in task order (see
    ``simcore.runner.run_all``). ``on_result(i, result)`` is called as each task's result
    arrives, before ``progress``. Raises ClusterError when the cluster cannot be used, and a
    task's own exception when a task fails."""
    from distributed.scheduler import KilledWorker

    tasks = list(tasks)
    total = len(tasks)
    results: list[Any] = [None] * total
    client = connect(address, timeout_s)
    finished: queue.Queue = queue.Queue()  # indices of futures done, fed by Dask's thread
    futures = []
    stopped = False
    try:
        batch = uuid.uuid4().hex[:12]
        for i, task in enumerate(tasks):
            fut = client.submit(_call, task, key=f"skyline-{batch}-{i}", pure=False)
            fut.add_done_callback(lambda _f, _i=i: finished.put(_i))
            futures.append(fut)
        done = 0
        while done < total:
            if should_stop is not None and should_stop():
                stopped = True
                break
            try:
                i = finished.get(timeout=POLL_S)
            except queue.Empty:
                continue
            try:
                results[i] = futures[i].result()
            except KilledWorker as exc:
                raise ClusterError(f"the workers that ran task {i} died {exc.args[-1]} times "
                                   "in a row: they may be running out of memory") from None
            except Exception as exc:  # noqa: BLE001 - re-raised, clearer where we can
                raise _task_error(exc) from None
            done += 1
            if on_result is not None:
                on_result(i, results[i])
            if progress is not None:
                progress(done, total)
    except KeyboardInterrupt:
        stopped = True
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)
        client.close()
    return RunOutcome(results, stopped=stopped)
