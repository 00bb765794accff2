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
    retry_jitter: Literal["none", "full"] = Field(
        "none", description="none: retry m waits backoff·2^m; full: a uniform draw on "
        "[0, backoff·2^m], so clients that failed together do not retry together.",
        json_schema_extra={"since": 2},
    )
    retry_budget: float | None = Field(
        None, ge=0, le=100, description="Retries allowed per first try over the last 10 s "
        "(0.1: one retry per ten requests); beyond it a failure is final. Empty = no budget.",
        json_schema_extra=unit("", since=2, unset="none", start=0.1),
    )
    idempotency_keys: bool = Field(
        False, description="Each request carries a key: a database, blob store or external "
        "service recognises a repeated write and does not run it twice.",
        json_schema_extra={"since": 2},
    )
    sessions: int = Field(
        10_000, ge=1, le=10_000_000, description="Distinct user sessions; each request "
        "belongs to one drawn at random (what sticky balancers keep together).",
        json_schema_extra=unit("", since=2),
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
