"""Cache: cache-aside in front of a store (Redis, Memcached)."""

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class CacheParams(CommonParams):
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
