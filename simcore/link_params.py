"""Parameters of links and groups (SPEC §2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from simcore.components.base import AvailabilityForms, ParamsBase, unit

# Defaults of a link's latency when none is set (the seed's table: AZs ≈ 1–2 ms, regions ≈ 50–100 ms).
CROSS_REGION_LATENCY_MS = 50.0
CROSS_ZONE_LATENCY_MS = 1.0


class CircuitBreakerParams(ParamsBase):
    """Closed → open after ``failure_threshold`` failures within ``window_s``; half-open after
    ``open_s`` (the seed: 5 failures in 30 s, half-open after 30 s)."""

    failure_threshold: int = Field(5, ge=1, le=100_000, json_schema_extra=unit("failures", label="Failures"),
                                   description="Failures within the window that open the circuit.")
    window_s: float = Field(30.0, gt=0, json_schema_extra=unit("s", label="Window"),
                            description="Sliding window over which failures are counted.")
    open_s: float = Field(30.0, gt=0, json_schema_extra=unit("s", label="Open for"),
                          description="Time the circuit stays open (failing fast) before half-open.")


class LinkParams(ParamsBase):
    latency_ms: float | None = Field(
        None, ge=0, le=3_600_000,
        description="One-way network latency; a call pays it twice. Empty = 50 ms across "
        "regions, 1 ms across zones, else 0.",
        json_schema_extra=unit("ms", section="Network", label="Latency", unset="auto",
                               start=0.5))
    bandwidth_mbps: float | None = Field(
        None, gt=0, description="Link bandwidth; a request of request_kb adds "
        "request_kb·8/bandwidth ms. Empty = unlimited.",
        json_schema_extra=unit("Mbit/s", section="Network", label="Bandwidth",
                               unset="unlimited", start=1000.0))
    weight: float = Field(1.0, gt=0, description="Share when the source sends to one of several "
                          "targets.", json_schema_extra=unit("", section="Routing"))
    probability: float = Field(1.0, ge=0, le=1, description="A service's chance of making this "
                               "call.", json_schema_extra=unit("", section="Routing"))
    mode: Literal["sync", "async"] = Field(
        "sync", description="sync waits for the answer; async only enqueues (to a message queue).",
        json_schema_extra={"section": "Routing"})
    timeout_ms: float | None = Field(
        None, ge=0, description="The caller gives up on this call after this long.",
        json_schema_extra=unit("ms", section="Resilience", label="Timeout", unset="none",
                               start=1000.0))
    retries: int = Field(0, ge=0, le=10, description="Times the caller retries a failed call.",
                         json_schema_extra=unit("", section="Resilience"))
    retry_backoff_ms: float = Field(
        0.0, ge=0, le=3_600_000, description="Wait before the first retry of a failed call; "
        "doubles on each further retry. 0 = retry at once.",
        json_schema_extra=unit("ms", since=2, section="Resilience", label="Retry backoff"))
    retry_jitter: Literal["none", "full"] = Field(
        "none", description="none: retry m waits backoff·2^m; full: a uniform draw on "
        "[0, backoff·2^m].", json_schema_extra={"since": 2, "section": "Resilience"})
    retry_budget: float | None = Field(
        None, ge=0, le=100, description="Retries allowed per first try over the last 10 s "
        "on this link; beyond it a failure is final. Empty = no budget.",
        json_schema_extra=unit("", since=2, section="Resilience", unset="none", start=0.1))
    optional: bool = Field(
        False, description="Graceful degradation: when this call fails the request still "
        "succeeds, degraded (a recommendations panel left out).",
        json_schema_extra={"since": 2, "section": "Routing"})
    circuit_breaker: CircuitBreakerParams | None = Field(
        None, description="Fail fast after repeated failures (closed → open → half-open).")


class GroupParams(AvailabilityForms):
    """A zone's or region's own availability (a common cause of failure)."""

    availability: float | None = Field(None, gt=0, le=1,
                                       json_schema_extra=unit("", unset="1 (never fails)",
                                                              start=0.999),
                                       description="Steady-state availability of the whole group; default 1.")
    mtbf_hours: float | None = Field(None, gt=0,
                                     json_schema_extra=unit("h", label="MTBF", start=1000.0),
                                     description="Mean time between failures of the whole group.")
    mttr_hours: float | None = Field(None, gt=0,
                                     json_schema_extra=unit("h", label="MTTR", start=1.0),
                                     description="Mean time to recover the whole group.")

    @property
    def group_availability(self) -> float:
        return self.steady_availability


# Link params a source may set only when it splits / only when it is a service.
SPLIT_ONLY = ("weight",)
SERVICE_ONLY = ("probability", "mode", "optional")
