"""Warnings: a design that is valid (SPEC §2) but very likely not what was meant.

A warning never stops an analysis or a run, and ``skyline validate`` prints it without failing.

The one pattern looked for: cache-aside drawn as two arrows from the app. A service that calls
a cache and also, directly, the store behind that cache sends the store every request twice
over: the cache's misses come through the cache → store link, and the direct link adds its own
calls on top (SPEC §2: a service sends every one of its links its whole rate λ · p). The usual
intent, cache-aside, is drawn app → cache → store, without the direct link.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.components import KINDS
from simcore.design import Design
from simcore.problems import Problem


@dataclass(frozen=True)
class CacheBypass:
    """``source`` calls ``cache`` and, through ``direct_link``, the cache's own ``store``."""

    source: str
    cache: str
    store: str
    direct_link: str


def _role(design: Design, cid: str) -> str | None:
    spec = KINDS.get(design.component(cid).kind)
    return spec.role if spec is not None else None


def cache_bypasses(design: Design) -> list[CacheBypass]:
    """Every service → store link where the service also calls a cache in front of that store,
    in file order of the direct links."""
    ids = {c.id for c in design.components}
    targets: dict[str, list[str]] = {}
    for lk in design.links:
        if lk.source in ids and lk.target in ids:
            targets.setdefault(lk.source, []).append(lk.target)
    found = []
    for lk in design.links:
        if lk.source not in ids or lk.target not in ids or _role(design, lk.source) != "service":
            continue
        for cache in targets.get(lk.source, []):
            if _role(design, cache) == "cache" and lk.target in targets.get(cache, []):
                found.append(CacheBypass(lk.source, cache, lk.target, lk.id))
                break
    return found


def bypass_message(design: Design, bypass: CacheBypass) -> str:
    name = {c.id: c.label for c in design.components}
    src, cache, store = name[bypass.source], name[bypass.cache], name[bypass.store]
    return (f"{store} gets the direct calls of {src} and the misses of {cache}; for "
            f"cache-aside, remove {src} → {store}")


def warnings(design: Design) -> list[Problem]:
    """The design's warnings, each on the link it is about."""
    return [Problem(b.direct_link, bypass_message(design, b)) for b in cache_bypasses(design)]
