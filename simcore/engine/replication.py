"""``run_replication``: one independent replication, optionally streaming one row per
simulated second (the designer's live plots)."""

from __future__ import annotations

from simcore.design import Design
from simcore.engine.simulation import Sim, run_settings


def run_replication(design: Design, *, seed: int, rep_index: int = 0,
                    duration_s: float | None = None, warmup_s: float | None = None,
                    on_second=None, should_stop=None, inject=None) -> dict:
    """Simulate ``design`` once with the random streams of replication ``rep_index`` of
    ``seed`` and return the replication's results (a picklable dict of plain values).

    ``duration_s`` (warm-up included) and ``warmup_s`` default to the design's scenario, else
    60 s and 5 s. ``on_second(row)`` is called after every simulated second with a
    ``simcore.results.rows.SecondRow``: ``t_s`` (the end of the second) and the value of every
    series of ``simcore.results.series`` (the run series over the requests finished in that
    second; the component series per component id).
    ``should_stop()`` is polled after each simulated second; when it returns True the run ends
    there and the results are marked ``"stopped": True``.
    ``inject()``, when given, is polled after each simulated second and returns a list (maybe
    empty) of new scenario events, dicts in the design file's event form such as
    ``{"type": "fail", "target": "db", "at_s": now, "duration_s": 30}``; they apply from then
    on (an ``at_s`` already past, or missing, means now). The results list them under
    ``"injected"``: {"event", "at_s" (start, s), "problem" (None, or why it was refused)}.

    Raises DesignError for a design with problems.
    """
    d, w = run_settings(design, duration_s, warmup_s)
    sim = Sim(design, seed=seed, rep_index=rep_index, duration_s=d, warmup_s=w)
    return sim.run(on_second=on_second, should_stop=should_stop, inject=inject)
