"""The readable text report of a traffic study (``skyline simulate FILE``).

It is drawn from ``SimulationResult.to_json()`` only, so what a user reads is what the JSON
says. Intervals are 95 % confidence intervals across replications; with one replication there
is none and the report says so.
"""

from __future__ import annotations

import math
import textwrap

from simcore.text import number as _num


def _pct(x: float | None, decimals: int = 1) -> str:
    return "—" if x is None else f"{100.0 * x:.{decimals}f}%"


def _rate(x: float | None) -> str:
    """An error or rejection rate: small rates keep their significant figures."""
    if x is None:
        return "—"
    if x == 0:
        return "0%"
    if x < 0.001:
        return f"{100.0 * x:.2g}%"
    return f"{100.0 * x:.2f}%"


def _avail(x: float | None) -> str:
    if x is None:
        return "—"
    if x >= 1.0:
        return "1"
    nines = -math.log10(1.0 - x)
    return f"{x:.{max(3, int(nines) + 3)}f}"


def _ci(ci, fmt) -> str:
    if not ci:
        return ""
    return f"  [{fmt(ci[0])}, {fmt(ci[1])}]"


def _count(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"


def _queue(x: float | None) -> str:
    """A mean queue length: two decimals below 100 (0.00 reads better than 9.4e-05)."""
    if x is None:
        return "—"
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def render(j: dict, source: str | None = None) -> str:
    """The whole report of the ``simulate`` JSON object ``j``, lines of about 100 characters."""
    out: list[str] = []
    title = j.get("name") or "(unnamed design)"
    out.append(f"Traffic simulation of {title}" + (f"  ({source})" if source else ""))
    n, req = j["replications"], j.get("replications_requested", j["replications"])
    reps = f"{n} replication{'s' if n != 1 else ''}"
    if n != req:
        reps += f" of {req} requested"
    out.append(f"{reps} × {_num(j['duration_s'])} s simulated "
               f"({_num(j['warmup_s'])} s warm-up discarded), seed {j['seed']}")
    if j.get("stopped"):
        if j.get("partial"):
            out.append(f"STOPPED before any replication finished: the figures below cover the "
                       f"{_num(j.get('measured_s'))} s measured so far (partial).")
        elif n:
            out.append(f"STOPPED: the figures below are those of the {n} finished "
                       f"replication{'s' if n != 1 else ''}.")
        else:
            out.append("STOPPED before any replication finished.")
    if n == 0:
        out.append("")
        out.append("No replication produced results.")
        return "\n".join(out) + "\n"
    if not j.get("measured_s"):
        out.append("")
        out.append("Nothing was measured: the run stopped inside the warm-up.")
        return "\n".join(out) + "\n"
    out.append("Means over the replications; [brackets]: 95% confidence interval across them"
               + (" (none with one replication)." if n < 2 else "."))
    for w in j.get("warnings") or ():  # where the run differs from the design, and why
        out.extend(textwrap.wrap(f"Warning: {w}", 100, subsequent_indent="  "))
    out.append("")

    tp = j["throughput_rps"]
    unit = " req/s" if tp["mean"] is not None else ""
    out.append(f"Throughput        {_num(tp['mean'])}{unit}{_ci(tp['ci95'], _num)}")
    off = (j.get("offered_rps") or {}).get("mean")
    base = j.get("instant_offered_rps")
    if off is not None:
        note = ""
        if base is not None and abs(off - base) > 0.05 * max(base, 1e-9):
            note = f"   (clients' base rate {_num(base)} req/s; scenario events change it)"
        out.append(f"Offered           {_num(off)} req/s{note}")
    lat = j["latency_ms"]
    if lat["mean"] is None:
        out.append("Latency           — (no request succeeded)")
    else:
        out.append(f"Latency mean      {_num(lat['mean'])} ms{_ci(lat['ci95_mean'], _num)}")
        for key, label in (("p50", "p50"), ("p95", "p95"), ("p99", "p99"), ("p999", "p99.9")):
            out.append(f"        {label:<9} {_num(lat[key])} ms"
                       f"{_ci(lat.get('ci95_' + key), _num)}")
    out.append(f"Error rate        {_rate(j['error_rate'])}{_ci(j.get('error_rate_ci95'), _rate)}")
    out.append(f"Rejected (429)    {_rate(j['rejected_rate'])}"
               f"{_ci(j.get('rejected_rate_ci95'), _rate)}")
    av = j["availability"]
    out.append(f"Availability      {_avail(av['mean'])}{_ci(av['ci95'], _avail)}"
               "   (succeeded / admitted requests)")
    tot = j.get("totals") or {}
    if tot:
        extra = ""
        if tot.get("in_flight_at_end"):
            extra = f"; {tot['in_flight_at_end']:,} more still in flight at the end, not counted"
        out.append(f"Requests          {tot.get('offered', 0):,} sent after the warm-up and "
                   f"finished: {tot.get('succeeded', 0):,} succeeded, "
                   f"{tot.get('failed', 0):,} failed, {tot.get('rejected', 0):,} rejected")
        if extra:
            out.append(f"                  (all replications together){extra}")
    out.extend(_messages(j))
    if j.get("stale_reads"):
        out.append(f"Stale reads       {_count(j['stale_reads'])} per replication, at most "
                   f"{_num(j.get('max_staleness_ms'))} ms behind")
    if j.get("standby_takeovers"):
        out.append(f"Standby takeovers {j['standby_takeovers']}")
    out.extend(_call_lines(j))

    out.append("")
    out.extend(_components(j))
    timeline = _timeline(j)
    if timeline:
        out.append("")
        out.extend(timeline)
    out.append("")
    out.extend(_saturation(j))
    return "\n".join(out) + "\n"


_COUNT_LINES = (
    ("duplicate_executions", "Duplicate writes", "writes run again by retries"),
    ("deduplicated", "Deduplicated", "repeats recognised by their key"),
    ("lost_sessions", "Lost sessions", "moved off an instance that stopped serving"),
)
"""Counts of the simulate JSON shown one a line when non-zero: key, label, what they are."""


def _call_lines(j: dict) -> list[str]:
    """Duplicate writes, deduplicated repeats, autoscaled instances and the cost they make,
    and degraded requests, each when it applies."""
    ci = j.get("ci95") or {}
    lines = []
    for key, label, note in _COUNT_LINES:
        if j.get(key):
            lines.append(f"{label:<17} {_count(j[key])} per replication"
                         f"{_ci(ci.get(key), _count)}   ({note})")
    scaled = {cid: c["instances_mean"] for cid, c in j.get("components", {}).items()
              if c.get("instances_mean") is not None}
    if scaled:
        text = ", ".join(f"{cid} {_num(v)}" for cid, v in scaled.items())
        lines.append(f"Instances         {text} on average (autoscaled)")
        lines.append(f"Monthly cost      ${_count(j.get('monthly_cost'))}"
                     f"{_ci(ci.get('monthly_cost'), _count)}   (at those averages)")
    if j.get("degraded_rate"):
        lines.append(f"Degraded          {_rate(j['degraded_rate'])}"
                     f"{_ci(ci.get('degraded_rate'), _rate)}   (served without a failed "
                     "optional call)")
    return lines


def _messages(j: dict) -> list[str]:
    """Messages lost or dead-lettered, said loudly: the request figures above do not show
    them (a producer's enqueue succeeds even when a copy is lost later)."""
    lost, dead = j.get("lost_messages"), j.get("dead_lettered")
    ci = j.get("ci95") or {}
    lines = []
    if lost:
        where = _where(j, "lost_messages")
        lines.append(f"WARNING: MESSAGES LOST  {_count(lost)} per replication"
                     f"{_ci(ci.get('lost_messages'), _count)} ({where}): a queue's backlog "
                     "was full or the queue went down without being durable — whatever the "
                     "error rate says")
    if dead:
        lines.append(f"Dead-lettered     {_count(dead)} messages per replication"
                     f"{_ci(ci.get('dead_lettered'), _count)} (processing failed every "
                     "delivery)")
    if j.get("lost_writes"):
        where = _where(j, "lost_writes")
        lines.append(f"WARNING: WRITES LOST  {_count(j['lost_writes'])} per replication"
                     f"{_ci(ci.get('lost_writes'), _count)} ({where}): writes already "
                     "confirmed, lost when a write-behind cache failed holding them or a "
                     "database primary failed before asynchronous replication copied them")
    return lines


def _where(j: dict, key: str) -> str:
    """The components with a non-zero count ``key``, each with its count."""
    return ", ".join(f"{cid} {_count(c[key])}" for cid, c in j["components"].items()
                     if c.get(key))


def _components(j: dict) -> list[str]:
    head = (f"{'component':<18} {'kind':<16} {'util':>7} {'mean queue':>11} "
            f"{'served':>12} {'dropped':>10} {'rejected':>10}")
    lines = [head, "-" * len(head)]
    for cid, c in j["components"].items():
        mark = "  ← saturated" if c.get("saturated") else ""
        lines.append(f"{cid[:18]:<18} {(c.get('kind') or '')[:16]:<16} "
                     f"{_pct(c.get('utilization')):>7} {_queue(c.get('mean_queue')):>11} "
                     f"{_count(c.get('served')):>12} {_count(c.get('dropped')):>10} "
                     f"{_count(c.get('rejected')):>10}{mark}")
        notes = []
        if c.get("hit_ratio") is not None:
            notes.append(f"hit ratio {_pct(c['hit_ratio'])}")
        if c.get("max_staleness_ms") is not None:
            notes.append(f"oldest hit {_num(c['max_staleness_ms'])} ms")
        if c.get("lost_writes"):
            notes.append(f"WRITES LOST {_count(c['lost_writes'])}")
        if c.get("stale_read_fraction") is not None and c.get("replica_reads"):
            notes.append(f"stale reads {_rate(c['stale_read_fraction'])} of replica reads")
        if c.get("lost_messages"):
            notes.append(f"MESSAGES LOST {_count(c['lost_messages'])}")
        if c.get("dead_lettered"):
            notes.append(f"dead-lettered {_count(c['dead_lettered'])}")
        if c.get("max_backlog") is not None:
            notes.append(f"max backlog {_count(c['max_backlog'])}")
        if c.get("mean_delivery_delay_ms") is not None:
            notes.append(f"delivery delay {_num(c['mean_delivery_delay_ms'])} ms")
        if c.get("moved_key_share") is not None:
            notes.append(f"keys moved to another shard {_pct(c['moved_key_share'])}")
        if c.get("consumed_ok") is not None or c.get("consumed_failed"):
            notes.append(f"messages processed {_count(c.get('consumed_ok'))}, failed "
                         f"{_count(c.get('consumed_failed'))}")
        if c.get("backlog_end"):
            notes.append(f"backlog at the end {_count(c['backlog_end'])}")
        if c.get("duplicate_executions"):
            notes.append(f"duplicate writes {_count(c['duplicate_executions'])}")
        if c.get("deduplicated"):
            notes.append(f"deduplicated {_count(c['deduplicated'])}")
        if c.get("lost_sessions"):
            notes.append(f"lost sessions {_count(c['lost_sessions'])}")
        if c.get("degraded_rate"):
            notes.append(f"degraded {_rate(c['degraded_rate'])} of its requests")
        if notes:
            lines.append(f"{'':<18}   " + "; ".join(notes))
    lines.append("util: busiest instance's busy fraction; served, dropped, rejected: mean count "
                 "per replication after the warm-up")
    return lines


_NICE_STEPS_S = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600)
TIMELINE_ROWS = 12
"""At most about this many rows in the report's over-time table."""


def _mean(values) -> float | None:
    xs = [v for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def _timeline(j: dict) -> list[str]:
    """A short table of the per-second series, in a dozen spans or so: where a spike, a failure
    or a growing queue shows up. Each cell is the mean of the seconds of its span."""
    ts = j.get("timeseries") or {}
    t = ts.get("t_s") or []
    if len(t) < 4:
        return []
    step = next((s for s in _NICE_STEPS_S if len(t) / s <= TIMELINE_ROWS), None)
    if step is None:
        step = math.ceil(len(t) / TIMELINE_ROWS)
    warm = j.get("warmup_s") or 0.0
    head = (f"{'seconds':>15} {'throughput/s':>13} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} "
            f"{'errors':>8}")
    lines = ["Over time (each row: the mean of its seconds, across replications)", head,
             "-" * len(head)]
    for a in range(0, len(t), step):
        b = min(len(t), a + step)
        span = f"{t[a] - 1:g}–{t[b - 1]:g}"
        note = "  (warm-up)" if t[b - 1] <= warm + 1e-9 else ""
        cells = [_mean(ts.get(k, [])[a:b]) for k in ("throughput_rps", "p50_ms", "p95_ms",
                                                     "p99_ms", "error_rate")]
        lines.append(f"{span:>15} {_num(cells[0]):>13} {_num(cells[1]):>9} {_num(cells[2]):>9} "
                     f"{_num(cells[3]):>9} {_rate(cells[4]):>8}{note}")
    return lines


def _saturation(j: dict) -> list[str]:
    sat = j.get("saturation") or {}
    rps, bottleneck = sat.get("saturation_rps"), sat.get("bottleneck")
    estimate = ""
    if rps is not None:
        estimate = (f"the instant analysis puts saturation at {_num(rps)} req/s offered"
                    + (f" (bottleneck {bottleneck})" if bottleneck else ""))
    if not j.get("saturated"):
        return ["Saturation        none seen" + (f"; {estimate}" if estimate else "")]
    lines = [("WARNING: SATURATED — the offered load exceeds what the design can serve: queues "
              "grow, then requests or messages fail.")]
    for w in sat.get("where", []):
        when = ""
        if w.get("first_at_s") is not None:
            when = f" from t = {_num(w['first_at_s'])} s"
            if w.get("offered_rps") is not None:
                when += f" (offered {_num(w['offered_rps'])} req/s then)"
        else:
            when = " (busy ≥ 99% over the measured window)"
        n = w.get("replications")
        lines.append(f"  at {w['component']}{when}, in {n} replication{'s' if n != 1 else ''}")
    if not sat.get("where"):
        lines.append(f"  not yet visible in this run; the instant analysis finds "
                     f"{_pct(sat.get('instant_max_utilization'))} utilization at "
                     f"{bottleneck or 'the bottleneck'}")
    if estimate:
        lines.append(f"  {estimate[0].upper()}{estimate[1:]}.")
    return lines
