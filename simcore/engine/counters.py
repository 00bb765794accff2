"""Version 2 figures of ``simulate --json`` (SPEC §7.7–§7.9): duplicate executions,
deduplicated repeats, degraded requests, lost sessions and the monthly cost (autoscaled
services at their time-averaged instances, ``instances_mean``), in total and per component.

Each is a per-replication mean over the time after the warm-up, a bare number, with its 95 %
interval across replications under the sibling ``ci95: {key: [lo, hi]}`` when there are two
replications or more. A key that does not apply to a component is None: the duplicate counts
apply to the terminals that execute writes (database, blob storage, external service), the
degraded rate to services with an optional call, lost sessions to sticky balancers (each at the
top level too when the design has one).
"""

from __future__ import annotations

from simcore.engine.stats import mean_ci

WRITE_COUNTS = ("duplicate_executions", "deduplicated")
"""Counts kept by the terminals that execute writes."""


def _with_ci(figures: dict[str, list], several: bool) -> dict:
    """{key: mean} plus, for several replications, ``ci95`` {key: [lo, hi]}."""
    out: dict = {}
    cis: dict = {}
    for key, values in figures.items():
        m, ci = mean_ci(values)  # counts and rates: an interval below 0 is cut at 0
        out[key], cis[key] = m, (None if ci is None else [max(0.0, ci[0]), max(0.0, ci[1])])
    if several:
        out["ci95"] = cis
    return out


def _degraded_rate(row: dict) -> float | None:
    served = row.get("served") or 0
    return row["degraded"] / served if served else 0.0


def component_counters(replications: list[dict], cid: str) -> dict:
    """The counters of component ``cid`` across ``replications`` (engine result dicts)."""
    rows = [r["components"][cid] for r in replications if cid in r.get("components", {})]
    applies = bool(rows) and "duplicate_executions" in rows[0]
    figures: dict[str, list] = {
        k: [c.get(k) for c in rows] if applies else [] for k in WRITE_COUNTS}
    degraded = bool(rows) and "degraded" in rows[0]
    figures["degraded_rate"] = [_degraded_rate(c) for c in rows] if degraded else []
    figures["monthly_cost"] = [c.get("monthly_cost") for c in rows]
    sticky = bool(rows) and "lost_sessions" in rows[0]
    figures["lost_sessions"] = [c.get("lost_sessions") for c in rows] if sticky else []
    auto = bool(rows) and "instances_mean" in rows[0]
    figures["instances_mean"] = [c.get("instances_mean") for c in rows] if auto else []
    return _with_ci(figures, len(replications) > 1)


def design_counters(replications: list[dict]) -> dict:
    """The design's totals: duplicates summed over the terminals, the degraded rate =
    degraded / offered (None when no service has an optional call), and the monthly cost with
    autoscaled services at their time-averaged instances."""
    figures: dict[str, list] = {k: [] for k in WRITE_COUNTS}
    figures["degraded_rate"] = []
    figures["monthly_cost"] = []
    figures["lost_sessions"] = []
    for r in replications:
        comps = r.get("components", {}).values()
        costs = [c.get("monthly_cost") for c in comps]
        figures["monthly_cost"].append(None if None in costs else sum(costs))
        for k in WRITE_COUNTS:
            figures[k].append(sum(c.get(k) or 0 for c in comps))
        if any("lost_sessions" in c for c in comps):
            figures["lost_sessions"].append(sum(c.get("lost_sessions") or 0 for c in comps))
        if any("degraded" in c for c in comps):
            offered = r.get("offered") or 0
            figures["degraded_rate"].append(r.get("degraded", 0) / offered if offered else None)
    return _with_ci(figures, len(replications) > 1)


def breaker_transitions(replications: list[dict]) -> dict:
    """{link id: [[t_s, state], ...]} of every link with a circuit breaker, from the first
    replication (states ``closed``, ``open``, ``half_open``; times from the run's start)."""
    if not replications:
        return {}
    links = replications[0].get("links", {})
    return {lid: [list(t) for t in row["breaker"]["transitions"]]
            for lid, row in links.items() if "breaker" in row}
