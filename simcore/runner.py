"""One small interface for independent runs (SPEC §3): a list of tasks in, their results out.

Replications, load sweeps and design comparisons all go through ``run_all``: a local process
pool, or with ``scheduler="tcp://HOST:PORT"`` an existing Dask cluster (``simcore.runner_dask``,
imported only then). Either works because a task is only a picklable top-level function with
picklable arguments (the design travels inside the task, never as a file path) and a result is
a picklable value; the same seeds give the same results on both.

    from simcore.runner import Task, run_all
    results = run_all([Task(fn, (design,), {"seed": 1, "rep_index": i}) for i in range(5)])

Results come back in the order of the tasks, whatever order the runs finish in. ``progress(done,
total)`` is called in the calling process after each finished task. A KeyboardInterrupt (Ctrl-C)
or ``should_stop()`` returning True stops the pool: the results finished so far are returned
(the others are None) and ``RunOutcome.stopped`` says so.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Task:
    """``fn(*args, **kwargs)``; ``fn`` must be a module-level function (picklable)."""

    fn: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __call__(self) -> Any:
        return self.fn(*self.args, **self.kwargs)


@dataclass
class RunOutcome:
    """``results[i]`` is task i's result, or None when the run was stopped before it ended."""

    results: list[Any]
    stopped: bool = False

    @property
    def finished(self) -> list[Any]:
        return [r for r in self.results if r is not None]


def default_workers() -> int:
    """Processes to use: every core the process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _start_forkserver_ignoring_sigint() -> None:
    """Start the forkserver with SIGINT ignored, so that every worker forked from it ignores
    Ctrl-C from birth, even before the pool's initializer runs. Does nothing where there is no
    forkserver, off the main thread, or when it already runs."""
    import signal
    import threading

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    if threading.current_thread() is not threading.main_thread():
        return
    from multiprocessing import forkserver

    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, old)


def _context():
    # fork is fastest on Linux, but forking a process that runs Qt threads is unsafe; spawn is
    # safe everywhere and is what Windows and macOS use anyway. forkserver where it exists.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _call(task: Task) -> Any:
    return task()


def _init_worker() -> None:
    """Set up a pool worker: ignore Ctrl-C and die with the calling process."""
    # Ctrl-C in a terminal reaches the whole process group. Only the calling process should
    # act on it (stop the pool, report what finished); a worker interrupted mid-import would
    # print a traceback and break the pool.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()


def exit_with_parent() -> None:
    """A worker must not outlive the process that started the pool (killed, out of memory, a
    crashed window): it would burn a core for nothing, for hours. On Linux the kernel sends
    SIGKILL when the worker's parent dies (the forkserver, which itself ends with the calling
    process); everywhere, a thread watches the calling process' sentinel and exits when it
    closes."""
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        from multiprocessing.connection import wait as wait_ready

        wait_ready([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="skyline-parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def run_all(tasks: Sequence[Task], *, workers: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] | None = None,
            scheduler: str | None = None) -> RunOutcome:
    """Run every task and return their results in task order.

    ``workers`` None: one process per core (capped at the number of tasks); 1: run in this
    process, one after another (no pool; what tests and small runs want). An exception raised
    by a task is raised here once the pool has been shut down. ``scheduler``: the address of a
    Dask scheduler that runs the tasks instead (``workers`` is then ignored); a scheduler that
    cannot be used raises ``simcore.runner_dask.ClusterError``.
    """
    if scheduler:
        from simcore.runner_dask import run_on_cluster

        return run_on_cluster(tasks, scheduler, progress=progress, should_stop=should_stop)
    tasks = list(tasks)
    total = len(tasks)
    results: list[Any] = [None] * total
    n = min(workers or default_workers(), max(total, 1))
    done = 0
    if n <= 1:
        try:
            for i, task in enumerate(tasks):
                if should_stop is not None and should_stop():
                    return RunOutcome(results, stopped=True)
                results[i] = task()
                done += 1
                if progress is not None:
                    progress(done, total)
        except KeyboardInterrupt:
            return RunOutcome(results, stopped=True)
        return RunOutcome(results)

    _start_forkserver_ignoring_sigint()
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_context(), initializer=_init_worker)
    futures: dict[Future, int] = {}
    stopped = False
    try:
        futures = {pool.submit(_call, task): i for i, task in enumerate(tasks)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in finished:
                results[futures[fut]] = fut.result()
                done += 1
                if progress is not None:
                    progress(done, total)
            if pending and should_stop is not None and should_stop():
                stopped = True
                break
    except KeyboardInterrupt:
        stopped = True
    finally:
        if stopped:
            _terminate(pool)
        # No cancelling here: after the workers are gone the pool's manager thread marks the
        # unfinished futures broken and exits; cancelling them first makes that thread raise
        # (InvalidStateError) and print a traceback on stderr.
        pool.shutdown(wait=True)
    return RunOutcome(results, stopped=stopped)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers at once: a stopped study should not wait for long replications."""
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            proc.terminate()
        except (OSError, AttributeError):
            pass
