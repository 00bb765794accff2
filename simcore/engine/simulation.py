"""One replication's model: the compiled design wired into run-time objects, the clock driven
one simulated second at a time (a SecondRow each), and the replication's results as a plain
dict."""

from __future__ import annotations

import math
from functools import partial

from simcore.analysis.cost import HOURS_PER_MONTH, monthly_cost
from simcore.design import Design, Scenario
from simcore.engine import failures
from simcore.engine.anomalies import AnomalyCounts
from simcore.engine.caching import CACHE_KEYS_PER_RUN, CacheNode
from simcore.engine.calls import TrackedReq, needs_tracking, tracked_call
from simcore.engine.clients import RClient, Req
from simcore.engine.database import DatabaseNode
from simcore.engine.kernel import Kernel
from simcore.engine.links import (
    REdge,
    break_long_chains,
    fold_returns,
    make_call,
    settle_edges,
)
from simcore.engine.metrics import RunMetrics
from simcore.engine.nodes import BalancerNode, ServiceNode
from simcore.engine.since_last import SinceLast
from simcore.engine.sticky import with_sessions
from simcore.engine.storage import QueueNode
from simcore.engine.streams import child_generator, replication_seed
from simcore.results.rows import SecondRow, SeriesRecorder
from simcore.topology import compile_design

MAX_WAITING_WORK = 200_000
"""The run's bound on waiting work: client requests in flight plus message copies waiting in
backlogs, over the whole run (not per component: a design with many consumers gets no more
memory). Past it a new request fails at its client and a new copy is lost, and the component
holding the most of it is reported saturated. A waiting item costs about 1–2 KB."""
SATURATED_UTILIZATION = 0.99
"""A component busier than this over the measured window is reported saturated."""


def run_settings(design: Design, duration_s, warmup_s) -> tuple[float, float]:
    """(duration, warm-up) in seconds: the arguments, else the scenario's, else its defaults.
    A warm-up that would not leave time to measure is cut to half the duration."""
    scen = design.scenario or Scenario()
    d = float(duration_s if duration_s is not None else scen.duration_s)
    w = float(warmup_s if warmup_s is not None else scen.warmup_s)
    if d <= 0:
        raise ValueError("duration must be positive")
    if w >= d:
        w = d / 2.0
    return d, max(0.0, w)


class Sim:
    def __init__(self, design: Design, *, seed: int, rep_index: int, duration_s: float,
                 warmup_s: float):
        self.design = design
        self.seed = int(seed)
        self.rep_index = int(rep_index)
        self.duration_s = duration_s
        self.warmup_s = warmup_s
        self.topology = topo = compile_design(design)
        self.scenario = design.scenario or Scenario()
        self.kernel = kernel = Kernel()
        self.env = kernel.env
        self.after = kernel.after
        self.call = make_call(self.after, self.env)
        # Retries or optional calls: requests carry their identity (engine.calls).
        self.tracking = needs_tracking(topo)
        if self.tracking:
            self.call = tracked_call(self.call)
        self.rep = rep = replication_seed(seed, rep_index)
        self.metrics = RunMetrics()
        self.in_flight = 0
        self.held_messages = 0  # message copies waiting in backlogs (QueueNode)
        self.max_waiting = MAX_WAITING_WORK
        self.saturation: dict[str, dict] = {}
        self.standby_takeovers = 0
        self.random_failures = 0
        self.warnings: list[str] = []  # what the run does differently from the design, said
        self.cache_keys_left = CACHE_KEYS_PER_RUN  # engine.caching

        self.nodes: dict = {}
        self.clients: list[RClient] = []
        for cid in topo.order:
            n = topo.nodes[cid]
            if n.spec.behaviour.is_source:
                c = RClient(self, n, rep, duration_s)
                self.clients.append(c)
            else:  # the run-time class of the kind's role
                self.nodes[cid] = n.spec.behaviour.runtime_class()(self, n, rep)
        if self.tracking:
            for c in self.clients:
                c.new_req = partial(TrackedReq, idem=c.idem)
                c.one_shot = False  # its answers are judged at the client (degraded or not)
        if any(getattr(n, "sessions", None) for n in self.nodes.values()):
            for i, c in enumerate(self.clients):
                c.new_req = with_sessions(c.new_req, i, c.session_count,
                                          child_generator(rep, c.id, "sessions"))
        self.client_by_id = {c.id: c for c in self.clients}
        self.order = [self.client_by_id.get(cid) or self.nodes[cid] for cid in topo.order]
        self.edges: dict[str, REdge] = {}
        for lk in design.links:
            e = topo.edges[lk.id]
            src = self.client_by_id.get(e.source) or self.nodes[e.source]
            re = REdge(e, src, self.nodes[e.target])
            src.out.append(re)
            self.edges[e.id] = re
        for obj in list(self.nodes.values()) + self.clients:
            obj.finish_links()
        self.balancers = [n for n in self.nodes.values() if isinstance(n, BalancerNode)]
        self._live_balancers = [b for b in self.balancers if b.interval <= 0]
        self.group_members = {gid: list(g.members) for gid, (g, _p) in topo.groups.items()}
        self.stations = [(n, st) for n in self.nodes.values() for st in n.stations]
        self.queues = [n for n in self.nodes.values() if isinstance(n, QueueNode)]
        self.caches = [n for n in self.nodes.values() if isinstance(n, CacheNode)]
        self._cache_counts = SinceLast()  # the caches' hits and lookups, per second
        self.databases = [n for n in self.nodes.values() if isinstance(n, DatabaseNode)]
        self.consumers = [n for n in self.nodes.values() if n.feeds]
        self.autoscalers = {nid: n.autoscaler for nid, n in self.nodes.items()
                            if getattr(n, "autoscaler", None) is not None}
        self.anomalies = AnomalyCounts(self)
        self._base = None
        self._prev_busy = [0.0] * len(self.stations)

    # --- hooks used by the parts -----------------------------------------------------------
    def state_changed(self) -> None:
        """Some component or link went up or down: balancers with no check interval see it
        at once, and consumers pull what may have become deliverable."""
        for b in self._live_balancers:
            b.health_check()
        for n in self.consumers:
            n.poke()

    def add_stations(self, node, stations) -> None:
        """Stations created during the run (a database's new shard), measured from then."""
        for st in stations:
            self.stations.append((node, st))
            self._prev_busy.append(0.0)
            if self._base is not None:
                self._base.append((0.0, 0.0))

    def offered_rate(self) -> float:
        now = self.env.now
        return sum(c.rate(now) for c in self.clients)

    def mark_saturated(self, node) -> None:
        """``node`` is saturated (its queue or backlog overflowed); None: the run's bound on
        waiting work was reached, and the component holding the most of it is named."""
        cause = "queue full"
        if node is None:
            cause = "run's waiting work at its bound"
            node = max(self.nodes.values(), key=lambda n: n.waiting() + (
                n.backlog() if isinstance(n, QueueNode) else 0), default=None)
        key = node.id if node is not None else "(requests in flight)"
        if key not in self.saturation:
            self.saturation[key] = {"component": key, "at_s": self.env.now,
                                    "offered_rps": self.offered_rate(), "cause": cause}

    def message_from(self, req) -> Req:
        return Req(req.read, self.env.now, False, req.kb)

    # --- running -----------------------------------------------------------------------------
    def run(self, on_second=None, should_stop=None, inject=None) -> dict:
        settle_edges(self.edges.values(), self.scenario.events, live=inject is not None)
        break_long_chains(self.order, self.edges.values())
        fold_returns(self.order, self.edges.values())
        if self.tracking:  # every crossing goes through the tracked call
            for e in self.edges.values():
                e.direct = e.fold = False
        spiked = {ev.target for ev in self.scenario.events if ev.type == "spike"}
        for c in self.clients:
            c.settle_lead(inject is not None or c.id in spiked)
        failures.schedule_events(self, self.scenario.events)
        self.injected: list[dict] = []
        if self.scenario.random_failures:
            failures.start_random_failures(self, self.rep)
        failures.start_health_checks(self)
        for a in self.autoscalers.values():
            a.start()
        for c in self.clients:
            c.start()
        if self.warmup_s > 0:
            self.after(self.warmup_s, lambda ev: self._start_measuring())
        else:
            self._start_measuring()
        recorder = SeriesRecorder()
        stopped = False
        seconds = math.ceil(self.duration_s - 1e-9)
        t_end = 0.0
        for s in range(1, seconds + 1):
            t_end = min(float(s), self.duration_s)
            whole = self.kernel.run_until(t_end, should_stop)
            if not whole:  # stopped inside the second (a flood of events): end there
                t_end = self.env.now
            row = self._second_row(t_end)
            recorder.add(row)
            if on_second is not None:
                on_second(row)
            if not whole or (should_stop is not None and should_stop()):
                stopped = t_end < self.duration_s
                break
            if inject is not None:
                new = inject()
                if new:
                    self.injected.extend(failures.inject_events(self, new))
        for c in self.clients:
            c.count_last_sends(t_end)
        return self._results(t_end, stopped, recorder.data)

    def _start_measuring(self) -> None:
        self.metrics.measuring = True
        for _n, st in self.stations:
            st.tick()
            st.served = 0
            st.dropped = 0
        for n in self.nodes.values():
            n.down_drops = 0
            n.rejected = 0
            for attr in ("hits", "misses", "passed", "lost_writes", "max_staleness",
                         "max_staleness_s", "stale_reads", "replica_reads", "accepted",
                         "consumed_ok", "consumed_failed", "lost_messages", "dead_lettered",
                         "delivered", "delay_sum", "duplicate_executions", "deduplicated",
                         "degraded"):
                if hasattr(n, attr):
                    setattr(n, attr, 0)
            if isinstance(n, QueueNode):
                n.tick_depth()
                n.a_depth = 0.0
                n.max_backlog = n.held
        for e in self.edges.values():  # link counts cover the measured window, as nodes' do
            e.attempts = e.retried = e.timeouts = e.failed = 0
            if e.breaker is not None:
                e.breaker.short_circuited = 0
        for a in self.autoscalers.values():
            a.mark()
        self._cache_counts.restart()  # the caches' counts start again from 0 (above)
        self.anomalies.restart()
        for n in self.databases:
            n.mark()
        for n in self.balancers:
            if n.sessions is not None:
                n.sessions.lost_sessions = 0
        self._base = [(st.a_busy, st.a_q) for _n, st in self.stations]
        self._t_base = self.env.now

    def _second_row(self, t: float) -> SecondRow:
        """The second ending at ``t``: the run series from the metrics, the component series
        measured here (keys of simcore.results.series)."""
        util: dict = {}
        for i, (n, st) in enumerate(self.stations):
            st.tick()
            span = t - (math.ceil(t) - 1.0) if t > 0 else 1.0
            w = st.workers if st.workers > 0 else int(n.params.workers)
            u = (st.a_busy - self._prev_busy[i]) / (w * span) if span > 0 else 0.0
            self._prev_busy[i] = st.a_busy
            if u > util.get(n.id, -1.0):
                util[n.id] = u
        depth = {}
        for nid, n in self.nodes.items():
            d = n.waiting()
            if isinstance(n, QueueNode):
                d += n.backlog()
            depth[nid] = d
        return SecondRow(t, {**self.metrics.second_row(), **self.anomalies.second()}, {
            "queue_depth": depth,
            "up": {nid: n.up for nid, n in self.nodes.items()},
            "utilization": util,
            "backlog": {q.id: q.backlog() for q in self.queues},
            "oldest_message_age_s": {q.id: q.oldest_age() for q in self.queues},
            "instances": {nid: a.provisioned for nid, a in self.autoscalers.items()},
            "hit_ratio": self._second_hit_ratios(),
        })

    def _second_hit_ratios(self) -> dict:
        """Each cache's hits / (hits + misses) since the last second, as its observed
        ``hit_ratio`` counts them over the run; None in a second where no read reached an
        instance that was up."""
        out = {}
        for n in self.caches:
            hits = self._cache_counts.step((n.id, "hits"), n.hits)
            reads = self._cache_counts.step((n.id, "reads"), n.hits + n.misses)
            out[n.id] = hits / reads if reads else None
        return out

    def _results(self, t_end: float, stopped: bool, ts: dict) -> dict:
        measured = max(0.0, t_end - self.warmup_s)
        if self._base is None:  # stopped inside the warm-up
            self._start_measuring()
        out = {
            "seed": self.seed, "rep_index": self.rep_index, "duration_s": self.duration_s,
            "warmup_s": self.warmup_s, "simulated_s": t_end, "measured_s": measured,
            "stopped": stopped,
        }
        out.update(self.metrics.summary(measured))
        out["components"] = self._component_results(measured)
        out["links"] = {eid: _link_result(e) for eid, e in self.edges.items()}
        sat = sorted(self.saturation.values(), key=lambda s: s["at_s"])
        for nid, c in out["components"].items():
            if (c["utilization"] is not None and c["utilization"] >= SATURATED_UTILIZATION
                    and nid not in self.saturation):
                sat.append({"component": nid, "at_s": None, "offered_rps": None,
                            "utilization": c["utilization"]})
        out["saturated"] = bool(sat)
        out["saturation"] = sat
        out["lost_messages"] = sum(q.lost_messages for q in self.queues)
        out["dead_lettered"] = sum(q.dead_lettered for q in self.queues)
        out["lost_writes"] = sum(n.lost_writes for n in self.caches + self.databases)
        out["stale_reads"] = sum(n.stale_reads for n in self.databases)
        stalest = [c["max_staleness_ms"] for c in out["components"].values()
                   if c.get("max_staleness_ms") is not None]
        out["max_staleness_ms"] = max(stalest) if stalest else None
        out["standby_takeovers"] = self.standby_takeovers
        out["random_failures"] = self.random_failures
        out["warnings"] = list(self.warnings)
        out["injected"] = self.injected
        out["timeseries"] = ts
        return out

    def _component_results(self, measured: float) -> dict:
        comps: dict = {}
        base = {id(st): b for (_n, st), b in zip(self.stations, self._base)}
        for nid, n in self.nodes.items():
            utils, qsum, served, dropped = [], 0.0, 0, n.down_drops
            for st in n.stations:
                st.tick()
                b_busy, b_q = base[id(st)]
                w = max(1, int(n.params.workers) * (n.n if n.pool else 1))
                utils.append((st.a_busy - b_busy) / (w * measured) if measured > 0 else None)
                qsum += (st.a_q - b_q) / measured if measured > 0 else 0.0
                served += st.served
                dropped += st.dropped
            valid = [u for u in utils if u is not None]
            c = {
                "kind": n.kind,
                "utilization": max(valid) if valid else None,
                "utilization_mean": sum(valid) / len(valid) if valid else None,
                "mean_queue": qsum if measured > 0 else None,
                "served": served,
                "dropped": dropped,
                "rejected": n.rejected,
                "up_at_end": n.up,
            }
            if isinstance(n, CacheNode):
                c.update(hits=n.hits, misses=n.misses, passed_through=n.passed,
                         lost_writes=n.lost_writes,
                         max_staleness_ms=(None if n.lru is None
                                           else 1000.0 * n.max_staleness))
            else:
                c.update(lost_writes=None, max_staleness_ms=None)
            if isinstance(n, DatabaseNode):
                c.update(n.counters(), node_utilization=utils,
                         node_served=[st.served for st in n.stations],
                         shard_share=n.shard_share)
            c.update(_queue_results(n, measured))
            if isinstance(n, QueueNode):  # its backlog waits there too
                c["mean_queue"] = (c["mean_queue"] or 0.0) + (c["mean_backlog"] or 0.0)
            c["monthly_cost"] = self._monthly_cost(nid, n)
            if getattr(n, "sessions", None) is not None:
                c["lost_sessions"] = n.sessions.lost_sessions
            if nid in self.autoscalers:
                c["instances_mean"] = self.autoscalers[nid].mean_instances()
            if getattr(n, "executes_writes", False):
                c.update(duplicate_executions=n.duplicate_executions,
                         deduplicated=n.deduplicated)
            if isinstance(n, ServiceNode) and n.has_optional:
                c.update(degraded=n.degraded)
            if n.feeds:
                c.update(consumed_ok=n.consumed_ok, consumed_failed=n.consumed_failed)
            comps[nid] = c
        return comps

    def _monthly_cost(self, nid: str, n) -> float | None:
        """cost_per_hour × 730 h × the nodes paid for: an autoscaled service's time-averaged
        instances over the measured window (plus its standby), a database's time-averaged
        shards when one was added during the run, else the analysis' count."""
        a = self.autoscalers.get(nid)
        billed = n.billed_nodes_mean() if isinstance(n, DatabaseNode) else None
        if billed is not None:  # a database that gained shards during the run
            return float(n.params.cost_per_hour) * HOURS_PER_MONTH * billed
        if a is None:
            return monthly_cost(self.topology.nodes[nid])
        mean = a.mean_instances()
        if mean is None:
            return None
        p = n.params
        return float(p.cost_per_hour) * HOURS_PER_MONTH * (mean + (p.standby != "none"))


def _queue_results(n, measured: float) -> dict:
    """SPEC §7.3 figures of a message queue (copies lost and dead-lettered after the warm-up,
    backlogs as sums over its subscriptions); None for the keys of any other component."""
    if not isinstance(n, QueueNode):
        return dict.fromkeys(("lost_messages", "dead_lettered", "max_backlog",
                              "mean_delivery_delay_ms"))
    n.tick_depth()
    mean_backlog = n.a_depth / measured if measured > 0 else None
    return {
        "lost_messages": n.lost_messages, "dead_lettered": n.dead_lettered,
        "max_backlog": n.max_backlog,
        "mean_delivery_delay_ms": 1000.0 * n.delay_sum / n.delivered if n.delivered else None,
        "accepted": n.accepted, "delivered": n.delivered, "backlog_end": n.backlog(),
        "mean_backlog": mean_backlog,
    }


def _link_result(e: REdge) -> dict:
    r = {"attempts": e.attempts, "retried": e.retried, "timeouts": e.timeouts,
         "failed": e.failed}
    if e.breaker is not None:
        r["breaker"] = {"state": e.breaker.state,
                        "transitions": [[t, s] for t, s in e.breaker.transitions],
                        "short_circuited": e.breaker.short_circuited}
    return r
