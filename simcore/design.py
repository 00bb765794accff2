"""The pydantic model of a design file (SPEC §2, schema_version 1).

A design holds exactly what the user set: a component's ``params`` and a link's ``params`` are
kept as plain dicts so that saving writes back what was read (defaults are not materialised).
`simcore.catalog.resolve_params` turns them into the kind's typed Params model with defaults.
Unknown keys anywhere are errors (``extra="forbid"``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simcore import SCHEMA_VERSION
from simcore.components.base import ParamsBase
from simcore.design_limits import MAX_COORDINATE, MAX_DURATION_S, MAX_SEED
from simcore.events import EVENTS, EventSpec, field_owner


class _Strict(BaseModel):
    # NaN and ±Infinity are never a value of a design (SPEC §6; docs/decisions.md)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Component(_Strict):
    """One box on the canvas. ``x``/``y`` are canvas coordinates (pixels); simcore ignores them."""

    id: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    name: str | None = None
    x: float = Field(default=0.0, ge=-MAX_COORDINATE, le=MAX_COORDINATE)
    y: float = Field(default=0.0, ge=-MAX_COORDINATE, le=MAX_COORDINATE)
    params: dict[str, Any] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name if self.name else self.id


class Link(_Strict):
    """A directed connection: ``source`` calls (or sends to) ``target``."""

    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    target: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)


class Group(_Strict):
    """A zone or region: its members fail together with the group's own availability."""

    id: str = Field(min_length=1)
    kind: Literal["zone", "region"]
    name: str | None = None
    members: list[str]
    params: dict[str, Any] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name if self.name else self.id


_EVENT_COMMON = ("type", "target", "at_s", "duration_s")


class Event(BaseModel):
    """A scenario event. Times are seconds from the start of the run (warm-up included).

    The type's own fields (a spike's ``multiplier``, a latency event's ``extra_ms``) are declared
    by its EventSpec in ``simcore/events/``; they are kept as extra attributes, checked against
    that declaration, and read typed through ``params``. An instantaneous type has no
    ``duration_s``; every other type needs one."""

    # NaN and ±Infinity are never a value of a design, as for every part (_Strict)
    model_config = ConfigDict(extra="allow", validate_assignment=True, allow_inf_nan=False)

    type: str
    target: str = Field(min_length=1)
    at_s: float = Field(ge=0, le=MAX_DURATION_S)
    duration_s: float | None = Field(default=None, gt=0, le=MAX_DURATION_S)

    @model_validator(mode="before")
    @classmethod
    def _fields_of_its_type(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        etype = data.get("type")
        spec = EVENTS.get(etype) if isinstance(etype, str) else None
        if spec is None:
            raise ValueError(f"unknown event type {etype!r} (known: {', '.join(EVENTS)})")
        # a field given as null is not given (files of version 1 may say "multiplier": null)
        own = {k: v for k, v in data.items() if k not in _EVENT_COMMON and v is not None}
        for key in own:
            if key not in spec.params.model_fields:
                owner = field_owner(key)
                raise ValueError(f"'{key}' belongs to {owner} events, not {etype}" if owner
                                 else f"unknown key '{key}' in a {etype} event")
        try:
            parsed = spec.params.model_validate(own)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = ".".join(str(p) for p in err["loc"])
            if err["type"] == "missing":
                raise ValueError(f"a {etype} event needs '{name}'") from None
            raise ValueError(f"a {etype} event's '{name}': {err['msg'].lower()}") from None
        has_duration = data.get("duration_s") is not None
        if spec.instantaneous and has_duration:
            raise ValueError(f"a {etype} event is instantaneous: it takes no 'duration_s'")
        if not spec.instantaneous and not has_duration:
            raise ValueError(f"a {etype} event needs 'duration_s'")
        common = {k: data[k] for k in _EVENT_COMMON if k in data}
        return {**common, **parsed.model_dump(include=set(own))}

    @property
    def spec(self) -> EventSpec:
        return EVENTS[self.type]

    @property
    def params(self) -> ParamsBase:
        """The type's own fields, typed (its EventSpec's ``params`` model)."""
        return self.spec.params.model_validate(self.model_extra or {})


class Scenario(_Strict):
    """How a traffic simulation runs: simulated seconds, warm-up discarded, seed, replications."""

    duration_s: float = Field(default=60.0, gt=0, le=MAX_DURATION_S)
    warmup_s: float = Field(default=5.0, ge=0, le=MAX_DURATION_S)
    seed: int = Field(default=1, ge=0, le=MAX_SEED)
    replications: int = Field(default=5, ge=1, le=1000)
    random_failures: bool = False
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _warmup_inside_run(self) -> Scenario:
        if self.warmup_s >= self.duration_s:
            raise ValueError("warmup_s must be shorter than duration_s")
        return self


class Design(_Strict):
    """A whole design file."""

    schema_version: int
    name: str | None = None
    description: str | None = None
    components: list[Component]
    links: list[Link]
    groups: list[Group] = Field(default_factory=list)
    scenario: Scenario | None = None

    @model_validator(mode="before")
    @classmethod
    def _upgrade_older(cls, data: Any) -> Any:
        """An older version's object (a file's dict, or keyword arguments) is upgraded as
        loading upgrades it (simcore.migrations); a version 1 object using a key of a later
        version raises DesignError naming it."""
        v = data.get("schema_version") if isinstance(data, dict) else None
        if isinstance(v, int) and not isinstance(v, bool) and 1 <= v < SCHEMA_VERSION:
            from simcore.migrations import upgrade

            data = upgrade(dict(data))
        return data

    @model_validator(mode="after")
    def _current_version(self) -> Design:
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {self.schema_version} is not {SCHEMA_VERSION}; "
                "load files through simcore.io, which upgrades them"
            )
        return self

    # --- lookups -------------------------------------------------------------------------
    def component(self, cid: str) -> Component:
        for c in self.components:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def link(self, lid: str) -> Link:
        for lk in self.links:
            if lk.id == lid:
                return lk
        raise KeyError(lid)

    def group(self, gid: str) -> Group:
        for g in self.groups:
            if g.id == gid:
                return g
        raise KeyError(gid)

    def all_ids(self) -> set[str]:
        return (
            {c.id for c in self.components}
            | {lk.id for lk in self.links}
            | {g.id for g in self.groups}
        )

    def new_id(self, prefix: str) -> str:
        """A fresh id ``prefix``, ``prefix2``, ``prefix3``… not used by anything in the design."""
        taken = self.all_ids()
        if prefix not in taken:
            return prefix
        n = 2
        while f"{prefix}{n}" in taken:
            n += 1
        return f"{prefix}{n}"

    def to_dict(self) -> dict[str, Any]:
        """The file's JSON object: only what the user set, in a stable key order."""
        from simcore.io import design_to_dict

        return design_to_dict(self)


def empty_design(name: str = "Untitled") -> Design:
    return Design(schema_version=SCHEMA_VERSION, name=name, components=[], links=[])
