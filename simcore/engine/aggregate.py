"""Across replications: the study's figures (SPEC §3, §4 ``simulate --json``).

Every figure is computed per replication by the engine and then combined here: the mean over
the replications and a Student-t 95 % confidence interval across them (``None`` with one
replication). Latency percentiles are each replication's percentile, averaged; they are not the
percentile of the pooled requests. Rates are fractions, latencies ms, throughputs requests/s.

Only replications that ran to their end are aggregated: a replication stopped part-way (Ctrl-C,
cancel) measured a shorter, different window and would bias the means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from simcore.engine.counters import breaker_transitions, component_counters, design_counters
from simcore.engine.stats import mean_ci, mean_or_none
from simcore.results.series import SERIES

_LATENCY_KEYS = ("mean", "p50", "p95", "p99", "p999")
_COMPONENT_SUMS = ("served", "dropped", "rejected")
"""Per-component counts reported as the mean per replication (requests per measured window)."""
_COMPONENT_EXTRA_COUNTS = ("hits", "misses", "passed_through", "replica_reads",
                           "accepted", "delivered", "consumed_ok", "consumed_failed",
                           "backlog_end")
_MESSAGE_KEYS = ("lost_messages", "dead_lettered", "max_backlog", "mean_delivery_delay_ms")
"""SPEC §7.3 figures of every component (null where it is no queue), each the mean per
replication with its interval in the component's ``ci95`` object."""
_CACHE_KEYS = ("lost_writes", "max_staleness_ms", "stale_reads")
"""SPEC §7.4 and §7.5 figures of every component (null where it is no cache or database; the
staleness null too for a cache without keys), each the mean per replication with its interval
in ``ci95``."""
_MESSAGE_TOTALS = ("lost_messages", "dead_lettered", "lost_writes", "stale_reads",
                   "max_staleness_ms")
"""The design's totals of SPEC §7.9 (the staleness: the largest of its components')."""


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _clip(ci, lo: float | None = 0.0, hi: float | None = None):
    """A t interval of a quantity bounded by definition (a rate, a latency) cut to its bounds:
    the t interval is symmetric and can reach past 0 or 1 when replications disagree a lot."""
    if ci is None:
        return None
    a, b = ci
    if lo is not None:
        a, b = max(lo, a), max(lo, b)
    if hi is not None:
        a, b = min(hi, a), min(hi, b)
    return [a, b]


def _stat(values, hi: float | None = None) -> dict:
    m, ci = mean_ci(_finite(v) for v in values)
    return {"mean": m, "ci95": _clip(ci, 0.0, hi)}


def _ci(values, hi: float | None = None):
    return _clip(mean_ci(_finite(v) for v in values)[1], 0.0, hi)


@dataclass
class SimulationResult:
    """The outcome of a study: the finished replications' dicts and their aggregate.

    ``replications`` are the engine's per-replication dicts (in replication order) that ran to
    the end; ``requested`` how many were asked for; ``stopped`` is True when the study was
    interrupted before all of them finished. ``partial`` is True when none finished and
    ``replications`` holds instead the replications cut short (their ``measured_s`` says how
    much was measured). ``saturation_rps``, ``bottleneck``, ``offered_rps``,
    ``instant_saturated`` and ``instant_max_utilization`` come from the instant analysis (its
    estimate of the offered load, req/s, at which the design saturates; None when unknown).
    """

    seed: int
    duration_s: float
    warmup_s: float
    requested: int
    replications: list[dict] = field(default_factory=list)
    stopped: bool = False
    partial: bool = False
    saturation_rps: float | None = None
    bottleneck: str | None = None
    offered_rps: float | None = None
    instant_saturated: bool = False
    instant_max_utilization: float | None = None
    name: str | None = None

    # --- aggregate figures ---------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.replications)

    def throughput(self) -> dict:
        return _stat(r.get("throughput_rps") for r in self.replications)

    def offered(self) -> dict:
        """Requests the clients sent per measured second (scenario events included; those
        still in flight at the end counted too)."""
        return _stat((r.get("sent", r.get("offered")) or 0) / r["measured_s"]
                     if r.get("measured_s") else None for r in self.replications)

    def latency(self) -> dict:
        out: dict = {}
        for k in _LATENCY_KEYS:
            out[k] = mean_or_none(_finite(r["latency_ms"].get(k)) for r in self.replications)
        out["ci95_mean"] = _ci(r["latency_ms"].get("mean") for r in self.replications)
        for k in ("p50", "p95", "p99", "p999"):
            out[f"ci95_{k}"] = _ci(r["latency_ms"].get(k) for r in self.replications)
        return out

    def rate(self, key: str) -> dict:
        """A fraction's mean and interval (cut to [0, 1])."""
        return _stat((r.get(key) for r in self.replications), hi=1.0)

    def count(self, key: str) -> dict:
        """A run-wide count's mean per replication and its interval (cut at 0)."""
        return _stat(r.get(key) for r in self.replications)

    def components(self) -> dict:
        """Per component: utilization (its busiest instance's busy fraction over the measured
        window; ``utilization_mean`` averages its instances) and mean queue (time-averaged
        requests waiting, summed over its instances; a message queue's backlog included),
        each the mean over replications with its interval; served/dropped/rejected and the
        other counts as the mean count per replication (after the warm-up)."""
        if not self.replications:
            return {}
        out: dict = {}
        for cid, first in self.replications[0]["components"].items():
            rows = [r["components"][cid] for r in self.replications if cid in r["components"]]
            u = _stat(c.get("utilization") for c in rows)
            q = _stat(c.get("mean_queue") for c in rows)
            row = {"kind": first.get("kind"), "utilization": u["mean"],
                   "utilization_ci95": u["ci95"],
                   "utilization_mean": mean_or_none(_finite(c.get("utilization_mean"))
                                                    for c in rows),
                   "mean_queue": q["mean"], "mean_queue_ci95": q["ci95"]}
            for k in _COMPONENT_SUMS:
                row[k] = mean_or_none(_finite(c.get(k)) for c in rows)
            for k in _COMPONENT_EXTRA_COUNTS:
                if k in first:
                    row[k] = mean_or_none(_finite(c.get(k)) for c in rows)
            row["moved_key_share"] = mean_or_none(_finite(c.get("moved_key_share"))
                                                  for c in rows)
            if "stale_reads" in first and "replica_reads" in first:
                reads = sum(c.get("replica_reads") or 0 for c in rows)
                stale = sum(c.get("stale_reads") or 0 for c in rows)
                row["stale_read_fraction"] = stale / reads if reads else None
            if "hits" in first and "misses" in first:
                hits = sum(c.get("hits") or 0 for c in rows)
                total = hits + sum(c.get("misses") or 0 for c in rows)
                row["hit_ratio"] = hits / total if total else None
            ci95 = row.setdefault("ci95", {})
            for k in (*_MESSAGE_KEYS, *_CACHE_KEYS):
                row[k] = mean_or_none(_finite(c.get(k)) for c in rows)
                if row[k] is not None and len(rows) > 1:
                    ci95[k] = _ci(c.get(k) for c in rows)
            row["saturated"] = any(s.get("component") == cid
                                   for r in self.replications for s in r.get("saturation", []))
            extra = component_counters(self.replications, cid)
            ci95.update(extra.pop("ci95", {}))
            row.update(extra)
            out[cid] = row
        return out

    def saturation(self) -> dict:
        """Where the design saturated (components named by any replication, the earliest
        first) and at what offered load (the instant analysis' saturation point).

        ``saturated`` is True when a replication saw a component saturate (busy ≥ 99 % over
        the measured window, or its queue overflowing, or requests in flight past the bound)
        or when the instant analysis finds some ρ ≥ 1 at the offered load (a short run may
        end before the queue has grown enough to show it)."""
        where: dict[str, dict] = {}
        for r in self.replications:
            for s in r.get("saturation", []):
                cid = s.get("component")
                at = _finite(s.get("at_s"))
                cur = where.get(cid)
                if cur is None:
                    where[cid] = {"component": cid, "replications": 1, "first_at_s": at,
                                  "offered_rps": _finite(s.get("offered_rps"))}
                else:
                    cur["replications"] += 1
                    if at is not None and (cur["first_at_s"] is None or at < cur["first_at_s"]):
                        cur["first_at_s"] = at
                        cur["offered_rps"] = _finite(s.get("offered_rps"))
        ordered = sorted(where.values(),
                         key=lambda w: (w["first_at_s"] is None, w["first_at_s"] or 0.0,
                                        w["component"]))
        return {"saturated": bool(ordered) or self.instant_saturated, "where": ordered,
                "in_simulation": bool(ordered),
                "in_instant_analysis": self.instant_saturated,
                "saturation_rps": _finite(self.saturation_rps),
                "bottleneck": self.bottleneck,
                "instant_max_utilization": _finite(self.instant_max_utilization)}

    def timeseries(self) -> dict:
        """One row per simulated second (warm-up included; ``t_s`` is the end of the second):
        every series of simcore.results.series that aggregates, each value the mean over the
        replications that have a value for that second (a second with no finished request has
        no percentile); a component series likewise per component."""
        kept = [s for s in SERIES.values() if s.aggregate == "mean"]
        if not self.replications:
            return {"t_s": [], **{s.key: {} if s.per_component else [] for s in kept}}
        series = [r["timeseries"] for r in self.replications]
        length = min(len(s["t_s"]) for s in series)
        out: dict = {"t_s": list(series[0]["t_s"][:length])}

        def mean_at(values_of, i):
            return mean_or_none(_finite(v[i]) for v in values_of if i < len(v))

        for s in kept:
            if s.per_component:
                ids = series[0].get(s.key, {})
                out[s.key] = {cid: [mean_at([r[s.key][cid] for r in series
                                             if cid in r.get(s.key, {})], i)
                                    for i in range(length)] for cid in ids}
            else:
                out[s.key] = [mean_at([r[s.key] for r in series if s.key in r], i)
                              for i in range(length)]
        return out

    def measured_s(self) -> float | None:
        """Mean simulated seconds measured (after the warm-up) per replication."""
        return mean_or_none(_finite(r.get("measured_s")) for r in self.replications)

    def totals(self) -> dict:
        keys = ("sent", "offered", "succeeded", "failed", "rejected", "in_flight_at_end")
        return {k: sum(int(r.get(k) or 0) for r in self.replications) for k in keys}

    # --- output ------------------------------------------------------------------------------
    def to_json(self) -> dict:
        """The SPEC §4 ``simulate --json`` object: strict-JSON values (None for undefined)."""
        sat = self.saturation()
        er, rr = self.rate("error_rate"), self.rate("rejected_rate")
        out = {
            "name": self.name,
            "seed": self.seed,
            "duration_s": self.duration_s,
            "warmup_s": self.warmup_s,
            "replications": self.n,
            "replications_requested": self.requested,
            "stopped": self.stopped,
            "partial": self.partial,
            "measured_s": self.measured_s(),
            "offered_rps": self.offered(),
            "instant_offered_rps": _finite(self.offered_rps),
            "throughput_rps": self.throughput(),
            "latency_ms": self.latency(),
            "error_rate": er["mean"],
            "error_rate_ci95": er["ci95"],
            "rejected_rate": rr["mean"],
            "rejected_rate_ci95": rr["ci95"],
            "availability": self.rate("availability"),
            "totals": self.totals(),
            "components": self.components(),
            "saturated": sat["saturated"],
            "saturation": sat,
            **self._message_totals(),
            "standby_takeovers": sum(int(r.get("standby_takeovers") or 0)
                                     for r in self.replications),
            "timeseries": self.timeseries(),
            "breaker_transitions": breaker_transitions(self.replications),
            # the same in every replication (they follow from the design): the first's
            "warnings": list(self.replications[0].get("warnings") or [])
            if self.replications else [],
        }
        # duplicates, degraded rate, lost sessions, monthly cost; their intervals join ci95
        extra = design_counters(self.replications)
        out["ci95"].update(extra.pop("ci95", {}))
        out.update(extra)
        return _strict(out)

    def _message_totals(self) -> dict:
        """The design's §7.9 totals (copies lost and dead-lettered, writes lost, stale reads,
        the stalest read): means per replication, with their intervals under ``ci95`` (two
        replications or more)."""
        out: dict = {k: mean_or_none(_finite(r.get(k)) for r in self.replications)
                     for k in _MESSAGE_TOTALS}
        out["ci95"] = ({k: _ci(r.get(k) for r in self.replications) for k in _MESSAGE_TOTALS}
                       if self.n > 1 else {})
        return out


def _strict(v: Any) -> Any:
    """Replace non-finite floats anywhere in ``v`` with None (strict JSON)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _strict(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_strict(x) for x in v]
    return v
