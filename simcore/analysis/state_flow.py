"""The state flow of SPEC §7.2: request success in one up/down state when survivors can be
overloaded, vectorised over many states (one array entry per state).

Three passes over a part of the design (state_space.py says what a state holds):

1. Who can serve (leaves up): the structural P(x, r) > 0 of SPEC §3, as a balancer's health check
   sees it, per type.
2. Flow (clients down): reads and writes apart, and apart again the requests that came through a
   queue (they are never shed). A component up with k instances (1 when its standby serves) has
   ρ = λ · H / (k · c), H its all-up holding time and c its workers; at ρ > 1 it serves 1/ρ of its
   callers' requests and passes on only what it served. A cache sized by ``capacity_keys`` with k
   instances up hits with h(k) (k · capacity_keys keys, SPEC §7.4): (1 − h(k)) of its reads go
   on. Balancers send each type only to targets that can serve it, shares renormalised; down
   caches and CDNs pass everything on; other down components pass nothing. A service passes
   λ · p of what it served to each link (the flow is not thinned by earlier calls that failed: a
   simplification). A rate limit applies to what the limiter served. A database sheds per node:
   reads of a shard spread over its replicas that are up (its primary when none is), writes on
   the primary, which succeed only while the replicas their replication mode waits for are up
   (SPEC §7.5).
3. Success (leaves up): the request success of SPEC §3 with each component's served share as a
   factor, and the share of a request that a rate limit rejects (neither success nor failure).

Queues, and components all of whose feeders are queues or behind queues, do not shed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcore.analysis.flow import Plan
from simcore.topology import Topology


@dataclass(frozen=True)
class RoleRule:
    """How a role moves a request in the state flow.

    ``route``: ``share`` (fixed shares; what the shares leave out of a read, a cache's hit, ends
    there successfully), ``healthy`` (shares renormalised over the targets that can serve),
    ``calls`` (every link with its probability, in series), ``fanout`` (every subscription gets
    everything; nobody waits), ``none`` (terminal). ``sheds``: it has a capacity. ``passes_down``:
    when down it passes requests on as if it were not there (caches, CDNs)."""

    route: str
    sheds: bool
    passes_down: bool = False


_RULES = {
    "source": RoleRule("share", sheds=False),
    "router": RoleRule("share", sheds=True),
    "limiter": RoleRule("share", sheds=True),
    "cache": RoleRule("share", sheds=True, passes_down=True),
    "balancer": RoleRule("healthy", sheds=True),
    "service": RoleRule("calls", sheds=True),
    "queue": RoleRule("fanout", sheds=False),
    "database": RoleRule("none", sheds=True),
    "terminal": RoleRule("none", sheds=True),
}


def role_rule(role: str) -> RoleRule:
    """The per-kind rule of the availability under load (SPEC §7.2), by role name (see
    simcore.roles); a role it does not know is an error, not a silent default."""
    try:
        return _RULES[role]
    except KeyError:
        raise ValueError(f"the availability under load has no rule for the role {role!r}") \
            from None


def behind_queues(topo: Topology) -> set[str]:
    """Components all of whose feeders are queues or behind queues."""
    out: set[str] = set()
    for cid in topo.order:
        inbound = topo.nodes[cid].inbound
        if inbound and all(topo.nodes[e.source].role == "queue" or e.source in out
                           for e in inbound):
            out.add(cid)
    return out


_SHARD_BLOCK = 128


def _per_state(x, rows: int) -> np.ndarray:
    """``x`` as one value per state: a scalar (the same in every state) is spread out."""
    return np.full(rows, x) if np.ndim(x) == 0 else x


def _plus(total, x):
    """``total + x``, without the copy while nothing has arrived yet (``total`` still 0.0)."""
    return x if isinstance(total, float) and total == 0.0 else total + x


def _some(w) -> bool:
    """Whether a share (a number, or one per state) may be positive: zero terms are skipped."""
    return bool(np.ndim(w)) or w > 0


def _ratio_capped(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """min(1, num / den) with 0 / 0 = 1 (nothing offered, nothing lost) and x / 0 = 0 for x > 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den > 0.0, num / np.where(den > 0.0, den, 1.0), np.where(num > 0, 0.0, 1.0))
    return np.minimum(r, 1.0)


class StateFlow:
    """The state flow of one part of a design (``part``: component ids), at the all-up holding
    times ``hold`` (seconds, per plan node); ``queued``, behind_queues(topo) when already
    known."""

    def __init__(self, topo: Topology, plan: Plan, hold: list[float], part: list[str],
                 queued: set[str] | None = None):
        self.topo, self.plan = topo, plan
        self.nodes = [plan.index[cid] for cid in part]  # topological order
        self.clients = [i for i in self.nodes if plan.nodes[i].is_client]
        self.hold = hold
        self.rules = {i: role_rule(topo.nodes[plan.nodes[i].id].role) for i in self.nodes}
        if queued is None:
            queued = behind_queues(topo)
        self.queued = {i for i in self.nodes if plan.nodes[i].id in queued}
        self.may_shed = self._may_shed()
        self.rejects = any(plan.nodes[i].limit_rps is not None for i in self.nodes)
        self.hits = {}  # sized caches of several instances: h(k) (simcore.analysis.che)
        for i in self.nodes:
            hits = topo.nodes[plan.nodes[i].id].instance_hit_ratios
            if hits is not None and hits.instances > 1:
                self.hits[i] = hits

    def can_shed(self) -> bool:
        """Whether some state could overload something (see ``may_shed``). When nothing can
        exceed ρ = 1, every served share is 1 in every state, and the availability under load is
        the structural one."""
        return bool(self.may_shed)

    def _may_shed(self) -> set[int]:
        """The nodes that some state could overload. A bound: each balancer's target takes
        everything the balancer gets (its siblings down), each cache passes everything on (it is
        down), and each component is left with one instance (all of them with a = 1; a database
        node with its shard's whole load). A node outside it serves everything offered in every
        state, so its served share is 1 without computing ρ."""
        plan, topo = self.plan, self.topo
        lam = dict.fromkeys(self.nodes, 0.0)
        out: set[int] = set()
        for i in self.nodes:
            node, rule = plan.nodes[i], self.rules[i]
            if node.is_client:
                lam[i] = node.rps
            params = None if node.is_client else topo.nodes[node.id].params
            if node.db is not None:
                if max(node.db.shares) * lam[i] * node.service_s / node.workers > 1.0:
                    out.add(i)
                continue
            if params is not None and rule.sheds and i not in self.queued and lam[i] > 0:
                units = node.instances if params.instance_availability >= 1.0 else 1
                if lam[i] * self.hold[i] > units * node.workers:  # also an infinite H
                    out.add(i)
            for o in node.outs:
                if rule.route in ("healthy", "fanout"):
                    share = 1.0
                elif rule.passes_down:
                    share = o.flow_write  # down, a cache sends its reads on too
                else:
                    share = max(o.flow_read, o.flow_write)
                lam[o.target] += lam[i] * share
        return out

    # --- the state -----------------------------------------------------------------------------
    def _groups_up(self, state: dict, cid: str, rows: int) -> np.ndarray:
        up = np.ones(rows)
        for g in self.topo.groups_of(cid):
            v = state.get(("g", g))
            if v is not None:
                up = up * v
        return up

    def _units(self, state: dict, i: int, rows: int) -> np.ndarray:
        """Instances serving (the standby counts as one), 0 when the component or a group
        holding it is down."""
        node = self.plan.nodes[i]
        k = state.get(("k", node.id))
        units = np.full(rows, float(node.instances)) if k is None else k
        return units * self._groups_up(state, node.id, rows)

    def _read_shares(self, state: dict, rows: int) -> dict[int, list[np.ndarray]]:
        """Per sized cache whose instance count varies in ``state``: the share of its reads sent
        over each link, per state: the link's share (a cache's write share) times the miss
        ratio 1 − h(k), k its instances serving. Elsewhere the plan's read shares hold."""
        out = {}
        for i, hits in self.hits.items():
            node = self.plan.nodes[i]
            if ("k", node.id) not in state:
                continue  # all n up in every state: the plan's h(n)
            miss = 1.0 - hits.of_counts(self._units(state, i, rows))
            out[i] = [o.flow_write * miss for o in node.outs]
        return out

    # --- pass 1: who can serve -----------------------------------------------------------------
    def _can_serve(self, state: dict, rows: int, read_shares: dict) -> tuple[dict, dict, dict]:
        plan = self.plan
        up, cs_r, cs_w = {}, {}, {}
        for i in reversed(self.nodes):
            node, rule = plan.nodes[i], self.rules[i]
            if node.db is not None:
                ok_r, ok_w = self._db_reachable(state, i, rows)
                up[i] = ok_r | ok_w
                cs_r[i], cs_w[i] = ok_r, ok_w
                continue
            u = np.ones(rows, bool) if node.is_client else self._units(state, i, rows) > 0
            up[i] = u
            for read, cs in ((True, cs_r), (False, cs_w)):
                if read and i in read_shares:
                    outs = list(zip(read_shares[i], (o.target for o in node.outs)))
                else:
                    outs = [(o.flow_read if read else o.flow_write, o.target) for o in node.outs]
                anyt = np.zeros(rows, bool)
                for w, t in outs:
                    if np.ndim(w):
                        anyt |= (w > 0) & (cs_r if read else cs_w)[t]
                    elif w > 0:
                        anyt |= (cs_r if read else cs_w)[t]
                if rule.route == "share":
                    left = 1.0 - sum(w for w, _ in outs)
                    mine = anyt | (left > 1e-12) if outs else np.ones(rows, bool)
                elif rule.route == "healthy":
                    mine = anyt
                elif rule.route == "calls":
                    mine = np.ones(rows, bool)
                    for w, t in outs:
                        if w >= 1.0:
                            mine &= (cs_r if read else cs_w)[t]
                else:
                    mine = np.ones(rows, bool)
                if rule.passes_down:
                    # A down cache passes everything on: it serves when one of its targets does.
                    down_ok = np.zeros(rows, bool)
                    for o in node.outs:
                        if o.flow_write > 0:
                            down_ok |= (cs_r if read else cs_w)[o.target]
                    cs[i] = np.where(u, mine, down_ok)
                else:
                    cs[i] = u & mine
        return up, cs_r, cs_w

    def _db_nodes(self, state: dict, i: int, rows: int):
        """(shares q, primary serving, replicas up) of a database's shards with a positive
        share: q per shard, the others rows × shards (a group down takes every node down)."""
        node = self.plan.nodes[i]
        shards = [k for k, q in enumerate(node.db.shares, start=1) if q > 0]
        q = np.array([node.db.shares[k - 1] for k in shards])
        prim = np.ones((rows, len(shards)), bool)
        reps = np.full((rows, len(shards)), float(node.db.replicas))
        for j, k in enumerate(shards):
            v = state.get(("p", node.id, k))
            if v is not None:
                prim[:, j] = v > 0
            v = state.get(("r", node.id, k))
            if v is not None:
                reps[:, j] = v
        g = self._groups_up(state, node.id, rows)[:, None]
        return q, prim & (g > 0), reps * g

    def _db_reachable(self, state: dict, i: int, rows: int):
        _, prim, reps = self._db_nodes(state, i, rows)
        writable = prim & (reps >= self.plan.nodes[i].db.replicas_for_writes())
        return (prim | (reps > 0)).any(axis=1), writable.any(axis=1)

    # --- passes 2 and 3 ------------------------------------------------------------------------
    def client_shares(self, state: dict, rows: int) -> dict[int, np.ndarray]:
        """Per client (plan index): the share of its admitted requests that complete, per
        state (1 where none is admitted)."""
        return self._run(state, rows, every_rho=False)[0]

    def utilizations(self, state: dict, rows: int) -> dict[str, np.ndarray]:
        """ρ(state) of every component that sheds (a database: its busiest node), per state."""
        return self._run(state, rows, every_rho=True)[1]

    def _run(self, state: dict, rows: int, every_rho: bool):
        """(client shares, ρ per component); ρ of the nodes that cannot be overloaded only with
        ``every_rho`` (their served share is 1 without it)."""
        plan = self.plan
        rho: dict[str, np.ndarray] = {}
        read_shares = self._read_shares(state, rows)
        up, cs_r, cs_w = self._can_serve(state, rows, read_shares)
        # Flow: sync and queued, reads and writes; 0.0 (a scalar) until something arrives.
        sr = dict.fromkeys(self.nodes, 0.0)
        sw = dict(sr)
        qr = dict(sr)
        qw = dict(sr)
        served = {}  # sync served share per node
        passed = {}  # share a rate limit forwards
        db_succ = {}
        for i in self.nodes:
            node, rule = plan.nodes[i], self.rules[i]
            if node.is_client:
                lam = node.rps
                sr[i] = np.full(rows, lam * node.read_ratio)
                sw[i] = np.full(rows, lam * (1.0 - node.read_ratio))
            if node.db is not None:
                db_succ[i], rho[node.id] = self._database(
                    state, i, rows, _per_state(sr[i] + qr[i], rows),
                    _per_state(sw[i] + qw[i], rows))
                continue
            lam = sr[i] + sw[i] + qr[i] + qw[i]
            if node.is_client or not rule.sheds or i in self.queued:
                f = np.ones(rows)
            elif i not in self.may_shed and not every_rho:
                f = 1.0
            else:
                f, rho[node.id] = self._served_share(state, i, rows, lam)
            is_up = up[i] if not node.is_client else np.ones(rows, bool)
            f = np.where(is_up, f, 0.0)
            served[i] = f
            g = None  # no rate limit: g = 1, left out of the products
            limited = node.limit_rps is not None
            if limited:
                g = _ratio_capped(np.full(rows, node.limit_rps), f * lam)
            passed[i] = g
            down = ~is_up if rule.passes_down else None
            for read, src_s, src_q, dst_s, dst_q, cs in ((True, sr, qr, sr, qr, cs_r),
                                                        (False, sw, qw, sw, qw, cs_w)):
                s_in, q_in = src_s[i], src_q[i]
                outs = node.outs
                if not outs:
                    continue
                if rule.route == "fanout":
                    for o in outs:
                        dst_q[o.target] = dst_q[o.target] + (s_in + q_in) * is_up
                    continue
                s_fg = s_in * f * g if limited else s_in * f
                no_queued = isinstance(q_in, float) and q_in == 0.0
                q_ug = None if no_queued else (q_in * is_up * g if limited else q_in * is_up)
                if rule.route == "healthy":
                    # Shares over the targets that can serve; where none can, every term is 0.
                    ok = [o.flow_read * cs[o.target] for o in outs]
                    tot = sum(ok)
                    safe = np.where(tot > 0, tot, 1.0)
                varying = read_shares.get(i) if read else None
                for n, o in enumerate(outs):
                    if rule.route == "healthy":
                        w = ok[n] / safe
                    elif varying is not None:
                        w = varying[n]
                    else:
                        w = o.flow_read if read else o.flow_write
                    s_out = s_fg * w
                    q_out = 0.0 if q_ug is None else q_ug * w
                    if down is not None:
                        s_out = np.where(down, s_in * o.flow_write, s_out)
                        if q_ug is not None:
                            q_out = np.where(down, q_in * o.flow_write, q_out)
                    dst_s[o.target] = _plus(dst_s[o.target], s_out)
                    dst_q[o.target] = _plus(dst_q[o.target], q_out)
        return self._success(rows, up, cs_r, cs_w, served, passed, db_succ, read_shares), rho

    def _served_share(self, state: dict, i: int, rows: int, lam: np.ndarray):
        """(min(1, 1/ρ), ρ) with ρ = λ · H / (k · c); an infinite H serves nothing, a zero H
        all."""
        h = self.hold[i]
        if np.isinf(h):
            return np.where(lam > 0, 0.0, 1.0), np.where(lam > 0, np.inf, 0.0)
        if h <= 0.0:
            return np.ones(rows), np.zeros(rows)
        cap = self._units(state, i, rows) * self.plan.nodes[i].workers
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where((lam > 0) & (cap > 0), lam * h / cap, 0.0)  # a down part runs at 0
        return _ratio_capped(cap, lam * h), rho

    def _database(self, state: dict, i: int, rows: int, reads, writes):
        """((read success, write success), busiest node's ρ) of a database per state: per
        shard, each node serves 1/ρ of what reaches it at ρ > 1. Shards are columns."""
        node = self.plan.nodes[i]
        s, c = node.service_s, float(node.workers)
        q_all, prim_all, reps_all = self._db_nodes(state, i, rows)
        need = node.db.replicas_for_writes()  # a write also needs these replicas up
        ok_r, ok_w, busiest = np.zeros(rows), np.zeros(rows), np.zeros(rows)
        for lo in range(0, len(q_all), _SHARD_BLOCK):  # a block of shards at a time: bounded
            q = q_all[lo:lo + _SHARD_BLOCK]            # temporaries for thousands of shards
            prim, reps = prim_all[:, lo:lo + _SHARD_BLOCK], reps_all[:, lo:lo + _SHARD_BLOCK]
            r_k, w_k = reads[:, None] * q, writes[:, None] * q
            on_reps = reps > 0
            spread = np.where(on_reps, reps, 1.0)
            p_load = w_k + np.where(on_reps, 0.0, r_k)
            f_p = np.where(prim, _ratio_capped(np.full_like(p_load, c), p_load * s), 0.0)
            f_rep = _ratio_capped(c * spread, r_k * s)
            ok_r += (q * np.where(on_reps, f_rep, f_p)).sum(axis=1)
            ok_w += (q * np.where(reps >= need, f_p, 0.0)).sum(axis=1)
            top = np.maximum(np.where(prim, p_load * s / c, 0.0),
                             np.where(on_reps, r_k * s / (c * spread), 0.0)).max(axis=1)
            busiest = np.maximum(busiest, top)
        return (ok_r, ok_w), busiest

    def _success(self, rows, up, cs_r, cs_w, served, passed, db_succ, read_shares):
        """Per client, the share of its admitted requests that complete. Values the same in
        every state stay scalars; without a rate limit nothing is rejected and the rejected
        shares are not computed (they are all 0)."""
        plan = self.plan
        rejects = self.rejects
        succ = {True: {}, False: {}}
        rej = {True: {}, False: {}}
        for i in reversed(self.nodes):
            node, rule = plan.nodes[i], self.rules[i]
            for read in (True, False):
                S, J = succ[read], rej[read]
                if node.db is not None:
                    S[i] = db_succ[i][0 if read else 1]
                    J[i] = 0.0
                    continue
                outs = node.outs
                if read and i in read_shares:
                    w_of = read_shares[i]  # per state; what a cache does not send on it hit
                else:
                    w_of = [o.flow_read if read else o.flow_write for o in outs]
                j_val = 0.0
                if rule.route == "share":
                    s_bar = sum(w * S[o.target] for w, o in zip(w_of, outs) if _some(w))
                    left = np.maximum(0.0, 1.0 - sum(w_of)) if outs else 1.0
                    s_val = left + s_bar
                    if rejects:
                        j_val = sum(w * J[o.target] for w, o in zip(w_of, outs) if _some(w))
                elif rule.route == "healthy":
                    cs = cs_r if read else cs_w
                    ok = [o.flow_read * cs[o.target] for o in outs]
                    tot = sum(ok)
                    safe = np.where(tot > 0, tot, 1.0)
                    s_val = sum(k * S[o.target] for k, o in zip(ok, outs)) / safe
                    if rejects:
                        j_val = sum(k * J[o.target] for k, o in zip(ok, outs)) / safe
                elif rule.route == "calls":
                    s_val = 1.0
                    for w, o in zip(w_of, outs):
                        if w > 0:
                            s_val = s_val * ((1.0 - w) + w * S[o.target])
                            if rejects:
                                j_val = j_val + w * J[o.target]
                    j_val = np.minimum(j_val, 1.0)
                else:  # fanout and terminal: done once accepted
                    s_val = 1.0
                if node.is_client:
                    S[i], J[i] = s_val, j_val
                    continue
                f, g = served[i], passed[i]
                s_up = f * s_val if g is None else f * g * s_val
                if rule.passes_down:
                    s_dn = sum(o.flow_write * S[o.target] for o in outs)
                    S[i] = np.where(up[i], s_up, s_dn)
                else:
                    S[i] = s_up  # f is 0 where the node is down
                g = 1.0 if g is None else g
                if rejects:
                    j_up = f * ((1.0 - g) + g * j_val)
                    if rule.passes_down:
                        j_dn = sum(o.flow_write * J[o.target] for o in outs)
                        J[i] = np.where(up[i], j_up, j_dn)
                    else:
                        J[i] = np.where(up[i], j_up, 0.0)
                else:
                    J[i] = 0.0
        out = {}
        for i in self.clients:
            rr = plan.nodes[i].read_ratio
            done = _per_state(rr * succ[True][i] + (1.0 - rr) * succ[False][i], rows)
            if not rejects:
                out[i] = done  # everything admitted
                continue
            admitted = 1.0 - (rr * rej[True][i] + (1.0 - rr) * rej[False][i])
            out[i] = np.where(admitted > 1e-15, done / np.where(admitted > 1e-15, admitted, 1.0),
                              1.0)
        return out
