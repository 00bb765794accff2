"""Autoscaled services in the instant analysis (SPEC §7.8).

An autoscaled service is analysed as a fixed-size one: with ``autoscale_instances`` =
⌈λ · H / (c · target_utilization)⌉ within [min_instances, max_instances] for everything
at the design's own load (utilization, latency, availability, cost), and with
``max_instances`` for the saturation point (the capacity the autoscaler can reach). λ is the
service's arrival rate, H its holding time and c its workers per instance. H of a blocking
service includes the waits below it, which depend on the instances of autoscaled services
there: the counts are found by a fixed-point pass that starts at every service's maximum and
stops when no count changes (a few rounds; at most ``MAX_ROUNDS``).
"""

from __future__ import annotations

import math
from dataclasses import replace

from simcore.analysis.flow import compile_plan, run_flow
from simcore.analysis.latency import run_times
from simcore.topology import Topology

MAX_ROUNDS = 10


def autoscaled(topo: Topology) -> dict:
    """{service id: its AutoscaleParams} for every autoscaled component."""
    return {cid: n.params.autoscale for cid, n in topo.nodes.items()
            if getattr(n.params, "autoscale", None) is not None}


def with_instances(topo: Topology, counts: dict[str, int]) -> Topology:
    """A copy of ``topo`` whose components ``counts`` names have that many instances."""
    nodes = dict(topo.nodes)
    for cid, k in counts.items():
        n = nodes[cid]
        nodes[cid] = replace(n, params=n.params.model_copy(update={"instances": int(k)}))
    return replace(topo, nodes=nodes)


def as_analysed(topo: Topology, result) -> Topology:
    """``topo`` with each autoscaled service at the instances the analysis ``result`` gave
    it (what the reliability simulation then fails and repairs)."""
    counts = {cid: row.autoscale_instances for cid, row in result.components.items()
              if row.autoscale_instances is not None}
    return with_instances(topo, counts) if counts else topo


def needed_instances(arrival_rps: float, hold_s: float, workers: int, auto) -> int:
    """⌈λ · H / (c · target) − 1e-9⌉ within the bounds (the maximum when H is infinite)."""
    busy = arrival_rps * hold_s if arrival_rps > 0 else 0.0
    if not math.isfinite(busy):
        return int(auto.max_instances)
    k = math.ceil(busy / (workers * auto.target_utilization) - 1e-9)
    return int(min(auto.max_instances, max(auto.min_instances, k)))


def autoscale_instances(topo: Topology, auto: dict) -> dict[str, int]:
    """The instances each autoscaled service of ``auto`` needs at the design's own load."""
    counts = {cid: int(a.max_instances) for cid, a in auto.items()}
    for _ in range(MAX_ROUNDS):
        plan = compile_plan(with_instances(topo, counts))
        flow = run_flow(plan, 1.0)
        times = run_times(plan, flow)
        new = {}
        for cid, a in auto.items():
            i = plan.index[cid]
            new[cid] = needed_instances(flow.total(i), times.hold[i], plan.nodes[i].workers, a)
        if new == counts:
            break
        counts = new
    return counts
