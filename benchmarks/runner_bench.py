"""Speed of the runner's backends: this machine's process pool against a Dask LocalCluster.

Two measurements, each on the local pool and on a LocalCluster of N worker processes (one
thread each) started on this machine:

1. Overhead per task: ``--empty`` tasks that do nothing. Tasks per second, and wall-clock time
   per task (what a backend costs on top of the work).
2. A real sweep: ``skyline sweep`` of a design over 10 values × 10 replications (100 tasks),
   the figures of which must be identical on every backend (same seeds); wall-clock time,
   tasks per second and the speed-up over one process.

The cluster is started before timing (starting it is a one-off, reported on its own). Run from
the repository root::

    .venv/bin/python benchmarks/runner_bench.py                 # a few minutes
    .venv/bin/python benchmarks/runner_bench.py --workers 2 4 --duration 60
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simcore.io import load
from simcore.param_path import resolve
from simcore.runner import Task, default_workers, run_all
from simcore.sweep import sweep

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "resources", "examples", "stage4_load_balancer.json")


def empty_task(i: int) -> int:
    """A task that does nothing: its wall-clock time is the backend's overhead."""
    return i


def time_empty(n: int, **where) -> float:
    t0 = time.perf_counter()
    out = run_all([Task(empty_task, (i,)) for i in range(n)], **where)
    elapsed = time.perf_counter() - t0
    assert out.results == list(range(n))
    return elapsed


def time_sweep(design, path, values, duration, reps, **where) -> tuple[float, dict]:
    t0 = time.perf_counter()
    result = sweep(design, path, values, duration_s=duration, replications=reps, **where)
    return time.perf_counter() - t0, result.to_json()["results"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[2],
                    help="LocalCluster sizes to measure (worker processes)")
    ap.add_argument("--empty", type=int, default=400, help="empty tasks per backend")
    ap.add_argument("--duration", type=float, default=10.0,
                    help="simulated seconds of each sweep replication")
    ap.add_argument("--file", default=EXAMPLE)
    ap.add_argument("--param", default="app.workers")
    args = ap.parse_args()

    from distributed import LocalCluster

    design = load(args.file)
    path = resolve(design, args.param)
    values = list(range(4, 14))  # 10 values
    reps = 10
    cores = default_workers()
    print(f"machine: {cores} core{'s' if cores != 1 else ''} usable; sweep: {args.param} over "
          f"{len(values)} values × {reps} replications of {args.duration:g} s "
          f"({os.path.basename(args.file)})")

    rows = []
    t_one, base = time_sweep(design, path, values, args.duration, reps, workers=1)
    rows.append(("one process", None, t_one))
    e_local = time_empty(args.empty)
    t_pool, pool = time_sweep(design, path, values, args.duration, reps)
    assert pool == base, "the local pool gave other figures than one process"
    rows.append((f"local pool ({cores} processes)", e_local, t_pool))
    for n in args.workers:
        t0 = time.perf_counter()
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            started = time.perf_counter() - t0
            where = {"scheduler": cluster.scheduler_address}
            time_empty(20, **where)  # the workers import the engine once
            e = time_empty(args.empty, **where)
            t, figures = time_sweep(design, path, values, args.duration, reps, **where)
        assert figures == base, "the cluster gave other figures than one process"
        rows.append((f"LocalCluster, {n} processes (started in {started:.1f} s)", e, t))

    tasks = len(values) * reps
    print(f"\n{'backend':<46} {'empty tasks/s':>13} {'overhead/task':>14} "
          f"{'sweep':>8} {'tasks/s':>8} {'speed-up':>9}")
    for name, empty, t in rows:
        rate = f"{args.empty / empty:,.0f}" if empty else "—"
        over = f"{1000 * empty / args.empty:.2f} ms" if empty else "—"
        print(f"{name:<46} {rate:>13} {over:>14} {t:>7.2f}s {tasks / t:>8.1f} "
              f"{t_one / t:>8.2f}×")
    pool_over = rows[1][1] / args.empty
    for name, empty, _t in rows[2:]:
        print(f"overhead per task, {name.split(' (')[0]} / local pool: "
              f"{(empty / args.empty) / pool_over:.1f}×")
    print("\nEvery backend gave the same figures for the same seeds.")


if __name__ == "__main__":
    main()
