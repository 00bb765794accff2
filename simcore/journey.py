"""The scaling journey: the six scaling stages as steps (docs/concepts.md "The six scaling
stages"), each with the users it was built for, its load from the estimator, and the bottleneck
the analysis finds when the traffic grows until the design saturates.

Nothing here names a bottleneck: ``grow_traffic`` scales every client by the analysis'
saturation factor and reads what broke. With blocking app servers (a worker waits for its
calls), the app's workers always fill first, even when what they wait on is the database; so a
step reports both the *bottleneck* (the first part at 100 %) and the *limit*: of the bottleneck
and the parts it waits on, the one that could carry the least traffic on its own (its capacity,
instances × workers / holding time with no queueing, divided by its share of the traffic).
Growing the limit is what raises the saturation point.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.analysis import AnalysisResult, analyze
from simcore.design import Design
from simcore.estimate import Estimate, EstimateInputs, estimate, stage_name, stage_users_text

REQUESTS_PER_USER = 20
"""Typical requests a day per active user, for a step's load."""
STAGE_USERS = (10_000, 100_000, 500_000, 2_000_000, 10_000_000, 30_000_000)
"""The user count each stage's load is estimated for: the top of its range (stage 6: 30M),
the most the stage must carry."""
_TINY = 1e-6  # a load scale at which no part queues
_PAST = 1 + 1e-5  # the grown design sits just past the saturation point (found to 1e-6)


@dataclass(frozen=True)
class Step:
    """One stage of the journey: its example design and what the next stage changes."""

    stage: int
    example: str
    next_change: str

    @property
    def title(self) -> str:
        return f"Stage {self.stage}: {stage_name(self.stage).lower()}"

    @property
    def users_text(self) -> str:
        return stage_users_text(self.stage)

    def load(self) -> Estimate:
        """The estimator's figures for this stage's user count."""
        return estimate(EstimateInputs(users=STAGE_USERS[self.stage - 1],
                                       requests_per_user=REQUESTS_PER_USER))


STEPS = (
    Step(1, "stage1_single_server.json",
         "Stage 2 moves the database to its own machine: app and database no longer compete "
         "for one CPU, and each can be sized apart."),
    Step(2, "stage2_separate_database.json",
         "Stage 3 puts a cache in front of the database (cache-aside): most reads are answered "
         "from memory and never reach it."),
    Step(3, "stage3_cache.json",
         "Stage 4 puts a load balancer in front of several app servers: the app tier grows "
         "sideways, and one app server failing no longer stops the site."),
    Step(4, "stage4_load_balancer.json",
         "Stage 5 adds read replicas: the primary keeps the writes, the replicas share the "
         "reads (slightly stale, by the replication lag)."),
    Step(5, "stage5_read_replicas.json",
         "Stage 6 shards the data by key: every shard has its own primary, so writes spread "
         "too; a skewed key makes one shard hot."),
    Step(6, "stage6_sharding.json",
         "The last stage here. Beyond it: more shards (and resharding), distributed databases, "
         "several regions."),
)


@dataclass
class Growth:
    """What growing the traffic found. ``factor`` scales every client's rps to the saturation
    point (``saturation_rps`` in total); ``bottleneck`` is the first part at 100 %, ``limit``
    the part whose own capacity caps the design (see the module's docstring), with
    ``limit_rps`` the total traffic it could carry on its own; ``utilization`` every part's ρ
    at the saturation point; ``design`` the design with its clients scaled just past it (so
    the bottleneck shows at 100 % and the design as saturated)."""

    factor: float
    saturation_rps: float
    bottleneck: str
    limit: str
    limit_rps: float
    utilization: dict[str, float]
    design: Design


def scaled(design: Design, factor: float) -> Design:
    """A copy of ``design`` with every client's rps multiplied by ``factor``."""
    out = design.model_copy(deep=True)
    for c in out.components:
        if c.kind == "client":
            c.params = {**c.params, "rps": float(c.params.get("rps", 0.0)) * factor}
    return out


def standalone_limits(design: Design) -> dict[str, float]:
    """For each part that carries traffic, the total rps (clients scaled together) at which it
    alone would be full if nothing queued anywhere: instances × workers / holding time, or a
    database's busiest node's workers / service time, divided by its share of the traffic."""
    from simcore.params import component_params

    tiny = analyze(scaled(design, _TINY), availability=False)
    offered = tiny.offered_rps
    out: dict[str, float] = {}
    if offered <= 0:
        return out
    for cid, row in tiny.components.items():
        if row.kind == "client" or not row.arrival_rps:
            continue
        p = component_params(design.component(cid))
        if row.db_nodes:
            node = max(row.db_nodes, key=lambda n: n.utilization)
            capacity, receives = p.workers / (p.service_time_ms / 1000.0), \
                node.read_rps + node.write_rps
        else:
            capacity = (row.instances or 1) * p.workers / ((row.holding_ms or 0.0) / 1000.0) \
                if row.holding_ms else float("inf")
            receives = row.arrival_rps
        out[cid] = capacity * offered / receives
    return out


def waited_on(design: Design, sources: list[str]) -> list[str]:
    """The parts a request from ``sources`` waits on: everything below them, in the order a
    request meets them, up to and including a queue (its consumers are not waited for)."""
    kinds = {c.id: c.kind for c in design.components}
    out: list[str] = []
    todo = [lk.target for lk in design.links if lk.source in sources]
    while todo:
        t = todo.pop(0)
        if t in out:
            continue
        out.append(t)
        if kinds[t] != "message_queue":
            todo.extend(lk.target for lk in design.links if lk.source == t)
    return out


def limit_of(design: Design, bottleneck: str) -> tuple[str, float | None]:
    """The limit behind ``bottleneck``: of it and the parts it waits on, the one that tops out
    first on its own (ties go to the bottleneck), with the total rps it could carry alone."""
    limits = standalone_limits(design)
    candidates = [c for c in [bottleneck, *waited_on(design, [bottleneck])] if c in limits]
    if not candidates:
        return bottleneck, None
    limit = min(candidates, key=lambda c: (limits[c], c != bottleneck))
    return limit, limits[limit]


def grow_traffic(design: Design, result: AnalysisResult | None = None) -> Growth | None:
    """Scale every client until the design saturates and say what broke; None when nothing
    saturates (no traffic, or not even at a million times the load)."""
    result = result or analyze(design, availability=False)
    if result.saturation_factor is None or result.bottleneck is None:
        return None
    factor = result.saturation_factor
    at = analyze(scaled(design, factor * (1 - 1e-6)), availability=False)
    b = result.bottleneck
    limit, limit_rps = limit_of(design, b)
    return Growth(factor=factor, saturation_rps=result.saturation_rps, bottleneck=b,
                  limit=limit, limit_rps=limit_rps if limit_rps is not None
                  else result.saturation_rps,
                  utilization={cid: row.utilization for cid, row in at.components.items()
                               if row.utilization is not None},
                  design=scaled(design, factor * _PAST))


def describe(design: Design, growth: Growth) -> str:
    """One sentence on what growing the traffic found, in the design's own names."""
    name = {c.id: c.label for c in design.components}
    b, lim = growth.bottleneck, growth.limit
    text = (f"At {growth.saturation_rps:,.0f} rps ({growth.factor:.3g} × today's traffic) "
            f"the first part at 100 % is {name[b]}")
    if lim != b:
        text += (f": its workers are held waiting on {name[lim]} "
                 f"({growth.utilization.get(lim, 0.0):.0%} busy then), which on its own tops "
                 f"out at {growth.limit_rps:,.0f} rps. {name[lim]} is the limit to grow.")
    else:
        text += ". It is the limit to grow."
    return text
