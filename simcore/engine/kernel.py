"""The event kernel of a traffic run: SimPy's Environment as the clock and event heap, driven
by a loop of its own (no process per request, no generator frames, no event objects on the hot
paths) that also reads the stop flag every few thousand events.

The heap holds (time, id, callback, argument) entries: the loop pops one, sets the clock and
calls ``callback(argument)``; the id (SimPy's event counter) keeps simultaneous entries in the
order they were scheduled. ``Kernel.after`` hands its callback an ``Ev`` whose ``v`` holds an
optional payload; the hot paths (a service's end, a link crossing) pass their tuple directly.
Outcomes of a
request travelling back to its caller are small ints: OK, FAIL (an error: down, timed out,
queue full, partitioned, circuit open) and REJECT (HTTP 429 from a rate limit, counted apart).

Speed matters here (every request passes through these few functions several times, see
docs/simulation.md, "Performance"): entries are pushed onto the Environment's heap directly; a
service's end is one entry whose callback is the station's own method (no closure per visit),
and a freed worker hands itself
to the next waiting request directly; a station's time integrals are running sums updated
with one addition per change instead of being re-integrated at every change.
"""

from __future__ import annotations

from collections import deque
from heapq import heapify, heappop, heappush

import simpy

OK, FAIL, REJECT = 0, 1, 2

STOP_CHECK_EVENTS = 20_000
"""Events processed between two reads of the stop flag (a few milliseconds of wall time, so
that Ctrl-C is answered promptly even when one simulated second holds millions of events)."""


class Ev:
    """What ``Kernel.after`` hands its callback: ``v``, the payload."""

    __slots__ = ("v",)


def _heap_of(env: simpy.Environment):
    """The Environment's event heap and id counter (what ``Environment.schedule`` uses; the
    kernel's entries are (time, id, callback, argument), run by ``Kernel.run_until``)."""
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
            ev.v = v
            heappush(queue, (env._now + delay, next(eid), fn, ev))

        self.after = after
        self._queue = queue

    def run_until(self, until: float, should_stop=None) -> bool:
        """Process every event due before ``until`` (s) and move the clock there, as
        ``Environment.run(until=...)`` does; False, with the clock where it stopped, when
        ``should_stop()`` (read every STOP_CHECK_EVENTS events) asked to stop first.

        SimPy's own loop (``Environment.step``) is replaced by a tighter one: an entry is a
        callback and its argument, which never fails, so the loop only pops, sets the clock
        and calls."""
        env = self.env
        heap = self._queue
        # A sentinel at ``until`` that sorts before any event due then ends the loop, so
        # that each event costs one pop and no look at the heap's head.
        heappush(heap, (until, -1, None, None))
        while True:
            for _ in range(STOP_CHECK_EVENTS):
                now, _id, fn, arg = heappop(heap)
                if fn is None:
                    env._now = until
                    return True
                env._now = now
                fn(arg)
            if should_stop is not None and should_stop():
                heap.remove((until, -1, None, None))
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

    ``enter(then, req, done)`` is a request's visit. When a worker takes it (at once, or
    when its turn in the queue comes) a service time is drawn
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

    __slots__ = ("a_busy", "a_q", "b_sum", "busy", "dropped", "eid", "end", "env", "heap",
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
        self.end = self._end  # every service-end entry's callback, bound once

    def tick(self) -> None:
        """Bring ``a_busy`` and ``a_q`` (the integrals from 0 to now) up to date."""
        now = self.env._now
        self.a_busy = self.b_sum + self.busy * now
        self.a_q = self.q_sum + len(self.queue) * now

    def enter(self, then, req, done) -> bool:
        """Serve a request now or queue it; False (and nothing queued) when the queue is
        full. See the class docstring for the arguments."""
        now = self.env._now
        v = (then, req, done)
        if self.busy < self.workers:
            self.busy += 1
            self.b_sum -= now
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            heappush(self.heap, (now + b.pop(), next(self.eid), self.end, v))
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

    def _end(self, v) -> None:
        """A service is over (the heap entry's callback; ``v`` is what ``enter`` queued)."""
        then, req, done = v
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
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            heappush(self.heap, (now + b.pop(), next(self.eid), self.end, v))
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
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            heappush(self.heap, (now + b.pop(), next(self.eid), self.end, v))

    def release(self) -> None:
        """A worker is done: it takes the next waiting request, if any."""
        q = self.queue
        if q and self.busy <= self.workers:
            # the freed worker takes the next waiting request at once (``busy`` and its
            # integral do not change)
            now = self.env._now
            v = q.popleft()
            self.q_sum += now
            svc = self.svc
            b = svc.buf
            if not b:
                svc.refill()
                b = svc.buf
            heappush(self.heap, (now + b.pop(), next(self.eid), self.end, v))
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


def _abort(req, done, st=None) -> None:
    """A message's processing ends on an instance that failed meanwhile: it failed (the
    queue redelivers it). A holding station's worker is released first."""
    if st is not None:
        st.release()
    done(FAIL)


class FedStation(Station):
    """A station of a component that consumes from message queues: whenever one of its
    workers is free and no request waits (sync callers come first), it pulls a message with
    ``feed(station)``. ``inst`` is the instance it is (-1: the component picks, as a database
    or a consumer pool does). A message whose service ends while its instance is down (for
    ``inst`` -1: while the whole component is) was aborted by the failure: it fails."""

    __slots__ = ("feed", "inst")

    def __init__(self, env, node, workers, limit, implicit, svc, name, feed, inst):
        super().__init__(env, node, workers, limit, implicit, svc, name)
        self.feed = feed
        self.inst = inst

    def _end(self, v) -> None:
        node = self.node
        if (not node.n_alive or (self.inst >= 0 and not node.alive[self.inst])) \
                and hasattr(v[1], "sub"):  # a queue's message (storage.Message)
            v = (_abort, v[1], v[2])
        Station._end(self, v)
        if self.busy < self.workers and not self.queue:
            self.feed(self)

    def release(self) -> None:
        Station.release(self)
        if self.busy < self.workers and not self.queue:
            self.feed(self)

    def set_workers(self, workers: int) -> None:
        Station.set_workers(self, workers)
        if self.busy < self.workers and not self.queue:
            self.feed(self)
