"""An autoscaled service at run time (SPEC §7.8).

The service is built with ``max_instances`` stations; those not provisioned are down for one
reason more (``inst_down``). A run starts with ``min_instances`` serving. Every
``interval_s`` (the first decision at ``interval_s``) the autoscaler averages the busy
workers of the serving instances over the interval and sets the desired count to
⌈busy / (workers · target_utilization) − 1e-9⌉ within [min_instances, max_instances]:

- more than provisioned (serving + starting): new instances are asked for; each serves
  ``startup_s`` later (until then it counts toward the desired number but takes no request);
- fewer: the newest instances are removed, starting ones first. A serving instance stops
  taking requests at once and finishes those it holds (connection draining); it is no longer
  paid for from then on (its last requests take a few service times).

A balancer in front hears of every change at once (registration and connection draining are
not modelled). The instances provisioned (serving and starting, what is paid for) are kept as a
time integral: the time series shows them per second and the cost is their time average.
"""

from __future__ import annotations

import math


class Autoscaler:
    """Scales ``node`` (a ServiceNode built with ``max_instances`` stations)."""

    def __init__(self, node, auto):
        self.node = node
        self.min = int(auto.min_instances)
        self.max = int(auto.max_instances)
        self.target = float(auto.target_utilization)
        self.interval = float(auto.interval_s)
        self.startup = float(auto.startup_s)
        self.serving = set(range(self.min))
        self.starting: set[int] = set()
        self.started_at = dict.fromkeys(range(self.min), 0.0)
        self.decisions = 0
        # ∫ provisioned instances dt, as running sums (the kernel's Station does the same)
        self._p_sum = 0.0
        self._p_base = 0.0
        self._t_base = 0.0
        self._busy_at_last = 0.0
        for k in range(self.min, self.max):
            node.inst_down[k] += 1  # not provisioned
        node.refresh()

    @property
    def provisioned(self) -> int:
        return len(self.serving) + len(self.starting)

    def start(self) -> None:
        self.node.sim.after(self.interval, self._decide)

    def instance_seconds(self) -> float:
        """∫ provisioned instances dt from the start to now."""
        return self._p_sum + self.provisioned * self.node.env.now

    def mark(self) -> None:
        """Start of the measured window (the end of the warm-up)."""
        self._p_base = self.instance_seconds()
        self._t_base = self.node.env.now

    def mean_instances(self) -> float | None:
        """Time-averaged provisioned instances over the measured window."""
        span = self.node.env.now - self._t_base
        return (self.instance_seconds() - self._p_base) / span if span > 0 else None

    def _busy_integral(self) -> float:
        total = 0.0
        for st in self.node.stations:
            st.tick()
            total += st.a_busy
        return total

    def _decide(self, _ev) -> None:
        node = self.node
        busy = self._busy_integral()
        mean_busy = (busy - self._busy_at_last) / self.interval
        self._busy_at_last = busy
        c = int(node.params.workers)
        desired = math.ceil(mean_busy / (c * self.target) - 1e-9)
        desired = min(self.max, max(self.min, desired))
        self.decisions += 1
        have = self.provisioned
        if desired > have:
            self._scale_out(desired - have)
        elif desired < have:
            self._scale_in(have - desired)
        node.sim.after(self.interval, self._decide)

    def _change(self, delta: int) -> None:
        """Bring the integral of provisioned instances up to now before the count changes."""
        self._p_sum -= delta * self.node.env.now

    def _scale_out(self, n: int) -> None:
        node = self.node
        free = [k for k in range(self.max) if k not in self.serving and k not in self.starting]
        now = node.env.now
        for k in free[:n]:
            self._change(+1)
            self.starting.add(k)
            self.started_at[k] = now
            node.sim.after(self.startup, self._ready, k)

    def _ready(self, ev) -> None:
        k = ev.v
        if k not in self.starting:
            return  # removed while it was starting
        self.starting.discard(k)
        self.serving.add(k)
        self.node.inst_down[k] -= 1
        self._refresh()

    def _scale_in(self, n: int) -> None:
        node = self.node
        newest = sorted(self.starting, key=lambda k: -self.started_at[k])
        newest += sorted(self.serving, key=lambda k: -self.started_at[k])
        drained = []
        for k in newest[:n]:
            self._change(-1)
            if k in self.starting:
                self.starting.discard(k)
            else:
                self.serving.discard(k)
                node.inst_down[k] += 1
                drained.append(k)
        if drained:
            node.draining = frozenset(drained)
            self._refresh()
            node.draining = frozenset()

    def _refresh(self) -> None:
        node = self.node
        node.refresh()
        for b in node.sim.balancers:  # balancers in front see the change at once
            b.health_check()
        node.sim.state_changed()
