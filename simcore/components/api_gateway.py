"""API gateway: routes each request class to its service, optionally rate limited."""

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class ApiGatewayParams(CommonParams):
    workers: int = Field(500, ge=1, le=1_000_000, description="Requests handled at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(1.0, ge=0, le=3_600_000,
                                   description="Mean time for auth, routing and transformation.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.1, ge=0, description="Price of one gateway node, per hour.",
                                 json_schema_extra=unit("$/h"))
    rate_limit_rps: float | None = Field(
        None, ge=0, description="Cap on requests forwarded per second; empty = no cap.",
        json_schema_extra=unit("req/s", label="Rate limit", unset="no limit", start=1000.0))


SPEC = KindSpec(
    kind="api_gateway",
    label="API gateway",
    category="Network",
    description="One entry point that routes each request to the service for it (by link "
    "weight: the request classes); no failover between services; optional rate limit.",
    params=ApiGatewayParams,
    role="router",
    needs_target=True,
    splits=True,
)
