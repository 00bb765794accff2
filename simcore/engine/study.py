"""``simulate``: a whole traffic study — independent replications of one design, run through
``simcore.runner`` (in parallel processes) and aggregated into a SimulationResult.

Replication ``i`` uses the random streams of ``SeedSequence(seed, spawn_key=(i,))``, so the
numbers depend only on the design, the seed, the duration and the replication count: never on
how many processes ran them or in which order they finished.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import struct
import tempfile
import threading
from collections.abc import Callable

from simcore.design import Design, Scenario
from simcore.engine.aggregate import SimulationResult
from simcore.engine.replication import run_replication
from simcore.engine.simulation import run_settings
from simcore.runner import Task, default_workers, run_all


def study_settings(design: Design, duration_s=None, seed=None,
                   replications=None) -> tuple[float, float, int, int]:
    """(duration_s, warmup_s, seed, replications): the arguments, else the scenario's."""
    scen = design.scenario or Scenario()
    d, w = run_settings(design, duration_s, None)
    s = int(seed if seed is not None else scen.seed)
    n = int(replications if replications is not None else scen.replications)
    if n < 1:
        raise ValueError("replications must be at least 1")
    return d, w, s, n


def _instant_estimates(design: Design) -> dict:
    """The instant analysis' saturation point, bottleneck, offered load and whether some
    ρ ≥ 1 at the offered load. A design with problems raises DesignError here, before any
    process is started; any other failure of the analysis is a bug and propagates."""
    from simcore.analysis import analyze

    a = analyze(design, availability=False)
    return {"saturation_rps": a.saturation_rps, "bottleneck": a.bottleneck,
            "offered_rps": a.offered_rps, "instant_saturated": bool(a.saturated),
            "instant_max_utilization": a.max_utilization}


def _replicate_in_worker(design: Design, ticks_path: str | None, **kwargs) -> dict:
    """``run_replication`` in a worker process of the pool.

    Ctrl-C at a terminal reaches every process of the group: the parent stops the pool, so a
    worker ignores it rather than print a KeyboardInterrupt traceback of its own. With
    ``ticks_path`` the worker writes its simulated clock (seconds, one little-endian double in
    slot ``rep_index``) after every simulated second, for the parent's progress bar: a plain
    file survives Ctrl-C and needs no extra process.
    """
    if multiprocessing.parent_process() is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if ticks_path is None:
        return run_replication(design, **kwargs)
    slot = int(kwargs["rep_index"])
    with open(ticks_path, "r+b", buffering=0) as f:
        def on_second(row):
            f.seek(8 * slot)
            f.write(_TICK.pack(row.t_s))
        return run_replication(design, on_second=on_second, **kwargs)


_TICK = struct.Struct("<d")
POLL_S = 0.25
"""How often the parent reads the workers' simulated clocks."""


class _TickPoller:
    """Reads the workers' clocks every POLL_S and reports their sum in a daemon thread."""

    def __init__(self, path: str, n: int, duration_s: float, report):
        self.path, self.n, self.d, self.report = path, n, duration_s, report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="simulate-progress",
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=1.0)
        self._poll()  # the clocks as they ended: a finished study reports its whole total

    def _loop(self) -> None:
        while not self._stop.wait(POLL_S):
            self._poll()

    def _poll(self) -> None:
        try:
            with open(self.path, "rb") as f:
                raw = f.read(8 * self.n)
        except OSError:
            return
        k = len(raw) // 8
        done = sum(min(self.d, max(0.0, t)) for (t,) in _TICK.iter_unpack(raw[:8 * k]))
        with contextlib.suppress(Exception):  # a failing progress display must not end a study
            self.report(done, self.n * self.d)


def simulate(design: Design, *, duration_s: float | None = None, seed: int | None = None,
             replications: int | None = None, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None,
             should_stop: Callable[[], bool] | None = None,
             seconds_progress: Callable[[float, float], None] | None = None
             ) -> SimulationResult:
    """Run ``replications`` independent replications of ``design`` and aggregate them.

    ``duration_s`` (simulated seconds, warm-up included), ``seed`` and ``replications``
    default to the design's scenario (60 s, seed 1, 5 replications without one). ``workers``
    None uses every core; 1 runs in this process (then ``should_stop`` is also polled inside
    the running replication, about once per simulated second). ``progress(done, total)`` is
    called after each finished replication. Ctrl-C or ``should_stop()`` ends the study early:
    the result holds the replications that finished and ``stopped`` is True.
    ``seconds_progress(done_s, total_s)``, when given, reports simulated seconds done over
    all replications, about four times a second (finer than ``progress`` for long runs).

    Raises DesignError for a design with problems.
    """
    d, w, s, n = study_settings(design, duration_s, seed, replications)
    estimates = _instant_estimates(design)
    kwargs = {"seed": s, "duration_s": d, "warmup_s": w}
    # the runner runs a single task, or workers=1, in this process: then callbacks can be
    # handed to the replication itself
    in_process = n == 1 or (workers or default_workers()) <= 1
    tasks = []
    ticks_path = None
    for i in range(n):
        kw = dict(kwargs, rep_index=i)
        if in_process:
            if should_stop is not None:
                kw["should_stop"] = should_stop
            if seconds_progress is not None:
                kw["on_second"] = _in_process_ticks(seconds_progress, i, n, d)
            tasks.append(Task(run_replication, (design,), kw))
        else:
            if seconds_progress is not None and ticks_path is None:
                ticks_path = _ticks_file(n)
            tasks.append(Task(_replicate_in_worker, (design, ticks_path), kw))
    if progress is not None and should_stop is not None:
        report_done = progress

        def progress(done, total):  # a replication cut short by a stop is not "finished"
            if not should_stop():
                report_done(done, total)

    # (simcore.runner starts its forkserver with Ctrl-C ignored: workers never act on it.)
    try:
        if ticks_path is not None:
            with _TickPoller(ticks_path, n, d, seconds_progress):
                outcome = run_all(tasks, workers=workers, progress=progress,
                                  should_stop=should_stop)
        else:
            outcome = run_all(tasks, workers=workers, progress=progress, should_stop=should_stop)
    finally:
        if ticks_path is not None:
            try:
                os.unlink(ticks_path)
            except OSError:
                pass
    done = [r for r in outcome.results if r is not None]
    finished = [r for r in done if not r.get("stopped")]
    cut_short = [r for r in done if r.get("stopped")]
    stopped = outcome.stopped or len(finished) < n
    # a replication cut short measured a shorter window: it is reported only when no
    # replication finished at all (a long single run stopped by Ctrl-C), and marked partial
    partial = not finished and bool(cut_short)
    return SimulationResult(seed=s, duration_s=d, warmup_s=w, requested=n,
                            replications=cut_short if partial else finished, stopped=stopped,
                            partial=partial, name=design.name, **estimates)


def _in_process_ticks(report, i: int, n: int, d: float):
    def on_second(row):
        report(i * d + row.t_s, n * d)
    return on_second


def _ticks_file(n: int) -> str:
    fd, path = tempfile.mkstemp(prefix="skyline-sim-", suffix=".ticks")
    with os.fdopen(fd, "wb") as f:
        f.write(b"\0" * (8 * n))
    return path
