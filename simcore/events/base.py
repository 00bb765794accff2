"""What every scenario event type declares (SPEC §2 "scenario", §7): its own fields, what it may
target, how the traffic engine applies it, and how the designer shows and creates it.

An event type is one module in ``simcore/events/`` exporting ``SPEC`` (an EventSpec). Validation,
the engine, the inspector, the plots' bands and the canvas menu all read that declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict

from simcore.components.base import ParamsBase

TARGET_CLASSES = ("component", "client", "group", "link")
"""What an event can point at: a component other than a client, a client, a zone or region,
a link."""

_CLASS_NAMES = {"component": "component", "client": "client", "group": "group", "link": "link"}


class EventParams(ParamsBase):
    """Base of an event type's own fields: unknown names are errors, and NaN or ±Infinity is
    never a value of a design."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class NoParams(EventParams):
    """An event type without fields of its own."""


@dataclass(frozen=True)
class EventSpec:
    """The one declaration of a scenario event type.

    ``apply(sim, event)`` starts the event in a running replication (``sim`` is
    ``simcore.engine.simulation.Sim``; ``event.params`` its typed fields) and returns the
    function that ends it, or None for an instantaneous event. ``touches_links`` says whether it
    changes a link's latency or reachability (such links leave the engine's short path).
    ``roles``, when given, restricts component targets to kinds of those roles.
    ``refusals`` gives a clearer message for a target of a class it cannot take.
    """

    type: str
    label: str  # "Failure": menus, legends
    description: str
    params: type[ParamsBase]
    targets: tuple[str, ...]
    apply: Callable[[Any, Any], Callable[[], None] | None]
    colour: tuple[int, int, int]  # RGB of its band on the plots
    phrase: Callable[[Any], str]  # params -> "fails", "traffic ×10"
    touches_links: bool = False
    instantaneous: bool = False  # no duration_s (flush, add_shard)
    creatable: bool = True  # the canvas menu offers it
    since: int = 1  # the schema_version that introduced the type (simcore.schema_version)
    roles: tuple[str, ...] | None = None
    refusals: Mapping[str, str] = field(default_factory=dict)

    def targets_text(self) -> str:
        return " or ".join(_CLASS_NAMES[c] for c in self.targets)

    def target_problem(self, target: str, target_class: str | None,
                       role: str | None = None) -> str | None:
        """Why ``target`` (of ``target_class``, None when no such id exists; ``role`` for a
        component) cannot take this event, or None when it can."""
        if target_class is None:
            return f"target '{target}' is not a {self.targets_text()}"
        if target_class in self.refusals:
            return self.refusals[target_class]
        if target_class not in self.targets:
            return f"target '{target}' must be a {self.targets_text()}"
        if target_class == "component" and self.roles is not None and role not in self.roles:
            return f"target '{target}' must be a component of role {' or '.join(self.roles)}"
        return None

    def can_target(self, target_class: str, role: str | None = None) -> bool:
        return self.target_problem("", target_class, role) is None

    def describe(self, event) -> str:
        """One line for the inspector: "traffic ×10 at 60 s for 20 s"."""
        when = f"at {event.at_s:g} s"
        if not self.instantaneous and event.duration_s is not None:
            when += f" for {event.duration_s:g} s"
        return f"{self.phrase(event.params)} {when}"
