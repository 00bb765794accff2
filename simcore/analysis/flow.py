"""Flow (SPEC §3): the arrival rate of reads and of writes at every component and database node.

A Topology is first compiled into a ``Plan``: plain lists indexed in topological order, with, per
link, the share of the source's reads and writes that cross it (``flow_*``) and its weight in the
source's downstream time D (``cost_*``). The two differ only for a queue's subscriptions (every
message goes to every consumer, but nobody waits for the consumers) and for a rate limit (it
forwards a fraction of what it receives, but a forwarded request's time is the full path's).

Rates are requests per second. Along with the rate of each type the flow carries Σ λ · request_kb
(``kb_read``, ``kb_write``): latency is linear in the request size, so this is all that the
holding time of a blocking service needs to mix the transmission times of different clients'
requests exactly (see latency.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simcore.topology import Topology


@dataclass
class Out:
    """One compiled outgoing link of a component."""

    target: int
    flow_read: float  # fraction of the source's forwarded reads sent over this link
    flow_write: float
    cost_read: float  # weight of this crossing in the source's D(x, read)
    cost_write: float
    round_trip_s: float  # 2 · one-way latency, seconds
    tx_s_per_kb: float  # transmission toward the target, seconds per KB of request


@dataclass
class DbPlan:
    """A database: ``shares[k]`` is shard k+1's Zipf share; ``write_extra_s`` the replication lag
    a write waits for (sync/semi_sync with replicas), else 0."""

    shares: list[float]
    replicas: int
    write_extra_s: float
    uniform: bool  # every shard has the same share (skew 0): one shard stands for all


@dataclass
class NodePlan:
    id: str
    kind: str
    outs: list[Out] = field(default_factory=list)
    service_s: float = 0.0
    service_cv: float = 1.0  # coefficient of variation of the service time (SPEC §7.1)
    workers: int = 1
    instances: int = 1
    pooled: bool = False  # fed only by queues: one M/M/(instances · workers) pool
    blocking: bool = False  # a blocking service: holds a worker for s + D̄
    limit_rps: float | None = None  # rate limiter, or gateway with rate_limit_rps
    rps: float = 0.0  # clients only
    read_ratio: float = 1.0
    request_kb: float = 0.0
    db: DbPlan | None = None
    is_client: bool = False  # a traffic source

@dataclass
class Plan:
    nodes: list[NodePlan]  # topological order
    index: dict[str, int]
    clients: list[int]
    has_limiters: bool
    has_blocking: bool

    @property
    def offered_rps(self) -> float:
        return sum(self.nodes[i].rps for i in self.clients)


def zipf_shares(shards: int, skew: float) -> list[float]:
    """Share of each shard k = 1..shards, ∝ k^−skew (skew 0: even)."""
    if skew == 0.0:
        return [1.0 / shards] * shards
    raw = [k ** -skew for k in range(1, shards + 1)]
    total = sum(raw)
    return [r / total for r in raw]


def compile_plan(topo: Topology) -> Plan:
    """Compile a checked Topology into the lookup lists the analysis runs on. Each component's
    role fills its entry and gives each outgoing link's flow and cost shares; least-connections
    shares are settled first (``settle_capacity_shares``)."""
    from simcore.analysis.che import settle_hit_ratios  # che runs flows of its own

    settle_capacity_shares(topo)
    settle_hit_ratios(topo)
    return _compile(topo)


def settle_capacity_shares(topo: Topology) -> None:
    """SPEC §7.1: a balancer under least connections splits its load over its targets in
    proportion to their capacities, servers / H (instances · workers, a database all its
    nodes' workers), H each target's holding time from a pass with equal shares (so the rule is
    not circular). Set once per topology, on its edges' ``share``, and then used everywhere:
    flow, latency, saturation and availability. Where a target's capacity is 0 or unbounded
    (H infinite, or 0) the split stays equal: a saturated or free target gives no proportion."""
    if topo.capacity_shares_settled:
        return
    topo.capacity_shares_settled = True
    balancers = [n for n in topo.nodes.values() if n.spec.behaviour.splits_by_capacity(n)]
    if not balancers:
        return
    from simcore.analysis.latency import run_times  # latency imports this module

    plan = _compile(topo)
    hold = run_times(plan, run_flow(plan, 1.0)).hold
    for n in balancers:
        caps = []
        for e in n.out:
            t = topo.nodes[e.target]
            h = hold[plan.index[e.target]]
            caps.append(t.spec.behaviour.servers(t) / h if h > 0.0 else math.inf)
        if len(set(caps)) == 1 or not all(0.0 < c < math.inf for c in caps):
            continue
        total = sum(caps)
        for e, c in zip(n.out, caps):
            e.share = c / total


def _compile(topo: Topology) -> Plan:
    index = {cid: i for i, cid in enumerate(topo.order)}
    nodes: list[NodePlan] = []
    for cid in topo.order:
        n = topo.nodes[cid]
        behaviour = n.spec.behaviour
        np_ = NodePlan(id=cid, kind=n.kind)
        behaviour.plan(n, np_)
        for e in n.out:
            shares = behaviour.link_flow(n, e)
            if shares is None:
                continue
            bw = e.params.bandwidth_mbps
            tx = 0.0 if bw is None else 8.0 / bw / 1000.0
            np_.outs.append(Out(index[e.target], *shares, 2.0 * e.latency_ms / 1000.0, tx))
        nodes.append(np_)
    clients = [i for i, nd in enumerate(nodes) if nd.is_client]
    return Plan(nodes, index, clients,
                has_limiters=any(n.limit_rps is not None for n in nodes),
                has_blocking=any(n.blocking for n in nodes))


@dataclass
class FlowState:
    """Arrival rates (req/s) offered to each node at one traffic scale, indexed like Plan.nodes.
    ``passed`` is the fraction a node forwards because of its rate limit (1 without one)."""

    scale: float
    read: list[float]
    write: list[float]
    kb_read: list[float]  # Σ λ · request_kb over the reads arriving
    kb_write: list[float]
    passed: list[float]

    def total(self, i: int) -> float:
        return self.read[i] + self.write[i]


def run_flow(plan: Plan, scale: float = 1.0) -> FlowState:
    """Propagate the clients' rps, all multiplied by ``scale``, down the topological order."""
    n = len(plan.nodes)
    rd = [0.0] * n
    wr = [0.0] * n
    kr = [0.0] * n
    kw = [0.0] * n
    passed = [1.0] * n
    for i, node in enumerate(plan.nodes):
        if node.is_client:
            lam = node.rps * scale
            rd[i] = lam * node.read_ratio
            wr[i] = lam - rd[i]
            kr[i] = rd[i] * node.request_kb
            kw[i] = wr[i] * node.request_kb
        if not node.outs:
            continue
        r, w, a, b = rd[i], wr[i], kr[i], kw[i]
        if node.limit_rps is not None:
            f = admitted_fraction(node.limit_rps, r + w)
            passed[i] = f
            r, w, a, b = r * f, w * f, a * f, b * f
        for o in node.outs:
            j = o.target
            fr, fw = o.flow_read, o.flow_write
            rd[j] += r * fr
            wr[j] += w * fw
            kr[j] += a * fr
            kw[j] += b * fw
    return FlowState(scale, rd, wr, kr, kw, passed)


def admitted_fraction(limit_rps: float, offered: float) -> float:
    """Share of ``offered`` req/s that a limit of ``limit_rps`` forwards (reads and writes alike)."""
    if offered <= limit_rps:
        return 1.0
    return limit_rps / offered


def admitted_client_rps(plan: Plan, flow: FlowState) -> dict[str, float]:
    """Each client's admitted rps: its rps (times the flow's scale) less what rate limits reject of
    its requests. A limit that rejects a fraction of what reaches it rejects that fraction of every
    client's requests there; a client's rejections are summed over the limits its requests reach
    (so a request fanned out by a queue counts at each limit it meets), and floored at 0."""
    out = {plan.nodes[i].id: plan.nodes[i].rps * flow.scale for i in plan.clients}
    if not plan.has_limiters or not plan.clients:
        return out
    n, k = len(plan.nodes), len(plan.clients)
    # Per-client flows, one vector entry per client, propagated like run_flow.
    rd = np.zeros((n, k))
    wr = np.zeros((n, k))
    for col, i in enumerate(plan.clients):
        node = plan.nodes[i]
        lam = node.rps * flow.scale
        rd[i, col] = lam * node.read_ratio
        wr[i, col] = lam - rd[i, col]
    rejected = np.zeros(k)
    for i, node in enumerate(plan.nodes):
        if not node.outs:
            continue
        r, w = rd[i], wr[i]
        if node.limit_rps is not None:
            f = flow.passed[i]
            rejected += (r + w) * (1.0 - f)
            r, w = r * f, w * f
        for o in node.outs:
            rd[o.target] += r * o.flow_read
            wr[o.target] += w * o.flow_write
    for col, i in enumerate(plan.clients):
        cid = plan.nodes[i].id
        out[cid] = max(0.0, out[cid] - float(rejected[col]))
    return out


@dataclass
class DbNodeLoad:
    """The load of one kind of database node: shard (1-based), role ``primary`` or ``replica``,
    ``count`` identical nodes of it (a shard's replicas share its reads evenly), each with arrival
    ``reads`` + ``writes`` req/s."""

    shard: int
    role: str
    count: int
    reads: float
    writes: float

    @property
    def arrival(self) -> float:
        return self.reads + self.writes


def database_loads(db: DbPlan, reads: float, writes: float) -> list[DbNodeLoad]:
    """Spread a database's reads and writes over its nodes (SPEC §2): shard k gets share q_k;
    within a shard, reads go evenly to the replicas (to the primary when there are none), writes
    to the primary. With an even spread only shard 1 is returned: it stands for every shard."""
    shares = db.shares[:1] if db.uniform else db.shares
    out = []
    for k, q in enumerate(shares, start=1):
        if db.replicas > 0:
            out.append(DbNodeLoad(k, "primary", 1, 0.0, writes * q))
            out.append(DbNodeLoad(k, "replica", db.replicas, reads * q / db.replicas, 0.0))
        else:
            out.append(DbNodeLoad(k, "primary", 1, reads * q, writes * q))
    return out
