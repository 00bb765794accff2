"""The database and the message queue at run time."""

from __future__ import annotations

import bisect
from collections import deque

from simcore.engine.calls import TrackedReq, note_write
from simcore.engine.kernel import FAIL, OK
from simcore.engine.keys import KeyStream, clients_reaching
from simcore.engine.nodes import RNode, implicit_queue_cap
from simcore.engine.streams import child_generator


class DatabaseNode(RNode):
    """``shards`` × (1 primary + ``replicas``) nodes, each a station with ``workers``.

    A request goes to shard k with share ∝ k^−shard_skew. Reads spread evenly (at random) over
    the shard's live replicas, and go to the primary only when no replica is up; writes go to
    the primary. With replicas, ``sync``/``semi_sync`` replication adds ``replication_lag_ms``
    to every write; under ``async`` a replica read is stale (counted, not failed) when its key
    was written within the lag (SPEC §7.5): keys are drawn from the clients' key model
    (engine.keys) of the reads and the writes that reach the database. A standby per shard primary takes over ``failover_s`` after
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
        self.last_write: dict[int, float] = {}  # key → when a write of it last ended
        self.read_keys = self.write_keys = None  # set by finish_links under async lag
        self.stale_reads = 0
        self.replica_reads = 0
        self.duplicate_executions = 0
        self.deduplicated = 0
        self.track = sim.tracking  # count repeated writes (engine.calls)

    def finish_links(self):
        super().finish_links()
        if self.async_lag > 0.0:
            clients = clients_reaching(self.sim, self.id)
            rep = self.sim.rep
            self.read_keys = KeyStream(
                child_generator(rep, self.id, "read keys"),
                [(c.rps * c.read_ratio, c.key_space, c.key_skew) for c in clients])
            self.write_keys = KeyStream(
                child_generator(rep, self.id, "write keys"),
                [(c.rps * (1.0 - c.read_ratio), c.key_space, c.key_skew) for c in clients])

    def _make_stations(self):
        p = self.params
        w = int(p.workers)
        nn = int(p.shards) * (1 + int(p.replicas))
        return [self._station(w, p.queue_limit, implicit_queue_cap(w),
                              f"{self.id}#s{i // self.per}n{i % self.per}", -1)
                for i in range(nn)]

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
                    if self.async_lag > 0.0:
                        written = self.last_write.get(self.read_keys.next())
                        if written is not None and self.env.now - written < self.async_lag:
                            self.stale_reads += 1
                done(OK)
                return
            if self.async_lag > 0.0:
                self.last_write[self.write_keys.next()] = self.env.now
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


class Message(TrackedReq):
    """One subscription's copy of a message. ``t0`` is when it was enqueued (the delivery
    delay runs from there); ``since`` when it last joined its backlog (its age there);
    ``deliveries`` how many times a consumer has taken it; ``sub`` its subscription and
    ``done`` the consumer's answer about it. Each copy is a call of its own (engine.calls): a
    redelivered copy that writes again at a terminal is a duplicate."""

    __slots__ = ("deliveries", "done", "since", "sub")


class Subscription:
    """One outgoing link of a queue: the backlog (FIFO) of copies waiting for its consumer."""

    __slots__ = ("backlog", "edge", "queue")

    def __init__(self, queue, edge):
        self.queue = queue
        self.edge = edge
        self.backlog: deque = deque()


class QueueNode(RNode):
    """message_queue (SPEC §7.3): accepts a message (own work: persisting it) and answers at
    once when up; every subscription (outgoing link) then keeps a copy in its own backlog,
    which its consumer pulls from when a worker is free (``RNode.pull``).

    A copy that meets a backlog of ``capacity`` copies, or the run's bound on waiting work
    (``Sim.max_waiting``), is lost (``lost_messages``), never silently. A copy whose processing
    fails goes back to the tail of its backlog, until it has been delivered ``max_deliveries``
    times; then it is dead-lettered. While the queue is down nothing is delivered; a
    non-durable queue loses its backlog when it goes down. Counters cover the time after the
    warm-up; ``max_backlog`` and ``backlog()`` are sums over the subscriptions."""

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        p = self.params
        self.capacity = None if p.capacity is None else int(p.capacity)
        self.max_deliveries = int(p.max_deliveries)
        self.durable = bool(p.durable)
        self.subs: list[Subscription] = []
        self.held = 0  # copies waiting, over all subscriptions
        self.accepted = 0
        self.lost_messages = 0
        self.dead_lettered = 0
        self.delivered = 0  # copies processed successfully
        self.delay_sum = 0.0  # their enqueue-to-processed times, s
        self.max_backlog = 0
        self.a_depth = 0.0
        self.t_depth = 0.0

    def finish_links(self):
        super().finish_links()
        self.subs = [Subscription(self, e) for e in self.out]
        for sub in self.subs:
            sub.edge.dst.feeds.append(sub)

    def backlog(self) -> int:
        """Copies waiting, summed over subscriptions."""
        return self.held

    def oldest_age(self) -> float:
        """Seconds the longest-waiting copy has been in its backlog (0 when none waits)."""
        heads = [sub.backlog[0].since for sub in self.subs if sub.backlog]
        return self.env.now - min(heads) if heads else 0.0

    def tick_depth(self):
        now = self.env.now
        self.a_depth += self.held * (now - self.t_depth)
        self.t_depth = now

    def arrive(self, req, inst, done):
        self.serve_then(req, inst, done, self._accept)

    def _accept(self, req, done):
        self.accepted += 1
        now = self.env.now
        # a copy carries the request's idempotency key (its repeats are the same call)
        idem = req.root.idem if self.sim.tracking else False
        for sub in self.subs:
            msg = Message(req.read, now, False, req.kb, idem)
            msg.deliveries = 0
            msg.sub = sub
            msg.done = self._answer_for(msg)
            self._enqueue(msg)
            sub.edge.dst.poke()
        done(OK)

    def _answer_for(self, msg):
        def answered(status):
            self._processed(msg, status)
        return answered

    def _enqueue(self, msg) -> bool:
        """Put a copy at the tail of its backlog; False (and counted lost) when it is full."""
        sub = msg.sub
        sim = self.sim
        if self.capacity is not None and len(sub.backlog) >= self.capacity:
            self.lost_messages += 1
            return False
        if sim.in_flight + sim.held_messages >= sim.max_waiting:
            self.lost_messages += 1
            sim.mark_saturated(self)
            return False
        self.tick_depth()
        msg.since = self.env.now
        sub.backlog.append(msg)
        self.held += 1
        sim.held_messages += 1
        self.max_backlog = max(self.max_backlog, self.held)
        return True

    def take(self, sub):
        """The consumer takes the copy at the head of ``sub``'s backlog."""
        self.tick_depth()
        msg = sub.backlog.popleft()
        self.held -= 1
        self.sim.held_messages -= 1
        msg.deliveries += 1
        return msg

    def _processed(self, msg, status) -> None:
        consumer = msg.sub.edge.dst
        if status == OK:
            consumer.consumed_ok += 1
            self.delivered += 1
            self.delay_sum += self.env.now - msg.t0
            return
        consumer.consumed_failed += 1
        if msg.deliveries >= self.max_deliveries:
            self.dead_lettered += 1
        elif self._enqueue(msg):
            # the consumer pulls it again once the failure's handling is over (an event,
            # so that a consumer failing at once does not nest its retries)
            self.after(0.0, lambda _ev: consumer.poke())

    def _apply(self, new):
        was_up = self.n_alive > 0
        super()._apply(new)
        if was_up and not self.n_alive and not self.durable:
            self.tick_depth()
            for sub in self.subs:
                sub.backlog.clear()
            self.lost_messages += self.held
            self.sim.held_messages -= self.held
            self.held = 0
