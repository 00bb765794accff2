"""The message queue at run time."""

from __future__ import annotations

from collections import deque

from simcore.engine.calls import TrackedReq
from simcore.engine.kernel import OK
from simcore.engine.nodes import RNode


class Message(TrackedReq):
    """One subscription's copy of a message. ``t0`` is when it was enqueued (the delivery
    delay runs from there); ``since`` when it last joined its backlog (its age there);
    ``deliveries`` how many times a consumer has taken it; ``sub`` its subscription and
    ``done`` the consumer's answer about it. Each copy is a call of its own (engine.calls): a
    redelivered copy that writes again at a terminal is a duplicate."""

    __slots__ = ("deliveries", "done", "since", "sub")


class Subscription:
    """One outgoing link of a queue: the backlog (FIFO) of copies waiting for its consumer."""

    __slots__ = ("backlog", "edge", "queue")

    def __init__(self, queue, edge):
        self.queue = queue
        self.edge = edge
        self.backlog: deque = deque()


class QueueNode(RNode):
    """message_queue (SPEC §7.3): accepts a message (own work: persisting it) and answers at
    once when up; every subscription (outgoing link) then keeps a copy in its own backlog,
    which its consumer pulls from when a worker is free (``RNode.pull``).

    A copy that meets a backlog of ``capacity`` copies, or the run's bound on waiting work
    (``Sim.max_waiting``), is lost (``lost_messages``), never silently. A copy whose processing
    fails goes back to the tail of its backlog, until it has been delivered ``max_deliveries``
    times; then it is dead-lettered. While the queue is down nothing is delivered; a
    non-durable queue loses its backlog when it goes down. Counters cover the time after the
    warm-up; ``max_backlog`` and ``backlog()`` are sums over the subscriptions."""

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        p = self.params
        self.capacity = None if p.capacity is None else int(p.capacity)
        self.max_deliveries = int(p.max_deliveries)
        self.durable = bool(p.durable)
        self.subs: list[Subscription] = []
        self.held = 0  # copies waiting, over all subscriptions
        self.accepted = 0
        self.lost_messages = 0
        self.dead_lettered = 0
        self.delivered = 0  # copies processed successfully
        self.delay_sum = 0.0  # their enqueue-to-processed times, s
        self.max_backlog = 0
        self.a_depth = 0.0
        self.t_depth = 0.0

    def finish_links(self):
        super().finish_links()
        self.subs = [Subscription(self, e) for e in self.out]
        for sub in self.subs:
            sub.edge.dst.feeds.append(sub)

    def backlog(self) -> int:
        """Copies waiting, summed over subscriptions."""
        return self.held

    def oldest_age(self) -> float:
        """Seconds the longest-waiting copy has been in its backlog (0 when none waits)."""
        heads = [sub.backlog[0].since for sub in self.subs if sub.backlog]
        return self.env.now - min(heads) if heads else 0.0

    def tick_depth(self):
        now = self.env.now
        self.a_depth += self.held * (now - self.t_depth)
        self.t_depth = now

    def arrive(self, req, inst, done):
        self.serve_then(req, inst, done, self._accept)

    def _accept(self, req, done):
        self.accepted += 1
        now = self.env.now
        # a copy carries the request's idempotency key (its repeats are the same call)
        idem = req.root.idem if self.sim.tracking else False
        for sub in self.subs:
            msg = Message(req.read, now, False, req.kb, idem)
            msg.deliveries = 0
            msg.sub = sub
            msg.done = self._answer_for(msg)
            self._enqueue(msg)
            sub.edge.dst.poke()
        done(OK)

    def _answer_for(self, msg):
        def answered(status):
            self._processed(msg, status)
        return answered

    def _enqueue(self, msg) -> bool:
        """Put a copy at the tail of its backlog; False (and counted lost) when it is full."""
        sub = msg.sub
        sim = self.sim
        if self.capacity is not None and len(sub.backlog) >= self.capacity:
            self.lost_messages += 1
            return False
        if sim.in_flight + sim.held_messages >= sim.max_waiting:
            self.lost_messages += 1
            sim.mark_saturated(self)
            return False
        self.tick_depth()
        msg.since = self.env.now
        sub.backlog.append(msg)
        self.held += 1
        sim.held_messages += 1
        self.max_backlog = max(self.max_backlog, self.held)
        return True

    def take(self, sub):
        """The consumer takes the copy at the head of ``sub``'s backlog."""
        self.tick_depth()
        msg = sub.backlog.popleft()
        self.held -= 1
        self.sim.held_messages -= 1
        msg.deliveries += 1
        return msg

    def _processed(self, msg, status) -> None:
        consumer = msg.sub.edge.dst
        if status == OK:
            consumer.consumed_ok += 1
            self.delivered += 1
            self.delay_sum += self.env.now - msg.t0
            return
        consumer.consumed_failed += 1
        if msg.deliveries >= self.max_deliveries:
            self.dead_lettered += 1
        elif self._enqueue(msg):
            # the consumer pulls it again once the failure's handling is over (an event,
            # so that a consumer failing at once does not nest its retries)
            self.after(0.0, lambda _ev: consumer.poke())

    def _apply(self, new):
        was_up = self.n_alive > 0
        super()._apply(new)
        if was_up and not self.n_alive and not self.durable:
            self.tick_depth()
            for sub in self.subs:
                sub.backlog.clear()
            self.lost_messages += self.held
            self.sim.held_messages -= self.held
            self.held = 0
