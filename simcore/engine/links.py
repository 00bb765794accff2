"""Links at run time and a call across one.

A call pays the link's one-way latency (plus any scenario ``latency`` event's extra) and the
request's transmission time (request_kb · 8 / bandwidth_mbps ms) toward the target, then the
latency again on the way back. A partitioned link loses the request: the caller fails at its
link timeout if it has one, at once otherwise. A link timeout fails the attempt (the late reply
is ignored; the target still does the work). Link retries resend a failed attempt after
``retry_backoff_ms`` (0 by default: at once), doubling each time, with the link's jitter and
budget (``retry``). A circuit breaker sees every attempt's outcome (429s are answers, not failures) and fails
calls fast while open.
"""

from __future__ import annotations

from heapq import heappush

from simcore.engine.kernel import FAIL, _heap_of
from simcore.engine.limits import CircuitBreaker
from simcore.engine.retry import RetryPolicy


class REdge:
    """A compiled link. Times in seconds."""

    __slots__ = (
        "attempts",
        "breaker",
        "direct",
        "dst",
        "extra_s",
        "failed",
        "fixed",
        "fold",
        "id",
        "lat_s",
        "mode",
        "optional",
        "partitioned",
        "prob",
        "relay",
        "retried",
        "retries",
        "retry",
        "s_per_kb",
        "share",
        "simple",
        "src",
        "timeout_s",
        "timeouts",
    )

    def __init__(self, edge, src, dst):
        p = edge.params
        self.id = edge.id
        self.src = src
        self.dst = dst
        self.lat_s = edge.latency_ms / 1000.0
        self.extra_s = 0.0
        # request_kb · 8 / bandwidth_mbps ms  =  request_kb · 0.008 / bandwidth_mbps s
        self.s_per_kb = 0.0 if p.bandwidth_mbps is None else 0.008 / p.bandwidth_mbps
        self.timeout_s = None if p.timeout_ms is None else p.timeout_ms / 1000.0
        self.retries = int(p.retries)
        self.retry = (RetryPolicy(p.retry_backoff_ms / 1000.0, p.retry_jitter, p.retry_budget,
                                  src.sim.rep, edge.id) if self.retries else None)
        self.optional = bool(p.optional)  # its failure degrades the request, not fails it
        cb = p.circuit_breaker
        self.breaker = (None if cb is None else
                        CircuitBreaker(cb.failure_threshold, cb.window_s, cb.open_s))
        self.partitioned = 0
        self.prob = float(p.probability)
        self.mode = p.mode
        self.share = edge.share
        self.simple = self.timeout_s is None and self.retries == 0 and self.breaker is None
        # True once it is known that no event can partition this link or change its latency
        # during the run (see ``settle_edges``): calls then skip those checks.
        self.fixed = False
        self.direct = False  # fixed, simple and instantaneous: a call is just the target's
        self.fold = False  # its return trip rides on the request's ``back`` (see fold_returns)
        self.relay = False  # crossed by events both ways, even at no latency (break_long_chains)
        self.attempts = 0
        self.retried = 0
        self.timeouts = 0
        self.failed = 0


def settle_edges(edges, events, live: bool) -> None:
    """Mark the links whose latency and partition state stay as designed for the whole run:
    no scenario event whose type touches links (``EventSpec.touches_links``) targets them and no events can be added
    during the run (``live``). Their calls take the short path of ``make_call``."""
    touched = {ev.target for ev in events if ev.spec.touches_links}
    for e in edges:
        e.fixed = not live and e.id not in touched
        e.direct = e.fixed and e.simple and e.lat_s == 0.0 and e.s_per_kb == 0.0


def _links_into(edges) -> dict[int, list]:
    """The links into each target, keyed by the target object's id()."""
    into: dict[int, list] = {}
    for e in edges:
        into.setdefault(id(e.dst), []).append(e)
    return into


ANSWER_NESTING_LIMIT = 100
"""Links an answer may go up in one go, each a few nested Python calls (the interpreter
allows about 1,000)."""


def break_long_chains(order, edges) -> None:
    """Make every ANSWER_NESTING_LIMIT-th link of a long chain a ``relay``: a call crossing
    it goes and comes back as events (at no extra time), so that a request's answer, handed
    up from caller to caller in nested calls where links take no time, never nests deeper
    than the limit, however long the chain (a design of a thousand services in a row).
    ``order`` lists the clients and components in topological order (callers first)."""
    into = _links_into(edges)
    depth: dict[int, int] = {}
    for obj in order:  # an answer from obj nests depth[obj] links deep before an event
        d = 0
        for f in into.get(id(obj), ()):
            if depth[id(f.src)] + 1 >= ANSWER_NESTING_LIMIT:
                f.relay = True
                f.direct = False
            else:
                d = max(d, depth[id(f.src)] + 1)
        depth[id(obj)] = d


def fold_returns(order, edges) -> None:
    """Mark the links whose return trip can be folded into the answer's last step.

    An answer crossing a link back needs an event of its own only if something can happen
    to it on the way (a partition, a latency event) or if whoever receives it acts at that
    moment (a blocking service frees its worker, a service makes its next call, a least-
    connections balancer counts it, a client races it with a timeout). Where neither is the
    case, from the link all the way up to a client that takes the first answer as final, the
    answer may go up at once and the client records it ``req.back`` seconds later (the sum of
    the folded links' latencies): one event for the whole way back instead of one per link.

    ``order`` lists the clients and components in topological order (callers first); a
    component is *clean* when it hands answers straight on (``passes_answers``) and every
    link into it is fixed, simple, without a bandwidth term, and comes from a clean caller.
    A link folds when it is such a link with a latency, from a clean caller."""
    into = _links_into(edges)
    clean: dict[int, bool] = {}
    for obj in order:
        ok = obj.passes_answers
        if ok:
            for f in into.get(id(obj), ()):
                if not (f.fixed and f.simple and f.s_per_kb == 0.0 and clean[id(f.src)]):
                    ok = False
                    break
        clean[id(obj)] = ok
    for e in edges:
        e.fold = (e.fixed and e.simple and e.s_per_kb == 0.0 and e.lat_s > 0.0
                  and not e.relay and clean[id(e.src)])


def _reply(v) -> None:
    """The answer of a call arrives back at the caller: ``v`` is (done, outcome)."""
    done, status = v
    done(status)


def _deliver(v) -> None:
    """A request arrives at the far end of a link: ``v`` is (target, req, inst, done)."""
    dst, req, inst, done = v
    dst.arrive(req, inst, done)


def make_call(after, env):
    """``call(e, req, done, inst)``: send ``req`` over link ``e`` to instance ``inst`` of its
    target (-1: the target picks) and run ``done(outcome)`` when the answer is back.
    ``after`` is the kernel's; ``env`` (its SimPy Environment) lets the short paths push
    their events onto the heap directly."""
    heap, eid = _heap_of(env)

    def call(e, req, done, inst=-1):
        e.attempts += 1
        if e.fold:  # fixed, simple, no bandwidth, a latency: the way there is the one event
            lat = e.lat_s
            req.back += lat  # the client adds the way back when the answer reaches it
            heappush(heap, (env._now + lat, next(eid), _deliver, (e.dst, req, inst, done)))
            return
        if e.direct:
            e.dst.arrive(req, inst, done)
            return
        if e.fixed and e.simple:
            # The short path: the latency is the designed one and no partition can happen,
            # so a zero-latency link adds nothing at all between caller and target. Events
            # go straight onto SimPy's heap, as Kernel.after would put them.
            back = e.lat_s
            if back > 0.0 or e.relay:
                def answer(status, done=done):
                    heappush(heap, (env._now + back, next(eid), _reply, (done, status)))
            else:
                answer = done
            d = back + req.kb * e.s_per_kb
            if d > 0.0 or e.relay:
                heappush(heap, (env._now + d, next(eid), _deliver, (e.dst, req, inst, answer)))
            else:
                e.dst.arrive(req, inst, answer)
            return
        if e.simple and not e.partitioned:
            dst = e.dst
            d = e.lat_s + e.extra_s + req.kb * e.s_per_kb

            def answer(status):
                back = e.lat_s + e.extra_s
                if e.partitioned:
                    e.failed += 1
                    done(FAIL)
                elif back > 0.0 or e.relay:
                    after(back, lambda ev: done(status))
                else:
                    done(status)

            if d > 0.0 or e.relay:
                after(d, lambda ev: dst.arrive(req, inst, answer))
            else:
                dst.arrive(req, inst, answer)
            return
        _call_guarded(e, req, done, inst, after)

    return call


def _call_guarded(e, req, done, inst, after):
    """The general path: breaker, timeout, partition, retries."""
    tries = [0]
    env_now = e.src.sim.env
    retry = e.retry
    if retry is not None:
        retry.first_try(env_now.now)

    def attempt(_ev=None):
        br = e.breaker
        kind = 1
        if br is not None:
            kind = br.allow(env_now.now)
            if kind == 0:
                e.failed += 1
                done(FAIL)
                return
        settled = [False]

        def resolve(status):
            if settled[0]:
                return
            settled[0] = True
            if br is not None:
                br.record(env_now.now, status != FAIL, kind)
            if status == FAIL and tries[0] < e.retries and retry.allow_retry(env_now.now):
                wait = retry.wait(tries[0])
                tries[0] += 1
                e.retried += 1
                e.attempts += 1
                if wait > 0.0:
                    after(wait, attempt)
                else:
                    attempt()
                return
            if status == FAIL:
                e.failed += 1
            done(status)

        if e.timeout_s is not None:
            def on_timeout(ev):
                if not settled[0]:
                    e.timeouts += 1
                    resolve(FAIL)
            after(e.timeout_s, on_timeout)
        if e.partitioned:
            if e.timeout_s is None:
                resolve(FAIL)
            return

        def answer(status):
            if e.partitioned:
                if e.timeout_s is None:
                    resolve(FAIL)
                return
            back = e.lat_s + e.extra_s
            if back > 0.0 or e.relay:
                after(back, lambda ev: resolve(status))
            else:
                resolve(status)

        d = e.lat_s + e.extra_s + req.kb * e.s_per_kb
        dst = e.dst
        if d > 0.0 or e.relay:
            after(d, lambda ev: dst.arrive(req, inst, answer))
        else:
            dst.arrive(req, inst, answer)

    attempt()
