"""Typed parameters of a design's parts: the kind's Params model filled with defaults."""

from __future__ import annotations

from pydantic import ValidationError

from simcore.components import KINDS
from simcore.components.base import ParamsBase
from simcore.design import Component, Group, Link
from simcore.link_params import GroupParams, LinkParams
from simcore.problems import DesignError, Problem


def _messages(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
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


def params_problems(model: type[ParamsBase], raw: dict, where: str) -> list[Problem]:
    try:
        model.model_validate(raw)
    except ValidationError as exc:
        return [Problem(where, m) for m in _messages(exc)]
    return []


def component_params(c: Component) -> ParamsBase:
    """The kind's Params for ``c``. Raises DesignError naming the component."""
    spec = KINDS.get(c.kind)
    if spec is None:
        raise DesignError([Problem(c.id, f"unknown kind '{c.kind}'")])
    try:
        return spec.params.model_validate(c.params)
    except ValidationError as exc:
        raise DesignError([Problem(c.id, m) for m in _messages(exc)]) from None


def link_params(lk: Link) -> LinkParams:
    try:
        return LinkParams.model_validate(lk.params)
    except ValidationError as exc:
        raise DesignError([Problem(lk.id, m) for m in _messages(exc)]) from None


def group_params(g: Group) -> GroupParams:
    try:
        return GroupParams.model_validate(g.params)
    except ValidationError as exc:
        raise DesignError([Problem(g.id, m) for m in _messages(exc)]) from None
