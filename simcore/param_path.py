"""One parameter of a design named on the command line: ``ID.PARAM[.SUB]`` or ``scenario.FIELD``
(SPEC §7.10, ``skyline sweep --param``), and the design with that parameter set to a value.

Ids may contain dots, so the path is split at the LONGEST id of the design (a component, a link
or a group) that is followed by a dot; ``scenario.FIELD`` names a field of the run scenario when
no id matches. PARAM must be a parameter of that part's kind (a link's parameters for a link,
a zone's or region's for a group); SUB a field of a nested parameter such as a link's
``circuit_breaker.failure_threshold``. A bad path raises ParamPathError with a message that
names what is wrong and what would be valid.
"""

from __future__ import annotations

import copy
import json
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from simcore.components import KINDS
from simcore.design import Design, Scenario
from simcore.link_params import GroupParams, LinkParams
from simcore.problems import DesignError, Problem

SCENARIO = "scenario"


class ParamPathError(ValueError):
    """A ``--param`` or ``--values`` the design cannot take; ``str()`` says why."""


@dataclass(frozen=True)
class ParamPath:
    """Where a value goes: ``section`` ("components", "links", "groups" or "scenario"), the
    part's ``part_id`` (None for the scenario), the parameter ``name`` and, for a nested
    parameter, its field ``sub``."""

    text: str
    section: str
    part_id: str | None
    name: str
    sub: str | None = None


def _nested_model(annotation) -> type[BaseModel] | None:
    """The pydantic model inside ``X``, ``X | None`` or ``Optional[X]``; None for a plain type."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
    return None


def _parts(design: Design) -> dict[str, tuple[str, type[BaseModel] | None]]:
    """id -> (section, its parameter model); the model is None for an unknown kind."""
    out: dict[str, tuple[str, type[BaseModel] | None]] = {}
    for g in design.groups:
        out[g.id] = ("groups", GroupParams)
    for lk in design.links:
        out[lk.id] = ("links", LinkParams)
    for c in design.components:
        spec = KINDS.get(c.kind)
        out[c.id] = ("components", spec.params if spec else None)
    return out


def _check_field(text: str, model: type[BaseModel], field: str,
                 where: str) -> type[BaseModel] | None:
    """The nested model of ``field`` of ``model`` (None for a plain value); raises
    ParamPathError, listing the valid names, when ``model`` has no such field."""
    if field not in model.model_fields:
        choices = ", ".join(sorted(model.model_fields))
        raise ParamPathError(f"--param {text}: {where} has no parameter '{field}' (it has: "
                             f"{choices})")
    return _nested_model(model.model_fields[field].annotation)


def resolve(design: Design, text: str) -> ParamPath:
    """The ParamPath that ``text`` names in ``design``. Raises ParamPathError."""
    parts = _parts(design)
    ids = sorted((i for i in parts if text.startswith(i + ".")), key=len, reverse=True)
    if ids:
        part_id = ids[0]
        section, model = parts[part_id]
        where = f"'{part_id}'"
    elif text.startswith(SCENARIO + "."):
        part_id, section, model, where = None, SCENARIO, Scenario, "the scenario"
    else:
        raise ParamPathError(
            f"--param {text}: expected ID.PARAM with the id of a component, link or group of "
            f"the design (or scenario.FIELD); no id of the design starts '{text}'")
    rest = text[len(part_id or SCENARIO) + 1:]
    name, _, sub = rest.partition(".")
    if not name:
        raise ParamPathError(f"--param {text}: no parameter after '{part_id or SCENARIO}.'")
    if model is None:
        raise ParamPathError(f"--param {text}: '{part_id}' is of an unknown kind")
    if section == SCENARIO and name == "events":
        raise ParamPathError(f"--param {text}: the scenario's events cannot be swept "
                             "(sweep a number: a duration, a seed, a replication count)")
    nested = _check_field(text, model, name, where)
    if sub:
        if nested is None:
            raise ParamPathError(f"--param {text}: '{name}' of {where} is a single value, "
                                 f"it has no field '{sub}'")
        if "." in sub or _check_field(text, nested, sub, f"'{name}' of {where}") is not None:
            raise ParamPathError(f"--param {text}: only one level below a parameter "
                                 "can be swept")
    return ParamPath(text, section, part_id, name, sub or None)


def parse_values(text: str) -> list[Any]:
    """``--values V1,V2,...``: each value as JSON (numbers, true/false, null, "strings",
    objects); a word that is not JSON (``async``) is taken as a string. Raises ParamPathError
    for an empty list."""
    try:
        values = json.loads(f"[{text}]")
    except json.JSONDecodeError:
        values = []
        for item in text.split(","):
            item = item.strip()
            try:
                values.append(json.loads(item))
            except json.JSONDecodeError:
                values.append(item)
    if not values or any(v == "" for v in values):
        raise ParamPathError(f"--values {text!r}: expected values separated by commas, "
                             "such as 50,100,200")
    return values


def with_value(design: Design, path: ParamPath, value: Any) -> Design:
    """A copy of ``design`` with the parameter at ``path`` set to ``value``, checked like a
    loaded file. Raises DesignError naming the value when the design cannot take it."""
    from simcore.io import design_to_dict, parse
    from simcore.validate import validate

    data = copy.deepcopy(design_to_dict(design))
    if path.section == SCENARIO:
        target = data.setdefault("scenario", {})
    else:
        part = next(p for p in data[path.section] if p["id"] == path.part_id)
        target = part.setdefault("params", {})
    if path.sub is not None:
        nested = target.get(path.name)
        target[path.name] = nested = dict(nested) if isinstance(nested, dict) else {}
        target = nested
        key = path.sub
    else:
        key = path.name
    target[key] = value
    shown = json.dumps(value)
    try:
        changed = parse(data)
    except DesignError as exc:
        raise DesignError([Problem(None, f"{path.text} = {shown}: {p}") for p in exc.problems]
                          ) from None
    problems = validate(changed)
    if problems:
        raise DesignError([Problem(None, f"{path.text} = {shown}: {p}") for p in problems])
    return changed
