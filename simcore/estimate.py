"""Back-of-the-envelope estimation (SPEC §7.10 ``skyline estimate``; docs/concepts.md
"Back-of-the-envelope estimation").

From daily active users and requests per user: average and peak requests/s, reads and writes
per second, storage, bandwidth, servers, cache memory and the scaling stage that fits the user
count, each with the formula that made it. ``starter_design`` turns an estimate into a design of
that stage sized to carry the peak.

Units: 1 KB = 1,000 bytes, 1 GB = 10⁹ bytes, a day 86,400 s, a year 365 days; rates in
requests/s, bandwidth in megabits/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from simcore.text import number

DAY_S = 86_400
YEAR_DAYS = 365
PEAK_BUSY = 0.7
"""A server is planned to be at most 70 % busy at the peak."""
ROUND_SLACK = 1e-9
"""Rounding up means ⌈x − 1e-9⌉, so that 1.0000000000000002 rounds to 1."""
CACHE_HOT_SHARE = 0.2
"""The cache holds the hot 20 % of a day's reads."""

STAGES = (
    # (stage, lowest user count, name): stage k fits [lo_k, lo_{k+1}) users
    (1, 0, "Single server"),
    (2, 10_000, "Separate database"),
    (3, 100_000, "Add a cache"),
    (4, 500_000, "Load balancer and app servers"),
    (5, 2_000_000, "Read replicas"),
    (6, 10_000_000, "Sharding"),
)


def round_up(x: float) -> int:
    """⌈x − 1e-9⌉ (SPEC §7)."""
    return math.ceil(x - ROUND_SLACK)


def stage_for_users(users: float) -> int:
    """The scaling stage (1–6) whose user range [lo, hi) holds ``users``."""
    stage = 1
    for k, lo, _name in STAGES:
        if users >= lo:
            stage = k
    return stage


def stage_name(stage: int) -> str:
    return STAGES[stage - 1][2]


def stage_users_text(stage: int) -> str:
    """The user range a stage is built for, as people write it: "10K–100K users"."""
    lo = STAGES[stage - 1][1]
    if stage == len(STAGES):
        return f"{_short(lo)}+ users"
    hi = STAGES[stage][1]
    return f"under {_short(hi)} users" if lo == 0 else f"{_short(lo)}–{_short(hi)} users"


def _short(n: float) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000:
        return f"{n / 1_000:g}K"
    return f"{n:g}"


@dataclass(frozen=True)
class EstimateInputs:
    """What the estimate starts from. ``server_workers`` requests served at once by one server,
    ``server_ms`` a request's time on it (its capacity is workers / time)."""

    users: float
    requests_per_user: float
    peak_factor: float = 3.0
    read_ratio: float = 0.9
    object_kb: float = 1.0
    retention_years: float = 5.0
    server_workers: int = 50
    server_ms: float = 10.0

    def problems(self) -> list[str]:
        """Why these inputs cannot be estimated (empty when they can)."""
        out = []
        for name, v in (("users", self.users), ("requests per user", self.requests_per_user),
                        ("object size", self.object_kb), ("server time", self.server_ms)):
            if not (math.isfinite(v) and v > 0):
                out.append(f"{name} must be a positive number, got {v:g}")
        if not (math.isfinite(self.peak_factor) and self.peak_factor >= 1):
            out.append(f"the peak factor must be at least 1 (the peak is never below the "
                       f"average), got {self.peak_factor:g}")
        if not 0 <= self.read_ratio <= 1:
            out.append(f"the read ratio must be between 0 and 1, got {self.read_ratio:g}")
        if not (math.isfinite(self.retention_years) and self.retention_years >= 0):
            out.append(f"the retention must be 0 years or more, got {self.retention_years:g}")
        if self.server_workers < 1:
            out.append(f"server workers must be at least 1, got {self.server_workers}")
        return out


@dataclass
class Estimate:
    """Every figure of SPEC §7.10, with ``formulas[figure]`` the formula and its numbers."""

    inputs: EstimateInputs
    average_rps: float
    peak_rps: float
    read_rps: float
    write_rps: float
    storage_per_year_gb: float
    storage_total_gb: float
    bandwidth_in_mbps: float
    bandwidth_out_mbps: float
    servers: int
    servers_n_plus_1: int
    cache_gb: float
    stage: int
    formulas: dict[str, str] = field(default_factory=dict)

    FIGURES = ("average_rps", "peak_rps", "read_rps", "write_rps", "storage_per_year_gb",
               "storage_total_gb", "bandwidth_in_mbps", "bandwidth_out_mbps", "servers",
               "servers_n_plus_1", "cache_gb", "stage")

    @property
    def server_capacity_rps(self) -> float:
        """What one server serves when all its workers are busy: workers / time."""
        return self.inputs.server_workers / (self.inputs.server_ms / 1000.0)

    def to_json(self) -> dict:
        out = {name: getattr(self, name) for name in self.FIGURES}
        out["formulas"] = dict(self.formulas)
        return out


def estimate(inp: EstimateInputs) -> Estimate:
    """The estimate for ``inp`` (whose ``problems()`` must be empty)."""
    u, rpu, kb = inp.users, inp.requests_per_user, inp.object_kb
    average = u * rpu / DAY_S
    peak = average * inp.peak_factor
    reads, writes = average * inp.read_ratio, average * (1 - inp.read_ratio)
    per_year = writes * DAY_S * YEAR_DAYS * kb / 1e6
    total = per_year * inp.retention_years
    bw_in = peak * (1 - inp.read_ratio) * kb * 8 / 1000
    bw_out = peak * inp.read_ratio * kb * 8 / 1000
    capacity = inp.server_workers / (inp.server_ms / 1000.0)
    servers = max(1, round_up(peak / (PEAK_BUSY * capacity)))
    cache = CACHE_HOT_SHARE * reads * DAY_S * kb / 1e6
    stage = stage_for_users(u)
    n = number
    f = {
        "average_rps": f"users × requests per user / 86,400 s = {n(u)} × {n(rpu)} / 86,400 "
                       f"= {n(average)} rps",
        "peak_rps": f"average × peak factor = {n(average)} × {n(inp.peak_factor)} "
                    f"= {n(peak)} rps",
        "read_rps": f"average × read ratio = {n(average)} × {n(inp.read_ratio)} "
                    f"= {n(reads)} rps",
        "write_rps": f"average × (1 − read ratio) = {n(average)} × {n(1 - inp.read_ratio)} "
                     f"= {n(writes)} rps",
        "storage_per_year_gb": f"writes/s × 86,400 s × 365 days × object size = {n(writes)} × "
                               f"86,400 × 365 × {n(kb)} KB = {n(per_year)} GB",
        "storage_total_gb": f"storage per year × retention = {n(per_year)} GB × "
                            f"{n(inp.retention_years)} years = {n(total)} GB",
        "bandwidth_in_mbps": f"peak writes/s × object size × 8 bits = {n(peak)} × "
                             f"{n(1 - inp.read_ratio)} × {n(kb)} KB × 8 / 1,000 "
                             f"= {n(bw_in)} Mbit/s",
        "bandwidth_out_mbps": f"peak reads/s × object size × 8 bits = {n(peak)} × "
                              f"{n(inp.read_ratio)} × {n(kb)} KB × 8 / 1,000 "
                              f"= {n(bw_out)} Mbit/s",
        "servers": f"⌈peak / (70 % × workers / time)⌉ = ⌈{n(peak)} / (0.7 × "
                   f"{inp.server_workers} / {n(inp.server_ms / 1000)} s)⌉ = "
                   f"⌈{n(peak)} / {n(PEAK_BUSY * capacity)}⌉ = {servers}"
                   + (" (at least 1)" if peak <= 0 else ""),
        "servers_n_plus_1": f"servers + 1 spare, so one can fail at the peak = {servers} + 1 "
                            f"= {servers + 1}",
        "cache_gb": f"20 % of a day's reads × object size = 0.2 × {n(reads)} × 86,400 × "
                    f"{n(kb)} KB = {n(cache)} GB",
        "stage": f"{n(u)} users: {stage_users_text(stage)} → stage {stage} "
                 f"({stage_name(stage)})",
    }
    return Estimate(inp, average, peak, reads, writes, per_year, total, bw_in, bw_out,
                    servers, servers + 1, cache, stage, f)


FIGURE_TITLES = {
    "average_rps": "Average load", "peak_rps": "Peak load", "read_rps": "Reads",
    "write_rps": "Writes", "storage_per_year_gb": "Storage per year",
    "storage_total_gb": "Storage in total", "bandwidth_in_mbps": "Bandwidth in",
    "bandwidth_out_mbps": "Bandwidth out", "servers": "Servers",
    "servers_n_plus_1": "Servers, N + 1", "cache_gb": "Cache memory", "stage": "Scaling stage",
}


def render(est: Estimate) -> str:
    """The plain-text report of ``skyline estimate``: one line per figure with its formula."""
    inp = est.inputs
    lines = [(f"Back-of-the-envelope estimate for {number(inp.users)} daily users × "
              f"{number(inp.requests_per_user)} requests each"), ""]
    for name in Estimate.FIGURES:
        lines.append(f"{FIGURE_TITLES[name]:<18} {est.formulas[name]}")
    lines += ["", ("See the concepts guide, \"Back-of-the-envelope estimation\" "
                   "(docs/concepts.md#back-of-the-envelope-estimation).")]
    return "\n".join(lines) + "\n"
