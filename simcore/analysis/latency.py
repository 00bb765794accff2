"""Holding times, utilization and response times (SPEC §3), from the leaves up.

For a request of type r (read or write) at component x, R(x, r) = Wq(x, r) + s(x) + D(x, r),
in seconds. D is the time of x's downstream work: over each outgoing link, the link's weight in D
(a service's probability, a split share, a cache's miss share for reads) times
2 · latency + transmission + R(target, r). A queue's subscriptions weigh 0 (consumers are not
waited for); a database write waits for the replication lag under sync/semi_sync replication.

Request size. Transmission over a link with a bandwidth is request_kb · 8 / bandwidth_mbps ms,
where request_kb is the originating client's. Every term above is linear in request_kb and
nothing else depends on it (waiting times depend on the load, not on the request at hand), so
each R is kept as two numbers, R = R0 + request_kb · R1; a client's latency uses its own size,
and a blocking service mixes its D over the clients that reach it through the flow's Σ λ · kb.
This is exact, not an approximation.

Holding time: a blocking service holds a worker for H = s + D̄ (D̄ mixes D(x, read) and
D(x, write) by the service's arrival rates); every other component for H = s. Each instance is an
M/M/c queue with arrival λ / instances (a consumer fed only by queues: one M/M/(instances · c) pool
with arrival λ); each database node is its own M/M/c. 0 · ∞ = 0 throughout.

Service variability (SPEC §7.1): the M/M/c wait is scaled by Allen–Cunneen's (1 + v²) / 2, with v
the coefficient of variation of the station's service time, except at a station held longer than
its service (H ≠ s), which keeps v = 1. Along with each wait its variance is kept (and (v · s)²,
the service's), for the percentiles (percentiles.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from simcore.analysis.flow import DbNodeLoad, FlowState, Plan, database_loads
from simcore.analysis.queueing import mgc_wait_moments, utilization

INF = math.inf


def _mul(a: float, b: float) -> float:
    """a · b with 0 · ∞ = 0."""
    return 0.0 if a == 0.0 or b == 0.0 else a * b


@dataclass
class DbNodeTimes:
    load: DbNodeLoad
    utilization: float
    wait_s: float


@dataclass
class Times:
    """Per node (indexed like Plan.nodes), in seconds; utilization is the busiest node's ρ."""

    utilization: list[float]
    hold: list[float]
    wait_read: list[float]
    wait_write: list[float]
    r0_read: list[float]
    r1_read: list[float]  # seconds per KB of request
    r0_write: list[float]
    r1_write: list[float]
    d0_read: list[float]
    d0_write: list[float]
    wait_var_read: list[float]  # Var(Wq), seconds²
    wait_var_write: list[float]
    service_var: list[float]  # (v · s)², seconds²
    db_nodes: dict[int, list[DbNodeTimes]] = field(default_factory=dict)

    def max_utilization(self) -> float:
        return max(self.utilization, default=0.0)


def _downstream(plan: Plan, i: int, r0: list[float], r1: list[float], read: bool,
                kb: float | None = None) -> tuple[float, float]:
    """(D0, D1) of node i for one type over its links: D = D0 + kb · D1."""
    d0 = d1 = 0.0
    for o in plan.nodes[i].outs:
        w = o.cost_read if read else o.cost_write
        if w == 0.0:
            continue
        t = o.target
        d0 += w * (o.round_trip_s + r0[t])  # w > 0 here, so no 0 · ∞ to guard
        d1 += w * (o.tx_s_per_kb + r1[t])
    return d0, d1


def waits_that_matter(plan: Plan) -> list[bool]:
    """Per node: whether its waiting time can change some utilization, i.e. whether its response
    time is part of a blocking service's holding time (directly, or through the response times
    of parts in between). The others' waits only change latencies."""
    need = [False] * len(plan.nodes)
    for i, node in enumerate(plan.nodes):  # topological: callers before callees
        if not (node.blocking or need[i]):
            continue
        for o in node.outs:
            if o.cost_read or o.cost_write:
                need[o.target] = True
    return need


def run_times(plan: Plan, flow: FlowState, with_db_nodes: bool = False,
              waits: list[bool] | None = None) -> Times:
    """Utilization and response times of every node at the traffic of ``flow``. With ``waits``
    (from ``waits_that_matter``), the waits of the other nodes are left 0: the utilizations are
    unchanged and cheaper, but those nodes' response times are then not their real ones (the
    saturation search needs only utilizations)."""
    n = len(plan.nodes)
    util = [0.0] * n
    hold = [0.0] * n
    wq_r = [0.0] * n
    wq_w = [0.0] * n
    r0r = [0.0] * n
    r1r = [0.0] * n
    r0w = [0.0] * n
    r1w = [0.0] * n
    d0r_all = [0.0] * n
    d0w_all = [0.0] * n
    vq_r = [0.0] * n
    vq_w = [0.0] * n
    vs = [0.0] * n
    db_nodes: dict[int, list[DbNodeTimes]] = {}
    for i in range(n - 1, -1, -1):
        node = plan.nodes[i]
        if node.is_client:
            continue
        d0r, d1r = _downstream(plan, i, r0r, r1r, True)
        d0w, d1w = _downstream(plan, i, r0w, r1w, False)
        lam_r, lam_w = flow.read[i], flow.write[i]
        lam = lam_r + lam_w
        s = node.service_s
        if node.db is not None:
            d0w += node.db.write_extra_s
            h = s
            cv = node.service_cv
            # The wait is a branch over the nodes serving the type: mean and second moment.
            w_r = w_w = m2_r = m2_w = 0.0
            rho = 0.0
            rows = []
            for ld in database_loads(node.db, lam_r, lam_w):
                rho_k = utilization(ld.arrival, s, node.workers)
                if waits is None or waits[i]:
                    wq_k, var_k = mgc_wait_moments(ld.arrival, s, node.workers, cv)
                else:
                    wq_k = var_k = 0.0
                rho = max(rho, rho_k)
                # Weighted by the node's share of each type (shard 1 stands for all if even).
                wt = 1.0 if node.db.uniform else node.db.shares[ld.shard - 1]
                sq_k = var_k + wq_k * wq_k
                if ld.role == "replica" or node.db.replicas == 0:
                    w_r += _mul(wt, wq_k)
                    m2_r += _mul(wt, sq_k)
                if ld.role == "primary":
                    w_w += _mul(wt, wq_k)
                    m2_w += _mul(wt, sq_k)
                if with_db_nodes:
                    rows.append(DbNodeTimes(ld, rho_k, wq_k))
            if with_db_nodes:
                db_nodes[i] = rows
            vq_r[i] = _branch_variance(m2_r, w_r)
            vq_w[i] = _branch_variance(m2_w, w_w)
        else:
            if node.blocking:
                if lam > 0.0:
                    dbar = (_mul(lam_r, d0r) + flow.kb_read[i] * d1r
                            + _mul(lam_w, d0w) + flow.kb_write[i] * d1w) / lam
                else:
                    dbar = 0.5 * (d0r + d0w)
                h = s + dbar
            else:
                h = s
            if node.pooled:
                lam_i, c = lam, node.workers * node.instances
            else:
                lam_i, c = lam / node.instances, node.workers
            rho = utilization(lam_i, h, c)
            # A station held longer than its own service (a blocking service waiting on its
            # calls) keeps v = 1: its holding time is not the service time the cv describes.
            cv = node.service_cv if h == s else 1.0
            if waits is None or waits[i]:
                w_r, vq_r[i] = mgc_wait_moments(lam_i, h, c, cv)
            else:
                w_r = 0.0
            w_w, vq_w[i] = w_r, vq_r[i]
        vs[i] = (cv * s) ** 2
        util[i] = rho
        hold[i] = h
        wq_r[i], wq_w[i] = w_r, w_w
        r0r[i], r1r[i] = w_r + s + d0r, d1r
        r0w[i], r1w[i] = w_w + s + d0w, d1w
        d0r_all[i], d0w_all[i] = d0r, d0w
    return Times(util, hold, wq_r, wq_w, r0r, r1r, r0w, r1w, d0r_all, d0w_all,
                 vq_r, vq_w, vs, db_nodes)


def _branch_variance(second_moment: float, mean: float) -> float:
    """Var = E[X²] − E[X]² of a branch, floored at 0 against rounding; ∞ when either is."""
    if math.isinf(second_moment) or math.isinf(mean):
        return INF
    return max(second_moment - mean * mean, 0.0)


def client_latency(plan: Plan, times: Times, i: int) -> tuple[float, float]:
    """(L(client, read), L(client, write)) in seconds for client node i, at its request size."""
    kb = plan.nodes[i].request_kb
    d0r, d1r = _downstream(plan, i, times.r0_read, times.r1_read, True)
    d0w, d1w = _downstream(plan, i, times.r0_write, times.r1_write, False)
    return d0r + kb * d1r, d0w + kb * d1w


def client_mean_latency(plan: Plan, times: Times, i: int) -> float:
    """A client's end-to-end mean: read_ratio · L(read) + (1 − read_ratio) · L(write), seconds."""
    node = plan.nodes[i]
    lr, lw = client_latency(plan, times, i)
    return _mul(node.read_ratio, lr) + _mul(1.0 - node.read_ratio, lw)


def mean_latency(plan: Plan, times: Times) -> float:
    """The rps-weighted mean of the clients' latencies (equal weights when every rps is 0)."""
    clients = plan.clients
    if not clients:
        return 0.0
    total = sum(plan.nodes[i].rps for i in clients)
    acc = 0.0
    for i in clients:
        wgt = plan.nodes[i].rps / total if total > 0 else 1.0 / len(clients)
        acc += _mul(wgt, client_mean_latency(plan, times, i))
    return acc


def own_latency(plan: Plan, flow: FlowState, times: Times, i: int) -> float:
    """A component's own time per visit, Wq + s, in seconds (a database's Wq mixed by its read
    and write arrival rates)."""
    node = plan.nodes[i]
    lam_r, lam_w = flow.read[i], flow.write[i]
    lam = lam_r + lam_w
    if lam > 0.0:
        wq = (_mul(lam_r, times.wait_read[i]) + _mul(lam_w, times.wait_write[i])) / lam
    else:
        wq = times.wait_read[i]
    return wq + node.service_s
