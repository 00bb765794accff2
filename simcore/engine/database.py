"""The database at run time (SPEC §2, §7.5, §7.6): shards of one primary and its replicas,
replication modes, failover data loss, partitions between primaries and replicas, and shards
added while the run goes on."""

from __future__ import annotations

import bisect
from collections import deque

from simcore.engine.calls import note_write
from simcore.engine.clients import Req
from simcore.engine.failures import start_shard_failures
from simcore.engine.kernel import FAIL, OK, Station
from simcore.engine.keys import KeyStream, clients_reaching
from simcore.engine.nodes import RNode, implicit_queue_cap
from simcore.engine.resharding import KeyMap
from simcore.engine.streams import child_generator
from simcore.roles import role


class DatabaseNode(RNode):
    """``shards`` × (1 primary + ``replicas``) nodes, each a station with ``workers``.

    A request goes to shard k with its share (∝ k^−shard_skew under range sharding or none;
    even under hash or directory sharding, which first pays ``directory_ms`` as a delay).
    Reads spread evenly (at random) over the shard's live replicas, and go to the primary only
    when no replica is up; writes go to the primary. What a write needs depends on the
    replication mode: ``sync`` the primary and every replica of its shard, ``semi_sync`` the
    primary and at least one replica (both then wait ``replication_lag_ms``), ``async`` the
    primary only (a replica read is stale, counted, not failed, when its key was written within
    the lag: keys are drawn from the clients' key model, engine.keys, of the reads and the
    writes that reach the database). A standby per shard primary takes over ``failover_s`` after the primary went
    down; under ``async`` replication the writes acknowledged in the lag before the failure
    are then lost (``lost_writes``). A ``partition`` of the database cuts every replica off
    from its primary: under ``strong`` consistency a read that reaches a cut-off replica
    fails, under ``eventual`` it is served stale and counted; for writes a cut-off replica
    counts as down. Node j of shard s is station s·(1 + replicas) + j (j = 0: primary).
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
        self._set_shares([(k + 1) ** -p.effective_skew for k in range(self.shards)])
        self.lookup_s = p.lookup_ms / 1000.0
        self.lag_s = p.replication_lag_ms / 1000.0 if self.replicas > 0 else 0.0
        mode = p.replication if self.replicas > 0 else "async"
        self.write_needs = {"sync": self.replicas, "semi_sync": 1, "async": 0}[mode]
        self.sync_lag = self.lag_s if self.write_needs else 0.0
        self.async_lag = 0.0 if self.write_needs else self.lag_s
        self.strong = p.consistency == "strong"
        self.last_write: dict[int, float] = {}  # key → when a write of it last ended
        self.read_keys = self.write_keys = None  # set by finish_links under async lag
        self.stale_reads = 0
        self.replica_reads = 0
        self.duplicate_executions = 0
        self.deduplicated = 0
        self.track = sim.tracking  # count repeated writes (engine.calls)
        self.max_staleness_s = 0.0
        self.lost_writes = 0
        self.cut = 0  # partitions in force between the primaries and their replicas
        self.cut_since = 0.0
        # writes acknowledged within the last lag, per shard: what an async failover loses
        self.track_acks = self.async_lag > 0.0 and self.standby
        self.recent_acks = [deque() for _ in range(self.shards)]
        self.at_risk = [0] * self.shards  # acknowledged writes the failed primary had alone
        self.keymap: KeyMap | None = None  # which shard holds each key, once one is added
        # ∫ shards dt, kept as shards · now + _shard_sum (see ``shard_seconds``), and its value
        # and time at the start of the measured window: the cost of shards added in the run
        self._shard_sum = 0.0
        self._shard_base = (0.0, 0.0)
        if self.lookup_s == 0.0:
            self.arrive = self._route  # no directory: no extra step on the hot path

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

    def _set_shares(self, weights: list[float]) -> None:
        total = sum(weights)
        self.shard_share = [x / total for x in weights]
        acc, self.shard_cum = 0.0, []
        for x in self.shard_share:
            acc += x
            self.shard_cum.append(acc)
        self.shard_cum[-1] = 1.0 + 1e-12

    def _make_stations(self):
        p = self.params
        nn = int(p.shards) * (1 + int(p.replicas))
        return [self._node_station(i) for i in range(nn)]

    def _node_station(self, i: int) -> Station:
        w = int(self.params.workers)
        return self._station(w, self.params.queue_limit, implicit_queue_cap(w),
                             f"{self.id}#s{i // self.per}n{i % self.per}", -1)

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
                self.at_risk[s] = self._acks_in_lag(s)
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
            # the standby had every write but those still within the lag
            self.lost_writes += self.at_risk[s]
        self.at_risk[s] = 0
        self.refresh()
        self.sim.state_changed()

    def _acks_in_lag(self, s: int) -> int:
        """Writes of shard s acknowledged within the last lag (and measured)."""
        acks = self.recent_acks[s]
        edge = self.env.now - self.async_lag
        while acks and acks[0] < edge:
            acks.popleft()
        return sum(1 for t in acks if t >= self.sim.warmup_s)

    # --- what a shard can do now -----------------------------------------------------------
    def replica_reachable(self, i: int) -> bool:
        """Whether replica node i is up and hears from its primary."""
        return self.node_alive[i] and not self.cut

    def can_write(self, s: int) -> bool:
        """A write of shard s finds its primary and the replicas its mode waits for."""
        base = s * self.per
        if not self.node_alive[base]:
            return False
        if not self.write_needs:
            return True
        acked = sum(1 for j in range(1, self.per) if self.replica_reachable(base + j))
        return acked >= self.write_needs

    def can_read(self, s: int) -> bool:
        """A read of shard s finds a node that answers it."""
        base = s * self.per
        alive = self.node_alive
        replicas = [alive[base + j] for j in range(1, self.per)]
        if any(replicas):
            return not (self.cut and self.strong)
        return alive[base]

    # --- requests --------------------------------------------------------------------------
    def arrive(self, req, inst, done):
        """A request pays the directory lookup, then goes to its shard (without a lookup
        ``arrive`` is ``_route`` itself: see ``__init__``)."""
        self.after(self.lookup_s, lambda ev: self._route(req, inst, done))

    def pick_shard(self) -> int:
        return bisect.bisect_right(self.shard_cum, self.u.next()) if self.shards > 1 else 0

    def _route(self, req, inst, done):
        s = self.pick_shard()
        i = self._read_node(s) if req.read else self._write_node(s)
        if i < 0:
            self.down_drops += 1
            done(FAIL)
            return
        self.visit(i, s, req, done)

    def _read_node(self, s: int) -> int:
        """The node that serves a read of shard s: a live replica at random, else the
        primary; −1 when none can (a cut-off replica under strong consistency refuses: it
        cannot tell whether it is current)."""
        base = s * self.per
        alive = self.node_alive
        if self.per > 1:
            live = [base + j for j in range(1, self.per) if alive[base + j]]
            if live:
                if self.cut and self.strong:
                    return -1
                return live[int(self.u.next() * len(live))] if len(live) > 1 else live[0]
        return base if alive[base] else -1

    def _write_node(self, s: int) -> int:
        return s * self.per if self.can_write(s) else -1

    def visit(self, i: int, s: int, req, done) -> None:
        """Serve ``req`` on node i of shard s, then answer ``done``."""
        st = self.stations[i]
        on_replica = i != s * self.per

        def finished(req, done):
            if req.read:
                if on_replica:
                    self._replica_read(s)
                done(OK)
                return
            now = self.env.now
            if self.async_lag > 0.0:
                self.last_write[self.write_keys.next()] = now
            if self.track:
                note_write(self, req)
            if self.track_acks:
                acks = self.recent_acks[s]
                acks.append(now)
                while acks[0] < now - self.async_lag:
                    acks.popleft()
            if self.sync_lag > 0.0:
                self.after(self.sync_lag, lambda ev: done(OK))
            else:
                done(OK)

        if not st.enter(finished, req, done):
            done(FAIL)

    def _replica_read(self, s: int) -> None:
        self.replica_reads += 1
        now = self.env.now
        if self.cut and not self.strong:  # served by a replica that stopped hearing at cut_since
            behind = now - self.cut_since + self.async_lag
        elif self.async_lag > 0.0 and now - self.last_write.get(self.read_keys.next(),
                                                                -self.async_lag) < self.async_lag:
            behind = self.async_lag
        else:
            return
        self.stale_reads += 1
        self.max_staleness_s = max(self.max_staleness_s, behind)

    # --- scenario events -------------------------------------------------------------------
    def partition(self, delta: int) -> None:
        """Cut the replicas off from their primaries (+1) or end one such cut (−1)."""
        if delta > 0 and not self.cut:
            self.cut_since = self.env.now
        self.cut += delta

    def add_shard(self, rehash: str, migration_s: float) -> None:
        """A shard joins now, with the others' replicas and standby; the keys that change
        shard are copied over the next ``migration_s`` seconds (see ``resharding``)."""
        if self.keymap is None:
            self.keymap = KeyMap.for_database(self.sim, self)
        old, new = self.keymap.add_shard(rehash, self.shards)
        s = self.shards
        self._shard_sum -= self.env.now  # the integral of shards up to now stays the same
        self.shards += 1
        added = [self._node_station(s * self.per + j) for j in range(self.per)]
        self.stations.extend(added)
        self.sim.add_stations(self, added)
        self.node_down.extend([0] * self.per)
        self.shard_standby.append(False)
        self.shard_pending.append(False)
        self.shard_standby_down.append(0)
        self.recent_acks.append(deque())
        self.at_risk.append(0)
        self._set_shares([1.0] * self.shards)
        self.refresh()
        self.sim.state_changed()
        start_shard_failures(self.sim, self, s)
        if len(old):
            self._migrate(old.tolist(), new.tolist(), migration_s / len(old))

    def _migrate(self, old: list[int], new: list[int], step_s: float) -> None:
        """Copy moved key k at k · step_s from now: a read on its old shard, a write on its
        new one (background work: no client waits for it, its failures are not errors)."""
        def copy(ev):
            k = ev.v
            i = self._read_node(old[k])
            if i >= 0:
                self.visit(i, old[k], Req(True, self.env.now, False, 0.0), _ignore)
            j = self._write_node(new[k])
            if j >= 0:
                self.visit(j, new[k], Req(False, self.env.now, False, 0.0), _ignore)
            if k + 1 < len(old):
                self.after(step_s, copy, k + 1)
        self.after(0.0, copy, 0)

    # --- shards over time (cost) --------------------------------------------------------------
    def shard_seconds(self) -> float:
        """∫ shards dt from the run's start to now."""
        return self._shard_sum + self.shards * self.env.now

    def mark(self) -> None:
        """Start of the measured window (the end of the warm-up)."""
        self._shard_base = (self.shard_seconds(), self.env.now)

    def mean_shards(self) -> float:
        """Time-averaged shards over the measured window (the count itself when it is empty)."""
        base, t0 = self._shard_base
        span = self.env.now - t0
        return (self.shard_seconds() - base) / span if span > 0 else float(self.shards)

    def billed_nodes_mean(self) -> float | None:
        """The nodes paid for, time-averaged over the measured window, when a shard was added
        during the run (each shard: its primary, replicas and standby); None when the count
        never changed (the analysis' count then holds)."""
        if self.keymap is None:
            return None
        per_shard = role(self.role).billed_nodes(self.params) / int(self.params.shards)
        return self.mean_shards() * per_shard

    def counters(self) -> dict:
        """The database's counts over the measured window (SPEC §7.5, §7.9), and the share
        of keys moved since the run's start (after an ``add_shard``; else None)."""
        return {"stale_reads": self.stale_reads, "replica_reads": self.replica_reads,
                "lost_writes": self.lost_writes,
                "max_staleness_ms": self.max_staleness_s * 1000.0 if self.replicas else None,
                "moved_key_share": self.keymap.moved_share() if self.keymap else None}

    def shard_utilization_nodes(self):
        return self.stations


def _ignore(status) -> None:
    pass
