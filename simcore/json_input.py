"""Reading a design file's bytes and JSON without trusting them (SPEC §6).

- ``read_limited`` reads at most ``limit`` + 1 bytes whatever the path is (a regular file, a
  pipe, ``/dev/zero``), so a special file cannot exhaust memory, and never blocks on a FIFO that
  has no writer.
- ``parse_json`` keeps what ``json.loads`` would silently lose: a key given twice (the last one
  would win) and a number that is not finite (``NaN``, ``Infinity``, ``1e400``).
- ``value_problems`` walks the parsed value once and names every field holding a non-finite or
  too large number, a lone surrogate (valid JSON, but not text that can be saved), a duplicate
  key, or nesting deeper than any design needs.
"""

from __future__ import annotations

import json
import math
import os
import stat
from typing import Any

from simcore.problems import Problem

MAX_MAGNITUDE = 1e15
"""Largest absolute value of any number in a design: far above every meaningful value (rps at
most 1e9, costs, hours) and below where float sums lose whole units or Qt widgets overflow."""
MAX_DEPTH = 32
"""Deepest nesting of objects and arrays; a design needs 5 (design → components → item → params
→ circuit_breaker)."""


class _NonFinite(float):
    """A non-finite number remembered with the literal the file wrote for it."""

    literal: str

    def __new__(cls, value: float, literal: str):
        obj = super().__new__(cls, value)
        obj.literal = literal
        return obj


class _DuplicateKeys(dict):
    """An object in which some keys were given more than once (``duplicates``: key → count)."""

    duplicates: dict[str, int]


def _parse_float(literal: str) -> float:
    value = float(literal)
    return value if math.isfinite(value) else _NonFinite(value, literal[:40])


def _parse_constant(literal: str) -> float:
    return _NonFinite(float(literal), literal)


def _object(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    marked = _DuplicateKeys(out)
    marked.duplicates = {k: n for k, n in counts.items() if n > 1}
    return marked


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` that records duplicate keys and non-finite numbers for ``value_problems``
    instead of dropping or converting them. Raises what ``json.loads`` raises."""
    return json.loads(text, parse_float=_parse_float, parse_constant=_parse_constant,
                      object_pairs_hook=_object)


def describe_json_error(exc: json.JSONDecodeError) -> str:
    # Some messages end in "at" ("Unterminated string starting at"): without it, the position
    # completes the sentence instead of reading "at at line 52".
    return f"not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}"


def read_limited(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of ``path``, at most ``limit`` + 1 of them (more means "too large").

    Opened without blocking, so a FIFO with no writer reads as empty instead of hanging; a
    directory raises IsADirectoryError. Raises OSError as ``open`` does."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "is a directory", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a pipe with a writer: wait for its data
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def where(data: Any, loc: tuple) -> tuple[str | None, str]:
    """Turn a location inside the design's JSON into (the id it is about, the field path in it):
    ``("components", 2, "params", "rps")`` → ``("app", "params.rps")``."""
    if len(loc) >= 2 and loc[0] in ("components", "links", "groups") and isinstance(loc[1], int):
        items = data.get(loc[0]) if isinstance(data, dict) else None
        ident = None
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            raw = items[loc[1]].get("id")
            ident = raw if isinstance(raw, str) and raw and not _has_surrogate(raw) else None
        where_ = ident if ident else f"{loc[0][:-1]} #{loc[1] + 1}"
        return where_, _dotted(loc[2:])
    return None, _dotted(loc)


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _has_surrogate(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _number_problem(value: float) -> str | None:
    if isinstance(value, _NonFinite):
        return f"not a finite number (got {value.literal})"
    if isinstance(value, float) and not math.isfinite(value):
        return f"not a finite number (got {value})"
    if abs(value) > MAX_MAGNITUDE:
        shown = f"{value:.3g}" if isinstance(value, float) else f"{len(str(abs(value)))} digits"
        return f"number too large ({shown}; at most {MAX_MAGNITUDE:.0e})"
    return None


def value_problems(data: Any) -> list[Problem]:
    """Every non-finite or too large number, lone surrogate, duplicate key and too deep nesting
    in ``data`` (a parsed design), each naming the component, link or group and the field."""
    problems = []
    for loc, message in value_issues(data):
        ident, field = where(data, loc)
        problems.append(Problem(ident, f"'{field}': {message}" if field else message))
    return problems


def value_issues(data: Any) -> list[tuple[tuple, str]]:
    """``value_problems`` as (location in ``data``, message), in file order."""
    problems: list[tuple[tuple, str]] = []
    path: list = []
    surrogate = ("text holding a lone surrogate (\\ud800–\\udfff), which is not a character "
                 "and cannot be saved")
    surrogate_key = "a key holding a lone surrogate (\\ud800–\\udfff)"

    def visit(value: Any) -> None:  # recursion is bounded: it stops at MAX_DEPTH
        kind = type(value)
        if kind is str or kind is bool or value is None:
            if kind is str and _has_surrogate(value):
                problems.append((tuple(path), surrogate))
            return
        if kind is int or kind is float or kind is _NonFinite:
            if not (-MAX_MAGNITUDE <= value <= MAX_MAGNITUDE):  # False for NaN too
                problems.append((tuple(path), _number_problem(value)))
            return
        if len(path) >= MAX_DEPTH:
            named = list(path)
            while len(named) > 2 and isinstance(named[-1], int):  # "x", not "x[0][0][0]…"
                named.pop()
            problems.append((tuple(named), f"nested more than {MAX_DEPTH} levels deep"))
            return
        if isinstance(value, dict):
            for key, n in getattr(value, "duplicates", {}).items():
                problems.append((tuple(path),
                                 f"duplicate key '{key}' (given {n} times; each key at most once)"))
            for key, item in value.items():
                if _has_surrogate(key):
                    problems.append((tuple(path), surrogate_key))
                    continue
                path.append(key)
                visit(item)
                path.pop()
        elif isinstance(value, list):
            for i, item in enumerate(value):
                path.append(i)
                visit(item)
                path.pop()
        elif isinstance(value, (int, float)) and not (-MAX_MAGNITUDE <= value <= MAX_MAGNITUDE):
            problems.append((tuple(path), _number_problem(value)))  # a subclass (numpy scalar)

    visit(data)
    return problems
