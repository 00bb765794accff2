"""The database role: shards × (one primary + replicas), terminal (SPEC §2). Its nodes are part
of the availability state: a read of shard k succeeds when its primary (with its standby) or a
replica is up, a write when its primary is; shard k is hit with its Zipf share."""

from __future__ import annotations

import numpy as np

from simcore.roles.base import READ, Role
from simcore.roles.standby import component_down_probability, unit_unavailability


def zipf_array(shards: int, skew: float) -> np.ndarray:
    """Shard k (1-based) gets a share ∝ k^−skew."""
    w = np.arange(1, shards + 1, dtype=float) ** (-float(skew))
    return w / w.sum()


class DatabaseRole(Role):
    name = "database"
    terminal = True
    per_node_state = True

    def plan(self, node, np_):
        from simcore.analysis.flow import DbPlan, zipf_shares

        super().plan(node, np_)
        p = node.params
        lag = float(p.replication_lag_ms) / 1000.0
        extra = lag if (p.replicas > 0 and p.replication in ("sync", "semi_sync")) else 0.0
        np_.db = DbPlan(zipf_shares(int(p.shards), float(p.shard_skew)), int(p.replicas),
                        extra, float(p.shard_skew) == 0.0)

    def servers(self, node) -> int:
        p = node.params
        return int(p.workers) * int(p.shards) * (1 + int(p.replicas))

    def billed_nodes(self, params) -> int:
        standbys = params.shards if params.standby != "none" else 0
        return int(params.shards * (1 + params.replicas) + standbys)

    def setup_model(self, node, nm):
        from simcore.analysis.availability_model import DbModel

        p = node.params
        nm.instances = p.instances
        nm.standby = p.standby != "none"
        q_p = component_down_probability(p, nodes=1)
        nm.db = DbModel(p.shards, p.replicas, zipf_array(p.shards, p.shard_skew), q_p,
                        unit_unavailability(p))
        nm.q = q_p

    def own_availability(self, params) -> float:
        """Its primary's (with the standby): the write availability of one shard."""
        return 1.0 - component_down_probability(params, 1)

    def type_independent(self, nm) -> bool:
        return nm.db.replicas == 0

    def is_boolean(self, nm, rtype, child_boolean) -> bool:
        return nm.db.shards == 1

    def vec(self, sm, nm, up, u, rtype, kids):
        cols = sm.db_cols[nm.id]
        ok = up[:, cols[:, 0]]
        if rtype == READ and nm.db.replicas:
            ok = ok | up[:, cols[:, 1:]].any(axis=2)
        f = (~ok).astype(float) @ nm.db.z
        zero = ~u | ~ok.any(axis=1)
        return np.where(zero, 1.0, np.where(u, f, 1.0)), zero

    def sparse(self, nm, rtype, kids, kid_outs, own, primary_row):
        rows = {r: (1.0, True) for r in own}
        if primary_row is not None and not (rtype == READ and nm.db.replicas > 0):
            rows[primary_row] = (1.0, True) if nm.db.shards == 1 else (float(nm.db.z[0]), False)
        return (0.0, False), rows

    def exact_alone(self, nm, rtype: str) -> tuple[float, float]:
        """(Z, H) of a database used by one path: Z = Π_k q_k, H = Σ_k z_k q_k (1 − Π_{j≠k} q_j)
        (the failed share when some shard still serves)."""
        q = nm.db.shard_down(rtype)
        z = float(np.prod(q))
        if nm.db.shards == 1:
            return z, 0.0
        h = 0.0
        for k in range(nm.db.shards):
            h += float(nm.db.z[k]) * float(q[k]) * (1.0 - float(np.prod(np.delete(q, k))))
        return z, h

    def exact(self, nm, rtype, up, dn, kids):
        z, h = self.exact_alone(nm, rtype)
        return dn + up * z, up * h

    def runtime_class(self):
        from simcore.engine.storage import DatabaseNode

        return DatabaseNode

    def serves(self, n, r, ok):
        if not n.up:
            return False
        per, alive = n.per, n.node_alive
        for s in range(n.shards):
            if n.shard_share[s] <= 0:
                continue
            nodes = range(s * per, (s + 1) * per) if r == 0 else (s * per,)
            if any(alive[i] for i in nodes):
                return True
        return False
