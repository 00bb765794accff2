"""A read-only view of the document's Design: it reads like the pydantic models it wraps but
refuses every change, so that the document stays the one writer (every edit an undo command).

Attributes that are models come back as views, lists as tuples of views (equal to the
lists), dicts (a component's ``params``) as deep copies: changing a copy changes nothing in
the design. Methods of the wrapped model run on it and their results are wrapped the same
way, except those that make a new object (``model_copy``, ``model_dump``, ``to_dict``): a copy
is the caller's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_FRESH = {"model_copy", "model_dump", "model_dump_json", "to_dict"}
"""Methods whose result is a new object (a copy, a plain dict): handed out as it is."""
_REFUSAL = ("the design is read-only outside the document: change '{}' through a "
            "DesignDocument method (one undo command)")


def read_only(value: Any) -> Any:
    """``value`` as it may be handed out of the document."""
    if isinstance(value, BaseModel):
        return ReadOnly(value)
    if isinstance(value, (list, tuple)):
        return FrozenList(read_only(v) for v in value)
    if isinstance(value, (dict, set)):
        return _copy(value)
    return value


def _copy(value: Any) -> Any:
    """A deep copy of plain data (dicts, lists, sets of scalars), much cheaper than
    ``copy.deepcopy`` for the small parameter dicts that the canvas reads often."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, set):
        return set(value)
    return value


class FrozenList(tuple):
    """A list handed out read-only: a tuple that still equals a list of the same items."""

    __slots__ = ()

    def __eq__(self, other) -> bool:
        if isinstance(other, list):
            return list(self) == other
        return tuple.__eq__(self, other)

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = tuple.__hash__


class ReadOnly:
    """A view of one pydantic model (see the module's docstring)."""

    __slots__ = ("_target",)

    def __init__(self, target: BaseModel):
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name in _FRESH:
            return value
        if callable(value) and not isinstance(value, BaseModel):
            def call(*args, **kwargs):
                return read_only(value(*args, **kwargs))
            return call
        return read_only(value)

    def __setattr__(self, name: str, _value) -> None:
        raise AttributeError(_REFUSAL.format(name))

    def __delattr__(self, name: str) -> None:
        raise AttributeError(_REFUSAL.format(name))

    def __eq__(self, other) -> bool:
        return self._target == (other._target if isinstance(other, ReadOnly) else other)

    __hash__ = None  # as the models it wraps

    def __repr__(self) -> str:
        return f"ReadOnly({self._target!r})"
