"""The traffic simulation (SPEC §3): every request through the design, on SimPy.

Contract with the designer (it runs the engine in a worker process and plots the rows live)::

    from simcore.engine import run_replication, simulate, SimulationResult

    # One replication, streaming: on_second(row) once per simulated second (row: t_s,
    # throughput_rps, p50_ms, p95_ms, p99_ms, error_rate, availability,
    # queue_depth {component id: waiting}, up {component id: bool},
    # utilization {component id: fraction over that second}); returns the replication's dict.
    # should_stop() is polled about once per simulated second: True ends the run early and the
    # dict is marked "stopped": True.
    run_replication(design, *, seed, rep_index=0, duration_s=None, warmup_s=None,
                    on_second=None, should_stop=None) -> dict

    # A whole study: replications through simcore.runner (in parallel processes), aggregated;
    # progress(done, total) after each finished replication; seconds_progress(done_s, total_s)
    # about four times a second (simulated seconds over all replications); should_stop() True
    # ends the study early (result.stopped; the finished replications are kept).
    simulate(design, *, duration_s=None, seed=None, replications=None, workers=None,
             progress=None, should_stop=None, seconds_progress=None) -> SimulationResult
    result.to_json()                                 # the SPEC §4 ``simulate --json`` object

Designs and result dicts are picklable. Times inside the engine are seconds; results are in
ms (latencies), requests/s (rates) and fractions. See docs/simulation.md for the model.

Modules: kernel (events, stations), streams (seeded random numbers), clients, nodes and storage
(component behaviours), links, limits (rate limits, circuit breaker), failures (scenario and
random failures, health checks), metrics and histogram (streamed statistics), simulation (one
replication), aggregate and stats (across replications), study (``simulate``), report (the
text report), progress (progress on stderr).
"""

from simcore.engine.aggregate import SimulationResult
from simcore.engine.replication import run_replication
from simcore.engine.study import simulate

__all__ = ["SimulationResult", "run_replication", "simulate"]
