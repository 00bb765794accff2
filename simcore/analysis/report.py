"""The readable text report of an analysis (``skyline analyze FILE``).

Availabilities are shown as percentages with as many decimals as their nines need (99.7003%,
99.9999%), as the seed writes them; downtime per year, month and week as in the seed's table;
failure impact as the share of requests lost. The JSON form (result.to_json) carries the raw
fractions, never rounded.
"""

from __future__ import annotations

import math

from simcore.analysis.result import AnalysisResult
from simcore.text import DASH
from simcore.text import number as _num


def _ms(x: float | None) -> str:
    """A time in ms: 2 decimals from 1 ms, 1 from 100 ms, 3 significant below 1 ms, and
    ``<0.001`` for what is too small to matter."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if math.isinf(x):
        return "∞"
    if x == 0:
        return "0"
    if abs(x) < 0.001:
        return "<0.001"
    if abs(x) >= 100:
        return f"{x:,.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _pct(x: float | None) -> str:
    """A utilization or share as a percentage with one decimal."""
    if x is None:
        return DASH
    if math.isinf(x):
        return "∞"
    if abs(x) >= 1e7:  # a design with absurd numbers: keep the column a column
        return f"{_num(100.0 * x)}%"
    return f"{100.0 * x:.1f}%"


def _decimals(u: float) -> int:
    """Decimals of a percentage that show an unavailability u: two more than its whole nines."""
    nines = -math.log10(min(u, 1.0))
    return min(12, max(2, math.floor(nines + 1e-9) + 2))


def _avail(a: float | None, u: float | None = None, decimals: int | None = None) -> str:
    """An availability as a percentage with two decimals more than its whole nines (99.7003%,
    99.9999%), trailing zeros dropped; ``u`` = 1 − a when it is known more precisely. With
    ``decimals`` given, exactly that many (to print bounds side by side)."""
    if a is None:
        return DASH
    if u is None:
        u = 1.0 - a
    if u <= 0.0 and decimals is None:
        return "100%"
    if decimals is not None:
        return f"{100.0 * (1.0 - u):.{decimals}f}%"
    text = f"{100.0 * (1.0 - u):.{_decimals(u)}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _wrapped(label: str, items: list[str], width: int = 100) -> list[str]:
    """``label`` then the items, comma-separated, continued under the first item."""
    lines, line = [], label
    indent = " " * len(label)
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if line.strip() and len(line) + len(piece) + 1 > width and line != label:
            lines.append(line.rstrip())
            line = indent
        line += piece + " "
    lines.append(line.rstrip())
    return lines


def _impact(x: float | None) -> str:
    """A share of requests lost: ``0``, ``100%``, ``28.0%``, ``0.0001%`` (2 significant when
    small)."""
    if x is None:
        return DASH
    if x <= 0.0:
        return "0"
    if x >= 1.0:
        return "100%"
    if x >= 0.001:
        return f"{100.0 * x:.1f}%"
    return f"{100.0 * x:.2g}%"


def _duration(seconds: float | None) -> str:
    """A downtime: the two largest of d, h, min, s (``6 h 50 min``), or ms below a second."""
    if seconds is None:
        return DASH
    if seconds < 1.0:
        if seconds <= 0:
            return "0 s"
        return f"{seconds * 1000:.3g} ms"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            q = int(seconds // size)
            parts.append(f"{q} {unit}")
            seconds -= q * size
    if not parts:
        parts.append(f"{seconds:.3g} s")
    elif seconds >= 0.5:
        parts.append(f"{seconds:.0f} s")
    return " ".join(parts[:2])


def _money(x: float | None) -> str:
    return DASH if x is None else f"{x:,.2f}"


def _summary(r: AnalysisResult) -> list[str]:
    out = [f"Offered load      {_num(r.offered_rps)} req/s"]
    if r.saturation_rps is None:
        sat = ("none up to 10^6 × the offered load" if r.offered_rps > 0
               else f"{DASH} (no traffic)")
    else:
        sat = f"{_num(r.saturation_rps)} req/s ({_num(r.saturation_factor)} × the offered load)"
    out.append(f"Saturation        {sat}")
    if r.bottleneck is None:
        out.append(f"Bottleneck        {DASH}")
    else:
        b = r.components[r.bottleneck]
        out.append(f"Bottleneck        {b.id} ({b.kind}, {_pct(b.utilization)} busy now): "
                   "the first part to reach 100% as traffic grows")
    if r.saturated:
        over = [c.id for c in r.components.values()
                if c.utilization is not None and c.utilization >= 1.0]
        grows = "its queue grows" if len(over) == 1 else "their queues grow"
        out.append(f"Status            SATURATED: {', '.join(over)} at or above 100% "
                   f"utilization; {grows} without bound")
    else:
        out.append(f"Status            not saturated; busiest part at {_pct(r.max_utilization)}")
    if r.latency_mean_ms is None or math.isinf(r.latency_mean_ms):
        lat = "∞ (a saturated part is on the way)"
    else:
        lat = f"{_ms(r.latency_mean_ms)} ms (end to end, mean over the clients' requests)"
    out.append(f"Mean latency      {lat}")
    if r.latency_p50_ms is not None:
        out.append(f"Percentiles       p50 {_ms(r.latency_p50_ms)} ms, p95 {_ms(r.latency_p95_ms)} "
                   f"ms, p99 {_ms(r.latency_p99_ms)} ms (a gamma approximation; simulate to "
                   "confirm)")
    out.append(f"Monthly cost      ${r.monthly_cost:,.2f}")
    scaled = [f"{c.id} {c.autoscale_instances}" for c in r.components.values()
              if c.autoscale_instances is not None]
    if scaled:
        out += _wrapped("Autoscaled        ", scaled)
        out[-1] += " instances for this load (cost, availability; saturation at the maximum)"
    if r.availability_computed:
        mc = r.availability_method == "monte_carlo"
        nines = "no part can fail" if r.nines is None else f"{r.nines:.2f} nines"
        how = "Monte Carlo estimate" if mc else "exact"
        out.append(f"Availability      {_avail(r.availability, r.unavailability)} "
                   f"({nines}; {how})")
        if mc and r.availability_ci95:
            lo, hi = r.availability_ci95
            d = _decimals(max(1.0 - lo, 1e-300))
            out.append(f"                  95% interval {_avail(lo, decimals=d)} to "
                       f"{_avail(hi, decimals=d)}: too many shared parts for the exact sum")
        d = r.downtime_s or {}
        out.append(f"Downtime          {_duration(d.get('year'))} per year, "
                   f"{_duration(d.get('month'))} per month, {_duration(d.get('week'))} per week")
        out += _wrapped("SPOFs             ", r.spofs or ["none"])
        if (r.full_service_availability is not None
                and r.full_service_availability != r.availability):
            out.append(f"Full service      {_avail(r.full_service_availability)} (requests "
                       "served with every optional call; the rest are degraded, not failed)")
        out += _under_load(r)
    out.append(f"Fleet failures    {_num(r.fleet_failures_per_year)} a year"
               f"{_how_often(r.fleet_failures_per_year)} (every node counted, however redundant)")
    return out


def _how_often(per_year: float) -> str:
    """``, about one every 8 days`` for a rate of failures a year; empty when there are none."""
    if per_year <= 0:
        return ""
    days = 365.0 / per_year
    if days < 1.5:
        return f", about {per_year / 365.0:,.0f} a day"
    return f", about one every {days:,.0f} days"


def _under_load(r: AnalysisResult) -> list[str]:
    """The availability under load (SPEC §7.2) and one line per capacity risk."""
    if r.availability_under_load is None:
        return []
    mc = r.availability_under_load_method == "monte_carlo"
    how = "Monte Carlo estimate" if mc else "exact"
    out = [(f"Under load        {_avail(r.availability_under_load, r.unavailability_under_load)} "
           f"(survivors serve only what their capacity allows; {how})")]
    if mc and r.availability_under_load_ci95:
        lo, hi = r.availability_under_load_ci95
        d = _decimals(max(1.0 - lo, 1e-300))
        out.append(f"                  95% interval {_avail(lo, decimals=d)} to "
                   f"{_avail(hi, decimals=d)}")
    for cid in r.capacity_risks:
        why = r.capacity_risk_detail.get(cid) or (
            f"one instance of {cid} down loses "
            f"{_impact(r.components[cid].one_down_impact)} of requests")
        out.append(f"Capacity risk     {cid}: {why}")
    return out


def render(result: AnalysisResult) -> str:
    """The whole report as text, lines of at most about 110 characters."""
    r = result
    out = [f"Instant analysis of {r.name or '(unnamed design)'}", ""]
    out += _summary(r)
    out.append("")
    head = (f"{'component':<18} {'kind':<16} {'arrival/s':>10} {'util':>7} {'latency ms':>10} "
            f"{'availability':>13} {'impact':>8} {'$/month':>10}")
    out.append(head)
    out.append("-" * len(head))
    for c in r.components.values():
        mark = ""
        if c.id == r.bottleneck:
            mark = "  ← bottleneck"
        if c.id in r.spofs:
            mark += "  SPOF"
        if c.id in r.capacity_risks:
            mark += "  CAPACITY RISK"
        out.append(f"{c.id[:18]:<18} {c.kind[:16]:<16} {_num(c.arrival_rps):>10} "
                   f"{_pct(c.utilization):>7} {_ms(c.latency_ms):>10} "
                   f"{_avail(c.availability):>13} {_impact(c.failure_impact):>8} "
                   f"{_money(c.monthly_cost):>10}{mark}")
    out.append("")
    out.append("util: the busiest instance or node; latency: its own wait + service per visit "
               "(a client: end to end);")
    out.append("availability: its own, with instances and standby (a database: its primary; "
               "a client: its requests');")
    out.append("impact: share of requests lost while the part is down and everything else is up.")
    if r.capacity_risks:
        out.append("CAPACITY RISK: no SPOF, but losing one instance overloads what is left "
                   "(redundant on paper, not N+1).")
    dbs = [c for c in r.components.values() if c.db_nodes]
    if dbs:
        out.append("")
        out.append("Database nodes (figures per node)")
        for c in dbs:
            one_shard = all(n.shard == 1 and not n.every_shard for n in c.db_nodes)
            for n in c.db_nodes:
                shard = "" if one_shard else (
                    "every shard, " if n.every_shard else f"shard {n.shard}, ")
                count = f" ×{n.count}" if n.count > 1 else ""
                out.append(f"  {c.id}: {shard}{n.role}{count}: reads {_num(n.read_rps)}/s, "
                           f"writes {_num(n.write_rps)}/s, util {_pct(n.utilization)}, "
                           f"wait {_ms(n.wait_ms)} ms")
    limited = [c for c in r.components.values() if c.rejected_rps]
    if limited:
        out.append("")
        for c in limited:
            out.append(f"Rate limit at {c.id}: forwards {_num(c.forwarded_rps)} req/s, rejects "
                       f"{_num(c.rejected_rps)} req/s (429, neither success nor failure)")
    if r.groups and r.availability_computed:
        out.append("")
        out.append(f"{'group':<18} {'availability':>13} {'impact':>8}")
        for g in r.groups.values():
            mark = "  SPOF" if g.id in r.spofs else ""
            out.append(f"{g.id[:18]:<18} {_avail(g.availability):>13} "
                       f"{_impact(g.failure_impact):>8}{mark}")
    return "\n".join(out) + "\n"
