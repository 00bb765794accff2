"""``add_shard``: a hash-sharded database gains a shard at ``at_s`` (instantaneous); the keys that
change shard are copied over ``migration_s`` (SPEC §7.6; see ``simcore.engine.resharding``)."""

from typing import Literal

from pydantic import Field

from simcore.components.base import unit
from simcore.events.base import EventParams, EventSpec


class AddShardParams(EventParams):
    rehash: Literal["consistent", "modulo"] = Field(
        "consistent", description="How keys find their shard afterwards: consistent hashing "
        "moves 1/(n + 1) of the keys (the new shard's even share), modulo (key mod shards) "
        "moves n/(n + 1).", json_schema_extra={"label": "Rehash", "since": 2})
    migration_s: float = Field(
        60.0, gt=0, le=86_400, description="Time over which the moved keys are copied: one "
        "read on the old shard and one write on the new one per key, evenly spread.",
        json_schema_extra=unit("s", label="Migration time", start=60.0, since=2))


def apply(sim, ev):
    sim.nodes[ev.target].add_shard(ev.params.rehash, float(ev.params.migration_s))


def _needs_hash_sharding(params) -> str | None:
    if params.sharding != "hash":
        return "must be a hash-sharded database (sharding: hash) to add a shard"
    return None


def _phrase(p) -> str:
    return f"adds a shard ({p.rehash})"


SPEC = EventSpec(
    type="add_shard",
    label="Shard addition",
    description="A hash-sharded database gains a shard; keys move by consistent hashing or "
    "modulo, and the moved keys are copied over the migration time.",
    params=AddShardParams,
    targets=("component",),
    roles=("database",),
    apply=apply,
    colour=(37, 99, 235),
    phrase=_phrase,
    instantaneous=True,
    since=2,
    target_rule=_needs_hash_sharding,
)
