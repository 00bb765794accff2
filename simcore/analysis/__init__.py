"""The instant analysis (SPEC §3): flow, queueing, latency, saturation, cost and availability of a
design, as closed forms and exact sums, fast enough to rerun on every edit.

    from simcore.analysis import analyze
    result = analyze(design)            # a Design or a compiled Topology
    result.to_json()                    # the `skyline analyze --json` object

Order of work: compile the topology into a plan, flow from the clients down, holding and
response times from the leaves up, the end-to-end figures at the clients, the saturation point by
bisection, cost, and (unless ``availability=False``) the availability part.
"""

from __future__ import annotations

from simcore.analysis.autoscale import autoscale_instances, autoscaled, with_instances
from simcore.analysis.cost import billed_nodes, monthly_cost
from simcore.analysis.fleet import failures_per_year
from simcore.analysis.flow import Plan, admitted_client_rps, compile_plan, run_flow
from simcore.analysis.latency import (
    client_mean_latency,
    mean_latency,
    own_latency,
    run_times,
)
from simcore.analysis.percentiles import design_percentiles
from simcore.analysis.result import (
    AnalysisResult,
    ComponentResult,
    DbNodeResult,
    GroupResult,
)
from simcore.analysis.saturation import find_saturation
from simcore.design import Design
from simcore.topology import Topology, compile_design

__all__ = ["AnalysisResult", "ComponentResult", "GroupResult", "analyze"]


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def analyze(design: Design | Topology, availability: bool = True) -> AnalysisResult:
    """Analyse ``design`` (a Design, checked here: an invalid one raises DesignError; or a
    Topology already compiled from a valid design). With ``availability`` false the availability
    fields are left None (the designer may compute them apart)."""
    topo = design if isinstance(design, Topology) else compile_design(design, check=True)
    auto = autoscaled(topo)
    counts = autoscale_instances(topo, auto) if auto else {}
    plan = compile_plan(with_instances(topo, counts) if auto else topo)
    if auto:  # at the design's load with the instances it needs; saturation at the maximum
        sat_plan = compile_plan(with_instances(topo, {c: a.max_instances
                                                      for c, a in auto.items()}))
        topo = with_instances(topo, counts)
    flow = run_flow(plan, 1.0)
    times = run_times(plan, flow, with_db_nodes=True)
    if auto:
        sat = find_saturation(sat_plan, run_times(sat_plan, run_flow(sat_plan, 1.0)).utilization)
    else:
        sat = find_saturation(plan, times.utilization)
    weights = admitted_client_rps(plan, flow)

    components: dict[str, ComponentResult] = {}
    for c in topo.design.components:
        components[c.id] = _component_row(topo, plan, flow, times, c.id, weights)
    for cid, k in counts.items():
        components[cid].autoscale_instances = k
    groups = {gid: GroupResult(gid, None, None) for gid in topo.groups}
    mean_s = mean_latency(plan, times)
    p50, p95, p99 = (None if q is None else _ms(q) for q in design_percentiles(plan, times))
    non_clients = [u for i, u in enumerate(times.utilization) if not plan.nodes[i].is_client]
    max_util = max(non_clients, default=0.0)
    result = AnalysisResult(
        name=topo.design.name,
        offered_rps=plan.offered_rps,
        saturation_rps=sat.rps,
        saturation_factor=sat.factor,
        bottleneck=sat.bottleneck,
        saturated=max_util >= 1.0,
        max_utilization=max_util,
        latency_mean_ms=_ms(mean_s),
        latency_p50_ms=p50,
        latency_p95_ms=p95,
        latency_p99_ms=p99,
        fleet_failures_per_year=sum(c.failures_per_year or 0.0 for c in components.values()),
        monthly_cost=sum(c.monthly_cost or 0.0 for c in components.values()),
        components=components,
        groups=groups,
        client_weights=weights,
        saturation_evaluations=sat.evaluations,
    )
    if availability:
        _add_availability(topo, result)
        _add_under_load(topo, plan, times.hold, result)
    return result


def _component_row(topo: Topology, plan: Plan, flow, times, cid: str,
                   weights: dict[str, float]) -> ComponentResult:
    i = plan.index[cid]
    node = plan.nodes[i]
    tnode = topo.nodes[cid]
    if node.is_client:
        return ComponentResult(
            id=cid, kind=node.kind, arrival_rps=node.rps, read_rps=flow.read[i],
            write_rps=flow.write[i], utilization=None,
            latency_ms=_ms(client_mean_latency(plan, times, i)),
            admitted_rps=weights.get(cid))
    own_s = own_latency(plan, flow, times, i)
    row = ComponentResult(
        id=cid, kind=node.kind, arrival_rps=flow.total(i), read_rps=flow.read[i],
        write_rps=flow.write[i], utilization=times.utilization[i],
        latency_ms=_ms(own_s),
        monthly_cost=monthly_cost(tnode),
        wait_ms=_ms(own_s - node.service_s),
        service_ms=_ms(node.service_s), holding_ms=_ms(times.hold[i]),
        response_read_ms=_ms(times.r0_read[i]), response_write_ms=_ms(times.r0_write[i]),
        instances=node.instances, billed_nodes=billed_nodes(tnode),
        failures_per_year=failures_per_year(tnode),
        hit_ratio=tnode.behaviour.hit_ratio(tnode),
        hit_ratio_computed=tnode.computed_hit_ratio is not None)
    if node.limit_rps is not None:
        row.forwarded_rps = flow.total(i) * flow.passed[i]
        row.rejected_rps = flow.total(i) - row.forwarded_rps
    for dn in times.db_nodes.get(i, []):
        ld = dn.load
        row.db_nodes.append(DbNodeResult(ld.shard, ld.role, ld.count, ld.reads, ld.writes,
                                         dn.utilization, _ms(dn.wait_s),
                                         every_shard=node.db.uniform and len(node.db.shares) > 1))
    return row


def _add_availability(topo: Topology, result: AnalysisResult) -> None:
    from simcore.analysis.availability import (
        analyze_availability,
        full_service_availability,
        has_optional_calls,
    )
    from simcore.analysis.nines import downtime_seconds, nines

    rep = analyze_availability(topo, dict(result.client_weights))
    result.availability_computed = True
    result.availability = rep.availability
    result.full_service_availability = (
        full_service_availability(topo, dict(result.client_weights))
        if has_optional_calls(topo) else rep.availability)
    result.unavailability = rep.unavailability
    result.nines = nines(rep.unavailability)
    result.downtime_s = dict(downtime_seconds(rep.unavailability))
    result.availability_method = rep.method
    result.availability_ci95 = None if rep.ci95 is None else list(rep.ci95)
    result.spofs = sorted(rep.spofs)
    for cid, row in result.components.items():
        if topo.nodes[cid].spec.behaviour.is_source:
            row.availability = rep.per_client.get(cid)
        else:
            row.availability = rep.component_availability.get(cid)
            row.failure_impact = rep.failure_impact.get(cid)
    for gid, g in result.groups.items():
        g.availability = rep.group_availability.get(gid)
        g.failure_impact = rep.group_impact.get(gid)


def _add_under_load(topo: Topology, plan: Plan, hold: list[float], result: AnalysisResult) -> None:
    """SPEC §7.2: availability with survivors that may be overloaded, per component the loss
    with one instance down, and the capacity risks."""
    from simcore.analysis.under_load import Structural, availability_under_load

    structural = None
    if result.availability_method == "exact":
        structural = Structural(
            {cid: row.availability for cid, row in result.components.items()
             if topo.nodes[cid].role == "source"},
            {cid: row.failure_impact or 0.0 for cid, row in result.components.items()
             if topo.nodes[cid].role != "source"})
    rep = availability_under_load(topo, plan, hold, result.client_weights, result.spofs,
                                  structural)
    result.availability_under_load = rep.availability
    result.unavailability_under_load = rep.unavailability
    result.availability_under_load_method = rep.method
    result.availability_under_load_ci95 = rep.ci95
    result.capacity_risks = rep.capacity_risks
    result.capacity_risk_detail = rep.risk_detail
    for cid, row in result.components.items():
        row.one_down_impact = rep.one_down_impact.get(cid)
