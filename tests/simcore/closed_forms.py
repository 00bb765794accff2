"""What several simcore tests share: queueing closed forms written out from their textbook
sums (independent of ``simcore.analysis``), a design built from short tuples, and the keys the
SPEC fixes for ``analyze --json``."""

from __future__ import annotations

import json
import math

from simcore.analysis import analyze
from simcore.io import loads


def mmc_wait(lam: float, s: float, c: int) -> float:
    """M/M/c mean wait in the queue, in the unit of ``s``: Erlang C from its sum,
    Wq = C(c, a) · s / (c − a) with a = λ·s; ∞ when a ≥ c."""
    a = lam * s
    if a >= c:
        return math.inf
    top = a ** c / math.factorial(c) * c / (c - a)
    waits = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return waits * s / (c - a)


def mmc_sojourn(lam: float, s: float, c: int) -> float:
    """M/M/c mean time in the system (wait + service), in the unit of ``s``."""
    return mmc_wait(lam, s, c) + s


def design_of(components, links):
    """A design from (id, kind[, params]) and (source, target[, link params]) tuples."""
    comps = [{"id": c[0], "kind": c[1], "params": c[2] if len(c) > 2 else {}} for c in components]
    lks = [{"id": f"{s}-{t}", "source": s, "target": t, "params": p} for s, t, p in
           ((lk + ({},))[:3] for lk in links)]
    return loads(json.dumps({"schema_version": 1, "components": comps, "links": lks}))


def analyse(components, links):
    """The instant analysis, without its availability part, of ``design_of(...)``."""
    return analyze(design_of(components, links), availability=False)


ANALYZE_TOP_KEYS = {"availability", "nines", "downtime_per_year_s", "downtime_per_month_s",
                    "downtime_per_week_s", "spofs", "bottleneck", "saturation_rps",
                    "offered_rps", "latency_ms", "monthly_cost", "components", "groups",
                    "saturated", "availability_method", "availability_ci95",
                    "fleet_failures_per_year", "availability_under_load",
                    "unavailability_under_load", "availability_under_load_ci95",
                    "availability_under_load_method", "capacity_risks",
                    "full_service_availability"}
ANALYZE_COMPONENT_KEYS = {"arrival_rps", "utilization", "latency_ms", "availability",
                          "failure_impact", "monthly_cost", "failures_per_year",
                          "one_down_impact", "hit_ratio", "autoscale_instances"}
