"""Saturation and bottleneck (SPEC §3).

``saturation_rps`` is the total rps, every client scaled by one factor k, at which the first
utilization reaches 1. ρ(k) never decreases with k but need not be linear (a blocking service's
holding time grows with the waits below it; a rate limit caps what passes), so k is found by
bisection to 1e-6 relative over 0 < k ≤ 1e6. When the design is linear in the load (no blocking
service, no rate limit reached), k = 1 / ρ_max(1) exactly; that value is tried first and accepted
when ρ_max changes sides within ±1e-9 of it, which costs two evaluations instead of forty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simcore.analysis.flow import Plan, run_flow
from simcore.analysis.latency import run_times, waits_that_matter

MAX_FACTOR = 1e6
REL_TOL = 1e-6
TIE_REL = 1e-9
_TIGHT = 1e-9
_MIN_FACTOR = 1e-300


@dataclass
class Saturation:
    """``factor`` the scale of every client's rps at saturation (None: no traffic, or no factor
    up to 1e6 saturates); ``rps`` = factor · offered; ``bottleneck`` the component id that breaks
    first (None with no traffic); ``evaluations`` how many times the model was evaluated."""

    factor: float | None
    rps: float | None
    bottleneck: str | None
    evaluations: int


def utilizations(plan: Plan, scale: float, waits: list[bool] | None = None) -> list[float]:
    """Every node's utilization (busiest instance or database node) at ``scale`` × the rps.
    ``waits`` (latency.waits_that_matter(plan)) skips the waits no utilization depends on."""
    return run_times(plan, run_flow(plan, scale), waits=waits).utilization


def pick_bottleneck(plan: Plan, util: list[float]) -> str | None:
    """The non-client component with the highest ρ; ties within 1e-9 relative go to the smallest
    id; None when nothing carries load (every ρ is 0)."""
    best = max((u for i, u in enumerate(util) if not plan.nodes[i].is_client), default=0.0)
    if not best > 0.0:
        return None
    floor = best if math.isinf(best) else best * (1.0 - TIE_REL)
    tied = [plan.nodes[i].id for i, u in enumerate(util)
            if not plan.nodes[i].is_client and u >= floor]
    return min(tied)


def find_saturation(plan: Plan, util_now: list[float]) -> Saturation:
    """Saturation point and bottleneck of ``plan``; ``util_now`` are the utilizations at k = 1."""
    offered = plan.offered_rps
    if offered <= 0.0:
        return Saturation(None, None, None, 0)
    evals = 0
    seen: dict[float, float] = {}
    waits = waits_that_matter(plan)

    def rho_max(k: float) -> float:
        nonlocal evals
        if k not in seen:
            evals += 1
            seen[k] = max(utilizations(plan, k, waits), default=0.0)
        return seen[k]

    def saturates(k: float) -> bool:
        return rho_max(k) >= 1.0

    now = max(util_now, default=0.0)
    guess = min(1.0 / now, MAX_FACTOR) if now > 0.0 and math.isfinite(now) else 1.0
    lo_t, hi_t = guess * (1.0 - _TIGHT), min(guess * (1.0 + _TIGHT), MAX_FACTOR)
    # Saturating at hi_t (≤ 1e6) already proves a factor exists; else ask at the limit.
    if not saturates(hi_t) and not saturates(MAX_FACTOR):
        return Saturation(None, None, pick_bottleneck(plan, util_now), evals)
    factor = None
    if saturates(hi_t):
        if not saturates(lo_t):
            factor = guess
        else:
            hi = lo_t
            lo = hi / 2.0
            while lo > _MIN_FACTOR and saturates(lo):
                hi, lo = lo, lo / 2.0
    else:
        lo = hi_t
        hi = min(2.0 * lo, MAX_FACTOR)
        while not saturates(hi):
            lo, hi = hi, min(2.0 * hi, MAX_FACTOR)
    if factor is None:
        # Invariant: ρ_max(lo) < 1 ≤ ρ_max(hi).
        while hi - lo > REL_TOL * 0.5 * lo and lo > _MIN_FACTOR:
            mid = 0.5 * (lo + hi)
            if saturates(mid):
                hi = mid
            else:
                lo = mid
        factor = 0.5 * (lo + hi)
    evals += 1
    at = utilizations(plan, factor * (1.0 - REL_TOL), waits)
    return Saturation(factor, factor * offered, pick_bottleneck(plan, at), evals)
