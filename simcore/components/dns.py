"""DNS: resolves a name and sends to one target that can serve (failover between regions)."""

from typing import Literal

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class DnsParams(CommonParams):
    workers: int = Field(10_000, ge=1, le=1_000_000, description="Lookups served at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(2.0, ge=0, le=3_600_000,
                                   description="Mean resolution time (mostly cached resolvers).",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.01, ge=0, description="Price of the hosted zone, per hour.",
                                 json_schema_extra=unit("$/h"))
    algorithm: Literal["round_robin", "weighted"] = Field(
        "round_robin", description="Equal shares, or shares by link weight.")


SPEC = KindSpec(
    kind="dns",
    label="DNS",
    category="Edge",
    description="Resolves the name to one target that can serve; health checks fail over "
    "between targets (for example regions).",
    params=DnsParams,
    role="balancer",
    needs_target=True,
    splits=True,
)
