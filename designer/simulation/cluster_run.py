"""A run of the simulation panel on a Dask cluster (Settings → "Run replications on a
cluster"), with the interface of ``WorkerProcesses`` so that the panel treats both alike.

A background thread hands the replications (or load points) to ``simcore.runner.run_all``
with the scheduler's address and turns each finished one into the worker protocol's messages
(``designer.simulation.messages``): its per-second rows, then RepDone or SweepPoint, and Done
at the end. A cluster gives a replication back only when it has ended, so the
plots fill in one replication at a time rather than second by second, and "fail now" is not
offered (a failure cannot reach a replication on another machine while it runs).
"""

from __future__ import annotations

import queue
import threading

from designer.simulation import messages
from simcore.results.rows import rows_of

SHARE = 0
"""The whole run is one share of the work."""


def _tasks(design_dict: dict, options: dict) -> list:
    from simcore import io as design_io
    from simcore.engine.replication import run_replication
    from simcore.runner import Task
    from simcore.sweep import SWEEP_DURATION_S, SWEEP_FACTORS, SWEEP_WARMUP_S, load_point

    if options.get("mode") == "sweep":
        factors = list(options.get("factors") or SWEEP_FACTORS)
        return [Task(load_point, (design_dict, f, float(options["saturation_rps"]),
                                  float(options["offered_rps"])),
                     {"seed": int(options.get("seed", 1)),
                      "duration_s": float(options.get("sweep_duration_s", SWEEP_DURATION_S)),
                      "warmup_s": float(options.get("sweep_warmup_s", SWEEP_WARMUP_S))})
                for f in factors]
    design = design_io.parse(design_dict)
    kw = {"seed": int(options.get("seed", 1)), "duration_s": float(options["duration_s"]),
          "warmup_s": float(options.get("warmup_s", 0.0))}
    return [Task(run_replication, (design,), dict(kw, rep_index=i))
            for i in range(int(options.get("replications", 1)))]


class ClusterRun:
    """The panel's run, on the cluster at ``address``."""

    def __init__(self, design_dict: dict, options: dict, address: str):
        self.design_dict, self.options, self.address = design_dict, options, address
        self.out: queue.Queue = queue.Queue()
        self.open = {SHARE}
        self.closed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="skyline-cluster-run",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _main(self) -> None:
        from simcore.problems import DesignError
        from simcore.runner_dask import ClusterError, run_on_cluster

        try:
            tasks = _tasks(self.design_dict, self.options)
            self.out.put(messages.Started(SHARE, live_fail=False))
            outcome = run_on_cluster(tasks, self.address, should_stop=self._stop.is_set,
                                     on_result=self._deliver)
        except ClusterError as exc:
            self.out.put(messages.Failed(SHARE, f"The cluster cannot run the simulation: {exc}"))
            return
        except DesignError as exc:
            self.out.put(messages.Failed(SHARE, f"The design cannot be simulated:\n{exc.text()}"))
            return
        except Exception as exc:  # noqa: BLE001 - everything must reach the window as a message
            self.out.put(messages.Failed(SHARE, f"The simulation failed on the cluster: {exc}"))
            return
        self.out.put(messages.Done(SHARE, outcome.stopped))

    def _deliver(self, i: int, result: dict) -> None:
        """The messages of one finished replication or load point."""
        if self.options.get("mode") == "sweep":
            self.out.put(messages.SweepPoint(SHARE, {"index": i, **result}))
            return
        self.out.put(messages.Rows(SHARE, i, rows_of(result["timeseries"])))
        self.out.put(messages.RepDone(SHARE, i,
                                      {k: v for k, v in result.items() if k != "timeseries"}))

    # --- the WorkerProcesses interface ----------------------------------------------------------
    def read(self, handle, limit: int, budget_s: float | None = None) -> None:
        for _ in range(limit):
            if self.closed:
                return
            try:
                msg = self.out.get_nowait()
            except queue.Empty:
                return
            handle(msg)

    def send(self, msg) -> None:
        if isinstance(msg, messages.Stop):
            self._stop.set()

    def lost_exit_code(self):
        """False while the thread runs or has said its last word; else 1."""
        if self._thread.is_alive() or not self.out.empty() or not self.open:
            return False
        return 1

    def terminate(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self.closed = True
        self._stop.set()


def make_run(design_dict: dict, options: dict, processes: int):
    """The panel's run: on the cluster when Settings → "Run replications on a cluster" is on,
    else in ``processes`` local worker processes."""
    from designer.settings_dialog import cluster_scheduler

    address = cluster_scheduler()
    if address:
        return ClusterRun(design_dict, options, address)
    from designer.simulation.processes import WorkerProcesses

    return WorkerProcesses(design_dict, options, processes)
