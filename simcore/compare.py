"""Two designs on the same random numbers (SPEC §7.10 ``skyline compare``).

Replication ``i`` of A and replication ``i`` of B run on the same random streams (the same seed
and replication index), so their difference measures the designs, not luck: the paired
difference B − A is taken per replication, then its mean and Student-t 95 % interval across the
replications. A design compared with itself gives exactly 0 with the interval [0, 0]. A pair in
which either side has no value for a figure (no request finished, say) is left out of that
figure and counted in its ``dropped_pairs``.

Without options, A's duration, warm-up, seed and replications serve both designs; each design
keeps its own scenario events.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simcore.design import Design
from simcore.engine.aggregate import SimulationResult, _finite, _strict
from simcore.engine.replication import run_replication
from simcore.engine.stats import mean_ci
from simcore.engine.study import _instant_estimates, study_settings
from simcore.runner import Task, run_all

FIGURES = {
    "throughput_rps": lambda r: r.get("throughput_rps"),
    "latency_mean_ms": lambda r: (r.get("latency_ms") or {}).get("mean"),
    "latency_p99_ms": lambda r: (r.get("latency_ms") or {}).get("p99"),
    "error_rate": lambda r: r.get("error_rate"),
    "availability": lambda r: r.get("availability"),
}
"""The compared figures, each read from one replication's result dict."""


def paired_difference(a_reps: list[dict], b_reps: list[dict]) -> dict:
    """Per figure: {mean, ci95, pairs, dropped_pairs} of B − A over the pairs (a_reps[i],
    b_reps[i]); ``ci95`` is None with fewer than two pairs."""
    out = {}
    for name, read in FIGURES.items():
        diffs, dropped = [], 0
        for a, b in zip(a_reps, b_reps):
            va, vb = _finite(read(a)), _finite(read(b))
            if va is None or vb is None:
                dropped += 1
            else:
                diffs.append(vb - va)
        m, ci = mean_ci(diffs)
        out[name] = {"mean": m, "ci95": ci, "pairs": len(diffs), "dropped_pairs": dropped}
    return out


@dataclass
class Comparison:
    a: SimulationResult
    b: SimulationResult
    difference: dict
    runner: str
    stopped: bool = False

    def to_json(self) -> dict:
        return _strict({"a": self.a.to_json(), "b": self.b.to_json(),
                        "difference": self.difference, "runner": self.runner,
                        "seed": self.a.seed, "duration_s": self.a.duration_s,
                        "warmup_s": self.a.warmup_s, "replications": self.a.requested,
                        "stopped": self.stopped})


def compare(a: Design, b: Design, *, duration_s: float | None = None,
            seed: int | None = None, replications: int | None = None,
            scheduler: str | None = None, workers: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Comparison:
    """Simulate ``a`` and ``b`` on the same seeds and take the paired difference B − A.

    ``progress(done, total)`` counts finished replications of both designs. A stopped
    comparison keeps the pairs in which both replications finished. Raises DesignError
    (before anything runs) for a design with problems."""
    d, w, s, n = study_settings(a, duration_s, seed, replications)
    estimates = [_instant_estimates(x) for x in (a, b)]
    kwargs = {"seed": s, "duration_s": d, "warmup_s": w}
    tasks = [Task(run_replication, (x,), dict(kwargs, rep_index=i))
             for i in range(n) for x in (a, b)]  # A and B of a pair side by side
    outcome = run_all(tasks, workers=workers, progress=progress, should_stop=should_stop,
                      scheduler=scheduler)
    pairs = [(outcome.results[2 * i], outcome.results[2 * i + 1]) for i in range(n)]
    whole = [(ra, rb) for ra, rb in pairs
             if ra is not None and rb is not None
             and not ra.get("stopped") and not rb.get("stopped")]
    studies = [SimulationResult(seed=s, duration_s=d, warmup_s=w, requested=n,
                                replications=[p[k] for p in whole],
                                stopped=len(whole) < n, name=x.name, **est)
               for k, (x, est) in enumerate(zip((a, b), estimates))]
    diff = paired_difference([p[0] for p in whole], [p[1] for p in whole])
    return Comparison(studies[0], studies[1], diff, runner="dask" if scheduler else "local",
                      stopped=outcome.stopped or len(whole) < n)


def simulate_figures(j: dict) -> dict:
    """figure -> (mean, ci95) of one ``simulate`` JSON object, for the compared figures."""
    lat = j.get("latency_ms") or {}
    thr = j.get("throughput_rps") or {}
    avail = j.get("availability") or {}
    return {"throughput_rps": (thr.get("mean"), thr.get("ci95")),
            "latency_mean_ms": (lat.get("mean"), lat.get("ci95_mean")),
            "latency_p99_ms": (lat.get("p99"), lat.get("ci95_p99")),
            "error_rate": (j.get("error_rate"), j.get("error_rate_ci95")),
            "availability": (avail.get("mean"), avail.get("ci95"))}


def unpaired_difference(a_json: dict, b_json: dict) -> dict:
    """B − A from two saved ``simulate --json`` results, which keep no replications to pair:
    the difference of the means, with an approximate 95 % interval whose half-width is the
    root sum of squares of the two intervals' half-widths (None when either has none)."""
    a, b = simulate_figures(a_json), simulate_figures(b_json)
    out = {}
    for name in FIGURES:
        (va, ca), (vb, cb) = a[name], b[name]
        va, vb = _finite(va), _finite(vb)
        mean = None if va is None or vb is None else vb - va
        ci = None
        if mean is not None and ca and cb:
            half = math.hypot((ca[1] - ca[0]) / 2, (cb[1] - cb[0]) / 2)
            ci = [mean - half, mean + half]
        out[name] = {"mean": mean, "ci95": ci, "paired": False}
    return out
