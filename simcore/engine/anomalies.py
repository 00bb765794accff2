"""What went wrong without failing a request, second by second: stale reads served, writes lost
(write-behind caches, async failover), duplicate writes at the terminals, message copies lost or
dead-lettered, sessions lost, and requests that succeeded degraded (SPEC §7.3–§7.8).

Each is a run series of ``simcore.results.series`` (key ``<counter>_per_s``): the count in the
second, from the same counters as the run's totals (so the series sums to the total over the
measured seconds), or None in every second when the design has no component that could count it.
"""

from __future__ import annotations

from simcore.engine.since_last import SinceLast


def _sum(nodes, attr: str):
    """A running total of ``attr`` over ``nodes``; None when there are none to count it."""
    if not nodes:
        return None
    return lambda: sum(getattr(n, attr) for n in nodes)


class AnomalyCounts:
    """The running totals behind the anomaly series of one run, and their per-second changes."""

    def __init__(self, sim):
        lost_writers = [*sim.caches, *sim.databases]
        writers = [n for n in sim.nodes.values() if getattr(n, "executes_writes", False)]
        sticky = [b.sessions for b in sim.balancers if b.sessions is not None]
        has_optional = any(getattr(n, "has_optional", False) for n in sim.nodes.values())
        self.totals = {
            "stale_reads_per_s": _sum(sim.databases, "stale_reads"),
            "lost_writes_per_s": _sum(lost_writers, "lost_writes"),
            "duplicate_executions_per_s": _sum(writers, "duplicate_executions"),
            "lost_messages_per_s": _sum(sim.queues, "lost_messages"),
            "dead_lettered_per_s": _sum(sim.queues, "dead_lettered"),
            "lost_sessions_per_s": _sum(sticky, "lost_sessions"),
            "degraded_per_s": (lambda: sim.metrics.degraded) if has_optional else None,
        }
        self.since = SinceLast()

    def restart(self) -> None:
        """The counters were set back to 0 (the warm-up's end)."""
        self.since.restart()

    def second(self) -> dict:
        """Each series' count since the last call (None where the design cannot have it)."""
        return {key: None if total is None else float(self.since.step(key, total()))
                for key, total in self.totals.items()}
