"""Rate limiter: admits at most limit_rps; the rest are rejected (HTTP 429)."""

from typing import Literal

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class RateLimiterParams(CommonParams):
    workers: int = Field(1_000, ge=1, le=1_000_000, description="Requests checked at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(0.1, ge=0, le=3_600_000,
                                   description="Mean time to check one request.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.02, ge=0, description="Price of one limiter node, per hour.",
                                 json_schema_extra=unit("$/h"))
    limit_rps: float = Field(..., ge=0, description="Requests admitted per second, in all.",
                             json_schema_extra=unit("req/s", label="Limit", start=1000.0))
    burst: float | None = Field(
        None, ge=0, description="Requests admitted at once above the rate (token bucket size); "
        "empty = one second of limit_rps.", json_schema_extra=unit("requests", unset="1 s of limit", start=100.0))
    policy: Literal["token_bucket", "fixed_window", "sliding_window"] = Field(
        "token_bucket", description="Token bucket, fixed one-second windows, or a sliding window.")


SPEC = KindSpec(
    kind="rate_limiter",
    label="Rate limiter",
    category="Network",
    description="Admits at most limit_rps for the whole component (token bucket, fixed or "
    "sliding window); the rest are rejected with HTTP 429, counted apart from errors.",
    params=RateLimiterParams,
    role="limiter",
    needs_target=True,
    splits=True,
)
