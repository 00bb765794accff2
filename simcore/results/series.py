"""Every time series a traffic run records, one declaration each: its key, legend label, unit,
meaning, whether it has one value per component, how replications are combined and how the
designer plots it. The engine fills a row per simulated second with these keys; the
replication's ``timeseries``, the study's aggregate and the designer's plots all iterate this
registry, so a new series is one line here plus the engine code that measures it.

Units: ``req/s`` requests per simulated second, ``per s`` events counted in the second,
``ms`` milliseconds, ``fraction`` a share in
[0, 1] (plotted in %), ``requests`` and ``messages`` counts at the end of the second, ``s``
seconds, ``bool`` up or down.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    key: str
    label: str  # legend text
    unit: str
    description: str
    per_component: bool = False  # one value per component id (else one for the run)
    aggregate: str | None = "mean"
    """How the study combines replications, second by second: "mean" of the replications
    that have a value that second; None keeps the series per replication only."""
    plot: str | None = None  # the designer's time plot that draws it; None: not a curve
    colour: str | None = None
    scale: float = 1.0  # to the plotted unit (100: a fraction drawn in %)


ANOMALIES = (  # (key, legend label, what it counts, colour): see simcore.engine.anomalies
    ("stale_reads_per_s", "stale reads", "Reads a replica served from behind its primary",
     "#d97706"),
    ("lost_writes_per_s", "lost writes", ("Acknowledged writes lost (a write-behind cache "
                                          "that failed, an async failover)"), "#dc2626"),
    ("duplicate_executions_per_s", "duplicate writes", ("Writes executed again at a terminal "
                                                        "(retries without idempotency keys)"),
     "#7c3aed"),
    ("lost_messages_per_s", "lost messages", ("Message copies lost (a full backlog, a queue "
                                              "outage that was not durable)"), "#b91c1c"),
    ("dead_lettered_per_s", "dead letters", "Message copies given up after max_deliveries",
     "#6b7280"),
    ("lost_sessions_per_s", "lost sessions", "Sticky sessions whose instance stopped serving",
     "#0e7490"),
    ("degraded_per_s", "degraded", "Requests that succeeded without an optional call",
     "#65a30d"),
)

SERIES: dict[str, Series] = {s.key: s for s in (
    Series("throughput_rps", "throughput", "req/s", "Requests that succeeded in the second.",
           plot="throughput", colour="#1f77b4"),
    Series("p50_ms", "p50", "ms", "Median latency of the requests that succeeded.",
           plot="latency", colour="#2ca02c"),
    Series("p95_ms", "p95", "ms", "95th percentile latency of the requests that succeeded.",
           plot="latency", colour="#ff7f0e"),
    Series("p99_ms", "p99", "ms", "99th percentile latency of the requests that succeeded.",
           plot="latency", colour="#d62728"),
    Series("error_rate", "failed", "fraction", "Failed requests / requests finished.",
           plot="errors", colour="#d62728", scale=100.0),
    Series("rejected_rate", "rejected (429)", "fraction",
           "Requests a rate limit rejected / requests finished.",
           plot="errors", colour="#7c3aed", scale=100.0),
    Series("availability", "availability", "fraction",
           "Succeeded / (succeeded + failed): rejected requests left out.",
           plot="availability", colour="#1b7f3b", scale=100.0),
    *(Series(key, label, "per s", f"{what}, in the second (null when the design has no "
             "component that could count one).", plot="anomalies", colour=colour)
      for key, label, what, colour in ANOMALIES),
    Series("queue_depth", "waiting", "requests",
           "Requests waiting for a worker (a message queue's backlog included).",
           per_component=True, plot="queues"),
    Series("utilization", "busy", "fraction",
           "Busy fraction of the component's busiest instance over the second.",
           per_component=True),
    Series("up", "up", "bool", "Whether the component is up at the end of the second.",
           per_component=True, aggregate=None),
    Series("backlog", "backlog", "messages",
           "Message copies waiting in a message queue's subscriptions at the end of the second "
           "(message queues only).", per_component=True),
    Series("oldest_message_age_s", "oldest message", "s",
           "Age of the oldest message copy waiting in a message queue at the end of the second "
           "(message queues only).", per_component=True),
    Series("instances", "instances", "instances",
           "Instances paid for (serving and starting) at the end of the second (autoscaled "
           "services only).", per_component=True, plot="instances"),
    Series("hit_ratio", "hit ratio", "fraction",
           "Reads a cache or CDN answered itself / reads that reached it, in the second "
           "(caches and CDNs only; null in a second without reads).", per_component=True,
           plot="hit_ratio", scale=100.0),
)}

RUN_SERIES = [s for s in SERIES.values() if not s.per_component]
COMPONENT_SERIES = [s for s in SERIES.values() if s.per_component]
