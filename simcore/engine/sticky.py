"""Sticky sessions on a load balancer or reverse proxy (SPEC §7.8).

With ``sticky: true`` every client session is pinned to the target instance its first request
went to (chosen by the balancer's algorithm), and its later requests go there too while the
health check sees that instance serving. When it does not any more (the instance failed, or an
autoscaled service removed it) the session's next request is placed again by the algorithm:
the session moved, and it is counted once in ``lost_sessions`` (its in-memory state is gone),
unless the balancer's ``session_store`` is ``external``. Requests from clients carry a session
drawn uniformly from the client's ``sessions``; a request without one (a queue's message) is
balanced as usual.
"""

from __future__ import annotations

from simcore.engine.streams import Uniform


def with_sessions(new_req, client_index: int, sessions: int, rng):
    """``new_req`` (a client's request factory) giving each request a session drawn
    uniformly from the client's ``sessions`` (from its own random stream ``rng``)."""
    u = Uniform(rng)

    def make(read, t0, counted, kb):
        req = new_req(read, t0, counted, kb)
        req.session = (client_index, int(u.next() * sessions))
        return req

    return make


class StickySessions:
    """The pins of one balancer: {session: (target index, instance)}."""

    def __init__(self, balancer):
        self.b = balancer
        self.pins: dict = {}
        self.keeps_state = balancer.params.session_store == "external"
        self.lost_sessions = 0

    def route(self, req, done) -> None:
        b = self.b
        view = b.view_r if req.read else b.view_w
        session = getattr(req, "session", None)
        pin = self.pins.get(session) if session is not None else None
        if pin is not None:
            ti, k = pin
            if k in view[ti]:
                b.send(req, done, ti, k)
                return
            if not self.keeps_state:
                self.lost_sessions += 1
        placed = b._route(req, done)
        if placed is not None and session is not None:
            self.pins[session] = placed
