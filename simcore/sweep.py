"""Sweeps: the same study at several values of one parameter (SPEC §7.10 ``skyline sweep``),
and the designer's load sweep (every client's rate scaled from light load to past saturation).

Both use common random numbers: replication ``i`` of every value runs on the random streams of
replication ``i`` of the same seed, so the differences between values come from the parameter,
not from luck. All the replications of all the values go through one ``simcore.runner.run_all``
call (a local process pool, or a Dask cluster with ``scheduler``); a stopped sweep reports the
values that have at least one finished replication.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simcore.design import Design
from simcore.engine.aggregate import SimulationResult
from simcore.engine.replication import run_replication
from simcore.engine.study import study_settings
from simcore.param_path import ParamPath, with_value
from simcore.runner import Task, run_all

SWEEP_FACTORS = (0.1, 0.25, 0.4, 0.55, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2)
"""The load sweep's offered loads, as fractions of the analysis's saturation rps."""
SWEEP_DURATION_S = 20.0
"""Simulated seconds of one load point (warm-up included)."""
SWEEP_WARMUP_S = 4.0


def replication_figures(design: Design, **kwargs) -> dict:
    """``run_replication`` without its per-second series: a sweep needs only the figures, and
    the series are most of what would travel back from a worker."""
    result = run_replication(design, **kwargs)
    result.pop("timeseries", None)
    return result


@dataclass
class SweepPoint:
    """One value of the swept parameter and the study of the design at that value."""

    value: Any
    study: SimulationResult

    def to_json(self) -> dict:
        """The SPEC §7.10 row: each figure with its 95 % interval across replications."""
        lat = self.study.latency()
        return {"value": self.value,
                "replications": self.study.n,
                "throughput_rps": self.study.throughput(),
                "latency_ms": {"mean": lat["mean"], "p99": lat["p99"],
                               "ci95_mean": lat["ci95_mean"], "ci95_p99": lat["ci95_p99"]},
                "error_rate": self.study.rate("error_rate"),
                "availability": self.study.rate("availability"),
                "saturated": any(bool(r.get("saturated")) for r in self.study.replications)}


@dataclass
class SweepResult:
    param: str
    values: list[Any]
    runner: str
    seed: int
    duration_s: float
    warmup_s: float
    replications: int
    points: list[SweepPoint] = field(default_factory=list)
    stopped: bool = False

    def to_json(self) -> dict:
        from simcore.engine.aggregate import _strict

        return _strict({"param": self.param, "values": self.values, "runner": self.runner,
                        "seed": self.seed, "duration_s": self.duration_s,
                        "warmup_s": self.warmup_s, "replications": self.replications,
                        "stopped": self.stopped,
                        "results": [p.to_json() for p in self.points]})


def sweep(design: Design, path: ParamPath, values: list[Any], *,
          duration_s: float | None = None, seed: int | None = None,
          replications: int | None = None, scheduler: str | None = None,
          workers: int | None = None, progress: Callable[[int, int], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> SweepResult:
    """Study ``design`` with the parameter at ``path`` set to each of ``values`` in turn.

    ``duration_s`` (simulated seconds, warm-up included), ``seed`` and ``replications`` default
    to each value's scenario (so that ``scenario.duration_s`` itself can be swept).
    ``progress(done, total)`` counts finished replications over all values. Every value is
    checked before anything runs: a value the design cannot take raises DesignError naming it.
    """
    designs = [with_value(design, path, v) for v in values]
    plans = [study_settings(d, duration_s, seed, replications) for d in designs]
    tasks = [Task(replication_figures, (d,), {"seed": s, "rep_index": i, "duration_s": dur,
                                             "warmup_s": w})
             for d, (dur, w, s, n) in zip(designs, plans) for i in range(n)]
    outcome = run_all(tasks, workers=workers, progress=progress, should_stop=should_stop,
                      scheduler=scheduler)
    base = study_settings(design, duration_s, seed, replications)
    result = SweepResult(param=path.text, values=list(values),
                         runner="dask" if scheduler else "local", seed=base[2],
                         duration_s=base[0], warmup_s=base[1], replications=base[3],
                         stopped=outcome.stopped)
    start = 0
    for value, d, (dur, w, s, n) in zip(values, designs, plans):
        reps = [r for r in outcome.results[start:start + n]
                if r is not None and not r.get("stopped")]
        start += n
        if len(reps) < n:
            result.stopped = True
        if reps:
            result.points.append(SweepPoint(value, SimulationResult(
                seed=s, duration_s=dur, warmup_s=w, requested=n, replications=reps,
                name=d.name)))
    return result


# --- the designer's load sweep --------------------------------------------------------------------

def scaled_load(design_dict: dict, scale: float) -> dict:
    """The design (as its JSON dict) with every client's rps multiplied by ``scale`` and no
    scenario events: a load point measures capacity, so scheduled outages and random failures
    are left out."""
    d = dict(design_dict)
    comps = []
    for c in design_dict.get("components", []):
        if c.get("kind") == "client" and "rps" in (c.get("params") or {}):
            c = dict(c)
            c["params"] = dict(c["params"])
            c["params"]["rps"] = c["params"]["rps"] * scale
        comps.append(c)
    d["components"] = comps
    if d.get("scenario"):
        sc = dict(d["scenario"])
        sc.pop("events", None)
        sc.pop("random_failures", None)
        d["scenario"] = sc
    return d


def load_point_figures(result: dict) -> dict:
    """Throughput (req/s), p99 (ms) and error rate (fraction) of one load point's replication
    (None where undefined: no request succeeded, or none finished)."""
    return {"throughput_rps": result["throughput_rps"], "p99_ms": result["latency_ms"]["p99"],
            "error_rate": result["error_rate"]}


def load_point(design_dict: dict, factor: float, saturation_rps: float, offered_rps: float,
               *, seed: int, duration_s: float = SWEEP_DURATION_S,
               warmup_s: float = SWEEP_WARMUP_S, on_second=None, should_stop=None) -> dict:
    """One load point: the design at ``factor`` × its saturation rps, one replication.

    Returns {factor, offered_rps, saturated, throughput_rps, p99_ms, error_rate}; a point
    stopped part-way also has ``stopped: True``. A picklable task (no callbacks) for a cluster.
    """
    from simcore import io as design_io

    design = design_io.parse(scaled_load(design_dict, factor * saturation_rps / offered_rps))
    warmup = min(warmup_s, duration_s / 2)
    result = run_replication(design, seed=seed, rep_index=0, duration_s=duration_s,
                             warmup_s=warmup, on_second=on_second, should_stop=should_stop)
    point = {"factor": factor, "offered_rps": factor * saturation_rps,
             "saturated": bool(result["saturated"]), **load_point_figures(result)}
    if result["stopped"]:
        point["stopped"] = True
    return point
