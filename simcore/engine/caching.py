"""Caches and CDNs at run time (SPEC §3, §7.4).

A read hits and returns; a miss goes on to one target by link weight. Each instance is an LRU
over the clients' keys (a request's key drawn here from the mixture of the clients that reach
the cache, reads and writes apart; key k's home is instance k mod n). Its size is
``capacity_keys``, or, without it, the size for which Che's approximation gives ``hit_ratio``
(capped, with a warning, at what the write policy and the time to live let an LRU reach:
``simcore.analysis.che.reachable_hit_ratio``). It starts warm, holding what LRU holds in its
steady state. A miss puts its key in at once (Che's assumption; an answer that is not OK
takes it back out); ``ttl_s`` expires a key that long after its fill. A key whose home
instance is down goes to the next instance up (k mod n, + 1, + 2 …, as
consistent-hashing cache clients do), which fills it on a miss: the instances up share the
keys between them.

A run holds at most CACHE_KEYS_PER_RUN keys over all its caches: a cache that would take the
run past that keeps, with a warning, a coin flip per read (at the hit ratio it would have as an
LRU) instead of keys.

Writes follow ``write_policy``: ``around`` removes the key and goes on; ``through`` goes on and
refreshes the key (as a miss fills it); ``back`` (write-behind) is answered once the cache's own
work is done, kept pending on the instance that took it and forwarded at every
``flush_interval_s``, each as its own request (a failed forward waits for the next flush); an
instance that fails loses its pending writes (``lost_writes``). A cache with no instance up
passes every request through. A ``flush`` event forwards the pending writes, then empties the
cache.
"""

from __future__ import annotations

from collections import OrderedDict

from simcore.analysis.che import cache_traffic, client_laws, settle_hit_ratios, sized_for
from simcore.engine.cache_warm import instance_keys, warm_keys
from simcore.engine.clients import Req
from simcore.engine.kernel import FAIL, OK
from simcore.engine.keys import KeyStream
from simcore.engine.nodes import RNode
from simcore.engine.streams import child_generator
from simcore.lint import cap_warning

CACHE_KEYS_PER_RUN = 2_000_000
"""The most keys the caches of one run hold together. An LRU entry (a key and its fill time in
an OrderedDict) takes about 160 bytes (``benchmarks/cache_bench.py`` measures it), so this is
about 320 MB per replication; filling them before the run takes about a second (up to several
over key spaces beyond ``cache_warm.EXACT_KEYS``, where the warm start draws requests)."""


class CacheNode(RNode):
    """cache, cdn: see the module's docstring."""

    passes_answers = True  # a key is filled when its miss goes on, not when answered

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        p = self.params
        self.h = float(p.hit_ratio)  # a coin-flip cache's (see CACHE_KEYS_PER_RUN)
        self.behind = getattr(p, "write_policy", "around") == "back"
        self.refreshes = getattr(p, "write_policy", "around") != "around"
        self.capacity = p.capacity_keys
        self.ttl = p.ttl_s
        self._lookup_cb = self._lookup  # made once, not on every request
        self.hits = 0
        self.misses = 0
        self.passed = 0
        self.lost_writes = 0
        self.max_staleness = 0.0  # s: the oldest copy a hit returned (keyed caches)
        self.lru: list[OrderedDict] | None = None
        self.route = list(range(self.n))  # instance that takes the keys of home k; -1: none
        self.pending: list[list[Req]] = [[] for _ in range(self.n)]
        self._behind_cbs = [self._write_behind_on(k) for k in range(self.n)]
        if self.behind:
            self.after(float(p.flush_interval_s), self._flush_tick)

    def finish_links(self):
        super().finish_links()
        p = self.params
        topo = self.sim.topology
        label = topo.design.component(self.id).label
        if self.capacity is None:  # sized by Che for its hit ratio, at most what LRU reaches
            traffic = cache_traffic(topo, self.id)
            reach, keys = sized_for(traffic, self.h)
            warning = cap_warning(label, self.h, reach, traffic)
            if warning is not None:
                self.sim.warnings.append(warning)
                self.h = reach
            self.capacity = max(1, -(-keys // self.n))
            given = f"to hit {self.h:.3g}"
        else:
            given = f"{self.capacity:,} keys an instance"
        reads, writes = client_laws(topo, self.id)
        self.space = max((n for w, n, _s in reads + writes if w > 0), default=1)
        self.caps = [min(int(self.capacity), instance_keys(self.space, self.n, k))
                     for k in range(self.n)]
        held = sum(self.caps)
        if held > self.sim.cache_keys_left:
            if p.capacity_keys is not None:  # the hit ratio the analysis computes for it
                settle_hit_ratios(topo)
                self.h = topo.nodes[self.id].computed_hit_ratio
            self.sim.warnings.append(
                f"{label} would hold {held:,} keys ({given}), more than the "
                f"{self.sim.cache_keys_left:,} left of the {CACHE_KEYS_PER_RUN:,} a run holds: "
                f"the simulation draws each read's hit at {self.h:.3g} instead (a flush does "
                f"not empty it)")
            return
        self.sim.cache_keys_left -= held
        rep = self.sim.rep
        self.read_keys = KeyStream(child_generator(rep, self.id, "read keys"), reads)
        self.write_keys = KeyStream(child_generator(rep, self.id, "write keys"), writes)
        self.lru = self._warm(reads, writes)
        self.arrive = self._arrive_keyed  # bound once: no test of the kind per request

    def _warm(self, reads: list, writes: list) -> list[OrderedDict]:
        """Each instance holding what an LRU holds in its steady state (``cache_warm``),
        drawn from a stream of its own (the run's streams stay untouched). With ``ttl_s`` the
        keys' fill times are spread evenly over it, so that they do not all expire at once."""
        rng = child_generator(self.sim.rep, self.id, "warm keys")
        caches = []
        for mine in warm_keys(rng, reads, writes, self.caps, self.space, not self.refreshes):
            keys = reversed(mine.tolist())  # the least recent first: the LRU end
            if self.ttl is None:
                caches.append(OrderedDict((key, 0.0) for key in keys))
            else:
                ages = (self.ttl * rng.random(len(mine))).tolist()
                caches.append(OrderedDict((key, -age) for key, age in zip(keys, ages)))
        return caches

    # --- a request ------------------------------------------------------------------------
    def arrive(self, req, inst, done):
        """A request at a cache that draws its hits (a keyed one arrives at _arrive_keyed)."""
        if self.n_alive == 0 or (inst >= 0 and not self.alive[inst]):
            self.passed += 1
            self.call(self.pick_edge(), req, done)
            return
        # serve_then, inline (an instance is up: checked above)
        if inst < 0:
            inst = self.alive_idx[0] if self.n_alive == 1 else self.pick_instance(-1)
        then = self._lookup_cb if req.read or not self.behind else self._behind_cbs[inst]
        if not self.stations[inst].enter(then, req, done):
            done(FAIL)

    def _lookup(self, req, done):
        """A read hits with probability ``h`` (hits and misses count reads only); a write goes
        on."""
        if req.read:
            b = self.u.buf  # self.u.next(), inline
            if not b:
                self.u.refill()
                b = self.u.buf
            if b.pop() < self.h:
                self.hits += 1
                done(OK)
                return
            self.misses += 1
        self.call(self.pick_edge(), req, done)

    def _write_behind_on(self, k: int):
        def accept(req, done):
            self.pending[k].append(Req(False, self.env.now, req.counted, req.kb))
            done(OK)
        return accept

    # --- keyed (LRU) --------------------------------------------------------------------------
    def _arrive_keyed(self, req, _inst, done):
        """A request at a keyed cache (``arrive`` once it has keys). Its key picks the
        instance (its home, or the next one up; an instance asked for is not: the key decides);
        the station carries (req, instance, key) as its request, so that no closure is made per
        request."""
        if req.read:
            keys, then = self.read_keys, self._read_visit
        else:
            keys, then = self.write_keys, self._write_visit
        b = keys.buf  # keys.next(), inline
        if not b:
            keys.refill()
            b = keys.buf
        key = b.pop()
        k = self.route[key % self.n]
        if k < 0:
            self.passed += 1
            self.call(self.pick_edge(), req, done)
            return
        if not self.stations[k].enter(then, (req, k, key), done):
            done(FAIL)

    def _read_visit(self, visit, done):
        req, k, key = visit
        lru = self.lru[k]
        filled = lru.get(key)
        if filled is not None:
            age = self.env._now - filled
            if self.ttl is None or age < self.ttl:
                lru.move_to_end(key)
                self.hits += 1
                if age > self.max_staleness:  # noqa: PLR1730 (max() is slower here)
                    self.max_staleness = age
                done(OK)
                return
        self.misses += 1
        self._fetch(req, done, k, key)

    def _write_visit(self, visit, done):
        req, k, key = visit
        if self.behind:
            self._touch(k, key)
            self._behind_cbs[k](req, done)
        elif self.refreshes:  # through: the key refreshed as the write goes on
            self._fetch(req, done, k, key)
        else:  # around: the key is removed as the write goes on
            filled = self.lru[k].pop(key, None)
            if filled is None:
                self.call(self.pick_edge(), req, done)
            else:
                self.call(self.pick_edge(), req, self._put_back_if_failed(k, key, filled, done))

    def _put_back_if_failed(self, k: int, key: int, filled: float, done):
        """An ``around`` write's answer: one that is not OK did not change the item, so the
        copy it removed goes back (unless a read has filled the key meanwhile); otherwise an
        outage of the target would empty the cache, one write at a time."""
        def answered(status):
            if status != OK and key not in self.lru[k]:
                self._touch(k, key, filled)
            done(status)
        return answered

    def _fetch(self, req, done, k, key):
        """A miss (or a write-through write) goes on to the target. Its key takes its place
        on instance k at once, as Che's approximation has it: the reads of that key while the
        target answers hit, as in a cache that collapses concurrent misses of one key into one
        fetch (their wait for it is not modelled). An answer that is not OK takes the key
        back out."""
        self._touch(k, key)
        filled = self.env._now
        lru = self.lru[k]

        def answered(status):
            if status != OK and lru.get(key) == filled:
                del lru[key]
            done(status)
        self.call(self.pick_edge(), req, answered)

    def _touch(self, k: int, key: int, filled: float | None = None) -> None:
        """Key ``key`` (re)filled on instance k, now or at ``filled`` (s), as the most recently
        used; the least recently used goes if full."""
        lru = self.lru[k]
        lru[key] = self.env._now if filled is None else filled
        lru.move_to_end(key)
        if len(lru) > self.caps[k]:
            lru.popitem(last=False)

    # --- write-behind --------------------------------------------------------------------------
    def _flush_tick(self, ev) -> None:
        self.forward_pending()
        self.after(float(self.params.flush_interval_s), self._flush_tick)

    def forward_pending(self) -> None:
        """Send every pending write of the live instances to the target, each as its own
        request; one that fails waits for the next flush (or is lost with its instance)."""
        for k, batch in enumerate(self.pending):
            if not batch or not self.alive[k]:
                continue
            self.pending[k] = []
            for req in batch:
                self.call(self.pick_edge(), req, self._forwarded(k, req))

    def _forwarded(self, k: int, req: Req):
        def answered(status):
            if status == OK:
                return
            if self.alive[k]:
                self.pending[k].append(req)
            else:
                self.lost_writes += 1
        return answered

    def empty(self) -> None:
        """A ``flush``: the pending writes forwarded, then every instance emptied (a cache
        that draws its hits without keys, CACHE_KEYS_PER_RUN, has nothing to empty)."""
        self.forward_pending()
        for lru in self.lru or ():
            lru.clear()

    def _apply(self, new: list[bool]) -> None:
        for k, (was, now) in enumerate(zip(self.alive, new)):
            if was and not now and self.pending[k]:  # a failed instance loses what it held
                self.lost_writes += len(self.pending[k])
                self.pending[k] = []
        super()._apply(new)
        self._reroute()

    def _reroute(self) -> None:
        """The keys of each home go to the first instance up from it (k, k + 1 … mod n). An
        instance holds at most ``capacity_keys`` and at most the keys routed to it (its own
        and those of the homes it stands in for); when that shrinks (an instance is back), the
        keys no longer routed to it, which no read can reach any more, are dropped."""
        n, alive = self.n, self.alive
        self.route = [next((j % n for j in range(k, k + n) if alive[j % n]), -1)
                      for k in range(n)]
        if self.lru is None:
            return
        routed = [0] * n
        for home, j in enumerate(self.route):
            if j >= 0:
                routed[j] += instance_keys(self.space, n, home)
        for j, lru in enumerate(self.lru):
            if alive[j]:
                self.caps[j] = min(int(self.capacity), routed[j])
                if len(lru) > self.caps[j]:
                    for key in [x for x in lru if self.route[x % n] != j]:
                        del lru[key]
