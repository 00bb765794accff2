"""A catalogue of named chaos scenarios (docs/concepts.md "Chaos scenarios").

Each scenario says where it fits in a design and which ordinary scenario events it adds there
(SPEC §2's ``scenario.events``), with one sentence on what to watch in the simulation. A
scenario fits a design when the design has what it needs (a cache, a region, a sharded
database...) and this version's events can express it: the events are checked by the design
model and the validator, so a scenario whose event does not exist yet (a cache ``flush``, a
``partition`` of a database) is simply not offered.

Times: every scenario starts at 30 % of the run after the warm-up and lasts 30 % of it, in the
scenario's own duration (or the defaults, 60 s with 5 s of warm-up).

    for sc in fitting(design):
        events = sc.events(design)        # list of event dicts, ready to add
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from simcore.design import Design, Event, Scenario
from simcore.params import component_params, link_params

_START, _LENGTH = 0.3, 0.3  # of the run after the warm-up
_SLOWDOWN_MS = 200.0
_TERMINALS = ("database", "external_service", "blob_storage")


@dataclass(frozen=True)
class Timing:
    """When a scenario's events happen, in seconds from the start of the run."""

    start_s: float
    length_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.length_s


def timing(design: Design) -> Timing:
    sc = design.scenario or Scenario()
    run = sc.duration_s - sc.warmup_s
    return Timing(round(sc.warmup_s + _START * run, 3), round(_LENGTH * run, 3))


@dataclass(frozen=True)
class CatalogScenario:
    """A named scenario. ``build(design, timing)`` gives its events, or None where it does not
    fit; ``watch`` is what to look at in the results; ``concept`` a docs/concepts.md key
    (simcore.explain.CONCEPTS)."""

    key: str
    name: str
    watch: str
    concept: str
    needs: str
    build: Callable[[Design, Timing], list[dict] | None]

    def events(self, design: Design) -> list[dict] | None:
        """The events this scenario adds to ``design``, or None when it does not fit (what it
        needs is missing, or this version cannot express its events)."""
        events = self.build(design, timing(design))
        if not events:
            return None
        try:
            parsed = [Event.model_validate(e) for e in events]
        except ValidationError:
            return None
        return events if _valid_with(design, parsed) else None

    def why_not(self, design: Design) -> str | None:
        """Why the scenario does not fit ``design`` (None when it does)."""
        from simcore.validate import validate

        if validate(design):
            return "fix the design's problems first"
        events = self.build(design, timing(design))
        if not events:
            return f"needs {self.needs}"
        if self.events(design) is None:
            kinds = " and ".join(sorted({e["type"] for e in events}))
            return f"needs a {kinds} event on a {_kind_of(design, events[0]['target'])}, " \
                   "not in this version"
        return None


def _kind_of(design: Design, ident: str) -> str:
    for c in design.components:
        if c.id == ident:
            return c.kind.replace("_", " ")
    return "link" if any(lk.id == ident for lk in design.links) else "group"


def _valid_with(design: Design, events: list[Event]) -> bool:
    from simcore.validate import validate

    trial = design.model_copy(deep=True)
    sc = trial.scenario or Scenario()
    trial.scenario = sc.model_copy(update={"events": [*sc.events, *events]})
    return not validate(trial)


# --- what a scenario looks for in a design --------------------------------------------------------
def _clients(d: Design) -> list[str]:
    return [c.id for c in d.components if c.kind == "client"
            and float(c.params.get("rps", 0) or 0) > 0]


def _of_kind(d: Design, *kinds: str) -> list[str]:
    return [c.id for c in d.components if c.kind in kinds]


def _links_into(d: Design, kinds: tuple[str, ...]) -> list[str]:
    kind = {c.id: c.kind for c in d.components}
    return [lk.id for lk in d.links if kind[lk.target] in kinds and kind[lk.source] != "client"]


def _busiest(d: Design) -> str | None:
    """The part that saturates first as traffic grows (the analysis' bottleneck)."""
    from simcore.analysis import analyze

    return analyze(d, availability=False).bottleneck


def _spikes(d: Design, t: Timing, multiplier: float, at_s: float | None = None,
            length_s: float | None = None) -> list[dict]:
    return [{"type": "spike", "target": c, "at_s": t.start_s if at_s is None else at_s,
             "duration_s": length_s or t.length_s, "multiplier": multiplier}
            for c in _clients(d)]


# --- the scenarios ------------------------------------------------------------------------------------
def _cache_stampede(d: Design, t: Timing) -> list[dict] | None:
    caches = _of_kind(d, "cache", "cdn")
    return [{"type": "flush", "target": caches[0], "at_s": t.start_s}] if caches else None


def _retry_storm(d: Design, t: Timing) -> list[dict] | None:
    """Slow a dependency past the timeout of a caller that retries: every timed-out call is
    sent again while the first attempt still holds a worker."""
    for lk in d.links:
        lp = link_params(lk)
        if (lp.retries or 0) > 0 and lp.timeout_ms:
            return [{"type": "latency", "target": lk.id, "at_s": t.start_s,
                     "duration_s": t.length_s, "extra_ms": lp.timeout_ms}]
    retrying = [c for c in d.components if c.kind == "client"
                and (component_params(c).retries or 0) > 0]
    links = _links_into(d, _TERMINALS)
    if retrying and links:
        timeout = component_params(retrying[0]).timeout_ms or 1000.0
        return [{"type": "latency", "target": links[0], "at_s": t.start_s,
                 "duration_s": t.length_s, "extra_ms": timeout}]
    return None


def _region_outage(d: Design, t: Timing) -> list[dict] | None:
    regions = [g.id for g in d.groups if g.kind == "region"]
    if len(regions) < 2:
        return None  # with one region, an outage is simply everything down
    return [{"type": "fail", "target": regions[0], "at_s": t.start_s, "duration_s": t.length_s}]


def _flash_sale(d: Design, t: Timing) -> list[dict] | None:
    from simcore.analysis import analyze

    if not _clients(d):
        return None
    factor = analyze(d, availability=False).saturation_factor
    # past the saturation point, so the sale shows what breaks: 1.5 × it, within 2–100 ×
    multiplier = 5.0 if factor is None else float(min(100, max(2, math.ceil(1.5 * factor))))
    return _spikes(d, t, multiplier)


def _replica_lag_spike(d: Design, t: Timing) -> list[dict] | None:
    dbs = [c.id for c in d.components if c.kind == "database"
           and int(c.params.get("replicas", 0)) > 0]
    # a partition of a database cuts its replicas off from the primary: their lag grows for
    # as long as it lasts (SPEC §7.5)
    return ([{"type": "partition", "target": dbs[0], "at_s": t.start_s,
              "duration_s": t.length_s}] if dbs else None)


def _network_partition(d: Design, t: Timing) -> list[dict] | None:
    groups = {}
    for g in d.groups:
        for m in g.members:
            groups.setdefault(m, set()).add(g.id)
    kind = {c.id: c.kind for c in d.components}
    inner = [lk for lk in d.links if kind[lk.source] != "client"]
    crossing = [lk for lk in inner if groups.get(lk.source, set()) != groups.get(lk.target, set())]
    to_data = [lk for lk in inner if kind[lk.target] in _TERMINALS]
    chosen = (crossing or to_data or inner)
    return ([{"type": "partition", "target": chosen[0].id, "at_s": t.start_s,
              "duration_s": t.length_s}] if chosen else None)


def _thundering_herd(d: Design, t: Timing) -> list[dict] | None:
    target = _busiest(d)
    if target is None or not _clients(d):
        return None
    down = round(t.length_s / 2, 3)
    herd = [{"type": "fail", "target": target, "at_s": t.start_s, "duration_s": down}]
    return herd + _spikes(d, t, 3.0, at_s=round(t.start_s + down, 3),
                          length_s=round(t.length_s / 4, 3))


def _hot_shard(d: Design, t: Timing) -> list[dict] | None:
    from simcore.analysis import analyze

    sharded = [c.id for c in d.components if c.kind == "database"
               and int(c.params.get("shards", 1)) > 1]
    if not sharded or not _clients(d):
        return None
    row = analyze(d, availability=False).components[sharded[0]]
    hottest = max((n.utilization for n in row.db_nodes), default=0.0)
    if hottest <= 0:
        return None
    # enough traffic to take the hottest shard to 120 % busy
    return _spikes(d, t, float(max(1.5, round(1.2 / hottest, 1))))


def _dependency_slowdown(d: Design, t: Timing) -> list[dict] | None:
    kind = {c.id: c.kind for c in d.components}
    external = [lk.id for lk in d.links if kind[lk.target] == "external_service"]
    links = external or _links_into(d, _TERMINALS)
    return ([{"type": "latency", "target": links[0], "at_s": t.start_s,
              "duration_s": t.length_s, "extra_ms": _SLOWDOWN_MS}] if links else None)


CATALOGUE: tuple[CatalogScenario, ...] = (
    CatalogScenario(
        "cache_stampede", "Cache stampede",
        "The emptied cache sends every read to the database at once: watch the database's "
        "utilisation and the error rate jump, then ease as the cache fills again.",
        "caching", "a cache or CDN", _cache_stampede),
    CatalogScenario(
        "retry_storm", "Retry storm",
        "Calls time out and are sent again while the first try still holds a worker: watch the "
        "work multiply, the callers fill up and errors outlast the slowdown.",
        "retries", "a call that times out and retries", _retry_storm),
    CatalogScenario(
        "region_outage", "Region outage",
        "A whole region fails: watch the traffic move to the other region, its utilisation "
        "jump, and errors only while the health checks notice.",
        "zones", "two regions or more", _region_outage),
    CatalogScenario(
        "flash_sale", "Flash sale",
        "Every client sends several times its rate, past the saturation point: watch latency "
        "and queues climb, requests fail or wait in a queue, and how long recovery takes.",
        "queues", "a client with traffic", _flash_sale),
    CatalogScenario(
        "replica_lag_spike", "Replica lag spike",
        "The replicas stop receiving the primary's writes: watch stale reads (or failed reads, "
        "with strong consistency) while it lasts.",
        "replication", "a database with replicas", _replica_lag_spike),
    CatalogScenario(
        "network_partition", "Network partition",
        "One link is cut: watch the calls over it fail, and whether a balancer or a redundant "
        "path routes around it.",
        "availability", "a link between two components", _network_partition),
    CatalogScenario(
        "thundering_herd", "Thundering herd after recovery",
        "The bottleneck fails, and when it comes back everyone returns at once: watch its "
        "utilisation and latency spike just after the recovery.",
        "saturation", "traffic and a part to fail", _thundering_herd),
    CatalogScenario(
        "hot_shard", "Hot shard",
        "Traffic grows until the hottest shard is overloaded while the others still have room: "
        "watch the database's errors and latency come from that one shard.",
        "sharding", "a database with several shards", _hot_shard),
    CatalogScenario(
        "dependency_slowdown", "Dependency slowdown",
        "A dependency answers 200 ms slower: watch its callers' utilisation climb though their "
        "own work is unchanged (their workers wait), and the latency follow.",
        "saturation", "a call to a database or external service",
        _dependency_slowdown),
)


def by_key(key: str) -> CatalogScenario:
    for sc in CATALOGUE:
        if sc.key == key:
            return sc
    raise KeyError(key)


def fitting(design: Design) -> list[tuple[CatalogScenario, list[dict]]]:
    """The scenarios that fit ``design``, each with its events."""
    out = []
    for sc in CATALOGUE:
        events = sc.events(design)
        if events:
            out.append((sc, events))
    return out
