"""Adding a shard to a hash-sharded database during a run (SPEC §7.6, the ``add_shard`` event).

The keys are the items of the clients' key model: key i is the same item for every client, and a
database holds the largest ``key_space`` of the clients that reach it. Under hash sharding key i
lives on shard ``i mod n`` at the start. Adding a shard to n shards moves keys:

- ``modulo``: every key goes to ``i mod (n + 1)``: a share n/(n + 1) changes shard;
- ``consistent``: the new shard takes an even share 1/(n + 1) of every shard's keys (drawn at
  random), nothing else moves.

Each moved key costs one read on its old shard and one write on its new one, spread evenly over
the event's ``migration_s``. ``moved_key_share`` is the share of keys whose shard differs from
the run's start (2 → 3 → 4 shards under modulo: keys with i mod 4 ≠ i mod 2, a half).
"""

from __future__ import annotations

import numpy as np

from simcore.engine.keys import clients_reaching
from simcore.engine.streams import child_generator

DEFAULT_KEY_SPACE = 100_000
"""Distinct keys of a client that does not say (SPEC §7.4)."""


def key_space(sim, db_id: str) -> int:
    """The largest ``key_space`` among the clients whose links lead to database ``db_id``."""
    return max((c.key_space for c in clients_reaching(sim, db_id)), default=DEFAULT_KEY_SPACE)


class KeyMap:
    """Which shard holds each key: now (``shard``) and at the run's start (``start``)."""

    def __init__(self, keys: int, shards: int, rng: np.random.Generator):
        self.keys = np.arange(keys)
        self.start = self.keys % shards
        self.shard = self.start.copy()
        self.rng = rng

    @classmethod
    def for_database(cls, sim, node) -> KeyMap:
        rng = child_generator(sim.rep, node.id, "resharding")
        return cls(key_space(sim, node.id), node.shards, rng)

    def add_shard(self, rehash: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Add shard number n + 1 to ``n`` shards; returns the moved keys' old and new shards
        (in a random order, the order the migration copies them)."""
        before = self.shard
        if rehash == "modulo":
            after = self.keys % (n + 1)
        else:
            after = before.copy()
            for s in range(n):
                held = np.flatnonzero(before == s)
                take = round(len(held) / (n + 1))
                after[self.rng.choice(held, size=take, replace=False)] = n
        moved = np.flatnonzero(after != before)
        self.rng.shuffle(moved)
        self.shard = after
        return before[moved], after[moved]

    def moved_share(self) -> float:
        """The share of keys whose shard differs from the run's start."""
        return float(np.mean(self.shard != self.start)) if len(self.keys) else 0.0
