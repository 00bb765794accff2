"""What every component kind declares: data (label, category, parameter model) and behaviour
(its role when a request arrives). A kind is declared once; the palette, the icon, the inspector
form, the analysis and the simulation all read the same declaration.

Everything the user interface says about a parameter is part of its field, in
``json_schema_extra`` (built with ``unit()``): ``unit``, ``label`` (the form's name for it, when
the field name alone reads badly), ``unset`` (what an optional value shows while not set),
``start`` (where an optional or required value starts when the user first sets it) and
``section`` (the inspector's group of fields; a kind's own fields have none and come first). A
kind that overrides a common field keeps the common field's metadata unless it gives its own
(``field_meta``).
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
    """A field's interface metadata: its unit plus ``label``, ``unset``, ``start`` if given."""
    return {"unit": u, **extra}


def field_meta(model: type[BaseModel], name: str) -> dict:
    """The interface metadata of field ``name`` of ``model``, inherited from the classes it
    derives from (a kind overriding a common field's default keeps its label and unit)."""
    meta: dict = {}
    for cls in reversed(model.__mro__):
        fields = getattr(cls, "__pydantic_fields__", None)
        if not isinstance(fields, dict) or name not in fields:
            continue
        extra = fields[name].json_schema_extra
        if isinstance(extra, dict):
            meta.update(extra)
    return meta


def field_label(model: type[BaseModel], name: str) -> str:
    """The name a form shows for field ``name``: its ``label``, else the name in words."""
    return field_meta(model, name).get("label") or name.replace("_", " ").capitalize()


def start_value(model: type[BaseModel], name: str):
    """Where field ``name`` starts when first set: its ``start``, else its lower bound, else 0."""
    meta = field_meta(model, name)
    if "start" in meta:
        return meta["start"]
    for m in model.model_fields[name].metadata:
        bound = getattr(m, "ge", None)
        if bound is None:
            bound = getattr(m, "gt", None)
        if bound is not None:
            return bound
    return 0


class ParamsBase(BaseModel):
    """Base of every kind's parameters: unknown names are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AvailabilityForms(ParamsBase):
    """How often a part is up, given one of two ways: ``availability``, or ``mtbf_hours`` with
    ``mttr_hours``. Subclasses (a component's instance, a group) declare the three fields, each
    with its own wording, in their own order."""

    @model_validator(mode="after")
    def _availability_forms(self):
        if self.availability is not None and (
            self.mtbf_hours is not None or self.mttr_hours is not None
        ):
            raise ValueError("give either availability or mtbf_hours + mttr_hours, not both")
        if (self.mtbf_hours is None) != (self.mttr_hours is None):
            raise ValueError("mtbf_hours and mttr_hours go together: give both or neither")
        return self

    @property
    def steady_availability(self) -> float:
        """``availability``, or MTBF / (MTBF + MTTR), or 1."""
        if self.availability is not None:
            return float(self.availability)
        if self.mtbf_hours is not None and self.mttr_hours is not None:
            return self.mtbf_hours / (self.mtbf_hours + self.mttr_hours)
        return 1.0

    @property
    def repair_hours(self) -> float:
        """MTTR in hours; 1 h when only an availability is given (SPEC §3)."""
        return self.mttr_hours if self.mttr_hours is not None else 1.0


class CommonParams(AvailabilityForms):
    """Parameters every non-client kind accepts (SPEC §2). Kinds override the defaults."""

    instances: int = Field(
        1, ge=1, le=10_000,
        description="Identical active-active copies; the component balances over them itself.",
        json_schema_extra=unit("", section="Capacity")
    )
    workers: int = Field(
        8, ge=1, le=1_000_000,
        description="Requests one instance serves at once (threads, connections).",
        json_schema_extra=unit("", section="Capacity")
    )
    service_time_ms: float = Field(
        10.0, ge=0, le=3_600_000,
        description="Mean time one worker spends on one request.",
        json_schema_extra=unit("ms", section="Capacity", label="Service time")
    )
    service_distribution: Literal["exponential", "constant", "lognormal"] = Field(
        "exponential", description="Distribution of the service time (its mean stays service_time_ms).",
        json_schema_extra={"section": "Capacity", "label": "Distribution"}
    )
    service_cv: float = Field(
        1.0, ge=0, le=100,
        description="Coefficient of variation (std / mean) of a lognormal service time.",
        json_schema_extra=unit("", section="Capacity", label="Variation (CV)")
    )
    queue_limit: int | None = Field(
        None, ge=0,
        description="Requests that may wait per instance before new ones are rejected; empty = unbounded.",
        json_schema_extra=unit("requests", section="Capacity", unset="unbounded", start=100)
    )
    availability: float | None = Field(
        None, gt=0, le=1,
        description="Steady-state availability of one instance (0 < a ≤ 1); default 1, "
        "which never fails: set it to see nines.",
        json_schema_extra=unit("", section="Reliability", unset="1 (never fails)", start=0.999)
    )
    mtbf_hours: float | None = Field(
        None, gt=0,
        description="Mean time between failures; with mttr_hours, an alternative to availability.",
        json_schema_extra=unit("h", section="Reliability", label="MTBF", start=1000.0)
    )
    mttr_hours: float | None = Field(
        None, gt=0,
        description="Mean time to recovery (detection, diagnosis, repair, verification).",
        json_schema_extra=unit("h", section="Reliability", label="MTTR", start=1.0)
    )
    standby: Literal["none", "cold", "warm", "hot"] = Field(
        "none", description="A passive copy that takes over on failure: cold boots, warm is running, hot is in sync.",
        json_schema_extra={"section": "Reliability"}
    )
    failover_s: float | None = Field(
        None, ge=0,
        description="Time for the standby to take over (default cold 600 s, warm 60 s, hot 5 s).",
        json_schema_extra=unit("s", section="Reliability", label="Failover time",
                               unset="by standby", start=60.0)
    )
    cost_per_hour: float = Field(
        0.0, ge=0,
        description="Price of one node (an instance, a database node, a standby).",
        json_schema_extra=unit("$/h", section="Cost", label="Cost per node")
    )

    # --- derived values (what the analysis and simulation use) ----------------------------
    @property
    def instance_availability(self) -> float:
        """a of one instance: ``availability``, or MTBF / (MTBF + MTTR), or 1."""
        return self.steady_availability

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
