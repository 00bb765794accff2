"""Why a component's or group's live figures are what they are (the inspector's rows), and the
figures of availability under load (SPEC §7.2) when the analysis computes them.

Each row explanation quotes the analysis' own values in ``numbers``. See simcore.explain.
"""

from __future__ import annotations

from simcore.analysis.report import _avail, _ms, _pct
from simcore.explain import Context, Explanation, _explanation, _join, _money, _pct_fine
from simcore.text import number

ROW_FIGURES = ("utilization", "arrival_rps", "latency_ms", "availability", "failure_impact",
               "monthly_cost")
GROUP_FIGURES = ("availability", "failure_impact")


def explain_item(design, result, ident: str) -> list[Explanation]:
    """One explanation per live figure of component or group ``ident`` (a client has its
    arrivals, end-to-end latency and availability only)."""
    ctx = Context(design, result)
    if ident in result.groups:
        return [_group_availability(ctx, ident), _failure_impact(ctx, ident)]
    row = result.components[ident]
    if row.kind == "client":
        return [_client_arrivals(ctx, ident), _client_latency(ctx, ident)] + (
            [_client_availability(ctx, ident)] if row.availability is not None else [])
    out = [_utilization(ctx, ident), _arrivals(ctx, ident), _own_latency(ctx, ident)]
    if row.availability is not None:
        out += [_availability(ctx, ident), _failure_impact(ctx, ident)]
    out.append(_monthly_cost(ctx, ident))
    return out


def _utilization(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    p = ctx.params(cid)
    rho = row.utilization
    if row.db_nodes:
        node = max(row.db_nodes, key=lambda n: n.utilization)
        lam = node.read_rps + node.write_rps
        formula = (f"ρ of the busiest node ({node.role}) = its arrivals × service time / "
                   f"connections = {number(lam)} × {_ms(p.service_time_ms)} ms / {p.workers} "
                   f"= {_pct(node.utilization)}")
    else:
        n = row.instances or 1
        lam = row.arrival_rps / n
        per = f"({number(row.arrival_rps)} / {n} instances)" if n > 1 else number(lam)
        formula = (f"ρ = arrivals per instance × holding time / workers = {per} × "
                   f"{_ms(row.holding_ms)} ms / {p.workers:,} = {_pct(rho)}")
        if (row.holding_ms or 0) > (row.service_ms or 0) * (1 + 1e-9) + 1e-12:
            formula += (f" (held {_ms(row.holding_ms)} ms: {_ms(row.service_ms)} ms of its own "
                        "work plus the time it waits on its calls)")
    return _explanation("utilization", "Utilisation", _pct(rho), formula,
                        "The share of its workers busy on average (busy workers = arrivals × "
                        "time held, Little's law); at 100 % its queue grows without bound.",
                        "littles_law", cid, utilization=rho, arrival_rps=row.arrival_rps,
                        holding_ms=row.holding_ms)


def _arrivals(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    share = row.arrival_rps / ctx.offered if ctx.offered > 0 else 0.0
    srcs = _join([ctx.name(s) for s in dict.fromkeys(ctx.inbound[cid])]) or "nothing"
    formula = (f"arrivals = reads {number(row.read_rps)}/s + writes {number(row.write_rps)}/s "
               f"= {number(row.arrival_rps)} rps from {srcs}, {_pct(share)} of the "
               f"{number(ctx.offered)} rps offered")
    concept = "load_balancing"
    behind_cache = [s for s in ctx.inbound[cid] if ctx.kind(s) in ("cache", "cdn")]
    if behind_cache:
        h = ctx.r.components[behind_cache[0]]
        hit = h.hit_ratio  # the one the analysis used: given, or computed from the capacity
        if hit is not None:
            formula += (f"; {ctx.name(behind_cache[0])} answers {_pct(hit)} of the reads it "
                        f"gets ({number(h.read_rps)}/s), so only the misses and the writes come "
                        "on")
        concept = "caching"
    if row.forwarded_rps is not None:
        formula += (f"; its limit lets {number(row.forwarded_rps)} rps through and rejects "
                    f"{number(row.rejected_rps)} rps (429)")
    return _explanation("arrival_rps", "Arrivals", f"{number(row.arrival_rps)} rps", formula,
                        "The requests per second that reach it, reads and writes, from the "
                        "clients' rates through every split, cache and limit on the way.",
                        concept, cid, arrival_rps=row.arrival_rps, read_rps=row.read_rps,
                        write_rps=row.write_rps)


def _own_latency(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    formula = (f"time here per visit = queue wait + service = {_ms(row.wait_ms)} ms + "
               f"{_ms(row.service_ms)} ms = {_ms(row.latency_ms)} ms")
    return _explanation("latency_ms", "Latency", f"{_ms(row.latency_ms)} ms", formula,
                        "A request's own time at this part: waiting for a free worker (it grows "
                        "sharply near 100 % busy), then served; calls it makes are counted at "
                        "their own parts.", "saturation", cid, latency_ms=row.latency_ms,
                        wait_ms=row.wait_ms, service_ms=row.service_ms)


def _availability(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    p = ctx.params(cid)
    a = p.instance_availability
    concept = "mtbf" if p.mtbf_hours is not None else "availability"
    if p.mtbf_hours is not None:
        one = (f"one node: a = MTBF / (MTBF + MTTR) = {number(p.mtbf_hours)} / "
               f"({number(p.mtbf_hours)} + {number(p.mttr_hours)}) = {_avail(a)}")
    elif p.availability is None:
        one = "availability 1 (never fails), the default: set it to see nines"
    else:
        one = f"one instance: a = {_avail(a)}"
    n = row.instances or 1
    formula = one
    if n > 1 and a < 1:
        formula += (f"; {n} instances, down only when all are: 1 − (1 − a)^{n} = 1 − "
                    f"{number(1 - a)}^{n}")
    if p.standby != "none":
        concept = "standby"
        formula += (f"; a {p.standby} standby takes over in {number(p.effective_failover_s)} s"
                    " when it is up")
    if row.db_nodes:
        concept = "replication"
        formula += "; for a database this is its primary's (writes need it)"
    formula += f" → {_avail(row.availability)}"
    return _explanation("availability", "Availability", _avail(row.availability), formula,
                        "The share of time this part can serve, with its instances and standby "
                        "(zones and regions not counted).", concept, cid,
                        availability=row.availability)


def _failure_impact(ctx: Context, ident: str) -> Explanation:
    row = ctx.r.components.get(ident) or ctx.r.groups[ident]
    impact = row.failure_impact or 0.0
    name = ctx.name(ident)
    if impact <= 1e-12:
        why = ("its requests go on to the part behind it"
               if ident in ctx.comps and ctx.kind(ident) in ("cache", "cdn")
               else "the others carry its requests")
        formula = f"If {name} fails, everything else up, no request is lost: {why}."
    elif impact >= 1 - 1e-12:
        formula = f"If {name} fails, everything else up, every request fails: each one needs it."
    else:
        formula = (f"If {name} fails, everything else up, {_pct(impact)} of requests fail: "
                   "only those that need it.")
    spof = ident in ctx.r.spofs
    meaning = ("It is a SPOF: one failure here loses requests." if spof else
               "What its failure alone costs; a part with no redundancy and an impact above 0 "
               "is a SPOF.")
    return _explanation("failure_impact", "If it fails", _pct(impact), formula, meaning,
                        "spof", ident, failure_impact=impact)


def _monthly_cost(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    p = ctx.params(cid)
    formula = (f"cost per hour × 730 h × nodes = ${number(p.cost_per_hour)} × 730 × "
               f"{row.billed_nodes} = {_money(row.monthly_cost)}")
    return _explanation("monthly_cost", "Cost / month", _money(row.monthly_cost), formula,
                        "Every node (instance, database node or standby) billed for a month "
                        "of 730 hours.", "cost", cid, monthly_cost=row.monthly_cost)


def _group_availability(ctx: Context, gid: str) -> Explanation:
    g = ctx.r.groups[gid]
    from simcore.params import group_params

    grp = next(x for x in ctx.design.groups if x.id == gid)
    gp = group_params(grp)
    if g.availability is not None and g.availability >= 1:
        formula = "availability 1 (never fails), the default: set it to see nines"
    else:
        formula = f"the {grp.kind}'s own availability: {_avail(g.availability)}"
        if getattr(gp, "mtbf_hours", None) is not None:
            formula += f" (MTBF {number(gp.mtbf_hours)} h, MTTR {number(gp.mttr_hours)} h)"
    return _explanation("availability", "Availability", _avail(g.availability), formula,
                        f"When the {grp.kind} fails, all its members fail together (a common "
                        "cause).", "availability", gid, availability=g.availability)


def _client_arrivals(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    p = ctx.params(cid)
    formula = (f"rps {number(row.arrival_rps)}: reads = {number(p.read_ratio)} × rps = "
               f"{number(row.read_rps)}/s, writes {number(row.write_rps)}/s")
    return _explanation("arrival_rps", "Arrivals", f"{number(row.arrival_rps)} rps", formula,
                        "The load this client sends; every part's arrivals follow from it.",
                        "load_balancing", cid, arrival_rps=row.arrival_rps)


def _client_latency(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    value = "∞" if row.latency_ms is None or row.latency_ms == float("inf") else \
        f"{_ms(row.latency_ms)} ms"
    formula = (f"end to end = read ratio × a read's time + (1 − read ratio) × a write's time, "
               f"every part and link on the way (links both ways) = {value}")
    return _explanation("latency_ms", "Latency", value, formula,
                        "How long this client's requests take on average, from sending to "
                        "the answer.", "latency", cid, latency_ms=row.latency_ms)


def _client_availability(ctx: Context, cid: str) -> Explanation:
    row = ctx.r.components[cid]
    formula = (f"the share of this client's requests that succeed, every part up and down in "
               f"its steady state = {_avail(row.availability)}")
    return _explanation("availability", "Availability", _avail(row.availability), formula,
                        "Its requests need every part on their path; see the design's "
                        "availability for the formula.", "availability", cid,
                        availability=row.availability)


# --- availability under load (present once the analysis computes it) --------------------------
def explain_under_load(ctx: Context) -> list[Explanation]:
    r = ctx.r
    out = []
    aul = getattr(r, "availability_under_load", None)
    if aul is not None:
        u = getattr(r, "unavailability_under_load", None)
        u = 1.0 - aul if u is None else u
        lost = u - ctx.unavailability
        formula = (f"availability under load = the share of requests served when the parts "
                   f"that stay up must also carry the load of those that failed = {_avail(aul, u)}"
                   f"; against {_avail(r.availability, ctx.unavailability)} on paper, "
                   f"{_pct_fine(max(lost, 0.0))} more requests fail because survivors are "
                   "overloaded")
        out.append(_explanation("availability_under_load", "Availability under load",
                                _avail(aul, u), formula,
                                "Redundancy only helps if the parts left can carry the load: "
                                "an overloaded survivor serves 1/ρ of its requests.", "capacity",
                                availability_under_load=aul, unavailability_under_load=u))
    risks = getattr(r, "capacity_risks", None)
    if risks is not None:
        parts = []
        for cid in risks:
            impact = getattr(r.components[cid], "one_down_impact", None)
            parts.append(f"{ctx.name(cid)} (one instance down loses "
                         f"{_pct(impact) if impact is not None else 'some'} of requests)")
        formula = (f"{len(risks)} capacity risk{'s' if len(risks) != 1 else ''}: "
                   + (_join(parts) if parts else "none")
                   + ". Redundant on paper, but when one instance fails the others are pushed "
                   "past 100 % and shed requests.")
        out.append(_explanation("capacity_risks", "Capacity risks", str(len(risks)), formula,
                                "Run each tier so that it can lose one instance at the peak "
                                "(N + 1) and stay below 100 %.", "capacity",
                                capacity_risks=float(len(risks))))
    return out
