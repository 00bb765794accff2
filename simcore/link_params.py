"""Parameters of links and groups (SPEC §2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simcore.components.base import ParamsBase, unit

# Defaults of a link's latency when none is set (the seed's table: AZs ≈ 1–2 ms, regions ≈ 50–100 ms).
CROSS_REGION_LATENCY_MS = 50.0
CROSS_ZONE_LATENCY_MS = 1.0


class CircuitBreakerParams(ParamsBase):
    """Closed → open after ``failure_threshold`` failures within ``window_s``; half-open after
    ``open_s`` (the seed: 5 failures in 30 s, half-open after 30 s)."""

    failure_threshold: int = Field(5, ge=1, le=100_000, json_schema_extra=unit("failures"),
                                   description="Failures within the window that open the circuit.")
    window_s: float = Field(30.0, gt=0, json_schema_extra=unit("s"),
                            description="Sliding window over which failures are counted.")
    open_s: float = Field(30.0, gt=0, json_schema_extra=unit("s"),
                          description="Time the circuit stays open (failing fast) before half-open.")


class LinkParams(ParamsBase):
    latency_ms: float | None = Field(
        None, ge=0, le=3_600_000,
        description="One-way network latency; a call pays it twice. Empty = 50 ms across "
        "regions, 1 ms across zones, else 0.", json_schema_extra=unit("ms"))
    bandwidth_mbps: float | None = Field(
        None, gt=0, description="Link bandwidth; a request of request_kb adds "
        "request_kb·8/bandwidth ms. Empty = unlimited.", json_schema_extra=unit("Mbit/s"))
    timeout_ms: float | None = Field(
        None, ge=0, description="The caller gives up on this call after this long.",
        json_schema_extra=unit("ms"))
    retries: int = Field(0, ge=0, le=10, description="Times the caller retries a failed call.",
                         json_schema_extra=unit(""))
    retry_backoff_ms: float = Field(
        0.0, ge=0, le=3_600_000, description="Wait before the first retry of a failed call; "
        "doubles on each further retry. 0 = retry at once.",
        json_schema_extra=unit("ms", since=2))
    retry_jitter: Literal["none", "full"] = Field(
        "none", description="none: retry m waits backoff·2^m; full: a uniform draw on "
        "[0, backoff·2^m].", json_schema_extra={"since": 2})
    retry_budget: float | None = Field(
        None, ge=0, le=100, description="Retries allowed per first try over the last 10 s "
        "on this link; beyond it a failure is final. Empty = no budget.",
        json_schema_extra=unit("", since=2))
    circuit_breaker: CircuitBreakerParams | None = Field(
        None, description="Fail fast after repeated failures (closed → open → half-open).")
    weight: float = Field(1.0, gt=0, description="Share when the source sends to one of several "
                          "targets.", json_schema_extra=unit(""))
    probability: float = Field(1.0, ge=0, le=1, description="A service's chance of making this "
                               "call.", json_schema_extra=unit(""))
    mode: Literal["sync", "async"] = Field(
        "sync", description="sync waits for the answer; async only enqueues (to a message queue).")
    optional: bool = Field(
        False, description="Graceful degradation: when this call fails the request still "
        "succeeds, degraded (a recommendations panel left out).", json_schema_extra={"since": 2})


class GroupParams(ParamsBase):
    """A zone's or region's own availability (a common cause of failure)."""

    availability: float | None = Field(None, gt=0, le=1, json_schema_extra=unit(""),
                                       description="Steady-state availability of the whole group; default 1.")
    mtbf_hours: float | None = Field(None, gt=0, json_schema_extra=unit("h"),
                                     description="Mean time between failures of the whole group.")
    mttr_hours: float | None = Field(None, gt=0, json_schema_extra=unit("h"),
                                     description="Mean time to recover the whole group.")

    @model_validator(mode="after")
    def _forms(self):
        if self.availability is not None and (
            self.mtbf_hours is not None or self.mttr_hours is not None
        ):
            raise ValueError("give either availability or mtbf_hours + mttr_hours, not both")
        if (self.mtbf_hours is None) != (self.mttr_hours is None):
            raise ValueError("mtbf_hours and mttr_hours go together: give both or neither")
        return self

    @property
    def group_availability(self) -> float:
        if self.availability is not None:
            return float(self.availability)
        if self.mtbf_hours is not None and self.mttr_hours is not None:
            return self.mtbf_hours / (self.mtbf_hours + self.mttr_hours)
        return 1.0

    @property
    def repair_hours(self) -> float:
        return self.mttr_hours if self.mttr_hours is not None else 1.0


# Link params a source may set only when it splits / only when it is a service.
SPLIT_ONLY = ("weight",)
SERVICE_ONLY = ("probability", "mode", "optional")
