"""Cache: cache-aside in front of a store (Redis, Memcached)."""

from typing import Literal

from pydantic import Field, model_validator

from simcore.components.base import CommonParams, KindSpec, unit


class CachingParams(CommonParams):
    """What a cache and a CDN share (SPEC §7.4): the hit ratio, given or computed from the
    cache's size over the clients' keys (Che's approximation), and an optional time to live."""

    capacity_keys: int | None = Field(
        None, ge=1, le=1_000_000_000,
        description="Keys one instance holds (LRU; keys are spread over the instances). When "
        "set, the hit ratio is computed from it over the clients' keys; empty = use hit_ratio.",
        json_schema_extra=unit("keys", label="Capacity", unset="use hit ratio", start=10_000,
                               since=2))
    ttl_s: float | None = Field(
        None, gt=0, le=31_536_000,
        description="Time to live of a cached item: a hit is at most this old. Caps the hit "
        "ratio computed from capacity_keys; empty = items live until evicted.",
        json_schema_extra=unit("s", label="TTL", unset="no expiry", start=60.0, since=2))

    @model_validator(mode="after")
    def _one_source_of_hit_ratio(self):
        if self.capacity_keys is not None and "hit_ratio" in self.model_fields_set:
            raise ValueError("give either hit_ratio or capacity_keys (the hit ratio is then "
                             "computed), not both")
        return self


class CacheParams(CachingParams):
    workers: int = Field(1, ge=1, le=1_000_000,
                         description="Redis serves on one thread.", json_schema_extra=unit(""))
    service_time_ms: float = Field(0.01, ge=0, le=3_600_000,
                                   description="Mean time per operation (typically a Redis node "
                                   "handles 100,000+ ops/s).", json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.2, ge=0, description="Price of one cache node, per hour.",
                                 json_schema_extra=unit("$/h"))
    hit_ratio: float = Field(0.8, ge=0, le=1,
                             description="Share of reads served from memory (typically 80–90%).",
                             json_schema_extra=unit(""))
    write_policy: Literal["around", "through", "back"] = Field(
        "around",
        description="What a write does: around = goes to the target and removes the key "
        "(cache-aside); through = goes to the cache and at once to the target, refreshing the "
        "key; back = write-behind: answered by the cache, forwarded at the next flush (pending "
        "writes are lost if the cache fails).",
        json_schema_extra={"label": "Write policy", "since": 2})
    flush_interval_s: float = Field(
        1.0, gt=0, le=86_400,
        description="Write-behind only: how often pending writes are forwarded to the target "
        "(each as its own request); a failed forward is retried at the next flush.",
        json_schema_extra=unit("s", label="Flush interval", since=2))


SPEC = KindSpec(
    kind="cache",
    label="Cache",
    category="Data",
    description="A read hits with hit_ratio and returns; a miss or a write goes on to its target. "
    "When the cache is down, requests go straight to the target (slower, not failed).",
    params=CacheParams,
    role="cache",
    needs_target=True,
    splits=True,
)
