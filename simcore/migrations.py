"""Upgrading design files written by older versions of Skyline.

Each old ``schema_version`` n has one function ``UPGRADES[n]`` that turns a file of version n
into version n + 1 (a plain dict in, a plain dict out). Loading applies them one step at a time.
A file newer than this program is refused with a clear message rather than half-read.
Golden files of every version live in tests/data and are never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simcore import SCHEMA_VERSION
from simcore.problems import DesignError, Problem
from simcore.schema_version import upgrade_1_to_2

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]

UPGRADES: dict[int, Upgrade] = {1: upgrade_1_to_2}


def upgrade(data: dict[str, Any], upgrades: dict[int, Upgrade] | None = None,
            current: int = SCHEMA_VERSION) -> dict[str, Any]:
    """Bring a raw design dict to the current ``schema_version``, or raise DesignError."""
    steps = UPGRADES if upgrades is None else upgrades
    if "schema_version" not in data:
        raise DesignError([Problem(None, "missing 'schema_version' (this program writes version "
                                         f"{current})")])
    version = data["schema_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise DesignError([Problem(None, f"'schema_version' must be a whole number, got {version!r}")])
    if version > current:
        raise DesignError([Problem(None, f"this file has schema_version {version}, written by a newer "
                                         f"Skyline; this program reads up to version {current}. "
                                         "Please update Skyline.")])
    if version < 1:
        raise DesignError([Problem(None, f"schema_version {version} does not exist (the first is 1)")])
    while version < current:
        if version not in steps:
            raise DesignError([Problem(None, f"no upgrade from schema_version {version}")])
        data = steps[version](dict(data))
        version += 1
        data["schema_version"] = version
    return data
