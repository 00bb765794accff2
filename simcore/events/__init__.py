"""The scenario event types: one module per type, each exporting ``SPEC`` (an EventSpec).

Adding an event type is one file here; validation, the engine, the inspector, the plots and the
canvas menu find it through ``EVENTS``.
"""

from __future__ import annotations

import importlib
import pkgutil

from simcore.events.base import TARGET_CLASSES, EventParams, EventSpec, NoParams

_NOT_EVENTS = {"base"}
_ORDER = ["fail", "spike", "latency", "partition"]  # menus and docs; others follow by name


def _discover() -> dict[str, EventSpec]:
    found: dict[str, EventSpec] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_EVENTS:
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{info.name}"), "SPEC", None)
        if isinstance(spec, EventSpec):
            if spec.type in found:
                raise ImportError(f"two declarations of event type '{spec.type}'")
            found[spec.type] = spec
    return dict(sorted(found.items(), key=lambda kv: (
        _ORDER.index(kv[0]) if kv[0] in _ORDER else len(_ORDER), kv[0])))


EVENTS: dict[str, EventSpec] = _discover()


def event_spec(event_type: str) -> EventSpec:
    """The declaration of ``event_type``; KeyError for an unknown type."""
    return EVENTS[event_type]


def field_owner(name: str) -> str | None:
    """The event type whose own fields include ``name`` (for a clear error), or None."""
    for spec in EVENTS.values():
        if name in spec.params.model_fields:
            return spec.type
    return None


__all__ = ["EVENTS", "TARGET_CLASSES", "EventParams", "EventSpec", "NoParams", "event_spec",
           "field_owner"]
