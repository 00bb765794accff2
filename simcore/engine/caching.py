"""Caches and CDNs at run time (SPEC §3, §7.4).

A read hits and returns; a miss goes on to one target by link weight. Two models of what hits:

- without ``capacity_keys``, each read hits with probability ``hit_ratio`` (version 1);
- with ``capacity_keys``, each instance is an LRU over the clients' keys (a request's key drawn
  here from the mixture of the clients that reach the cache, reads and writes apart; key k lives
  on instance k mod n). It starts warm, holding what LRU holds in its steady state. A miss
  answered OK fills the key; ``ttl_s`` expires a key that long after its fill. A read of a key whose instance is
  down passes to the target.

Writes follow ``write_policy``: ``around`` removes the key and goes on; ``through`` goes on and
refreshes the key when answered OK; ``back`` (write-behind) is answered once the cache's own
work is done, kept pending on its instance and forwarded at every ``flush_interval_s``, each as
its own request (a failed forward waits for the next flush); an instance that fails loses its
pending writes (``lost_writes``). A cache with no instance up passes every request through.
A ``flush`` event forwards the pending writes, then empties the cache.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from simcore.engine.clients import Req
from simcore.engine.kernel import FAIL, OK
from simcore.engine.keys import KeyStream, clients_reaching
from simcore.engine.nodes import RNode
from simcore.engine.streams import child_generator


class CacheNode(RNode):
    """cache, cdn: see the module's docstring."""

    passes_answers = True

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        p = self.params
        self.h = float(p.hit_ratio)
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
        if self.capacity is not None:
            self.passes_answers = False  # it fills keys when answers come back
        self.pending: list[list[Req]] = [[] for _ in range(self.n)]
        self._behind_cbs = [self._write_behind_on(k) for k in range(self.n)]
        if self.behind:
            self.after(float(p.flush_interval_s), self._flush_tick)

    def finish_links(self):
        super().finish_links()
        if self.capacity is None:
            return
        reads, writes = self._key_laws()
        rep = self.sim.rep
        self.read_keys = KeyStream(child_generator(rep, self.id, "read keys"), reads)
        self.write_keys = KeyStream(child_generator(rep, self.id, "write keys"), writes)
        self.lru = self._warm(reads)

    def _key_laws(self) -> tuple[list, list]:
        """The key laws (rate, key_space, key_skew) of the clients that reach the cache, for
        its reads and for its writes."""
        clients = clients_reaching(self.sim, self.id)
        return ([(c.rps * c.read_ratio, c.key_space, c.key_skew) for c in clients],
                [(c.rps * (1.0 - c.read_ratio), c.key_space, c.key_skew) for c in clients])

    WARM_DRAWS = 1 << 24
    """The most keys drawn to fill the caches before the run (memory: 8 bytes a key)."""

    def _warm(self, reads: list) -> list[OrderedDict]:
        """Each instance holding what an LRU holds in its steady state: the last
        ``capacity_keys`` distinct keys of its read stream (SPEC §7.4: Che's characteristic
        time is exactly this window), found by drawing reads from a stream of their own (the
        run's streams stay untouched) and keeping, per instance, the most recent distinct keys.
        Holding the most popular keys instead would hold the ideal set, and a short run would
        show a hit ratio above what LRU gives. Where the draw bound leaves an instance short,
        the most popular keys it lacks fill the rest, least recent first."""
        cap, n = int(self.capacity), self.n
        stream = KeyStream(child_generator(self.sim.rep, self.id, "warm keys"), reads)
        chunks, drawn, order = [], 0, np.empty(0, dtype=np.int64)
        goal = 2 * cap * n  # draws before the first look; doubled while an instance is short
        while True:
            while drawn < goal:
                stream.refill()
                chunks.append(np.asarray(stream.buf, dtype=np.int64))
                stream.buf = []
                drawn += len(chunks[-1])
            seq = np.concatenate(chunks)[::-1]  # the most recent draw first
            uniq, first = np.unique(seq, return_index=True)
            order = uniq[np.argsort(first)]  # distinct keys, the most recent first
            if np.bincount(order % n, minlength=n).min() >= cap or goal >= self.WARM_DRAWS:
                break
            goal = min(2 * goal, self.WARM_DRAWS)
        caches = []
        for k in range(n):
            mine = order[order % n == k][:cap].tolist()
            present = set(mine)
            key = k
            while len(mine) < cap:  # short: the most popular keys of this instance
                if key not in present:
                    mine.append(key)
                key += n
            caches.append(OrderedDict((key, 0.0) for key in reversed(mine)))
        return caches

    # --- a request ------------------------------------------------------------------------
    def arrive(self, req, inst, done):
        if self.lru is not None:
            self._arrive_keyed(req, done)
            return
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
        if req.read:
            b = self.u.buf  # self.u.next(), inline
            if not b:
                self.u.refill()
                b = self.u.buf
            hit = b.pop() < self.h
        else:
            hit = False
        if hit:
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
    def _arrive_keyed(self, req, done):
        key = (self.read_keys if req.read else self.write_keys).next()
        k = key % self.n
        if not self.alive[k]:
            self.passed += 1
            self.call(self.pick_edge(), req, done)
            return
        if req.read:
            def then(r, d):
                self._read_key(r, d, k, key)
        elif self.behind:
            def then(r, d):
                self._touch(k, key)
                self._behind_cbs[k](r, d)
        else:
            def then(r, d):
                self._write_key(r, d, k, key)
        if not self.stations[k].enter(then, req, done):
            done(FAIL)

    def _read_key(self, req, done, k, key):
        lru = self.lru[k]
        filled = lru.get(key)
        now = self.env.now
        if filled is not None and (self.ttl is None or now - filled < self.ttl):
            lru.move_to_end(key)
            self.hits += 1
            if now - filled > self.max_staleness:
                self.max_staleness = now - filled
            done(OK)
            return
        self.misses += 1
        self._forward_then_fill(req, done, k, key)

    def _write_key(self, req, done, k, key):
        if self.refreshes:  # through: the target first, the key refreshed when answered
            self._forward_then_fill(req, done, k, key)
            return
        self.lru[k].pop(key, None)  # around: the key is removed
        self.call(self.pick_edge(), req, done)

    def _forward_then_fill(self, req, done, k, key):
        def answered(status):
            if status == OK and self.alive[k]:
                self._touch(k, key)
            done(status)
        self.call(self.pick_edge(), req, answered)

    def _touch(self, k: int, key: int) -> None:
        """Key ``key`` (re)filled on instance k now; the least recently used goes if full."""
        lru = self.lru[k]
        lru[key] = self.env.now
        lru.move_to_end(key)
        if len(lru) > self.capacity:
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
        """A ``flush``: the pending writes forwarded, then every instance emptied. A cache
        without ``capacity_keys`` becomes from then on the LRU that gives its ``hit_ratio``
        (sized by Che's approximation), so that its hits restart at 0 and recover as keys
        are read again."""
        self.forward_pending()
        if self.lru is None:
            self.capacity = self._capacity_for_hit_ratio()
            self.finish_links()
            self.passes_answers = False
        for lru in self.lru:
            lru.clear()

    def _capacity_for_hit_ratio(self) -> int:
        """Keys per instance for which Che's approximation gives ``hit_ratio`` over the keys
        and rates of the clients that reach the cache (at most every key they use)."""
        from simcore.analysis.che import capacity_for_hit_ratio

        reads, writes = self._key_laws()
        policy = getattr(self.params, "write_policy", "around")
        total = capacity_for_hit_ratio(self.h, reads, writes, policy, self.ttl)
        return max(1, -(-total // self.n))

    def _apply(self, new: list[bool]) -> None:
        for k, (was, now) in enumerate(zip(self.alive, new)):
            if was and not now and self.pending[k]:  # a failed instance loses what it held
                self.lost_writes += len(self.pending[k])
                self.pending[k] = []
        super()._apply(new)
