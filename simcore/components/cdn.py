"""CDN: serves reads from the edge; misses and writes go on to the origin."""

from pydantic import Field

from simcore.components.base import KindSpec, unit
from simcore.components.cache import CachingParams


class CdnParams(CachingParams):
    workers: int = Field(10_000, ge=1, le=1_000_000, description="Requests an edge serves at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(5.0, ge=0, le=3_600_000,
                                   description="Mean time to serve a hit from the edge.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.5, ge=0, description="Price of the distribution, per hour.",
                                 json_schema_extra=unit("$/h"))
    hit_ratio: float = Field(0.9, ge=0, le=1,
                             description="Share of reads served from the edge (typically 80–90%).",
                             json_schema_extra=unit(""))


SPEC = KindSpec(
    kind="cdn",
    label="CDN",
    category="Edge",
    description="Serves reads from edge locations near users; a miss or a write goes to the "
    "origin. When the CDN is down, requests go straight to the origin.",
    params=CdnParams,
    role="cache",
    needs_target=True,
    splits=True,
)
