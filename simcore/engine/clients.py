"""Clients: arrival processes and each request's life (timeout, retries with backoff).

Arrival rate at time t (requests/s): rps × spike multiplier × pattern factor, where the
pattern factor is 1 for ``poisson`` and ``constant``, t / duration for ``ramp`` (a linear ramp
from 0 to rps over the run) and 1 − ½·cos(2π t / duration) for ``diurnal`` (one compressed day
per run: half the rate at the start and end, 1.5× at mid-run, mean rps). ``poisson`` draws
exponential gaps (thinning for the time-varying patterns); ``constant`` spaces arrivals
1 / rate apart. A spike's start and end restart the arrival clock (exact for Poisson).

A request picks one target by link weight. It fails when its answer is an error or when the
client's ``timeout_ms`` passes first; a failed or timed-out request is sent again up to
``retries`` times after ``retry_backoff_ms``, doubling each time (with ``retry_jitter: full``
a uniform draw up to that wait; within ``retry_budget``, see ``retry``) — every retry is extra
load (429 rejections are not retried). Its latency runs from the first send to the final
success.
"""

from __future__ import annotations

import bisect
import math
from heapq import heappush

from simcore.engine.kernel import FAIL, OK, REJECT, _heap_of
from simcore.engine.retry import RetryPolicy
from simcore.engine.streams import Exponentials, Uniform, child_generator


class Req:
    """One request (or, from a queue, one message). ``t0`` is its first send (s); ``counted``
    is whether it arrived after the warm-up (it then counts in the results); ``kb`` its size;
    ``back`` the return latency (s) its answer still owes on folded links
    (``links.fold_returns``): the client sees the answer that much later."""

    # ``session`` is set only in runs with a sticky balancer (engine.sticky)
    __slots__ = ("back", "counted", "kb", "read", "session", "t0")

    def __init__(self, read: bool, t0: float, counted: bool, kb: float):
        self.read = read
        self.t0 = t0
        self.counted = counted
        self.kb = kb
        self.back = 0.0


class RClient:
    def __init__(self, sim, node, rep, duration_s: float):
        p = node.params
        self.sim = sim
        self.id = node.id
        self.rps = float(p.rps)
        self.read_ratio = float(p.read_ratio)
        self.pattern = p.pattern
        self.timeout_s = None if p.timeout_ms is None else p.timeout_ms / 1000.0
        self.retries = int(p.retries)
        self.retry = RetryPolicy(p.retry_backoff_ms / 1000.0, p.retry_jitter, p.retry_budget,
                                 rep, node.id)
        self.idem = bool(p.idempotency_keys)
        self.session_count = int(p.sessions)
        # The class of its requests: ``calls.TrackedReq`` when the run tracks call identity
        # (set by the simulation).
        self.new_req = Req
        self.kb = float(p.request_kb)
        self.key_space = int(p.key_space)  # the keys' law (engine.keys), drawn where used
        self.key_skew = float(p.key_skew)
        self.duration = duration_s
        self.mult = 1.0
        self.gen = 0
        self.exp = Exponentials(child_generator(rep, node.id, "arrivals"))
        self.u = Uniform(child_generator(rep, node.id, "requests"))
        self.only_reads = self.read_ratio >= 1.0 and self.pattern in ("poisson", "constant")
        # Targets (and retries' targets) draw from their own stream, so that two designs
        # compared with the same seed see the same read/write sequence from this client even
        # when they route it differently (common random numbers).
        self.route_u = Uniform(child_generator(rep, node.id, "route"))
        self.out: list = []
        self.cum: list[float] = []
        self.sent = 0
        self.attempts = 0
        # no timeout and no retries: a request's one answer is final (the short path)
        self.one_shot = self.timeout_s is None and self.retries == 0
        self.e0 = None  # the one target link, if there is only one
        # Seconds by which the arrival events run behind the sends (see ``settle_lead``).
        self.lead = 0.0
        self.next_send: float | None = None  # when the next arrival event's request is sent
        self._arrive_cb = self._arrive  # made once, not on every arrival
        self._heap, self._eid = _heap_of(sim.env)
        self._final_cb = self._final_later

    @property
    def passes_answers(self) -> bool:
        """Whether the first answer is final (no timeout to race, nothing to retry): then
        the return trips of folded links are settled here (``links.fold_returns``)."""
        return self.one_shot

    def finish_links(self):
        acc, self.cum = 0.0, []
        for e in self.out:
            acc += e.share
            self.cum.append(acc)
        if self.cum:
            self.cum[-1] = 1.0 + 1e-12
        self.e0 = self.out[0] if len(self.out) == 1 else None

    def settle_lead(self, spiked: bool) -> None:
        """When the client's rate never changes (poisson or constant, no spike) and its one
        link folds its return trip (``links.fold_returns``), the link's way there is folded
        too: each arrival event fires when the request reaches the target, ``lead`` = the
        link's latency after it was sent, so a request needs no event of its own to cross.
        The requests sent within ``lead`` of the run's end are counted by ``count_last_sends``."""
        e = self.e0
        ok = (e is not None and e.fold and not spiked
              and self.pattern in ("poisson", "constant"))
        self.lead = e.lat_s if ok else 0.0

    # --- arrivals ------------------------------------------------------------------------
    def factor(self, t: float) -> float:
        if self.pattern == "ramp":
            return min(1.0, max(0.0, t / self.duration))
        if self.pattern == "diurnal":
            return 1.0 - 0.5 * math.cos(2.0 * math.pi * t / self.duration)
        return 1.0

    def rate(self, t: float) -> float:
        """Offered requests per second at time ``t`` (spikes included)."""
        return self.rps * self.mult * self.factor(t)

    def start(self) -> None:
        if self.rps > 0:
            now = self.sim.env.now
            t = self._next_time(now)
            if t is not None:
                self.next_send = t
                self._push_arrival(t - now + self.lead)

    def count_last_sends(self, t_end: float) -> None:
        """Count as sent the requests sent before ``t_end`` whose arrival events (``lead``
        later) did not come before the run ended, as if the link had not been folded."""
        if not self.lead:
            return
        m = self.sim.metrics
        t = self.next_send
        while t is not None and t < t_end:
            m.sent(t >= self.sim.warmup_s)
            t = self._next_time(t)

    def set_multiplier(self, m: float) -> None:
        """A spike starts or ends: restart the arrival clock with the new rate."""
        self.mult = m
        self.gen += 1
        if self.rps > 0:
            self._schedule_next(self.sim.env.now)

    def _schedule_next(self, now: float) -> None:
        t = self._next_time(now)
        if t is not None:
            self.next_send = t
            self._push_arrival(t - now)

    def _next_time(self, now: float) -> float | None:
        peak = self.rps * self.mult * (1.5 if self.pattern == "diurnal" else 1.0)
        if peak <= 0:
            return None
        if self.pattern == "constant":
            r = self.rate(now)
            return now + (1.0 / r if r > 0 else 0.05)
        if self.pattern == "poisson":
            return now + self.exp.next() / peak
        t = now
        u = self.u
        while True:  # thinning (Lewis–Shedler) under the peak rate
            t += self.exp.next() / peak
            if t > self.duration + 1.0 or u.next() * peak <= self.rate(t):
                return t

    def _push_arrival(self, delay: float) -> None:
        """Schedule the next arrival ``delay`` s from now (tagged with the current ``gen``):
        straight onto the kernel's heap, as ``Kernel.after`` would, without an event object
        (once per request)."""
        heappush(self._heap, (self.sim.env._now + delay, next(self._eid), self._arrive_cb,
                              self.gen))

    def _arrive(self, gen) -> None:
        if gen != self.gen:
            return  # superseded by a rate change
        now = self.sim.env._now - self.lead  # when the request was sent
        if self.pattern == "poisson":
            # the common case, inline (what _schedule_next does): the next arrival an
            # exponential gap away at the current rate
            peak = self.rps * self.mult
            if peak > 0:
                b = self.exp.buf
                if not b:
                    self.exp.refill()
                    b = self.exp.buf
                t = now + b.pop() / peak
                self.next_send = t
                heappush(self._heap, (t + self.lead, next(self._eid), self._arrive_cb,
                                      self.gen))
            self.new_request(now)
            return
        self._schedule_next(now)
        if self.pattern == "constant" and self.rate(now) <= 0:
            return
        self.new_request(now)

    # --- one request ---------------------------------------------------------------------
    def new_request(self, now: float) -> None:
        sim = self.sim
        counted = now >= sim.warmup_s
        # With only reads and no thinning (the one other use of this stream), the draw
        # would change nothing: skip it.
        read = True if self.only_reads else self.u.next() < self.read_ratio
        req = self.new_req(read, now, counted, self.kb)
        m = sim.metrics
        m.sent_total += 1  # RunMetrics.sent, inline
        if counted:
            m.sent_counted += 1
        if sim.in_flight + sim.held_messages >= sim.max_waiting:
            sim.mark_saturated(None)
            sim.metrics.finish(req, FAIL, now)
            return
        sim.in_flight += 1
        if self.one_shot:
            # One answer and it is final: no timer to race with, nothing to retry
            # (``_attempt``'s first attempt, inline).
            self.attempts += 1
            e = self.e0
            if e is None:
                e = self.out[bisect.bisect_right(self.cum, self.route_u.next())]

            def final(status):
                t = sim.env._now
                back = req.back
                if back > 0.0:  # the answer's way back over folded links
                    # It ends at t + back. Recorded now, unless a row of the time series
                    # (every whole second, and the run's end) or the warm-up's end comes
                    # first: nothing else can see the difference.
                    now, t = t, t + back
                    w = sim.warmup_s
                    if int(t) != int(now) or t >= sim.duration_s or (now < w) != (t < w):
                        sim.after(back, self._final_cb, (req, status))
                        return
                sim.in_flight -= 1
                m.finish(req, status, t)

            if e.direct:  # the call's short path, inline
                e.attempts += 1
                e.dst.arrive(req, -1, final)
            elif self.lead:  # already across the link (see settle_lead)
                e.attempts += 1
                req.back += self.lead
                e.dst.arrive(req, -1, final)
            else:
                sim.call(e, req, final)
            return
        self._attempt(req, 0)

    def _final_later(self, ev) -> None:
        """A one-shot request's answer reaches the client after its folded way back."""
        req, status = ev.v
        sim = self.sim
        sim.in_flight -= 1
        sim.metrics.finish(req, status, sim.env._now)

    def _attempt(self, req, k: int) -> None:
        sim = self.sim
        self.attempts += 1
        out = self.out
        settled = [False]
        retry = self.retry
        if k == 0:
            retry.first_try(sim.env.now)
        if self.new_req is not Req:
            req.degraded = False  # judged by the attempt that answers

        def answered(status):
            if settled[0]:
                return
            settled[0] = True
            now = sim.env.now
            if status == FAIL and k < self.retries and retry.allow_retry(now):
                sim.after(retry.wait(k), lambda ev: self._attempt(req, k + 1))
                return
            sim.in_flight -= 1
            if status == OK and self.new_req is not Req and req.degraded:
                sim.metrics.degraded_ok(req)
            sim.metrics.finish(req, status, now)

        if self.timeout_s is not None:
            sim.after(self.timeout_s, lambda ev: answered(FAIL))
        e = out[0] if len(out) == 1 else out[bisect.bisect_right(self.cum, self.route_u.next())]
        sim.call(e, req, answered)


__all__ = ["FAIL", "OK", "REJECT", "RClient", "Req"]
