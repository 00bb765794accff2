"""The event kernel of a traffic run: SimPy's Environment as the clock and event heap, driven
with bare events that carry one callback each (no process per request, no generator frames)
by a loop of its own that also reads the stop flag every few thousand events.

A scheduled callback receives the event; ``ev.v`` holds an optional payload. Outcomes of a
request travelling back to its caller are small ints: OK, FAIL (an error: down, timed out,
queue full, partitioned, circuit open) and REJECT (HTTP 429 from a rate limit, counted apart).

Speed matters here (every request passes through these few functions several times, see
docs/simulation.md, "Performance"): events are pushed onto the Environment's heap exactly as
``Environment.schedule`` does, without the method call; a service's end is one event whose
callback is the station's own method (no closure per visit), and a freed worker hands itself
to the next waiting request directly; a station's time integrals are running sums updated
with one addition per change instead of being re-integrated at every change.
"""

from __future__ import annotations

from collections import deque
from heapq import heapify, heappop, heappush

import simpy
from simpy.events import NORMAL

OK, FAIL, REJECT = 0, 1, 2

STOP_CHECK_EVENTS = 20_000
"""Events processed between two reads of the stop flag (a few milliseconds of wall time, so
that Ctrl-C is answered promptly even when one simulated second holds millions of events)."""


class Ev:
    """A bare SimPy event: just what ``Environment.step`` reads (``callbacks``, and ``_ok``,
    always true: a class attribute, so that making an event sets one attribute less)."""

    __slots__ = ("callbacks", "v")
    _ok = True


def _heap_of(env: simpy.Environment):
    """The Environment's event heap and id counter, as ``Environment.schedule`` uses them
    (``heappush(env._queue, (env._now + delay, priority, next(env._eid), event))``)."""
    queue = getattr(env, "_queue", None)
    eid = getattr(env, "_eid", None)
    if not isinstance(queue, list) or eid is None:  # pragma: no cover - another SimPy layout
        raise RuntimeError("unsupported SimPy version: Environment has no _queue/_eid")
    return queue, eid


class Kernel:
    """Owns the SimPy environment; ``after(delay_s, fn, v)`` runs ``fn(ev)`` ``delay_s``
    simulated seconds from now with ``ev.v = v``."""

    def __init__(self):
        self.env = env = simpy.Environment()
        queue, eid = _heap_of(env)

        def after(delay, fn, v=None):
            ev = Ev()
            ev.callbacks = (fn,)
            ev.v = v
            heappush(queue, (env._now + delay, NORMAL, next(eid), ev))

        self.after = after
        self._queue = queue

    def run_until(self, until: float, should_stop=None) -> bool:
        """Process every event due before ``until`` (s) and move the clock there, as
        ``Environment.run(until=...)`` does; False, with the clock where it stopped, when
        ``should_stop()`` (read every STOP_CHECK_EVENTS events) asked to stop first.

        SimPy's own loop (``Environment.step``) is replaced by a tighter one: every event in
        a traffic run is an ``Ev`` with exactly one callback and never fails, so the loop only
        pops, sets the clock and calls."""
        env = self.env
        heap = self._queue
        # A sentinel at ``until`` that sorts before any event due then ends the loop, so
        # that each event costs one pop and no look at the heap's head.
        heappush(heap, (until, -1, -1, None))
        while True:
            for _ in range(STOP_CHECK_EVENTS):
                now, _p, _id, ev = heappop(heap)
                if ev is None:
                    env._now = until
                    return True
                env._now = now
                ev.callbacks[0](ev)
            if should_stop is not None and should_stop():
                heap.remove((until, -1, -1, None))
                heapify(heap)
                return False

    @property
    def now(self) -> float:
        return self.env.now


class Station:
    """One instance (or database node, or a consumer pool): ``workers`` servers and a FIFO
    queue. ``limit`` caps the waiting requests (a full queue rejects: an error); with no limit
    set, ``implicit`` caps it anyway so that an overloaded design stays bounded in memory and
    time — hitting that cap marks the component saturated.

    ``enter(then, req, done, taken)`` is a request's visit. When a worker takes it (at once,
    or when its turn in the queue comes) ``taken()`` runs if given and a service time is drawn
    from ``svc``. When that service ends, ``served`` counts it, the worker is released and
    ``then(req, done)`` runs; a station that ``hold``s its workers (a blocking service's)
    instead calls ``then(req, done, station)`` and the worker stays busy until ``release()``
    (once the downstream calls are done). If the station goes down while the request waits,
    ``done(FAIL)`` runs instead.

    Time integrals (busy workers × s, waiting requests × s since the start) are exact: a
    change of ``busy`` (or of the queue length) at time t adds ∓t to a running sum, so that
    ∫ busy dt over [0, T] = sum + busy · T; ``tick()`` brings ``a_busy`` and ``a_q`` up to
    date from them. The metrics take differences of those.
    """

    __slots__ = ("a_busy", "a_q", "b_sum", "busy", "cbs", "dropped", "eid", "env", "heap",
                 "hold", "implicit", "limit", "name", "node", "q_sum", "queue", "served", "svc",
                 "workers")

    def __init__(self, env, node, workers: int, limit: int | None, implicit: int, svc, name=""):
        self.env = env
        self.node = node
        self.workers = workers
        self.busy = 0
        self.queue: deque = deque()
        self.limit = limit
        self.implicit = implicit
        self.svc = svc
        self.hold = False
        self.a_busy = 0.0
        self.a_q = 0.0
        self.b_sum = 0.0
        self.q_sum = 0.0
        self.served = 0
        self.dropped = 0
        self.name = name
        self.heap, self.eid = _heap_of(env)
        self.cbs = (self._end,)  # every service-end event's callbacks (SimPy only reads them)

    def tick(self) -> None:
        """Bring ``a_busy`` and ``a_q`` (the integrals from 0 to now) up to date."""
        now = self.env._now
        self.a_busy = self.b_sum + self.busy * now
        self.a_q = self.q_sum + len(self.queue) * now

    def enter(self, then, req, done, taken=None) -> bool:
        """Serve a request now or queue it; False (and nothing queued) when the queue is
        full. See the class docstring for the arguments."""
        now = self.env._now
        v = (then, req, done, taken)
        if self.busy < self.workers:
            self.busy += 1
            self.b_sum -= now
            if taken is not None:
                taken()
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            ev = Ev()
            ev.callbacks = self.cbs
            ev.v = v
            heappush(self.heap, (now + b.pop(), NORMAL, next(self.eid), ev))
            return True
        q = self.queue
        if self.limit is not None:
            if len(q) >= self.limit:
                self.dropped += 1
                return False
        elif len(q) >= self.implicit:
            self.dropped += 1
            self.node.sim.mark_saturated(self.node)
            return False
        self.q_sum -= now
        q.append(v)
        return True

    def _end(self, ev) -> None:
        """A service is over (the event's callback)."""
        then, req, done, _taken = ev.v
        self.served += 1
        if self.hold:
            then(req, done, self)  # the worker stays busy: ``then`` releases it later
            return
        q = self.queue
        if q and self.busy <= self.workers:
            # release(), inline: the freed worker takes the next waiting request at once
            # (``busy`` and its integral do not change)
            now = self.env._now
            v = q.popleft()
            self.q_sum += now
            if v[3] is not None:
                v[3]()
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            ev = Ev()
            ev.callbacks = self.cbs
            ev.v = v
            heappush(self.heap, (now + b.pop(), NORMAL, next(self.eid), ev))
        else:
            self.busy -= 1
            self.b_sum += self.env._now
        then(req, done)

    def _take_waiting(self, now) -> None:
        q = self.queue
        while q and self.busy < self.workers:
            v = q.popleft()
            self.q_sum += now
            self.busy += 1
            self.b_sum -= now
            taken = v[3]
            if taken is not None:
                taken()
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            ev = Ev()
            ev.callbacks = self.cbs
            ev.v = v
            heappush(self.heap, (now + b.pop(), NORMAL, next(self.eid), ev))

    def release(self) -> None:
        """A worker is done: it takes the next waiting request, if any."""
        q = self.queue
        if q and self.busy <= self.workers:
            # the freed worker takes the next waiting request at once (``busy`` and its
            # integral do not change)
            now = self.env._now
            v = q.popleft()
            self.q_sum += now
            if v[3] is not None:
                v[3]()
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            ev = Ev()
            ev.callbacks = self.cbs
            ev.v = v
            heappush(self.heap, (now + b.pop(), NORMAL, next(self.eid), ev))
        else:
            self.busy -= 1
            self.b_sum += self.env._now

    def set_workers(self, workers: int) -> None:
        """Change the number of servers (a consumer pool losing or regaining instances)."""
        self.workers = workers
        self._take_waiting(self.env._now)

    def flush(self) -> None:
        """The station went down: every waiting request fails (its connection is reset)."""
        now = self.env._now
        q = self.queue
        while q:
            done = q.popleft()[2]
            self.q_sum += now
            self.dropped += 1
            done(FAIL)
