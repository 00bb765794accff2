"""The worker processes of one run: starting them, reading their queue without waiting, and
ending them at once.

Processes come from a fork server where there is one, else from spawn; never from fork (the
window's process runs Qt, and forking it is unsafe). The fork server is a fresh process that
imports the engine once; every later worker is forked from it, so a run starts in milliseconds.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import time

from designer.simulation import worker

DEATH_GRACE_S = 1.0
"""How long to wait for the last messages of a process that has ended before calling it lost."""
PRELOAD = ["designer.simulation.worker", "simcore.io", "simcore.engine.replication"]


def worker_context():
    """forkserver where the platform has it (preloading the engine), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def warm_up_workers(wait: bool = False) -> None:
    """Start the fork server now, so that the first run does not wait for it to import the
    engine (about a second). With ``wait``, return once it is ready."""
    ctx = worker_context()
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    try:
        forkserver.ensure_running()
        if wait:
            p = ctx.Process(target=worker.noop)
            p.start()
            p.join()
    except (OSError, RuntimeError, ValueError):
        pass  # the first run will start it, or say why it cannot


class WorkerProcesses:
    """``n`` processes sharing the work (share k of n each), one output queue, one command
    queue per process."""

    def __init__(self, design_dict: dict, options: dict, n: int):
        ctx = worker_context()
        self.out = ctx.Queue()
        self.ctls = [ctx.Queue() for _ in range(n)]
        self.procs = [ctx.Process(target=worker.process_main, name=f"skyline-simulation-{k}",
                                  args=(design_dict, options, self.out, self.ctls[k], (k, n)),
                                  daemon=True) for k in range(n)]
        self.open = set(range(n))  # shares that have not said "done" or "error"
        self.closed = False
        self._dead_since: float | None = None

    def start(self) -> None:
        """Start every process; on failure end the ones started and raise."""
        try:
            for p in self.procs:
                p.start()
        except BaseException:
            self.close()
            raise

    def read(self, handle, limit: int, budget_s: float | None = None) -> None:
        """Pass queued messages to ``handle`` without waiting: at most ``limit`` of them, for
        at most ``budget_s`` seconds, and none once the run is closed."""
        t0 = time.monotonic()
        for _ in range(limit):
            if self.closed or (budget_s is not None and time.monotonic() - t0 > budget_s):
                return
            try:
                msg = self.out.get_nowait()
            except (queue_module.Empty, OSError, EOFError, ValueError):
                return
            handle(msg)

    def send(self, msg) -> None:
        """A command to every process."""
        for ctl in self.ctls:
            ctl.put(msg)

    def lost_exit_code(self) -> int | None | bool:
        """False while every open share's process lives (or has just ended: its last
        messages may still be on the way); else the exit code of one that ended."""
        lost = [k for k in self.open if not self.procs[k].is_alive()]
        if not lost:
            self._dead_since = None
            return False
        now = time.monotonic()
        if self._dead_since is None:
            self._dead_since = now
            return False
        if now - self._dead_since <= DEATH_GRACE_S:
            return False
        return self.procs[lost[0]].exitcode

    def terminate(self) -> None:
        for p in self.procs:
            if p.pid is not None and p.is_alive():
                p.terminate()

    def close(self) -> None:
        """End the processes (at once) and release the queues."""
        if self.closed:
            return
        self.closed = True
        self.terminate()
        for p in self.procs:
            if p.pid is None:
                continue
            p.join(1.0)
            if p.is_alive():
                p.kill()
                p.join(1.0)
        for q in (self.out, *self.ctls):
            q.cancel_join_thread()
            q.close()
