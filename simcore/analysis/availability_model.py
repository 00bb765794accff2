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

from dataclasses import dataclass, field

import numpy as np

from simcore.analysis.che import settle_hit_ratios
from simcore.analysis.flow import settle_capacity_shares
from simcore.roles import READ, WRITE, Role
from simcore.roles.standby import (
    component_down_probability,
    standby_factor,
    unit_unavailability,
)
from simcore.topology import Topology

__all__ = ["READ", "WRITE", "AvailabilityModel", "Child", "DbModel", "NodeModel", "SuccessModel",
           "build_model", "component_down_probability", "standby_factor",
           "unit_unavailability"]


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
    write_needs: str = "primary"  # besides the primary: "all" replicas (sync), "one" (semi_sync)

    def shard_down(self, rtype: str) -> np.ndarray:
        """Per shard, the probability that a request of ``rtype`` cannot be served there: a
        read needs the primary or a replica; a write the primary and the replicas its
        replication mode waits for (SPEC §7.5)."""
        if rtype == READ:
            q = self.q_primary * self.u_node ** self.replicas
        elif self.write_needs == "all":
            q = 1.0 - (1.0 - self.q_primary) * (1.0 - self.u_node) ** self.replicas
        elif self.write_needs == "one":
            q = 1.0 - (1.0 - self.q_primary) * (1.0 - self.u_node ** self.replicas)
        else:
            q = self.q_primary
        return np.full(self.shards, q)


@dataclass
class NodeModel:
    id: str
    kind: str
    role: str
    behaviour: Role
    children: list[Child] = field(default_factory=list)
    q: float = 0.0  # down probability (instances and standby), groups not counted
    groups: list[str] = field(default_factory=list)
    hit_ratio: float = 0.0  # reads a cache answers itself, all its instances up
    mean_hit_ratio: float = 0.0  # the same, averaged over its instances up when it serves
    write_hit: float = 0.0  # writes it answers itself (write-behind: all, while up)
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


def build_model(topo: Topology, full_service: bool = False) -> AvailabilityModel:
    """The availability model of a compiled design; each component's role fills its node and
    says which of its links matter to a request's success (with the least-connections shares
    the traffic analysis uses). With ``full_service`` optional calls matter too."""
    settle_capacity_shares(topo)
    settle_hit_ratios(topo)
    nodes: dict[str, NodeModel] = {}
    for cid in topo.order:
        tn = topo.nodes[cid]
        behaviour = tn.spec.behaviour
        nm = NodeModel(cid, tn.kind, tn.role, behaviour, groups=topo.groups_of(cid))
        behaviour.setup_model(tn, nm)
        nm.children = [Child(*link) for link in behaviour.availability_links(tn, full_service)]
        nodes[cid] = nm
    # What the clients reach (a plain walk: this runs on every edit, and a networkx graph
    # would cost more than the walk itself).
    seen: set[str] = set(topo.clients)
    stack = list(topo.clients)
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
            if nm.behaviour.is_source:
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
        """(F, zero) per node: F = 1 − P and zero = (P == 0), bottom-up, by each role's rule."""
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            for x in reversed(self.model.order):
                nm = self.model.nodes[x]
                kids = [(c, out[c.target]) for c in nm.children]
                out[x] = nm.behaviour.vec(self, nm, up, self._node_up(up, nm), rtype, kids)
        return out
