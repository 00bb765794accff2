"""Steady-state down probabilities of a component (SPEC §3 "Availability"): n active instances
and an optional standby."""

from __future__ import annotations

import math


def unit_unavailability(params) -> float:
    """u = 1 − a of one instance (or group): MTTR / (MTBF + MTTR), or 1 − availability (exact in
    floating point for a ≥ 0.5), or 0 when neither is set."""
    mtbf, mttr = getattr(params, "mtbf_hours", None), getattr(params, "mttr_hours", None)
    if mtbf is not None and mttr is not None:
        return mttr / (mtbf + mttr)
    a = getattr(params, "availability", None)
    return 0.0 if a is None else 1.0 - float(a)


def standby_factor(u: float, failover_h: float, mttr_h: float, n: int = 1) -> float:
    """The chance that an outage of all ``n`` active nodes is not covered by the standby:
    u + a · (1 − e^(−n·F / MTTR)), F the failover time in hours. The standby is down (u), or it
    is still taking over: once all n are down the first repair comes after Exp(MTTR / n), so the
    standby serves the share e^(−n·F / MTTR) of that time."""
    return u + (1.0 - u) * -math.expm1(-n * failover_h / mttr_h)


def component_down_probability(params, nodes: int | None = None) -> float:
    """Steady-state probability that a component (or one database primary, ``nodes=1``) is not
    serving: uⁿ, times the standby factor when it has a standby (SPEC §3)."""
    u = unit_unavailability(params)
    n = params.instances if nodes is None else nodes
    q = u ** n
    if getattr(params, "standby", "none") != "none":
        q *= standby_factor(u, params.effective_failover_s / 3600.0, params.repair_hours, n)
    return q
