"""Which ``schema_version`` a design needs (SPEC §7, first paragraph).

Every key added after version 1 says so in its field declaration:
``json_schema_extra={"since": 2}`` on a component's, link's or group's parameter, on a scenario
field or on an event field; an event type added later says so in its EventSpec (``since``).
From those marks alone:

- a design is saved with the lowest version that expresses it (1 when it uses nothing new);
- a file that declares version 1 but uses a later key is an error naming the key (and where);
- version 1 files otherwise open unchanged (the step 1 → 2 adds nothing).

Only the keys a file actually holds count, whatever their value: writing a new key at its
default is still using it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from simcore.components import KINDS
from simcore.design import Design, Event, Scenario
from simcore.events import EVENTS
from simcore.link_params import GroupParams, LinkParams
from simcore.problems import DesignError, Problem

FIRST_VERSION = 1


def since(model: type[BaseModel], key: str) -> int:
    """The version that introduced field ``key`` of ``model`` (1 when unmarked or unknown)."""
    field = model.model_fields.get(key)
    extra = field.json_schema_extra if field is not None else None
    return int(extra.get("since", FIRST_VERSION)) if isinstance(extra, dict) else FIRST_VERSION


def _keys_of(raw: Any) -> list[str]:
    return [k for k in raw if isinstance(k, str)] if isinstance(raw, dict) else []


def later_keys(data: dict[str, Any], version: int) -> list[tuple[str | None, str, int]]:
    """The keys of a raw design dict introduced after ``version``, as (where: an id or None,
    key path, version that introduced it), in file order. Parts with an unknown kind or a
    malformed shape are left to validation."""
    found: list[tuple[str | None, str, int]] = []

    def scan(item, raw, model, prefix="params."):
        where = item.get("id") if isinstance(item, dict) else None
        for key in _keys_of(raw):
            v = since(model, key)
            if v > version:
                found.append((where if isinstance(where, str) else None, prefix + key, v))

    for c in _items(data.get("components")):
        kind = c.get("kind")
        if isinstance(kind, str) and kind in KINDS:
            scan(c, c.get("params"), KINDS[kind].params)
    for lk in _items(data.get("links")):
        scan(lk, lk.get("params"), LinkParams)
    for g in _items(data.get("groups")):
        scan(g, g.get("params"), GroupParams)
    scenario = data.get("scenario")
    if isinstance(scenario, dict):
        scan(None, scenario, Scenario, "scenario.")
        events = scenario.get("events")
        for i, ev in enumerate(events if isinstance(events, list) else []):
            scan(None, ev, Event, f"scenario.events[{i}].")
            etype = ev.get("type") if isinstance(ev, dict) else None
            spec = EVENTS.get(etype) if isinstance(etype, str) else None
            if spec is not None and spec.since > version:  # an event type added later
                target = ev.get("target")
                found.append((target if isinstance(target, str) else None,
                              f"scenario.events[{i}].type: {spec.type}", spec.since))
    return found


def _items(raw: Any) -> list[dict]:
    """The objects of a list that should hold objects (anything else is validation's)."""
    return [x for x in raw if isinstance(x, dict)] if isinstance(raw, list) else []


def lowest_version(design: Design) -> int:
    """The lowest ``schema_version`` that expresses ``design`` (what it is saved with)."""
    from simcore.io import design_to_dict

    data = design_to_dict(design, schema_version=FIRST_VERSION)
    return max([FIRST_VERSION] + [v for _w, _k, v in later_keys(data, FIRST_VERSION)])


def upgrade_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """The step from version 1: nothing changes, but a key of version 2 in a file that
    declares version 1 is an error naming it."""
    late = later_keys(data, 1)
    if late:
        raise DesignError([
            Problem(where, f"'{key}' is a schema_version {v} key, but the file declares "
                           f"schema_version 1 (set \"schema_version\": {v})")
            for where, key, v in late])
    return data
