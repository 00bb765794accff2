"""One line of figures about a finished run: means over the replications with 95 % intervals."""

from __future__ import annotations

import math

from simcore.engine.aggregate import SimulationResult


def _study(results: list[dict]) -> SimulationResult:
    """The finished replications' result dicts, aggregated by simcore."""
    return SimulationResult(seed=0, duration_s=0.0, warmup_s=0.0, requested=len(results),
                            replications=list(results))


def _decimals(v: float) -> int:
    """About three significant figures: 1,234 · 78.9 · 4.56 · 0.012."""
    a = abs(v)
    if a >= 100:
        return 0
    if a >= 10:
        return 1
    if a >= 1 or a == 0:
        return 2
    return max(2, 1 - math.floor(math.log10(a)))


def _fmt(v: float, decimals: int | None = None) -> str:
    return f"{v:,.{_decimals(v) if decimals is None else decimals}f}"


def _with_ci(mean: float, ci: list[float] | None, scale: float = 1.0,
             decimals: int | None = None) -> str:
    """The mean, and ± half the interval at the same precision."""
    d = _decimals(mean * scale) if decimals is None else decimals
    text = _fmt(mean * scale, d)
    if ci is not None:
        text += f" ± {_fmt((ci[1] - ci[0]) / 2 * scale, d)}"
    return text


def run_summary(results: list[dict], labels: dict[str, str] | None = None) -> str:
    """'5 replications (± 95 % confidence): 180 ± 1.3 rps · p50 21.0 ± 0.3 ms · …': means over
    the replications; ± is half the width of their 95 % confidence interval. The run's
    warnings (the same in every replication) follow, one a line."""
    n = len(results)
    if not n:
        return "Done: no replication finished."
    study = _study(results)
    parts = []
    thr = study.throughput()
    if thr["mean"] is not None:
        parts.append(f"{_with_ci(thr['mean'], thr['ci95'])} rps")
    lat = study.latency()
    for p in ("p50", "p99"):
        if lat[p] is not None:
            parts.append(f"{p} {_with_ci(lat[p], lat[f'ci95_{p}'])} ms")
    avail = study.rate("availability")
    m, ci = avail["mean"], avail["ci95"]
    if m is not None:
        parts.append(f"availability {_with_ci(m, ci, 100, 3 if m > 0.99 else None)} %")
    err = study.rate("error_rate")
    if err["mean"] is not None:
        parts.append(f"errors {_with_ci(err['mean'], err['ci95'], 100)} %")
    rejected = study.rate("rejected_rate")["mean"]
    if rejected:
        parts.append(f"rejected {_fmt(100 * rejected)} %")
    lost = study.count("lost_messages")
    if lost["mean"]:  # said loudly: the request figures do not show it, even at 0 % errors
        parts.append(f"MESSAGES LOST {_with_ci(lost['mean'], lost['ci95'], decimals=0)}")
    lost_writes = study.count("lost_writes")
    if lost_writes["mean"]:  # confirmed to the clients, then lost with the cache
        parts.append("WRITES LOST "
                     + _with_ci(lost_writes["mean"], lost_writes["ci95"], decimals=0))
    dead = study.count("dead_lettered")["mean"]
    if dead:
        parts.append(f"dead-lettered {_fmt(dead, 0)}")
    stale = study.count("stale_reads")
    if stale["mean"]:
        parts.append(f"stale reads {_with_ci(stale['mean'], stale['ci95'], decimals=0)}")
    parts.extend(_call_figures(results, labels or {}))
    head = f"{n} replication{'s' if n > 1 else ''}" + (" (± 95 % confidence)" if n > 1 else "")
    text = f"{head}: " + " · ".join(parts) if parts else head
    labels = labels or {}
    saturated = sorted({labels.get(s.get("component"), s.get("component"))
                        for r in results for s in r.get("saturation") or [] if s.get("component")})
    if any(r.get("saturated") for r in results):
        text += " · SATURATED" + (f": {', '.join(saturated)}" if saturated else "")
    for w in results[0].get("warnings") or ():  # where the run differs from the design
        text += f"\nWarning: {w}"
    return text


def _call_figures(results: list[dict], labels: dict[str, str]) -> list[str]:
    """Duplicate writes, deduplicated repeats and lost sessions (per replication), the degraded
    share of offered requests, each when non-zero, and the mean instances of each autoscaled
    service: the figures of ``simulate --json``, aggregated by simcore."""
    from simcore.engine.counters import component_counters, design_counters

    out = []
    for cid in sorted({cid for r in results for cid, c in (r.get("components") or {}).items()
                       if isinstance(c, dict) and c.get("instances_mean") is not None}):
        m = component_counters(results, cid)["instances_mean"]
        if m is not None:
            out.append(f"{labels.get(cid, cid)} {_fmt(m)} instances")
    totals = design_counters(results)
    for key, label in (("duplicate_executions", "duplicate writes"),
                       ("deduplicated", "deduplicated"), ("lost_sessions", "lost sessions")):
        m = totals[key]
        if m:  # a mean count per replication: whole numbers once there is one
            out.append(f"{label} {_fmt(m, 0 if m >= 1 else None)}")
    m = totals["degraded_rate"]
    if m:
        out.append(f"degraded {_with_ci(m, totals.get('ci95', {}).get('degraded_rate'), 100)} %")
    return out


def utilisation_means(results: list[dict]) -> dict[str, float]:
    """Mean over the replications of each component's utilisation after the warm-up."""
    return {cid: c["utilization"] for cid, c in _study(results).components().items()
            if c["utilization"] is not None}
