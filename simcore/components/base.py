"""What every component kind declares: data (label, category, parameter model) and behaviour
(its role when a request arrives). A kind is declared once; the palette, the icon, the inspector
form, the analysis and the simulation all read the same declaration.

Units are part of each field: ``json_schema_extra={"unit": ...}``; the inspector shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simcore.roles import Role, role

FAILOVER_DEFAULT_S = {"cold": 600.0, "warm": 60.0, "hot": 5.0}
"""Standby take-over times: the seed's cold (minutes), warm (seconds to minutes), hot (seconds)."""


def unit(u: str, **extra) -> dict:
    return {"unit": u, **extra}


class ParamsBase(BaseModel):
    """Base of every kind's parameters: unknown names are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class CommonParams(ParamsBase):
    """Parameters every non-client kind accepts (SPEC §2). Kinds override the defaults."""

    instances: int = Field(
        1, ge=1, le=10_000,
        description="Identical active-active copies; the component balances over them itself.",
        json_schema_extra=unit("")
    )
    workers: int = Field(
        8, ge=1, le=1_000_000,
        description="Requests one instance serves at once (threads, connections).",
        json_schema_extra=unit("")
    )
    service_time_ms: float = Field(
        10.0, ge=0, le=3_600_000,
        description="Mean time one worker spends on one request.",
        json_schema_extra=unit("ms")
    )
    service_distribution: Literal["exponential", "constant", "lognormal"] = Field(
        "exponential", description="Distribution of the service time (its mean stays service_time_ms)."
    )
    service_cv: float = Field(
        1.0, ge=0, le=100,
        description="Coefficient of variation (std / mean) of a lognormal service time.",
        json_schema_extra=unit("")
    )
    queue_limit: int | None = Field(
        None, ge=0,
        description="Requests that may wait per instance before new ones are rejected; empty = unbounded.",
        json_schema_extra=unit("requests")
    )
    availability: float | None = Field(
        None, gt=0, le=1,
        description="Steady-state availability of one instance (0 < a ≤ 1); default 1, "
        "which never fails: set it to see nines.",
        json_schema_extra=unit("")
    )
    mtbf_hours: float | None = Field(
        None, gt=0,
        description="Mean time between failures; with mttr_hours, an alternative to availability.",
        json_schema_extra=unit("h")
    )
    mttr_hours: float | None = Field(
        None, gt=0,
        description="Mean time to recovery (detection, diagnosis, repair, verification).",
        json_schema_extra=unit("h")
    )
    standby: Literal["none", "cold", "warm", "hot"] = Field(
        "none", description="A passive copy that takes over on failure: cold boots, warm is running, hot is in sync."
    )
    failover_s: float | None = Field(
        None, ge=0,
        description="Time for the standby to take over (default cold 600 s, warm 60 s, hot 5 s).",
        json_schema_extra=unit("s")
    )
    cost_per_hour: float = Field(
        0.0, ge=0,
        description="Price of one node (an instance, a database node, a standby).",
        json_schema_extra=unit("$/h")
    )

    @model_validator(mode="after")
    def _availability_forms(self):
        if self.availability is not None and (
            self.mtbf_hours is not None or self.mttr_hours is not None
        ):
            raise ValueError("give either availability or mtbf_hours + mttr_hours, not both")
        if (self.mtbf_hours is None) != (self.mttr_hours is None):
            raise ValueError("mtbf_hours and mttr_hours go together: give both or neither")
        return self

    # --- derived values (what the analysis and simulation use) ----------------------------
    @property
    def instance_availability(self) -> float:
        """a of one instance: ``availability``, or MTBF / (MTBF + MTTR), or 1."""
        if self.availability is not None:
            return float(self.availability)
        if self.mtbf_hours is not None and self.mttr_hours is not None:
            return self.mtbf_hours / (self.mtbf_hours + self.mttr_hours)
        return 1.0

    @property
    def repair_hours(self) -> float:
        """MTTR in hours; 1 h when only an availability is given (SPEC §3)."""
        return self.mttr_hours if self.mttr_hours is not None else 1.0

    @property
    def effective_failover_s(self) -> float:
        if self.standby == "none":
            return 0.0
        if self.failover_s is not None:
            return float(self.failover_s)
        return FAILOVER_DEFAULT_S[self.standby]

    @property
    def capacity_rps(self) -> float:
        """Throughput = workers / service time (the seed's formula), for all instances; inf at s = 0."""
        if self.service_time_ms <= 0:
            return float("inf")
        return self.instances * self.workers / (self.service_time_ms / 1000.0)


@dataclass(frozen=True)
class KindSpec:
    """The one declaration of a component kind. ``role`` names how it treats a request (a key
    of ``simcore.roles.ROLES``: source, balancer, router, limiter, cache, service, database,
    queue, terminal); an unknown role is an error when the kind is declared. ``needs_target``,
    ``terminal`` and ``splits`` follow from the role unless given."""

    kind: str
    label: str
    category: str
    description: str
    params: type[ParamsBase]
    role: str
    needs_target: bool | None = None  # a validation error when it has no outgoing link
    terminal: bool | None = None  # outgoing links are an error
    splits: bool | None = None  # sends each request to one of its targets: links take `weight`
    shown_only: tuple[str, ...] = ()  # params shown to the user but not simulated

    def __post_init__(self):
        try:
            behaviour = role(self.role)
        except ValueError as exc:
            raise ValueError(f"component kind '{self.kind}': {exc}") from None
        for flag in ("needs_target", "terminal", "splits"):
            if getattr(self, flag) is None:
                object.__setattr__(self, flag, getattr(behaviour, flag))

    @cached_property
    def behaviour(self) -> Role:
        """The role object: the flow, success, capacity and run-time rules of this kind."""
        return role(self.role)

    @property
    def icon(self) -> str:
        """Icon file name under resources/icons/."""
        return f"{self.kind}.svg"
