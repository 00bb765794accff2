"""Warnings: a design that is valid (SPEC §2) but very likely not what was meant.

A warning never stops an analysis or a run, and ``skyline validate`` prints it without failing.

Two patterns are looked for. First, cache-aside drawn as two arrows from the app. A service that
calls a cache and also, directly, the store behind that cache sends the store every request twice
over: the cache's misses come through the cache → store link, and the direct link adds its own
calls on top (SPEC §2: a service sends every one of its links its whole rate λ · p). The usual
intent, cache-aside, is drawn app → cache → store, without the direct link.

Second, a cache or CDN without ``capacity_keys`` whose ``hit_ratio`` is more than an LRU cache
can reach under its write policy and time to live (SPEC §7.4; ``simcore.analysis.che.
reachable_hit_ratio``): a cache-aside write removes its key, so with 20% writes on every key at
most 80% of the reads can hit. The analysis uses the hit ratio as given; the simulation, which
sizes the cache by Che's approximation, caps it at that bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.analysis.che import REACH_TOLERANCE, CacheTraffic, cache_traffic
from simcore.components import KINDS
from simcore.design import Design
from simcore.problems import DesignError, Problem
from simcore.topology import compile_design


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


def _ratio(x: float) -> str:
    """A hit ratio to at most four decimals, at least two: 0.80, 0.95, 0.9375."""
    text = f"{x:.4f}".rstrip("0")
    return text + "0" * max(0, 4 - len(text))


def cap_warning(label: str, given: float, reach: float, traffic: CacheTraffic) -> str | None:
    """Why a cache's hit ratio ``given`` is capped at ``reach`` (what an LRU reaches with this
    ``traffic``) in the simulation; None when it is within reach (beyond rounding, it is not)."""
    if given <= reach + REACH_TOLERANCE:
        return None
    total = traffic.read_rps + traffic.write_rps
    writes = traffic.write_rps / total if total > 0 else 0.0
    around = traffic.policy == "around" and writes > 0
    what = "a cache-aside cache" if around else "a cache"
    if traffic.ttl_s is not None:
        what += f" whose items live {traffic.ttl_s:g} s"
    because = (f" when {100 * writes:.3g}% of the requests reaching it are writes" if around
               else " at the rates its keys are read")
    return (f"{label}'s hit ratio {_ratio(given)} is more than {what} can reach{because} "
            f"({_ratio(reach)}): the simulation caps it there")


def capped_caches(design: Design) -> list[Problem]:
    """Every cache or CDN without ``capacity_keys`` whose ``hit_ratio`` is more than an LRU can
    reach (beyond rounding), in file order; none for a design that does not compile."""
    try:
        topo = compile_design(design)
    except DesignError:
        return []
    found = []
    for c in design.components:
        p = topo.nodes[c.id].params
        if _role(design, c.id) != "cache" or p.capacity_keys is not None:
            continue
        traffic = cache_traffic(topo, c.id)
        warning = cap_warning(c.label, p.hit_ratio, traffic.reachable(), traffic)
        if warning is not None:
            found.append(Problem(c.id, warning))
    return found


def warnings(design: Design) -> list[Problem]:
    """The design's warnings, each on the link or component it is about."""
    return ([Problem(b.direct_link, bypass_message(design, b)) for b in cache_bypasses(design)]
            + capped_caches(design))
