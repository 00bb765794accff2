"""The result of the instant analysis and its JSON form (SPEC §4 ``analyze --json``).

Inside the result, infinite values stay ``math.inf`` (a saturated component's latency, the
utilization of a blocking service whose callee is saturated); ``to_json`` turns them, and any
undefined value, into ``None`` so the output is strict JSON. Times are in milliseconds, rates in
requests per second, costs in dollars per month, availabilities as fractions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simcore.text import finite_or_none


@dataclass
class DbNodeResult:
    """One kind of database node: ``count`` identical nodes of shard ``shard`` (1-based) in
    ``role`` (``primary`` or ``replica``), each with these rates, utilization and wait. With an
    even spread (skew 0) one row stands for the same node of every shard: ``every_shard``."""

    shard: int
    role: str
    count: int
    read_rps: float
    write_rps: float
    utilization: float
    wait_ms: float
    every_shard: bool = False


@dataclass
class ComponentResult:
    """One component's figures. For a client: ``arrival_rps`` is its rps, ``latency_ms`` its
    requests' end-to-end mean, ``availability`` its requests' availability; the rest None."""

    id: str
    kind: str
    arrival_rps: float
    read_rps: float
    write_rps: float
    utilization: float | None
    latency_ms: float | None  # own Wq + s per visit (client: end to end)
    availability: float | None = None
    failure_impact: float | None = None
    monthly_cost: float | None = None
    wait_ms: float | None = None  # Wq, mixed over reads and writes
    service_ms: float | None = None
    holding_ms: float | None = None  # H: s, or s + D̄ for a blocking service
    response_read_ms: float | None = None  # R(x, read): own time plus downstream
    response_write_ms: float | None = None
    forwarded_rps: float | None = None  # what a rate limit lets through
    rejected_rps: float | None = None  # what a rate limit rejects (429)
    admitted_rps: float | None = None  # clients: rps less what rate limits reject
    instances: int | None = None
    autoscale_instances: int | None = None  # an autoscaled service: the instances it needs
    billed_nodes: int | None = None
    failures_per_year: float | None = None  # expected node failures a year (clients: None)
    one_down_impact: float | None = None  # share lost with one instance down, with shedding
    db_nodes: list[DbNodeResult] = field(default_factory=list)
    hit_ratio: float | None = None  # caches and CDNs: the one used (given or computed)
    hit_ratio_computed: bool = False  # computed from capacity_keys (Che's approximation)

    def to_json(self) -> dict[str, Any]:
        return {
            "arrival_rps": finite_or_none(self.arrival_rps),
            "utilization": finite_or_none(self.utilization),
            "latency_ms": finite_or_none(self.latency_ms),
            "availability": finite_or_none(self.availability),
            "failure_impact": finite_or_none(self.failure_impact),
            "monthly_cost": finite_or_none(self.monthly_cost),
            "autoscale_instances": self.autoscale_instances,
            "failures_per_year": finite_or_none(self.failures_per_year),
            "one_down_impact": finite_or_none(self.one_down_impact),
            "hit_ratio": finite_or_none(self.hit_ratio),
        }


@dataclass
class GroupResult:
    id: str
    availability: float | None
    failure_impact: float | None

    def to_json(self) -> dict[str, Any]:
        return {"availability": finite_or_none(self.availability),
                "failure_impact": finite_or_none(self.failure_impact)}


@dataclass
class AnalysisResult:
    """Everything the instant analysis computes for one design.

    ``saturation_rps`` None: no traffic, or no scale up to 1e6 saturates. ``latency_mean_ms``
    None: some client's mean is infinite. The availability fields are None when the analysis ran
    without its availability part."""

    name: str | None
    offered_rps: float
    saturation_rps: float | None
    saturation_factor: float | None
    bottleneck: str | None
    saturated: bool
    max_utilization: float
    latency_mean_ms: float | None
    monthly_cost: float
    components: dict[str, ComponentResult]
    groups: dict[str, GroupResult]
    client_weights: dict[str, float]  # admitted rps per client
    # Percentiles of the end-to-end latency: a gamma approximation (percentiles.py).
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    fleet_failures_per_year: float = 0.0
    availability: float | None = None
    unavailability: float | None = None
    nines: float | None = None
    downtime_s: dict[str, float] | None = None  # {"year", "month", "week"}
    availability_method: str | None = None
    # every optional call counted as needed (SPEC §7.7); the availability when there are none
    full_service_availability: float | None = None
    availability_ci95: list[float] | None = None
    spofs: list[str] = field(default_factory=list)
    # Availability under load (SPEC §7.2): survivors may be overloaded and shed.
    availability_under_load: float | None = None
    unavailability_under_load: float | None = None
    availability_under_load_method: str | None = None
    availability_under_load_ci95: list[float] | None = None
    capacity_risks: list[str] = field(default_factory=list)
    capacity_risk_detail: dict[str, str] = field(default_factory=dict)  # id -> explanation
    availability_computed: bool = False
    saturation_evaluations: int = 0

    def component(self, cid: str) -> ComponentResult:
        return self.components[cid]

    def to_json(self) -> dict[str, Any]:
        """The SPEC §4 object, exactly its keys, never rounded, strict JSON values. (The
        designer reads this result itself: ``capacity_risk_detail`` is not in the contract.)"""
        down = self.downtime_s or {}
        ci = self.availability_ci95
        ul_ci = self.availability_under_load_ci95
        return {
            "availability": finite_or_none(self.availability),
            "nines": finite_or_none(self.nines),
            "downtime_per_year_s": finite_or_none(down.get("year")),
            "downtime_per_month_s": finite_or_none(down.get("month")),
            "downtime_per_week_s": finite_or_none(down.get("week")),
            "spofs": sorted(self.spofs),
            "bottleneck": self.bottleneck,
            "saturation_rps": finite_or_none(self.saturation_rps),
            "offered_rps": finite_or_none(self.offered_rps),
            "latency_ms": {"mean": finite_or_none(self.latency_mean_ms),
                           "p50": finite_or_none(self.latency_p50_ms),
                           "p95": finite_or_none(self.latency_p95_ms),
                           "p99": finite_or_none(self.latency_p99_ms)},
            "fleet_failures_per_year": finite_or_none(self.fleet_failures_per_year),
            "monthly_cost": finite_or_none(self.monthly_cost),
            "components": {cid: c.to_json() for cid, c in self.components.items()},
            "groups": {gid: g.to_json() for gid, g in self.groups.items()},
            "saturated": bool(self.saturated),
            "availability_method": self.availability_method,
            "availability_ci95": None if ci is None else [finite_or_none(v) for v in ci],
            "full_service_availability": finite_or_none(self.full_service_availability),
            "availability_under_load": finite_or_none(self.availability_under_load),
            "unavailability_under_load": finite_or_none(self.unavailability_under_load),
            "availability_under_load_ci95": None if ul_ci is None else [
                finite_or_none(v) for v in ul_ci],
            "availability_under_load_method": self.availability_under_load_method,
            "capacity_risks": sorted(self.capacity_risks),
        }
