"""The readable text report of an analysis (``skyline analyze FILE``)."""

from __future__ import annotations

import math

from simcore.analysis.result import AnalysisResult


def _num(x: float | None, digits: int = 4) -> str:
    """A number for people: ``—`` for undefined, ``∞`` for infinite, else ``digits`` significant."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(x):
        return "∞"
    if x != 0 and (abs(x) >= 1e9 or abs(x) < 1e-3):
        return f"{x:.{digits - 1}e}"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:,.{digits}g}"


def _pct(x: float | None) -> str:
    if x is None:
        return "—"
    if math.isinf(x):
        return "∞"
    return f"{100.0 * x:.1f}%"


def _avail(x: float | None) -> str:
    if x is None:
        return "—"
    if x >= 1.0:
        return "1"
    nines = -math.log10(1.0 - x) if x < 1.0 else 0.0
    return f"{x:.{max(3, int(nines) + 3)}f}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1.0:
        return f"{seconds * 1000:.1f} ms" if seconds > 0 else "0 s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            q = int(seconds // size)
            parts.append(f"{q} {unit}")
            seconds -= q * size
    if seconds >= 0.5 or not parts:
        parts.append(f"{seconds:.0f} s")
    return " ".join(parts[:2])


def render(result: AnalysisResult) -> str:
    """The whole report as text, lines of at most about 100 characters."""
    r = result
    out = []
    title = r.name or "(unnamed design)"
    out.append(f"Instant analysis of {title}")
    out.append("")
    out.append(f"Offered load      {_num(r.offered_rps)} req/s")
    if r.saturation_rps is None:
        sat = "none up to 10^6 × the offered load" if r.offered_rps > 0 else "— (no traffic)"
    else:
        sat = f"{_num(r.saturation_rps)} req/s ({_num(r.saturation_factor)} × the offered load)"
    out.append(f"Saturation        {sat}")
    out.append(f"Bottleneck        {r.bottleneck or '—'}")
    if r.saturated:
        out.append("Status            SATURATED: some utilization is at or above 100%; queues "
                   "grow without bound")
    else:
        out.append(f"Status            busiest part at {_pct(r.max_utilization)}")
    lat = "∞ (saturated)" if r.latency_mean_ms is None or math.isinf(r.latency_mean_ms) \
        else f"{_num(r.latency_mean_ms)} ms"
    out.append(f"Mean latency      {lat}")
    out.append(f"Monthly cost      ${r.monthly_cost:,.2f}")
    if r.availability_computed:
        method = r.availability_method or "exact"
        extra = ""
        if r.availability_ci95:
            extra = f", 95% CI [{_avail(r.availability_ci95[0])}, {_avail(r.availability_ci95[1])}]"
        nines = "∞" if r.nines is None else f"{r.nines:.2f}"
        out.append(f"Availability      {_avail(r.availability)} ({nines} nines; {method}{extra})")
        d = r.downtime_s or {}
        out.append(f"Downtime          {_duration(d.get('year'))} per year, "
                   f"{_duration(d.get('month'))} per month, {_duration(d.get('week'))} per week")
        out.append(f"SPOFs             {', '.join(r.spofs) if r.spofs else 'none'}")
    out.append("")
    head = (f"{'component':<18} {'kind':<16} {'arrival/s':>11} {'util':>7} {'latency ms':>11} "
            f"{'availability':>13} {'impact':>10} {'$/month':>10}")
    out.append(head)
    out.append("-" * len(head))
    for c in r.components.values():
        mark = ""
        if c.id == r.bottleneck:
            mark = "  ← bottleneck"
        if c.id in r.spofs:
            mark += "  (SPOF)"
        cost = "—" if c.monthly_cost is None else f"{c.monthly_cost:,.2f}"
        impact = "—" if c.failure_impact is None else f"{c.failure_impact:.3g}"
        out.append(f"{c.id[:18]:<18} {c.kind[:16]:<16} {_num(c.arrival_rps):>11} "
                   f"{_pct(c.utilization):>7} {_num(c.latency_ms):>11} {_avail(c.availability):>13} "
                   f"{impact:>10} {cost:>10}{mark}")
    dbs = [c for c in r.components.values() if c.db_nodes]
    if dbs:
        out.append("")
        out.append("Database nodes (each node of a row has these figures)")
        for c in dbs:
            for n in c.db_nodes:
                shard = "every shard" if n.every_shard else f"shard {n.shard}"
                out.append(f"  {c.id}: {shard} {n.role} ×{n.count}: reads {_num(n.read_rps)}/s, "
                           f"writes {_num(n.write_rps)}/s, util {_pct(n.utilization)}, "
                           f"wait {_num(n.wait_ms)} ms")
    limited = [c for c in r.components.values() if c.rejected_rps]
    if limited:
        out.append("")
        for c in limited:
            out.append(f"Rate limit at {c.id}: forwards {_num(c.forwarded_rps)} req/s, rejects "
                       f"{_num(c.rejected_rps)} req/s (429)")
    if r.groups and r.availability_computed:
        out.append("")
        out.append(f"{'group':<18} {'availability':>13} {'impact':>10}")
        for g in r.groups.values():
            impact = "—" if g.failure_impact is None else f"{g.failure_impact:.3g}"
            out.append(f"{g.id[:18]:<18} {_avail(g.availability):>13} {impact:>10}")
    return "\n".join(out) + "\n"
