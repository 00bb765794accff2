"""Why a figure is what it is: for each figure of an analysis, the formula with this design's
numbers, one sentence of meaning, and the concept behind it (a section of docs/concepts.md).

    from simcore.explain import explain_summary, explain_item
    for e in explain_summary(design, analyze(design)):
        print(e.text())

``skyline analyze FILE --explain`` and the designer's "Why?" popups both read these, so the
command line and the window say the same. Each Explanation keeps in ``numbers`` the analysis'
own figures it quotes (unrounded), so tests can check they agree with the analysis. Figures the
analysis does not compute (availability under load, capacity risks in an older analysis) are
simply not explained.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from simcore.analysis.report import _avail, _duration, _ms, _pct
from simcore.analysis.report import _money as _amount
from simcore.analysis.result import AnalysisResult, finite_or_none
from simcore.design import Design
from simcore.params import component_params
from simcore.text import number

CONCEPTS_DOC = "docs/concepts.md"

CONCEPTS = {
    # key: the title of its section in docs/concepts.md
    "availability": "Availability in series and parallel",
    "nines": "The nines table",
    "latency": "Latency percentiles",
    "littles_law": "Little's law",
    "saturation": "Throughput, utilisation and saturation",
    "spof": "Single points of failure (SPOFs)",
    "mtbf": "MTBF and MTTR",
    "standby": "Standby types",
    "cost": "Cost",
    "caching": "Caching and hit ratios",
    "load_balancing": "Load balancing and its algorithms",
    "replication": "Replication and lag",
    "sharding": "Sharding and hot shards",
    "capacity": "Redundancy that carries the load (N + 1)",
    "estimation": "Back-of-the-envelope estimation",
    "stages": "The six scaling stages",
    "queues": "Queues and load levelling",
    "retries": "Retries and timeouts",
    "zones": "Zones and regions",
    "chaos": "Chaos scenarios",
    "rate_limiting": "Rate limiting",
    "circuit_breakers": "Circuit breakers",
}

PARAM_CONCEPTS = {
    # parameter name: the concept that explains it (the inspector's tooltips name it)
    "workers": "saturation", "service_time_ms": "saturation", "instances": "availability",
    "blocking": "saturation", "queue_limit": "saturation",
    "availability": "availability", "mtbf_hours": "mtbf", "mttr_hours": "mtbf",
    "standby": "standby", "failover_s": "standby", "cost_per_hour": "cost",
    "algorithm": "load_balancing", "health_check_interval_s": "load_balancing",
    "weight": "load_balancing", "hit_ratio": "caching", "replicas": "replication",
    "replication": "replication", "replication_lag_ms": "replication", "shards": "sharding",
    "shard_skew": "sharding", "capacity": "queues", "limit_rps": "rate_limiting",
    "rate_limit_rps": "rate_limiting", "burst": "rate_limiting", "policy": "rate_limiting",
    "timeout_ms": "retries", "retries": "retries", "retry_backoff_ms": "retries",
    "circuit_breaker": "circuit_breakers", "failure_threshold": "circuit_breakers",
    "window_s": "circuit_breakers", "open_s": "circuit_breakers", "latency_ms": "latency",
    "rps": "estimation", "read_ratio": "estimation",
}


def param_concept(name: str) -> str | None:
    """The title of the concepts-guide section that explains parameter ``name``, if any."""
    key = PARAM_CONCEPTS.get(name)
    return CONCEPTS[key] if key else None


def concept_anchor(title: str) -> str:
    """The anchor of a section titled ``title`` (GitHub's rule: lower case, punctuation
    dropped, spaces as hyphens)."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def concept_link(key: str) -> str:
    """docs/concepts.md#anchor of concept ``key``."""
    return f"{CONCEPTS_DOC}#{concept_anchor(CONCEPTS[key])}"


@dataclass
class Explanation:
    """One figure explained. ``figure`` names it (``saturation``; ``utilization`` for a
    component row, with ``subject`` the component or group id); ``value`` is how the figure is
    shown; ``numbers`` the analysis' own values the formula quotes."""

    figure: str
    title: str
    value: str
    formula: str
    meaning: str
    concept: str
    anchor: str
    subject: str | None = None
    numbers: dict[str, float | None] = field(default_factory=dict)

    @property
    def link(self) -> str:
        return f"{CONCEPTS_DOC}#{self.anchor}"

    def text(self) -> str:
        """Plain text: title and value, the formula, its meaning, the concept and its link."""
        return (f"{self.title}: {self.value}\n  {self.formula}\n  {self.meaning}\n"
                f"  Concept: {self.concept} ({self.link})")

    def to_json(self) -> dict:
        return {"figure": self.figure, "subject": self.subject, "title": self.title,
                "value": self.value, "formula": self.formula, "meaning": self.meaning,
                "concept": self.concept, "link": self.link,
                "numbers": {k: finite_or_none(v) for k, v in self.numbers.items()}}


def _explanation(figure: str, title: str, value: str, formula: str, meaning: str,
                 concept: str, subject: str | None = None, **numbers) -> Explanation:
    name = CONCEPTS[concept]
    return Explanation(figure, title, value, formula, meaning, name, concept_anchor(name),
                       subject, numbers)


def _money(x: float | None) -> str:
    return "—" if x is None else f"${_amount(x)}"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


class Context:
    """A design, its analysis, and what the explanations look up in them."""

    def __init__(self, design: Design, result: AnalysisResult):
        self.design, self.r = design, result
        self.comps = {c.id: c for c in design.components}
        self.out: dict[str, list[str]] = {c.id: [] for c in design.components}
        self.inbound: dict[str, list[str]] = {c.id: [] for c in design.components}
        for lk in design.links:
            self.out[lk.source].append(lk.target)
            self.inbound[lk.target].append(lk.source)

    def name(self, ident: str) -> str:
        if ident in self.comps:
            return self.comps[ident].label
        for g in self.design.groups:
            if g.id == ident:
                return g.label
        return ident

    def params(self, cid: str):
        return component_params(self.comps[cid])

    def kind(self, cid: str) -> str:
        return self.comps[cid].kind

    @property
    def offered(self) -> float:
        return self.r.offered_rps

    @property
    def unavailability(self) -> float:
        if self.r.unavailability is not None:
            return self.r.unavailability
        return 1.0 - (self.r.availability or 0.0)

    def non_clients(self) -> list[str]:
        return [cid for cid, c in self.comps.items() if c.kind != "client"]

    def failing_parts(self) -> list[str]:
        """Components and groups that can fail (availability below 1)."""
        out = [cid for cid in self.non_clients()
               if (self.r.components[cid].availability or 1.0) < 1.0]
        return out + [gid for gid, g in self.r.groups.items() if (g.availability or 1.0) < 1.0]

    def shared(self) -> list[str]:
        """Components that requests reach by two or more different paths."""
        return [cid for cid, srcs in self.inbound.items() if len(set(srcs)) >= 2]

    def downstream(self, cid: str) -> list[str]:
        """The parts a request to ``cid`` waits on: everything below it up to a queue."""
        from simcore.journey import waited_on

        return waited_on(self.design, [cid])

    @cached_property
    def at_saturation(self) -> AnalysisResult | None:
        """The analysis with every client scaled to just below the saturation point (what the
        design looks like as it breaks), or None when nothing saturates."""
        from simcore.analysis import analyze

        f = self.r.saturation_factor
        if f is None or self.r.saturated:
            return None
        scaled = self.design.model_copy(deep=True)
        for c in scaled.components:
            if c.kind == "client":
                c.params = {**c.params, "rps": float(c.params.get("rps", 0.0)) * f * (1 - 1e-6)}
        return analyze(scaled, availability=False)

    def capacity(self, cid: str, at: AnalysisResult) -> tuple[str, float, float] | None:
        """How component ``cid`` tops out in analysis ``at``: (sentence, its top rate in rps,
        the rate it receives there). For a database, its busiest node."""
        row = at.components[cid]
        p = self.params(cid)
        if row.db_nodes:
            node = max(row.db_nodes, key=lambda n: n.utilization)
            where = node.role + (f" of shard {node.shard}" if len(
                {n.shard for n in row.db_nodes}) > 1 or node.every_shard else "")
            top = p.workers / (p.service_time_ms / 1000.0) if p.service_time_ms > 0 else math.inf
            sentence = (f"{self.name(cid)}'s busiest node (the {where}) serves {p.workers} "
                        f"queries at once for {_ms(p.service_time_ms)} ms each, so it tops out "
                        f"at {p.workers} / {number(p.service_time_ms / 1000)} s ≈ "
                        f"{number(top)} rps")
            return sentence, top, node.read_rps + node.write_rps
        hold = row.holding_ms or 0.0
        if hold <= 0:
            return None
        n = row.instances or 1
        total = n * p.workers
        top = total / (hold / 1000.0)
        own = row.service_ms or 0.0
        who = f"{self.name(cid)}" + (f" ({n} instances × {p.workers} workers)" if n > 1 else "")
        if hold > own * (1 + 1e-9) + 1e-12:
            callees = _join([self.name(t) for t in self.downstream(cid)]) or "its calls"
            sentence = (f"{who}: each of the {total:,} workers is held {_ms(hold)} ms a "
                        f"request ({_ms(own)} ms of its own work, the rest waiting on "
                        f"{callees}), so they top out at {total:,} / {number(hold / 1000)} s ≈ "
                        f"{number(top)} rps")
        else:
            sentence = (f"{who}: each of the {total:,} workers is busy {_ms(hold)} ms a "
                        f"request, so they top out at {total:,} / {number(hold / 1000)} s ≈ "
                        f"{number(top)} rps")
        return sentence, top, row.arrival_rps


# --- the summary figures -----------------------------------------------------------------------
def explain_summary(design: Design, result: AnalysisResult) -> list[Explanation]:
    """One explanation per summary figure the analysis has: availability, nines, downtime,
    latency, cost, saturation, bottleneck, SPOFs (and availability under load and capacity risks
    when the analysis computes them)."""
    ctx = Context(design, result)
    out = []
    if result.availability is not None:
        out += [_availability(ctx), _nines(ctx), _downtime(ctx)]
    out += [_latency(ctx), _cost(ctx), _saturation(ctx), _bottleneck(ctx)]
    if result.availability_computed:
        out.append(_spofs(ctx))
    from simcore.explain_rows import explain_under_load

    out += explain_under_load(ctx)
    return out


def _availability(ctx: Context) -> Explanation:
    r = ctx.r
    u = ctx.unavailability
    value = _avail(r.availability, u)
    if u <= 0:
        formula = ("Nothing in this design can fail: every part has availability 1 (never "
                   "fails), the default. Set an availability or MTBF/MTTR on the parts to see "
                   "nines.")
        return _explanation("availability", "Availability", value, formula,
                            "The share of requests that succeed, with every part up and down "
                            "in its steady state.", "availability",
                            availability=r.availability, unavailability=u)
    every = [cid for cid in ctx.non_clients()
             if (r.components[cid].failure_impact or 0.0) >= 1 - 1e-12]
    every += [gid for gid, g in r.groups.items() if (g.failure_impact or 0.0) >= 1 - 1e-12]
    first_order = 0.0
    terms = []
    for ident in ctx.failing_parts():
        row = r.components.get(ident) or r.groups[ident]
        a, impact = row.availability or 1.0, row.failure_impact or 0.0
        if impact <= 1e-12:
            continue
        first_order += (1 - a) * impact
        terms.append(f"{ctx.name(ident)} {_pct_fine(1 - a)} × {_pct(impact)}")
    def row(i):
        return r.components.get(i) or r.groups[i]

    series = " × ".join(f"{ctx.name(i)} {_avail(row(i).availability)}" for i in every)
    formula = f"availability = {series or 'no single part'} (the parts every request needs)"
    partial = [i for i in ctx.failing_parts() if i not in every
               and (row(i).failure_impact or 0.0) > 1e-12]
    if partial:
        formula += " × " + " × ".join(
            f"{ctx.name(i)} {_avail(row(i).availability)} for the "
            f"{_pct(row(i).failure_impact)} of requests that need it" for i in partial)
    shared = ctx.shared()
    if shared:
        formula += (", with " + _join([f"{ctx.name(s)} counted once though "
                                       f"{len(set(ctx.inbound[s]))} paths use it"
                                       for s in shared]))
    formula += (f". Roughly, 1 − A ≈ Σ unavailability × share lost = {' + '.join(terms)} "
                f"≈ {_pct_fine(first_order)}; "
                + ("exactly (every combination of failures)" if r.availability_method == "exact"
                   else "by a Monte Carlo estimate")
                + f" 1 − A = {_pct_fine(u)}, so A = {value}.")
    rest = u - first_order
    if abs(rest) > 0.05 * u:
        formula += (f" The rough sum is {_pct_fine(abs(rest))} "
                    + ("low: it misses the times several parts are down at once (redundant "
                       "parts failing together)." if rest > 0 else
                       "high: it counts overlapping failures twice, and a database as wholly "
                       "down whenever its primary is (its replicas still serve reads)."))
    harmless = [cid for cid in ctx.failing_parts() if cid in r.components
                and (r.components[cid].failure_impact or 0.0) <= 1e-12]
    meaning = ("The share of requests that succeed, every part up and down independently in "
               "its steady state.")
    if harmless:
        meaning += (" " + _join([ctx.name(h) for h in harmless]) + " can fail alone without "
                    "losing requests (a cache passes them on, a redundant path carries them), "
                    "so only failures together count for them.")
    return _explanation("availability", "Availability", value, formula, meaning,
                        "availability", availability=r.availability, unavailability=u,
                        first_order_unavailability=first_order)


def _pct_fine(u: float) -> str:
    """A small share with the digits it needs: 0.05 %, 0.0001 %."""
    if u <= 0:
        return "0 %"
    return f"{100 * u:.{max(1, min(12, 1 - math.floor(math.log10(100 * u))))}f} %"


def _nines(ctx: Context) -> Explanation:
    r, u = ctx.r, ctx.unavailability
    if r.nines is None:
        return _explanation(
            "nines", "Nines", "∞",
            "nines = −log10(1 − A) = −log10(0) = ∞: nothing in this design can fail (every "
            "part has availability 1, never fails, the default).",
            "Set an availability or MTBF/MTTR on the parts to see how many nines the design "
            "really has.", "nines", nines=None, unavailability=u)
    return _explanation(
        "nines", "Nines", f"{r.nines:.2f}",
        f"nines = −log10(1 − A) = −log10({number(u)}) = {r.nines:.2f}",
        "Each nine divides the downtime by ten: 3 nines is 99.9 %, about 8.8 hours down a year; "
        "4 nines about 53 minutes.", "nines", nines=r.nines, unavailability=u)


def _downtime(ctx: Context) -> Explanation:
    r, u = ctx.r, ctx.unavailability
    d = r.downtime_s or {}
    year = d.get("year", 0.0)
    return _explanation(
        "downtime", "Downtime per year", _duration(year),
        f"downtime = (1 − A) × 365 days = {number(u)} × 8,760 h = {_duration(year)} a year; "
        f"a month (a twelfth of a year) {_duration(d.get('month'))}, a week "
        f"{_duration(d.get('week'))}",
        "The expected time per period during which requests fail, spread over many short "
        "outages or a few long ones.", "nines",
        downtime_per_year_s=year, downtime_per_month_s=d.get("month"),
        downtime_per_week_s=d.get("week"), unavailability=u)


def _sync_reached(ctx: Context) -> set[str]:
    """Components a client waits for: reached from the clients without passing a queue."""
    from simcore.journey import waited_on

    clients = [cid for cid, c in ctx.comps.items() if c.kind == "client"]
    return set(clients) | set(waited_on(ctx.design, clients))


def _latency(ctx: Context) -> Explanation:
    r = ctx.r
    mean = r.latency_mean_ms
    if mean is None or math.isinf(mean):
        sat = [cid for cid in ctx.non_clients() if (r.components[cid].utilization or 0) >= 1]
        return _explanation(
            "latency", "Latency", "∞",
            f"mean latency = ∞: {_join([ctx.name(s) for s in sat]) or 'a part'} "
            f"{'are' if len(sat) > 1 else 'is'} at 100 % busy or more, so the queue grows "
            "without bound.",
            "An overloaded part makes every request that passes it wait longer and longer.",
            "saturation", latency_ms=mean)
    admitted = sum(r.client_weights.values()) or ctx.offered
    if admitted <= 0:
        return _explanation(
            "latency", "Latency", f"{_ms(mean)} ms",
            f"no traffic: a lone request's time through the parts and links = {_ms(mean)} ms",
            "With no load nothing waits: a request's time is the parts' service and the links.",
            "latency", latency_ms=mean)
    waited = _sync_reached(ctx)
    parts, at_parts = [], 0.0
    for cid in ctx.non_clients():
        row = r.components[cid]
        if cid not in waited or not row.arrival_rps or row.latency_ms is None:
            continue
        visits = row.arrival_rps / admitted if admitted > 0 else 0.0
        at_parts += visits * row.latency_ms
        parts.append(f"{ctx.name(cid)} {_ms(row.latency_ms)} ms" +
                     ("" if abs(visits - 1) < 1e-9 else f" × {number(visits, 3)} visits"))
    network = mean - at_parts
    formula = (f"mean = Σ visits × time at each part + the links (both ways) = "
               f"({' + '.join(parts) or '0'}) + links {_ms(max(network, 0.0))} ms "
               f"= {_ms(mean)} ms")
    return _explanation(
        "latency", "Latency", f"{_ms(mean)} ms", formula,
        "The mean time from a request's start to its answer, over the admitted requests; the "
        "parts' time is their queue wait plus their own work per visit.", "latency",
        latency_ms=mean, at_parts_ms=at_parts, links_ms=network)


def _cost(ctx: Context) -> Explanation:
    r = ctx.r
    terms = []
    for cid in ctx.non_clients():
        row = r.components[cid]
        if not row.monthly_cost:
            continue
        p = ctx.params(cid)
        terms.append(f"{ctx.name(cid)} ${number(p.cost_per_hour)}/h × 730 h × "
                     f"{row.billed_nodes} node{'s' if row.billed_nodes != 1 else ''} = "
                     f"{_money(row.monthly_cost)}")
    formula = ("monthly cost = Σ cost per hour × 730 h × nodes (instances, or database nodes, "
               "plus standbys): " + ("; ".join(terms) if terms else "no part has a price")
               + f"; total {_money(r.monthly_cost)}")
    return _explanation("cost", "Cost per month", _money(r.monthly_cost), formula,
                        "What the design costs to run for a month of 730 hours, every node "
                        "billed whether busy or idle.", "cost", monthly_cost=r.monthly_cost)


def _saturation(ctx: Context) -> Explanation:
    r = ctx.r
    meaning = ("The total request rate, all clients scaled together, at which the first part "
               "reaches 100 % busy; beyond it queues grow without bound.")
    if r.saturated:
        worst = _overloaded(ctx)
        rho = r.components[worst].utilization or 0.0
        return _explanation(
            "saturation", "Saturation", "saturated",
            f"Saturated now: {ctx.name(worst)} is at ρ = {_pct(rho)} with the offered "
            f"{number(ctx.offered)} rps; a part at 100 % or more cannot keep up.",
            meaning, "saturation", saturation_rps=r.saturation_rps, offered_rps=ctx.offered,
            utilization=rho)
    if r.saturation_rps is None:
        why = ("there is no traffic" if ctx.offered <= 0
               else "no part reaches 100 % even at a million times the traffic")
        return _explanation("saturation", "Saturation", "—", f"No saturation point: {why}.",
                            meaning, "saturation", saturation_rps=None,
                            offered_rps=ctx.offered)
    at = ctx.at_saturation
    b = r.bottleneck
    cap = ctx.capacity(b, at) if at is not None and b else None
    value = f"{number(r.saturation_rps)} rps"
    if cap is None:
        formula = f"saturation = {value}, found by scaling every client until a part is full"
        return _explanation("saturation", "Saturation", value, formula, meaning,
                            "saturation", saturation_rps=r.saturation_rps)
    sentence, top, receives = cap
    share = receives / r.saturation_rps if r.saturation_rps else 1.0
    formula = sentence
    if abs(share - 1) > 1e-4:
        formula += (f"; it receives {_pct(share)} of the traffic, so the design tops out at "
                    f"{number(top)} / {number(share, 3)} ≈ {number(top / share)} rps")
    formula += _limit_clause(ctx, at, b)
    return _explanation("saturation", "Saturation", value, formula, meaning, "saturation",
                        saturation_rps=r.saturation_rps, offered_rps=ctx.offered,
                        top_rps=top, share=share)


def _limit_clause(ctx: Context, at: AnalysisResult, b: str) -> str:
    """What caps the bottleneck: a part it waits on that tops out first on its own (the limit
    to grow, simcore.journey), or else the next part to fill."""
    from simcore.journey import limit_of

    limit, limit_rps = limit_of(ctx.design, b)
    if limit != b:
        return (f"; the workers wait on {ctx.name(limit)} "
                f"({_pct(at.components[limit].utilization)} busy at that point), which on its "
                f"own tops out at {number(limit_rps)} rps: {ctx.name(limit)} is the limit to grow")
    runner_up = _runner_up(ctx, at, b)
    if runner_up:
        return (f", before {ctx.name(runner_up)} "
                f"({_pct(ctx.r.components[runner_up].utilization)} busy now) reaches its limit")
    return ""


def _overloaded(ctx: Context) -> str:
    """The part that gets more work than it can do: the busiest with a finite ρ ≥ 1 (a blocking
    caller of an overloaded part shows ρ = ∞ only because it waits on it), else the busiest."""
    rho = {c: ctx.r.components[c].utilization or 0.0 for c in ctx.non_clients()}
    finite = [c for c, u in rho.items() if 1.0 <= u < math.inf]
    return max(finite or rho, key=lambda c: rho[c])


def _runner_up(ctx: Context, at: AnalysisResult, b: str) -> str | None:
    others = [c for c in ctx.non_clients() if c != b and (at.components[c].utilization or 0) > 0]
    return max(others, key=lambda c: at.components[c].utilization, default=None)


def _bottleneck(ctx: Context) -> Explanation:
    r = ctx.r
    b = r.bottleneck
    meaning = ("The first part to reach 100 % busy as traffic grows; to carry more, grow it, or "
               "the part it waits on when that is what caps it.")
    if b is None:
        return _explanation("bottleneck", "Bottleneck", "—", "No traffic, so no bottleneck.",
                            meaning, "saturation", utilization=None)
    rho = r.components[b].utilization or 0.0
    formula = f"{ctx.name(b)}: {_pct(rho)} busy now"
    at = ctx.at_saturation
    if at is not None:
        nxt = _runner_up(ctx, at, b)
        formula += (f", the first part at 100 % as every client is scaled up (at "
                    f"{number(r.saturation_rps)} rps)")
        if nxt and at.components[nxt].utilization >= 1 - 1e-4:
            formula += f"; {ctx.name(nxt)} fills at the same point"
        elif nxt:
            formula += (f"; {ctx.name(nxt)} is then at {_pct(at.components[nxt].utilization)}")
        busier = [c for c in ctx.non_clients()
                  if (r.components[c].utilization or 0.0) > rho * (1 + 1e-9)]
        if busier:
            top = max(busier, key=lambda c: r.components[c].utilization)
            formula += (f". {ctx.name(top)} is busier now "
                        f"({_pct(r.components[top].utilization)} against {_pct(rho)}), yet the "
                        f"first to fill is {ctx.name(b)}: its workers wait on the parts it "
                        "calls, and those waits grow as they get busier")
        from simcore.journey import limit_of

        limit, limit_rps = limit_of(ctx.design, b)
        if limit != b:
            formula += (f". What caps it is {ctx.name(limit)}, which on its own tops out at "
                        f"{number(limit_rps)} rps: grow {ctx.name(limit)} to carry more")
    elif r.saturated:
        formula += ": the design is saturated now"
        worst = _overloaded(ctx)
        if worst != b:
            formula += (f"; {ctx.name(worst)} gets more work than it can do (ρ = "
                        f"{_pct(r.components[worst].utilization)}) and {ctx.name(b)} waits on "
                        "it without end")
    else:
        formula += ": nothing saturates, this is the busiest part now"
    return _explanation("bottleneck", "Bottleneck", ctx.name(b), formula + ".", meaning,
                        "saturation", utilization=rho)


def _spofs(ctx: Context) -> Explanation:
    r = ctx.r
    spofs = list(r.spofs)
    parts = []
    for s in spofs:
        row = r.components.get(s) or r.groups.get(s)
        parts.append(f"{ctx.name(s)} ({_pct(row.failure_impact)} of requests lost if it fails)")
    not_spof = [cid for cid in ctx.non_clients()
                if cid not in spofs and (r.components[cid].instances or 1) == 1
                and ctx.params(cid).standby == "none"]
    formula = (f"{len(spofs)} SPOF{'s' if len(spofs) != 1 else ''}: "
               + (_join(parts) if parts else "none") + ". A SPOF is a part with one instance "
               "and no standby, or a zone or region, whose failure alone (everything else up) "
               "loses requests.")
    if not_spof:
        formula += (" " + _join([ctx.name(c) for c in not_spof]) + " also "
                    f"{'has' if len(not_spof) == 1 else 'have'} one instance but lose"
                    f"{'s' if len(not_spof) == 1 else ''} nothing when down (requests go on "
                    "without it).")
    meaning = "Each SPOF is a place where one failure takes requests down: add an instance, a "
    meaning += "standby or replicas."
    if spofs and ctx.unavailability <= 0:
        meaning += (" Here they do not lower the availability, because every part has "
                    "availability 1 (never fails), the default: set it to see their effect.")
    return _explanation("spofs", "SPOFs", str(len(spofs)), formula, meaning, "spof",
                        spofs=float(len(spofs)))
