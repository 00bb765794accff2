"""The availability model of a design (SPEC §3 "Availability"), shared by the exact analysis, its
Monte Carlo fallback, the failure impacts and the reliability simulation.

It holds, per component, the probability that it is down in its steady state (instances and
standby), per database its nodes, per group its own unavailability, and the request graph as the
availability sees it: a queue's subscriptions are left out (an enqueued request is done) and so
are links a service takes with probability 0 (they never matter).

``SuccessModel.failure`` is the request success of SPEC §3 for given up/down states, vectorised
over many states at once: the failure impacts (one state per component, everything else up), the
Monte Carlo fallback (sampled states) and the reliability simulation (the states it visits) all
call it. It returns failure fractions 1 − P, computed so that small ones keep their digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simcore.topology import Topology

READ, WRITE = "read", "write"


def unit_unavailability(params) -> float:
    """u = 1 − a of one instance (or group): MTTR / (MTBF + MTTR), or 1 − availability (exact in
    floating point for a ≥ 0.5), or 0 when neither is set."""
    mtbf, mttr = getattr(params, "mtbf_hours", None), getattr(params, "mttr_hours", None)
    if mtbf is not None and mttr is not None:
        return mttr / (mtbf + mttr)
    a = getattr(params, "availability", None)
    return 0.0 if a is None else 1.0 - float(a)


def standby_factor(u: float, failover_h: float, mttr_h: float) -> float:
    """The chance that a failure of the last active node is not covered by the standby:
    u + a · (1 − e^(−F / MTTR)), F the failover time in hours (the standby is down, or it is
    still taking over)."""
    return u + (1.0 - u) * -math.expm1(-failover_h / mttr_h)


def component_down_probability(params, nodes: int | None = None) -> float:
    """Steady-state probability that a component (or one database primary, ``nodes=1``) is not
    serving: uⁿ, times the standby factor when it has a standby (SPEC §3)."""
    u = unit_unavailability(params)
    n = params.instances if nodes is None else nodes
    q = u ** n
    if getattr(params, "standby", "none") != "none":
        q *= standby_factor(u, params.effective_failover_s / 3600.0, params.repair_hours)
    return q


def zipf_shares(shards: int, skew: float) -> np.ndarray:
    """Shard k (1-based) gets a share ∝ k^−skew."""
    w = np.arange(1, shards + 1, dtype=float) ** (-float(skew))
    return w / w.sum()


@dataclass
class Child:
    """An edge of the availability graph. ``share`` is w(x, t) for splitting kinds; ``weight``
    the balancer's renormalisation weight (the link weight under ``weighted``, else 1); ``p``
    a service's call probability."""

    target: str
    share: float
    weight: float
    p: float


@dataclass
class DbModel:
    shards: int
    replicas: int
    z: np.ndarray  # Zipf shares
    q_primary: float  # a primary (with its standby) is down
    u_node: float  # a replica is down

    def shard_down(self, rtype: str) -> np.ndarray:
        """Per shard, the probability that a request of ``rtype`` cannot be served there."""
        q = self.q_primary * (self.u_node ** self.replicas if rtype == READ else 1.0)
        return np.full(self.shards, q)


@dataclass
class NodeModel:
    id: str
    kind: str
    role: str
    children: list[Child] = field(default_factory=list)
    q: float = 0.0  # down probability (instances and standby), groups not counted
    groups: list[str] = field(default_factory=list)
    hit_ratio: float = 0.0
    instances: int = 1
    standby: bool = False
    db: DbModel | None = None
    read_ratio: float = 1.0  # clients only


@dataclass
class AvailabilityModel:
    nodes: dict[str, NodeModel]
    order: list[str]  # topological, restricted to what the clients reach
    clients: list[str]
    groups: dict[str, float]  # group id -> u
    parents: dict[str, list[str]]

    def reach(self, root: str) -> list[str]:
        """Nodes reachable from ``root`` (itself included), in topological order."""
        seen = {root}
        stack = [root]
        while stack:
            x = stack.pop()
            for c in self.nodes[x].children:
                if c.target not in seen:
                    seen.add(c.target)
                    stack.append(c.target)
        return [x for x in self.order if x in seen]


_HAS_ALGORITHM: dict[type, bool] = {}


def _algorithm(params) -> str:
    """The parameters' balancing ``algorithm``, "" for a kind without one. Whether the kind has
    one is asked once per class: a missing attribute on a pydantic model costs an exception."""
    cls = type(params)
    has = _HAS_ALGORITHM.get(cls)
    if has is None:
        fields = getattr(cls, "model_fields", None)
        has = fields is None or "algorithm" in fields or hasattr(cls, "algorithm")
        _HAS_ALGORITHM[cls] = has
    return getattr(params, "algorithm", "") if has else ""


def build_model(topo: Topology) -> AvailabilityModel:
    nodes: dict[str, NodeModel] = {}
    for cid in topo.order:
        tn = topo.nodes[cid]
        role = tn.role
        nm = NodeModel(cid, tn.kind, role, groups=topo.groups_of(cid))
        p = tn.params
        if role == "source":
            nm.read_ratio = float(p.read_ratio)
        else:
            nm.instances = p.instances
            nm.standby = p.standby != "none"
            if role == "database":
                q_p = component_down_probability(p, nodes=1)
                nm.db = DbModel(p.shards, p.replicas, zipf_shares(p.shards, p.shard_skew), q_p,
                                unit_unavailability(p))
                nm.q = q_p
            else:
                nm.q = component_down_probability(p)
            if role == "cache":
                nm.hit_ratio = float(p.hit_ratio)
        weighted = _algorithm(p) == "weighted"
        if role != "queue":
            for e in tn.out:
                prob = float(e.params.probability) if role == "service" else 1.0
                if prob <= 0.0:
                    continue
                w = float(e.params.weight) if weighted else 1.0
                nm.children.append(Child(e.target, float(e.share), w, prob))
        nodes[cid] = nm
    seen: set[str] = set()
    stack = list(topo.clients)
    seen.update(stack)
    while stack:
        x = stack.pop()
        for c in nodes[x].children:
            if c.target not in seen:
                seen.add(c.target)
                stack.append(c.target)
    order = [x for x in topo.order if x in seen]
    parents: dict[str, list[str]] = {x: [] for x in order}
    for x in order:
        for c in nodes[x].children:
            parents[c.target].append(x)
    groups = {gid: unit_unavailability(gp) for gid, (_, gp) in topo.groups.items()}
    return AvailabilityModel({x: nodes[x] for x in order}, order, list(topo.clients), groups,
                             parents)


class SuccessModel:
    """Request failure for given up/down states, vectorised.

    A state is a row of booleans over ``columns``: one per non-client component (it is serving),
    one per database node (``db:shard:node``, node 0 the primary with its standby, then the
    replicas) and one per group. ``failure(up)`` gives, for each row, the weighted failure
    fraction 1 − Σ_c w_c [ρ_c P(c, read) + (1 − ρ_c) P(c, write)].
    """

    def __init__(self, model: AvailabilityModel, client_weights: dict[str, float]):
        self.model = model
        self.columns: list[str] = []
        self.col: dict[str, int] = {}
        self.db_cols: dict[str, np.ndarray] = {}  # id -> (shards, 1 + replicas) column indices
        for x in model.order:
            nm = model.nodes[x]
            if nm.role == "source":
                continue
            if nm.db is not None:
                idx = np.empty((nm.db.shards, 1 + nm.db.replicas), dtype=int)
                for k in range(nm.db.shards):
                    for j in range(1 + nm.db.replicas):
                        idx[k, j] = self._add(f"{x}:{k}:{j}")
                self.db_cols[x] = idx
            else:
                self.col[x] = self._add(x)
        self.group_col = {g: self._add(g) for g in model.groups}
        total = sum(max(0.0, float(client_weights.get(c, 0.0))) for c in model.clients)
        if total > 0:
            self.weights = {c: max(0.0, float(client_weights.get(c, 0.0))) / total
                            for c in model.clients}
        else:
            self.weights = {c: 1.0 / len(model.clients) for c in model.clients}
        rr = [model.nodes[c].read_ratio for c in model.clients if self.weights[c] > 0]
        self.types = [t for t, need in ((READ, any(r > 0 for r in rr)),
                                        (WRITE, any(r < 1 for r in rr))) if need]

    def _add(self, name: str) -> int:
        self.columns.append(name)
        return len(self.columns) - 1

    def failure(self, up: np.ndarray, per_client: bool = False):
        """Weighted failure fraction per row of ``up`` (rows × columns, bool); with
        ``per_client`` also {client: per-row failure} for every client."""
        rows = up.shape[0]
        total = np.zeros(rows)
        clients: dict[str, np.ndarray] = {}
        for rtype in (READ, WRITE):
            fail = self._pass(up, rtype) if (rtype in self.types or per_client) else None
            for c in self.model.clients:
                rr = self.model.nodes[c].read_ratio
                share = rr if rtype == READ else 1.0 - rr
                if share <= 0 or fail is None:
                    continue
                f = share * fail[c][0]
                clients[c] = clients.get(c, 0.0) + f
                total += self.weights[c] * f
        if per_client:
            return total, {c: np.broadcast_to(clients.get(c, np.zeros(rows)), (rows,))
                           for c in self.model.clients}
        return total

    def _node_up(self, up: np.ndarray, nm: NodeModel) -> np.ndarray:
        u = up[:, self.col[nm.id]] if nm.id in self.col else np.ones(up.shape[0], dtype=bool)
        for g in nm.groups:
            u = u & up[:, self.group_col[g]]
        return u

    def _pass(self, up: np.ndarray, rtype: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """(F, zero) per node: F = 1 − P and zero = (P == 0), bottom-up."""
        rows = up.shape[0]
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        ones = np.ones(rows)
        with np.errstate(divide="ignore", invalid="ignore"):
            for x in reversed(self.model.order):
                nm = self.model.nodes[x]
                role = nm.role
                kids = [(c, out[c.target]) for c in nm.children]
                if role == "database":
                    g = self._node_up(up, nm)
                    cols = self.db_cols[x]
                    ok = up[:, cols[:, 0]]
                    if rtype == READ and nm.db.replicas:
                        ok = ok | up[:, cols[:, 1:]].any(axis=2)
                    f = (~ok).astype(float) @ nm.db.z
                    zero = ~g | ~ok.any(axis=1)
                    out[x] = (np.where(zero, 1.0, np.where(g, f, 1.0)), zero)
                    continue
                u = self._node_up(up, nm)
                if role in ("queue", "terminal"):
                    zero = ~u
                    out[x] = (zero.astype(float), zero)
                    continue
                if role == "service":
                    s = np.zeros(rows)
                    zero = ~u
                    for c, (fc, zc) in kids:
                        s = s + np.log1p(-c.p * fc)
                        if c.p >= 1.0:
                            zero = zero | zc
                    f = np.where(zero, 1.0, -np.expm1(s))
                    out[x] = (f, zero)
                    continue
                if role == "balancer":
                    num = np.zeros(rows)
                    den = np.zeros(rows)
                    for c, (fc, zc) in kids:
                        pos = ~zc
                        num = num + np.where(pos, c.weight * fc, 0.0)
                        den = den + np.where(pos, c.weight, 0.0)
                    zero = ~u | (den <= 0)
                    out[x] = (np.where(zero, 1.0, num / np.where(den > 0, den, 1.0)), zero)
                    continue
                # source, router, cache: the mean over the targets
                fbar = np.zeros(rows)
                zbar = np.ones(rows, dtype=bool)
                for c, (fc, zc) in kids:
                    fbar = fbar + c.share * fc
                    zbar = zbar & zc
                fbar = np.where(zbar, 1.0, fbar)
                if role == "source":
                    out[x] = (fbar, zbar)
                elif role == "router":
                    zero = ~u | zbar
                    out[x] = (np.where(u, fbar, ones), zero)
                else:  # cache, cdn: a down cache passes requests on
                    if rtype == READ and nm.hit_ratio > 0:
                        out[x] = (np.where(u, (1.0 - nm.hit_ratio) * fbar, fbar), ~u & zbar)
                    else:
                        out[x] = (fbar, zbar)
        return out
