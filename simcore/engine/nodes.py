"""Components at run time: one class per role, each with ``arrive(req, inst, done)``.

``inst`` is the instance a balancer in front already chose (-1: the component balances over
its own live instances itself, at random — each instance an M/M/c queue fed at random, as the
analysis assumes). ``done(outcome)`` runs when the component has finished with the request,
downstream work included. Components hold a worker only for their own work, except a blocking
service, which holds it through its sync calls too.

Up/down state: ``inst_down[k]`` counts the reasons instance k is down (scenario failures and
random failures may overlap); ``group_down`` counts its zone/region being down. ``alive[k]``
is the resulting view; a request that reaches a dead instance fails (``down_drops``).
"""

from __future__ import annotations

import bisect

from simcore.engine.autoscale import Autoscaler
from simcore.engine.calls import note_write
from simcore.engine.kernel import FAIL, OK, REJECT, FedStation, Station
from simcore.engine.limits import make_limiter
from simcore.engine.sticky import StickySessions
from simcore.engine.streams import ServiceTimes, Uniform, child_generator


def implicit_queue_cap(workers: int) -> int:
    """Waiting requests allowed per station when the design sets no ``queue_limit``: enough
    never to bind below saturation in practice, small enough to keep an overloaded run bounded.
    Reaching it marks the component saturated (and the request fails)."""
    return int(min(100_000, max(2_000, 200 * workers)))


class RNode:
    """Common state and helpers of a component with ``instances`` stations."""

    pool = False  # a consumer fed only by queues: one station of instances × workers
    # Whether the component hands every answer of its calls straight to its own caller,
    # doing nothing at that moment (see links.fold_returns).
    passes_answers = False

    def __init__(self, sim, node, rep):
        p = node.params
        self.sim = sim
        self.id = node.id
        self.kind = node.kind
        self.role = node.role
        self.params = p
        self.n = self.instance_slots(p)
        self.groups = [g for g in (node.zone, node.region) if g is not None]
        self.inst_down = [0] * self.n
        self.group_down = 0
        self.alive = [True] * self.n
        self.alive_idx = list(range(self.n))
        self.n_alive = self.n
        self.standby = getattr(p, "standby", "none") != "none"
        self.failover_s = float(p.effective_failover_s) if self.standby else 0.0
        self.standby_active = False
        self.standby_pending = False
        self.standby_down = 0  # the standby's own failures (random failures only)
        self.out: list = []
        self.cum: list[float] = []
        self.u = Uniform(child_generator(rep, node.id, "route"))
        self.down_drops = 0
        self.rejected = 0
        self.after = sim.after
        self.call = sim.call
        self.env = sim.env
        self.svc = ServiceTimes(child_generator(rep, node.id, "service"),
                                p.service_distribution, p.service_time_ms / 1000.0,
                                p.service_cv)
        # Subscriptions of message queues this component consumes (filled by the queues);
        # its stations then pull from them when a worker is free.
        self.feeds: list = []
        nodes = sim.topology.nodes
        self.fed = any(nodes[e.source].role == "queue" for e in node.inbound)
        self.consumed_ok = 0
        self.consumed_failed = 0
        self.stations = self._make_stations()

    # --- construction --------------------------------------------------------------------
    @staticmethod
    def instance_slots(p) -> int:
        """Stations to build: the instances (an autoscaled service: its maximum)."""
        return int(getattr(p, "instances", 1))

    def _make_stations(self) -> list[Station]:
        p = self.params
        w = int(p.workers)
        return [self._station(w, p.queue_limit, implicit_queue_cap(w), f"{self.id}#{k}", k)
                for k in range(self.n)]

    def _station(self, workers, limit, implicit, name, inst) -> Station:
        """A station of this component: one that pulls messages when it consumes queues."""
        if self.fed:
            return FedStation(self.env, self, workers, limit, implicit, self.svc, name,
                              self.pull, inst)
        return Station(self.env, self, workers, limit, implicit, self.svc, name)

    def finish_links(self) -> None:
        """Called once the out-links are attached: cumulative split shares."""
        acc, self.cum = 0.0, []
        for e in self.out:
            acc += e.share
            self.cum.append(acc)
        if self.cum:
            self.cum[-1] = 1.0 + 1e-12

    # --- state ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute ``alive`` from the down counters, groups and the standby."""
        gd = self.group_down > 0
        all_down = all(d > 0 for d in self.inst_down)
        if self.standby:
            if not all_down or self.standby_down > 0:
                self.standby_active = False
            elif not self.standby_active and not self.standby_pending:
                self.standby_pending = True
                self.after(self.failover_s, self._take_over)
        new = [(not gd) and d == 0 for d in self.inst_down]
        if self.standby_active and not gd:
            new[0] = True
        self._apply(new)

    def _take_over(self, ev) -> None:
        self.standby_pending = False
        if all(d > 0 for d in self.inst_down) and self.standby_down == 0:
            self.standby_active = True
            self.sim.standby_takeovers += 1
        self.refresh()
        self.sim.state_changed()

    draining: frozenset = frozenset()
    """Instances being taken out of service (autoscaling in): they stop taking requests but
    finish those they hold, instead of failing them as a failure would."""

    def _apply(self, new: list[bool]) -> None:
        for k, (was, now) in enumerate(zip(self.alive, new)):
            if was and not now and not self.pool and k not in self.draining:
                self.stations[k].flush()
        self.alive = new
        self.alive_idx = [k for k, a in enumerate(new) if a]
        self.n_alive = len(self.alive_idx)

    @property
    def up(self) -> bool:
        return self.n_alive > 0

    def pick_instance(self, inst: int) -> int:
        """``inst`` if given (and then -1 if it is dead), else a random live one (-1: none)."""
        if inst >= 0:
            return inst if self.alive[inst] else -1
        idx = self.alive_idx
        n = len(idx)
        if n == 1:
            return idx[0]
        if n == 0:
            return -1
        u = self.u.buf
        if not u:
            self.u.refill()
            u = self.u.buf
        return idx[int(u.pop() * n)]

    def pick_edge(self):
        out = self.out
        if len(out) == 1:
            return out[0]
        return out[bisect.bisect_right(self.cum, self.u.next())]

    # --- consuming message queues (SPEC §7.3) ----------------------------------------------
    def pull(self, st) -> None:
        """A worker of station ``st`` is free and no request waits there: take the longest-
        waiting copy among the backlogs this component consumes that can be delivered now
        (its queue up, its link not partitioned) and process it as a request, for as many
        free workers as there are."""
        inst = st.inst
        if not self.n_alive or (inst >= 0 and not self.alive[inst]):
            return
        for _ in range(st.workers - st.busy):
            if st.queue:
                return
            best = None
            for sub in self.feeds:
                b = sub.backlog
                if (b and sub.queue.n_alive and not sub.edge.partitioned
                        and (best is None or b[0].since < best.backlog[0].since)):
                    best = sub
            if best is None:
                return
            msg = best.queue.take(best)
            self.arrive(msg, inst, msg.done)

    def poke(self) -> None:
        """Something may be deliverable now: let every station with a free worker pull."""
        for st in self.stations:
            if st.busy < st.workers and not st.queue:
                self.pull(st)

    def waiting(self) -> int:
        return sum(len(st.queue) for st in self.stations)

    # --- the common shape: own work on one station, then ``then(req, done)`` -----------
    def serve_then(self, req, inst, done, then) -> None:
        if inst >= 0:  # pick_instance, inline for the two common cases
            k = inst if self.alive[inst] else -1
        elif self.n_alive == 1:
            k = self.alive_idx[0]
        else:
            k = self.pick_instance(inst)
        if k < 0:
            self.down_drops += 1
            done(FAIL)
            return
        if not self.stations[k].enter(then, req, done):
            done(FAIL)

    def forward(self, req, done) -> None:
        self.call(self.pick_edge(), req, done)


class TerminalNode(RNode):
    """blob_storage, external_service: serve and answer. A write repeating a call already
    executed here is counted (``calls.note_write``) when the run tracks call identity."""

    executes_writes = True

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        self.duplicate_executions = 0
        self.deduplicated = 0
        self._then = self._answer_noted if sim.tracking else _answer_ok

    def arrive(self, req, inst, done):
        self.serve_then(req, inst, done, self._then)

    def _answer_noted(self, req, done):
        if not req.read:
            note_write(self, req)
        done(OK)


def _answer_ok(req, done):
    done(OK)


class RouterNode(RNode):
    """api_gateway, rate_limiter: own work, then the limit (rejections are 429s), then one
    target by link weight (no failover between targets)."""

    passes_answers = True

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        lim = node.spec.behaviour.limit(self.params)  # (policy, limit_rps, burst), by role
        self.limiter = None if lim is None else make_limiter(*lim)

    def arrive(self, req, inst, done):
        self.serve_then(req, inst, done, self._route)

    def _route(self, req, done):
        lim = self.limiter
        if lim is not None and not lim.admit(self.env.now):
            self.rejected += 1
            done(REJECT)
            return
        self.call(self.pick_edge(), req, done)


class ServiceNode(RNode):
    """service: own work, then each outgoing link in order with its probability; the first
    failed call fails the request. Blocking: the worker is held until the calls are done."""

    def __init__(self, sim, node, rep):
        self.pool = bool(node.fed_only_by_queues)
        super().__init__(sim, node, rep)
        self.blocking = bool(self.params.blocking)
        for st in self.stations:
            st.hold = self.blocking  # the worker stays busy until the calls are done
        self.single = False  # set by finish_links
        self._own_single = None
        self.has_optional = False  # set by finish_links
        self.degraded = 0  # requests it answered OK although an optional call failed
        auto = getattr(self.params, "autoscale", None)
        self.autoscaler = None if auto is None else Autoscaler(self, auto)

    @staticmethod
    def instance_slots(p) -> int:
        auto = getattr(p, "autoscale", None)
        return int(auto.max_instances) if auto is not None else int(p.instances)

    def _make_stations(self):
        if not self.pool:
            return super()._make_stations()
        p = self.params
        w = int(p.workers) * self.n
        # one station of instances × workers, pulling from the backlogs (nothing waits in
        # its own queue: it takes a message only when a worker is free)
        return [self._station(w, None, implicit_queue_cap(w), f"{self.id}#pool", -1)]

    def _apply(self, new):
        super()._apply(new)
        if self.pool:
            self.stations[0].set_workers(int(self.params.workers) * self.n_alive)

    def finish_links(self):
        super().finish_links()
        # exactly one outgoing link, always called: the common case gets a short path
        self.has_optional = any(e.optional for e in self.out)
        self.single = len(self.out) == 1 and self.out[0].prob >= 1.0 and not self.has_optional
        self._own_single = self._held_single if self.blocking else self._call_single
        # non-blocking with its one call: the answer goes straight back to the caller
        self.passes_answers = self.single and not self.blocking and not self.pool

    def arrive(self, req, inst, done):
        if self.pool:
            self._run(self.stations[0], req, done)
            return
        if inst >= 0:  # pick_instance, inline for the two common cases
            k = inst if self.alive[inst] else -1
        elif self.n_alive == 1:
            k = self.alive_idx[0]
        else:
            k = self.pick_instance(inst)
        if k < 0:
            self.down_drops += 1
            done(FAIL)
            return
        if self.single:  # _run's short path, inline
            if not self.stations[k].enter(self._own_single, req, done):
                done(FAIL)
            return
        self._run(self.stations[k], req, done)

    def _call_single(self, req, done):
        """Own work done (non-blocking, the worker already free): make the one call."""
        e = self.out[0]
        if e.direct:  # the call's short path, inline
            e.attempts += 1
            e.dst.arrive(req, -1, done)
        else:
            self.call(e, req, done)

    def _held_single(self, req, done, st):
        """Own work done (blocking): make the one call, holding the worker until answered."""
        def release_then_done(status):
            st.release()
            done(status)
        e = self.out[0]
        if e.direct:  # the call's short path, inline
            e.attempts += 1
            e.dst.arrive(req, -1, release_then_done)
        else:
            self.call(e, req, release_then_done)

    def _run(self, st, req, done):
        call = self.call
        if self.single:
            if not st.enter(self._own_single, req, done):
                done(FAIL)
            return
        out = self.out
        nout = len(out)
        blocking = self.blocking
        u = self.u

        def finish(status):
            if blocking:
                st.release()
            done(status)

        def calls(i):
            while i < nout:
                e = out[i]
                if e.prob < 1.0 and u.next() >= e.prob:
                    i += 1
                    continue
                nxt = i + 1
                if e.optional:
                    call(e, req, lambda status, n=nxt: calls(n) if status == OK else degrade(n))
                else:
                    call(e, req, lambda status, n=nxt: calls(n) if status == OK else finish(status))
                return
            finish(OK)

        def degrade(nxt):
            """An optional call failed: the request goes on without it."""
            self.degraded += 1
            req.root.degraded = True
            calls(nxt)

        def own_done(_req, _done, _st=None):
            calls(0)

        if not st.enter(own_done, req, done):
            done(FAIL)


class BalancerNode(RNode):
    """dns, load_balancer, reverse_proxy: own work, then one target (and one of its instances)
    among those the last health check saw serving the request's type (read or write), by
    ``algorithm``. A target that died since the last check keeps receiving traffic, which
    fails. Checks run every ``health_check_interval_s`` (at its multiples from the start), or
    at every up/down change when it is 0."""

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        self.alg = getattr(self.params, "algorithm", "round_robin")
        self.interval = float(getattr(self.params, "health_check_interval_s", 5.0))
        self.rr = 0
        self._route_cb = self._route  # made once, not on every request
        self.sessions = None
        if getattr(self.params, "sticky", False):
            self.sessions = StickySessions(self)
            self._route_cb = self.sessions.route
        self.rr_inst: list[int] = []
        self.outstanding: list[list[int]] = []

    @property
    def passes_answers(self) -> bool:
        return self.alg != "least_connections"  # which counts the answers

    def finish_links(self):
        super().finish_links()
        self.rr_inst = [0] * len(self.out)
        self.outstanding = [[0] * len(e.dst.alive) for e in self.out]
        self.health_check()

    def health_check(self) -> None:
        """Refresh the view of which targets (and instances) serve reads and writes. The
        check is deep, as the analysis's balancer is (§3: the targets with P(t, r) > 0): a
        target that is up but cannot serve — its database down, its link partitioned — is
        out of the view. A cache or CDN serves even when down (it passes requests to its
        origin), so then all its instances stay in the view."""
        from simcore.engine.failures import serving

        ok = serving(self.sim)
        views = ([], [])
        for e in self.out:
            inst = (list(range(e.dst.n)) if e.dst.role == "cache"
                    else list(e.dst.alive_idx))
            for r in (0, 1):
                views[r].append(inst if ok[e.dst.id][r] and not e.partitioned else [])
        self.view_r, self.view_w = views

    def arrive(self, req, inst, done):
        # serve_then, inline (a balancer is on the path of every request it fronts)
        if inst >= 0:
            k = inst if self.alive[inst] else -1
        elif self.n_alive == 1:
            k = self.alive_idx[0]
        else:
            k = self.pick_instance(inst)
        if k < 0:
            self.down_drops += 1
            done(FAIL)
            return
        if not self.stations[k].enter(self._route_cb, req, done):
            done(FAIL)

    def _route(self, req, done) -> tuple[int, int] | None:
        """Send ``req`` to a target and instance chosen by ``algorithm`` among those the
        health check saw serving its type; their (target index, instance), or None when no
        target serves (the request fails). Every request of a balancer comes here: the
        common cases are inline."""
        view = self.view_r if req.read else self.view_w
        if len(view) == 1:  # _pick_target, inline for a single target
            ti = 0 if view[0] else -1
        else:
            ti = self._pick_target(view)
        if ti < 0:
            self.down_drops += 1
            done(FAIL)
            return None
        cand = view[ti]
        alg = self.alg
        if len(cand) == 1:
            k = cand[0]
        elif alg == "round_robin":
            j = self.rr_inst[ti] % len(cand)
            self.rr_inst[ti] = j + 1
            k = cand[j]
        else:
            k = self.instance_of(ti, cand)
        if alg == "least_connections":
            self.send(req, done, ti, k)
            return ti, k
        e = self.out[ti]  # send(), inline: only least_connections counts requests out
        if e.direct:  # the call's short path, inline
            e.attempts += 1
            e.dst.arrive(req, k, done)
        else:
            self.call(e, req, done, k)
        return ti, k

    def instance_of(self, ti: int, cand: list[int]) -> int:
        """One of the serving instances ``cand`` of target ``ti``, by ``algorithm``."""
        alg = self.alg
        if alg == "round_robin":
            j = self.rr_inst[ti] % len(cand)
            self.rr_inst[ti] = j + 1
            return cand[j]
        if alg == "least_connections":
            # fewest requests out; ties go round robin (always taking the first idle
            # instance would load instance 0 far more than the others at light load)
            oc = self.outstanding[ti]
            j0 = self.rr_inst[ti]
            self.rr_inst[ti] = j0 + 1
            n = len(cand)
            return cand[min(range(n), key=lambda j: (oc[cand[j]], (j - j0) % n))]
        return cand[int(self.u.next() * len(cand))]

    def send(self, req, done, ti: int, k: int) -> None:
        """Forward ``req`` to instance ``k`` of target ``ti``."""
        if self.alg != "least_connections":
            # only least_connections reads the counts of requests out
            e = self.out[ti]
            if e.direct:  # the call's short path, inline
                e.attempts += 1
                e.dst.arrive(req, k, done)
            else:
                self.call(e, req, done, k)
            return
        oc = self.outstanding[ti]
        oc[k] += 1

        def answered(status):
            oc[k] -= 1
            done(status)

        self.call(self.out[ti], req, answered, k)

    def _pick_target(self, view) -> int:
        m = len(view)
        if m == 1:
            return 0 if view[0] else -1
        alg = self.alg
        live = [i for i in range(m) if view[i]]
        if not live:
            return -1
        if alg == "round_robin":
            start = self.rr
            for j in range(m):
                i = (start + j) % m
                if view[i]:
                    self.rr = i + 1
                    return i
        if alg == "least_connections":
            # fewest requests out per serving instance; ties go round robin
            start = self.rr
            self.rr += 1
            best = min(live, key=lambda i: (sum(self.outstanding[i]) / len(view[i]),
                                            (i - start) % m))
            return best
        if alg == "weighted":
            total = sum(self.out[i].share for i in live)
            x = self.u.next() * total
            for i in live:
                x -= self.out[i].share
                if x < 0:
                    return i
            return live[-1]
        return live[int(self.u.next() * len(live))]
