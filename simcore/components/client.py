"""Client: the traffic source (users, a mobile app, a batch job)."""

from typing import Literal

from pydantic import Field

from simcore.components.base import KindSpec, ParamsBase, unit


class ClientParams(ParamsBase):
    rps: float = Field(
        ..., ge=0, le=1e9, description="Requests per second the clients send.",
        json_schema_extra=unit("req/s", label="Rate", start=100.0),
    )
    read_ratio: float = Field(
        1.0, ge=0, le=1, description="Share of requests that are reads (the rest are writes).",
        json_schema_extra=unit(""),
    )
    pattern: Literal["constant", "poisson", "ramp", "diurnal"] = Field(
        "poisson",
        description="Arrival pattern: constant gaps, Poisson, a linear ramp from 0 to rps, "
        "or a day-shaped wave around rps.",
    )
    timeout_ms: float | None = Field(
        None, ge=0, description="Give up on a request after this long; empty = wait forever.",
        json_schema_extra=unit("ms", label="Timeout", unset="none", start=1000.0),
    )
    retries: int = Field(
        0, ge=0, le=10, description="Times a failed or timed-out request is sent again.",
        json_schema_extra=unit(""),
    )
    retry_backoff_ms: float = Field(
        100.0, ge=0, description="Wait before the first retry; doubles on each further retry.",
        json_schema_extra=unit("ms", label="Retry backoff"),
    )
    key_space: int = Field(
        100_000, ge=1, le=1_000_000_000,
        description="Distinct keys (items) the requests touch; key i is the same item for "
        "every client.",
        json_schema_extra=unit("keys", since=2),
    )
    key_skew: float = Field(
        1.0, ge=0, le=10,
        description="Zipf exponent of the keys' popularity (0 = every key alike).",
        json_schema_extra=unit("", since=2),
    )
    request_kb: float = Field(
        1.0, ge=0, description="Request size (1 KB = 1000 bytes); costs time on links with a bandwidth.",
        json_schema_extra=unit("KB", label="Request size"),
    )


SPEC = KindSpec(
    kind="client",
    label="Client",
    category="Traffic",
    description="Users or callers sending requests: rps, read/write mix, arrival pattern, "
    "timeouts and retries.",
    params=ClientParams,
    role="source",
    needs_target=True,
    splits=True,
)
