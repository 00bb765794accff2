"""The database and the message queue at run time."""

from __future__ import annotations

import bisect

from simcore.engine.calls import note_write
from simcore.engine.kernel import FAIL, OK, Station
from simcore.engine.nodes import POOL_BACKLOG_CAP, RNode, implicit_queue_cap


class DatabaseNode(RNode):
    """``shards`` × (1 primary + ``replicas``) nodes, each a station with ``workers``.

    A request goes to shard k with share ∝ k^−shard_skew. Reads spread evenly (at random) over
    the shard's live replicas, and go to the primary only when no replica is up; writes go to
    the primary. With replicas, ``sync``/``semi_sync`` replication adds ``replication_lag_ms``
    to every write; ``async`` makes a replica read within the lag after a write to its shard
    stale (counted, not failed). A standby per shard primary takes over ``failover_s`` after
    the primary went down. Node j of shard s is station s·(1 + replicas) + j (j = 0: primary).
    """

    executes_writes = True

    def __init__(self, sim, node, rep):
        p = node.params
        self.shards = int(p.shards)
        self.replicas = int(p.replicas)
        self.per = 1 + self.replicas
        super().__init__(sim, node, rep)
        nn = self.shards * self.per
        self.node_down = [0] * nn
        self.node_alive = [True] * nn
        self.shard_standby = [False] * self.shards
        self.shard_pending = [False] * self.shards
        self.shard_standby_down = [0] * self.shards  # standbys' own failures
        w = [(k + 1) ** -float(p.shard_skew) for k in range(self.shards)]
        total = sum(w)
        acc, self.shard_cum = 0.0, []
        for x in w:
            acc += x / total
            self.shard_cum.append(acc)
        self.shard_cum[-1] = 1.0 + 1e-12
        self.shard_share = [x / total for x in w]
        self.lag_s = p.replication_lag_ms / 1000.0 if self.replicas > 0 else 0.0
        self.sync_lag = self.lag_s if p.replication in ("sync", "semi_sync") else 0.0
        self.async_lag = self.lag_s if p.replication == "async" else 0.0
        self.last_write = [-1e18] * self.shards
        self.stale_reads = 0
        self.replica_reads = 0
        self.duplicate_executions = 0
        self.deduplicated = 0
        self.track = sim.tracking  # count repeated writes (engine.calls)

    def _make_stations(self):
        p = self.params
        w = int(p.workers)
        nn = int(p.shards) * (1 + int(p.replicas))
        return [Station(self.env, self, w, p.queue_limit, implicit_queue_cap(w), self.svc,
                        f"{self.id}#s{i // self.per}n{i % self.per}") for i in range(nn)]

    # The component-level ``inst_down`` (one entry) fails every node; ``node_down`` fails
    # single nodes (random failures).
    def refresh(self):
        gd = self.group_down > 0 or self.inst_down[0] > 0
        per = self.per
        new = []
        for s in range(self.shards):
            base = s * per
            primary_dead = self.node_down[base] > 0 or self.inst_down[0] > 0
            if not primary_dead or self.shard_standby_down[s] > 0:
                self.shard_standby[s] = False
            elif self.standby and not self.shard_standby[s] and not self.shard_pending[s]:
                self.shard_pending[s] = True
                self.after(self.failover_s, lambda ev, s=s: self._shard_take_over(s))
            for j in range(per):
                i = base + j
                up = (not gd) and self.node_down[i] == 0
                if j == 0 and self.shard_standby[s] and self.group_down == 0:
                    up = True
                new.append(up)
        for i, (was, now) in enumerate(zip(self.node_alive, new)):
            if was and not now:
                self.stations[i].flush()
        self.node_alive = new
        any_up = any(new)
        self.alive = [any_up]
        self.alive_idx = [0] if any_up else []
        self.n_alive = 1 if any_up else 0

    def _shard_take_over(self, s):
        self.shard_pending[s] = False
        if ((self.node_down[s * self.per] > 0 or self.inst_down[0] > 0)
                and self.shard_standby_down[s] == 0):
            self.shard_standby[s] = True
            self.sim.standby_takeovers += 1
        self.refresh()
        self.sim.state_changed()

    def arrive(self, req, inst, done):
        s = bisect.bisect_right(self.shard_cum, self.u.next()) if self.shards > 1 else 0
        base = s * self.per
        alive = self.node_alive
        i = -1
        if req.read and self.per > 1:
            live = [base + j for j in range(1, self.per) if alive[base + j]]
            if live:
                i = live[int(self.u.next() * len(live))] if len(live) > 1 else live[0]
            elif alive[base]:
                i = base
        elif alive[base]:
            i = base
        if i < 0:
            self.down_drops += 1
            done(FAIL)
            return
        st = self.stations[i]
        on_replica = i != base

        def finished(req, done):
            if req.read:
                if on_replica:
                    self.replica_reads += 1
                    if self.async_lag > 0.0 and self.env.now - self.last_write[s] < self.async_lag:
                        self.stale_reads += 1
                done(OK)
                return
            self.last_write[s] = self.env.now
            if self.track:
                note_write(self, req)
            if self.sync_lag > 0.0:
                self.after(self.sync_lag, lambda ev: done(OK))
            else:
                done(OK)

        if not st.enter(finished, req, done):
            done(FAIL)

    def shard_utilization_nodes(self):
        return self.stations


class Subscription:
    """One outgoing link of a queue: its messages in transit and waiting for the consumer."""

    __slots__ = ("edge", "in_transit", "waiting", "delivered")

    def __init__(self, edge):
        self.edge = edge
        self.in_transit = 0
        self.waiting = 0
        self.delivered = 0

    @property
    def depth(self) -> int:
        return self.in_transit + self.waiting


class QueueNode(RNode):
    """message_queue: accepts a message (own work: persisting it) and answers at once, if up
    and holding fewer than ``capacity`` messages; every subscription then receives a copy.
    A message is held until every subscription has taken it, so the queue holds the deepest
    subscription's backlog. Consumers fed only by queues pull from their shared pool; others
    receive the message as an ordinary request."""

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        cap = self.params.capacity
        self.capacity = None if cap is None else int(cap)
        self.subs: list[Subscription] = []
        self.accepted = 0
        self.full = 0
        self.a_depth = 0.0
        self.t_depth = 0.0

    def finish_links(self):
        super().finish_links()
        self.subs = [Subscription(e) for e in self.out]

    def depth(self) -> int:
        return max((s.depth for s in self.subs), default=0)

    def backlog(self) -> int:
        """Messages waiting, summed over subscriptions."""
        return sum(s.depth for s in self.subs)

    def tick_depth(self):
        now = self.env.now
        self.a_depth += self.backlog() * (now - self.t_depth)
        self.t_depth = now

    def arrive(self, req, inst, done):
        self.serve_then(req, inst, done, self._accept)

    def _accept(self, req, done):
        if self.capacity is not None and self.depth() >= self.capacity:
            self.full += 1
            done(FAIL)
            return
        if self.capacity is None and self.depth() >= POOL_BACKLOG_CAP:
            # unbounded by the design, bounded by memory: refuse rather than accept a message
            # the consumer's pool would have to drop, and say the queue is saturated
            self.full += 1
            self.sim.mark_saturated(self)
            done(FAIL)
            return
        self.accepted += 1
        self.tick_depth()
        for sub in self.subs:
            self._deliver(sub, req)
        done(OK)

    def _deliver(self, sub, req):
        e = sub.edge
        msg = self.sim.message_from(req)
        dst = e.dst
        if not dst.pool:
            self.call(e, msg, _ignore)
            return
        sub.in_transit += 1
        d = e.lat_s + e.extra_s + msg.kb * e.s_per_kb

        def landed(ev=None):
            self.tick_depth()
            sub.in_transit -= 1
            sub.waiting += 1

            def consumed(status):
                if status == OK:
                    dst.consumed_ok += 1
                else:
                    dst.consumed_failed += 1

            def taken():
                # the consumer pool started the message: it leaves the queue
                self.tick_depth()
                sub.waiting -= 1
                sub.delivered += 1

            dst.consume(msg, taken, consumed)

        if d > 0.0:
            self.after(d, landed)
        else:
            landed()


def _ignore(status):
    pass
