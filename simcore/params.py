"""Typed parameters of a design's parts: the kind's Params model filled with defaults."""

from __future__ import annotations

import functools
import json
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from simcore.components import KINDS
from simcore.components.base import ParamsBase
from simcore.design import Component, Group, Link
from simcore.link_params import GroupParams, LinkParams
from simcore.problems import DesignError, Problem


def _messages(exc: ValidationError, skip: set = frozenset()) -> list[str]:
    """pydantic's errors in words; those about a name in ``skip`` (already reported and left
    out of what pydantic saw) are left out, and so, when there are any, are the checks across
    fields, which the missing values would mislead."""
    out = []
    for err in exc.errors():
        if (err["loc"][0] in skip) if err["loc"] else skip:
            continue
        field = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            out.append(f"unknown parameter '{field}'")
        elif err["type"] == "missing":
            out.append(f"parameter '{field}' is required")
        elif field:
            got = err.get("input")
            shown = "" if isinstance(got, dict) else f" (got {got!r})"
            out.append(f"parameter '{field}': {err['msg'].lower()}{shown}")
        else:
            out.append(err["msg"].removeprefix("Value error, "))
    return out


def parse_params(model: type[ParamsBase], raw: Any, where: str | None
                 ) -> tuple[ParamsBase | None, list[Problem]]:
    """``model`` filled from ``raw`` and the problems found (then None), each naming ``where``:
    values of the wrong JSON type, non-finite or too large numbers, text that is not text, then
    pydantic's own checks (ranges, whole numbers, unknown and missing names) on the rest."""
    from simcore.json_input import value_issues

    issues = type_problems(model, raw) + value_issues(raw)
    problems = [Problem(where, f"parameter '{_field(loc)}': {msg}" if loc else msg)
                for loc, msg in issues]
    bad = {loc[0] for loc, _ in issues if loc}
    rest = {k: v for k, v in raw.items() if k not in bad} if isinstance(raw, dict) else raw
    try:
        parsed = model.model_validate(rest)
    except ValidationError as exc:
        parsed = None
        problems += [Problem(where, m) for m in _messages(exc, skip=bad)]
    return (None if problems else parsed), problems


def _field(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def params_problems(model: type[ParamsBase], raw: dict, where: str) -> list[Problem]:
    return parse_params(model, raw, where)[1]


def _parsed_or_raise(model: type[ParamsBase], raw: dict, where: str) -> ParamsBase:
    parsed, problems = parse_params(model, raw, where)
    if problems:
        raise DesignError(problems)
    return parsed


def component_params(c: Component) -> ParamsBase:
    """The kind's Params for ``c``. Raises DesignError naming the component."""
    spec = KINDS.get(c.kind)
    if spec is None:
        raise DesignError([Problem(c.id, f"unknown kind '{c.kind}'")])
    return _parsed_or_raise(spec.params, c.params, c.id)


def link_params(lk: Link) -> LinkParams:
    return _parsed_or_raise(LinkParams, lk.params, lk.id)


def group_params(g: Group) -> GroupParams:
    return _parsed_or_raise(GroupParams, g.params, g.id)


# --- strict JSON types ---------------------------------------------------------------------------
# pydantic's lax mode turns true into 1, "200" into 200.0 and 1 into True. A design file is
# JSON, whose types are unambiguous, so a value of the wrong JSON type is an error here, named
# with the field, before pydantic sees it (which still checks ranges and whole numbers).

def _json_types(annotation: Any) -> set[str]:
    """The JSON types a field annotation accepts: number, boolean, string, null, array, object
    or any."""
    if annotation is Any:
        return {"any"}
    if annotation is type(None) or annotation is None:
        return {"null"}
    if annotation is bool:
        return {"boolean"}
    if annotation in (int, float):
        return {"number"}
    if annotation is str:
        return {"string"}
    origin = get_origin(annotation)
    if origin is Literal:
        return set().union(*(_json_types(type(v)) for v in get_args(annotation)))
    if origin in (Union, UnionType):
        return set().union(*(_json_types(a) for a in get_args(annotation)))
    if origin is list or annotation is list:
        return {"array"}
    if origin is dict or annotation is dict:
        return {"object"}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"object"}
    return {"any"}


def _json_type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "any"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {json.dumps(value[:40])}" + ("…" if len(value) > 40 else "")
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"{'an' if isinstance(value, (list, dict)) else 'a'} {_json_type_of(value)}"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in get_args(annotation) for m in _models_in(a)]


@functools.cache
def _field_types(model: type[BaseModel]) -> dict[str, tuple[frozenset, type[BaseModel] | None]]:
    """Per field of ``model``: the JSON types it takes and the model nested in it, if any."""
    out = {}
    for name, info in model.model_fields.items():
        models = _models_in(info.annotation)
        out[name] = (frozenset(_json_types(info.annotation)), models[0] if models else None)
    return out


def type_problems(model: type[BaseModel], raw: Any, loc: tuple = ()) -> list[tuple[tuple, str]]:
    """(location, message) for every value in ``raw`` whose JSON type the field of ``model``
    does not take, looking into nested models and lists of them. Unknown keys are left to
    pydantic (it names them)."""
    if not isinstance(raw, dict):
        return []
    fields = _field_types(model)
    out: list[tuple[tuple, str]] = []
    for key, value in raw.items():
        found = fields.get(key)
        if found is None:
            continue
        accepted, nested = found
        got = _json_type_of(value)
        if "any" not in accepted and got not in accepted:
            want = " or ".join(sorted(accepted - {"null"})) or "null"
            article = "an" if want[0] in "ao" else "a"
            out.append((loc + (key,), f"expected {article} {want}, got {_shown(value)}"))
        elif nested is not None and isinstance(value, dict):
            out += type_problems(nested, value, loc + (key,))
        elif nested is not None and isinstance(value, list):
            for i, item in enumerate(value):
                out += type_problems(nested, item, loc + (key, i))
    return out
