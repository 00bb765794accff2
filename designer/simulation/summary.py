"""One line of figures about a finished run: means over the replications with 95 % intervals."""

from __future__ import annotations

import math

from simcore.sweep import figure_value as _number


def _mean_ci(values: list[float]) -> tuple[float | None, list[float] | None]:
    try:
        from simcore.engine.stats import mean_ci
    except ImportError:  # the engine package cannot load: the mean alone
        vals = [v for v in values if v is not None]
        return (sum(vals) / len(vals) if vals else None), None
    return mean_ci(values)


def _figure(results: list[dict], key: str, sub: str | None = None) -> tuple:
    vals = []
    for r in results:
        v = r.get(key)
        if sub is not None:
            v = v.get(sub) if isinstance(v, dict) else None
        v = _number(v)
        if v is not None:
            vals.append(v)
    return _mean_ci(vals)


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
    the replications; ± is half the width of their 95 % confidence interval."""
    n = len(results)
    if not n:
        return "Done: no replication finished."
    parts = []
    m, ci = _figure(results, "throughput_rps")
    if m is not None:
        parts.append(f"{_with_ci(m, ci)} rps")
    for p in ("p50", "p99"):
        m, ci = _figure(results, "latency_ms", p)
        if m is not None:
            parts.append(f"{p} {_with_ci(m, ci)} ms")
    m, ci = _figure(results, "availability")
    if m is not None:
        parts.append(f"availability {_with_ci(m, ci, 100, 3 if m > 0.99 else None)} %")
    m, ci = _figure(results, "error_rate")
    if m is not None:
        parts.append(f"errors {_with_ci(m, ci, 100)} %")
    m, _ci = _figure(results, "rejected_rate")
    if m:
        parts.append(f"rejected {_fmt(100 * m)} %")
    m, ci = _figure(results, "lost_messages")
    if m:  # said loudly: the request figures do not show it, even at 0 % errors
        parts.append(f"MESSAGES LOST {_with_ci(m, ci, decimals=0)}")
    m, _ci = _figure(results, "dead_lettered")
    if m:
        parts.append(f"dead-lettered {_fmt(m, 0)}")
    parts.extend(_call_figures(results, labels or {}))
    head = f"{n} replication{'s' if n > 1 else ''}" + (" (± 95 % confidence)" if n > 1 else "")
    text = f"{head}: " + " · ".join(parts) if parts else head
    labels = labels or {}
    saturated = sorted({labels.get(s.get("component"), s.get("component"))
                        for r in results for s in r.get("saturation") or [] if s.get("component")})
    if any(r.get("saturated") for r in results):
        text += " · SATURATED" + (f": {', '.join(saturated)}" if saturated else "")
    return text


def _call_figures(results: list[dict], labels: dict[str, str]) -> list[str]:
    """Duplicate writes, deduplicated repeats and lost sessions (per replication, over the
    components), the degraded share of offered requests, each when non-zero, and the mean
    instances of each autoscaled service."""
    out = []
    scaled = sorted({cid for r in results for cid, c in (r.get("components") or {}).items()
                     if isinstance(c, dict) and c.get("instances_mean") is not None})
    for cid in scaled:
        m, _ci = _mean_ci([_number(r["components"][cid].get("instances_mean"))
                           for r in results if cid in (r.get("components") or {})])
        if m is not None:
            out.append(f"{labels.get(cid, cid)} {_fmt(m)} instances")
    for key, label in (("duplicate_executions", "duplicate writes"),
                       ("deduplicated", "deduplicated"), ("lost_sessions", "lost sessions")):
        m, _ci = _mean_ci([sum(_number(c.get(key)) or 0 for c in
                               (r.get("components") or {}).values() if isinstance(c, dict))
                           for r in results])
        if m:  # a mean count per replication: whole numbers once there is one
            out.append(f"{label} {_fmt(m, 0 if m >= 1 else None)}")
    m, ci = _mean_ci([r["degraded"] / r["offered"] for r in results
                      if r.get("degraded") and r.get("offered")])
    if m:
        out.append(f"degraded {_with_ci(m, ci, 100)} %")
    return out


def utilisation_means(results: list[dict]) -> dict[str, float]:
    """Mean over the replications of each component's utilisation after the warm-up."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for r in results:
        for cid, c in (r.get("components") or {}).items():
            u = _number(c.get("utilization")) if isinstance(c, dict) else None
            if u is None:
                continue
            sums[cid] = sums.get(cid, 0.0) + u
            counts[cid] = counts.get(cid, 0) + 1
    return {c: sums[c] / counts[c] for c in sums}
