"""The message queue at run time."""

from __future__ import annotations

from simcore.engine.kernel import FAIL, OK
from simcore.engine.nodes import POOL_BACKLOG_CAP, RNode


class Subscription:
    """One outgoing link of a queue: its messages in transit and waiting for the consumer."""

    __slots__ = ("edge", "in_transit", "waiting", "delivered")

    def __init__(self, edge):
        self.edge = edge
        self.in_transit = 0
        self.waiting = 0
        self.delivered = 0

    @property
    def depth(self) -> int:
        return self.in_transit + self.waiting


class QueueNode(RNode):
    """message_queue: accepts a message (own work: persisting it) and answers at once, if up
    and holding fewer than ``capacity`` messages; every subscription then receives a copy.
    A message is held until every subscription has taken it, so the queue holds the deepest
    subscription's backlog. Consumers fed only by queues pull from their shared pool; others
    receive the message as an ordinary request."""

    def __init__(self, sim, node, rep):
        super().__init__(sim, node, rep)
        cap = self.params.capacity
        self.capacity = None if cap is None else int(cap)
        self.subs: list[Subscription] = []
        self.accepted = 0
        self.full = 0
        self.a_depth = 0.0
        self.t_depth = 0.0

    def finish_links(self):
        super().finish_links()
        self.subs = [Subscription(e) for e in self.out]

    def depth(self) -> int:
        return max((s.depth for s in self.subs), default=0)

    def backlog(self) -> int:
        """Messages waiting, summed over subscriptions."""
        return sum(s.depth for s in self.subs)

    def tick_depth(self):
        now = self.env.now
        self.a_depth += self.backlog() * (now - self.t_depth)
        self.t_depth = now

    def arrive(self, req, inst, done):
        self.serve_then(req, inst, done, self._accept)

    def _accept(self, req, done):
        if self.capacity is not None and self.depth() >= self.capacity:
            self.full += 1
            done(FAIL)
            return
        if self.capacity is None and self.depth() >= POOL_BACKLOG_CAP:
            # unbounded by the design, bounded by memory: refuse rather than accept a message
            # the consumer's pool would have to drop, and say the queue is saturated
            self.full += 1
            self.sim.mark_saturated(self)
            done(FAIL)
            return
        self.accepted += 1
        self.tick_depth()
        for sub in self.subs:
            self._deliver(sub, req)
        done(OK)

    def _deliver(self, sub, req):
        e = sub.edge
        msg = self.sim.message_from(req)
        dst = e.dst
        if not dst.pool:
            self.call(e, msg, _ignore)
            return
        sub.in_transit += 1
        d = e.lat_s + e.extra_s + msg.kb * e.s_per_kb

        def landed(ev=None):
            self.tick_depth()
            sub.in_transit -= 1
            sub.waiting += 1

            def consumed(status):
                if status == OK:
                    dst.consumed_ok += 1
                else:
                    dst.consumed_failed += 1

            def taken():
                # the consumer pool started the message: it leaves the queue
                self.tick_depth()
                sub.waiting -= 1
                sub.delivered += 1

            dst.consume(msg, taken, consumed)

        if d > 0.0:
            self.after(d, landed)
        else:
            landed()


def _ignore(status):
    pass
