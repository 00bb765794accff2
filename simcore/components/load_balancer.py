"""Load balancer: one healthy target by algorithm, with health checks."""

from typing import Literal

from pydantic import Field

from simcore.components.base import CommonParams, KindSpec, unit


class BalancerParams(CommonParams):
    workers: int = Field(1_000, ge=1, le=1_000_000, description="Connections handled at once.",
                         json_schema_extra=unit(""))
    service_time_ms: float = Field(0.3, ge=0, le=3_600_000,
                                   description="Mean time to forward one request.",
                                   json_schema_extra=unit("ms"))
    cost_per_hour: float = Field(0.025, ge=0, description="Price of one balancer node, per hour.",
                                 json_schema_extra=unit("$/h"))
    algorithm: Literal["round_robin", "least_connections", "random", "weighted"] = Field(
        "round_robin", description="How a target is chosen.")
    health_check_interval_s: float = Field(
        5.0, ge=0, le=3600,
        description="How long a dead target keeps receiving traffic before the check notices.",
        json_schema_extra=unit("s", label="Health check"))
    sticky: bool = Field(
        False, description="Keep each client session on one target instance (session "
        "affinity); a session moves only when its instance stops serving.",
        json_schema_extra={"since": 2})
    session_store: Literal["in_memory", "external"] = Field(
        "in_memory", description="Where session state lives: in the instance's memory (lost "
        "when the session moves) or in an external store such as Redis (kept).",
        json_schema_extra={"since": 2})


SPEC = KindSpec(
    kind="load_balancer",
    label="Load balancer",
    category="Network",
    description="Spreads requests over healthy targets (round robin, least connections, random, "
    "weighted); health checks stop traffic to dead targets.",
    params=BalancerParams,
    role="balancer",
    needs_target=True,
    splits=True,
)
