"""Reading and writing design files.

``load``/``loads`` parse, upgrade (simcore.migrations), build the pydantic Design and, when
``check`` is true, run the semantic validation (simcore.validate); every failure is a
DesignError listing problems that name the component, link or group. ``save`` writes a temporary
file beside the target and renames it over, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simcore.design import Design
from simcore.migrations import upgrade
from simcore.problems import DesignError, Problem

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Bigger files are refused before parsing (a design of 20,000 components is about 4 MB)."""
MAX_ITEMS = 50_000
"""Most components, links or groups a file may hold."""

_TOP_KEYS = ["schema_version", "name", "description", "components", "links", "groups", "scenario"]


def _describe_json_error(exc: json.JSONDecodeError) -> str:
    return f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"


def _where(data: Any, loc: tuple) -> tuple[str | None, str]:
    """Turn a pydantic error location into (the id it is about, the field path inside it)."""
    if len(loc) >= 2 and loc[0] in ("components", "links", "groups") and isinstance(loc[1], int):
        items = data.get(loc[0]) if isinstance(data, dict) else None
        ident = None
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            raw = items[loc[1]].get("id")
            ident = str(raw) if isinstance(raw, str) and raw else None
        singular = loc[0][:-1]
        where = ident if ident else f"{singular} #{loc[1] + 1}"
        return where, ".".join(str(p) for p in loc[2:])
    return None, ".".join(str(p) for p in loc)


def _pydantic_problems(data: Any, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        where, field = _where(data, tuple(err["loc"]))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{field}'" if field else "unknown key"
        elif err["type"] == "missing":
            msg = f"missing required key '{field}'"
        elif field:
            msg = f"'{field}': {msg}"
        problems.append(Problem(where, msg))
    return problems


def parse(data: Any, source: str | None = None) -> Design:
    """A Design from a raw JSON value (upgraded first). Structural problems only."""
    if not isinstance(data, dict):
        raise DesignError([Problem(None, "a design file holds one JSON object "
                                         f"(found {type(data).__name__})")], source)
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise DesignError([Problem(None, f"unknown top-level key '{k}' (allowed: "
                                         f"{', '.join(_TOP_KEYS)})") for k in unknown], source)
    try:
        data = upgrade(data)
    except DesignError as exc:
        raise DesignError(exc.problems, source) from None
    for key in ("components", "links", "groups"):
        items = data.get(key)
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            raise DesignError([Problem(None, f"too many {key}: {len(items)} (at most {MAX_ITEMS})")],
                              source)
    try:
        return Design.model_validate(data)
    except ValidationError as exc:
        raise DesignError(_pydantic_problems(data, exc), source) from None


def loads(text: str | bytes, source: str | None = None, check: bool = True) -> Design:
    """Parse a design from JSON text. With ``check``, semantic problems raise too."""
    if len(text) > MAX_FILE_BYTES:
        raise DesignError([Problem(None, f"file too large ({len(text):,} bytes; at most "
                                         f"{MAX_FILE_BYTES:,})")], source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DesignError([Problem(None, _describe_json_error(exc))], source) from None
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise DesignError([Problem(None, f"not valid JSON: {exc}")], source) from None
    design = parse(data, source)
    if check:
        from simcore.validate import validate

        problems = validate(design)
        if problems:
            raise DesignError(problems, source)
    return design


def load(path: str | os.PathLike, check: bool = True) -> Design:
    """Read a design file. Raises DesignError (never anything else) for a bad file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DesignError([Problem(None, f"file too large ({size:,} bytes; at most "
                                             f"{MAX_FILE_BYTES:,})")], str(p))
        raw = p.read_bytes()
    except DesignError:
        raise
    except OSError as exc:
        raise DesignError([Problem(None, f"cannot read the file: {exc.strerror or exc}")],
                          str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DesignError([Problem(None, "not a text file (not UTF-8)")], str(p)) from None
    return loads(text, source=str(p), check=check)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def design_to_dict(design: Design, schema_version: int | None = None) -> dict[str, Any]:
    """The JSON object of a design, in a stable key order, holding only what the user set,
    under the lowest ``schema_version`` that expresses it unless one is given."""
    if schema_version is None:
        from simcore.schema_version import lowest_version

        schema_version = lowest_version(design)
    out: dict[str, Any] = {"schema_version": schema_version}
    if design.name is not None:
        out["name"] = design.name
    if design.description is not None:
        out["description"] = design.description
    comps = []
    for c in design.components:
        item: dict[str, Any] = {"id": c.id, "kind": c.kind}
        if c.name is not None:
            item["name"] = c.name
        item["x"] = _num(c.x)
        item["y"] = _num(c.y)
        if c.params:
            item["params"] = dict(c.params)
        comps.append(item)
    out["components"] = comps
    links = []
    for lk in design.links:
        item = {"id": lk.id, "source": lk.source, "target": lk.target}
        if lk.params:
            item["params"] = dict(lk.params)
        links.append(item)
    out["links"] = links
    if design.groups:
        groups = []
        for g in design.groups:
            item = {"id": g.id, "kind": g.kind}
            if g.name is not None:
                item["name"] = g.name
            item["members"] = list(g.members)
            if g.params:
                item["params"] = dict(g.params)
            groups.append(item)
        out["groups"] = groups
    if design.scenario is not None:
        sc = design.scenario.model_dump(exclude_unset=True, exclude={"events"})
        events = [_clean(e.model_dump(exclude_unset=True)) for e in design.scenario.events]
        if events or "events" in design.scenario.model_fields_set:
            sc["events"] = events
        out["scenario"] = sc
    return out


def _num(v: float) -> float | int:
    """Whole coordinates are written as integers so files stay tidy."""
    return int(v) if float(v).is_integer() else v


def dumps(design: Design) -> str:
    return json.dumps(design_to_dict(design), indent=2, ensure_ascii=False) + "\n"


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to a temporary file in the same folder, flushed to disk, then
    renamed over ``path``: a reader sees the old file or the whole new one, never half of it,
    and a failed write leaves the old file as it was."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=str(p.parent or "."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save(design: Design, path: str | os.PathLike) -> None:
    """Write atomically (see ``write_text_atomically``), as pretty JSON with a stable order."""
    write_text_atomically(path, dumps(design))
