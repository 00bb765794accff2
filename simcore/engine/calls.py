"""Call identity: duplicate writes at the terminals and degraded requests (SPEC §7.7).

A write executed at a terminal (a database, blob storage, an external service) is a duplicate
when the same call already executed there: the same client request (or the same message copy
from a queue), over the same path of links. Retries make them — a client that times out and
sends again, a link that resends after a lost answer, a queue that delivers a failed message
again — so a design without any of those cannot have any, and runs without this bookkeeping. A request of a client with
``idempotency_keys`` carries a key: the terminal recognises the repeat, still spends its
service time on it, and counts it as ``deduplicated`` instead of running it twice.

A request is *degraded* when an ``optional`` call failed on its way and it still succeeded.

In a tracked run every crossing of a link gives the request a small copy of itself that adds
the link to its path and points to the original (``root``), where the executions, the key
and the degraded mark live.
"""

from __future__ import annotations

from simcore.engine.clients import Req


def needs_tracking(topology) -> bool:
    """Whether a run of the compiled design must track call identity: some client or link
    retries, some queue redelivers failed messages, or some link is optional."""
    for n in topology.nodes.values():
        b = n.spec.behaviour
        if b.is_source and (n.params.retries > 0 or n.params.idempotency_keys):
            return True
        if b.takes_messages and getattr(n.params, "max_deliveries", 1) > 1 and n.out:
            return True
    return any(e.params.retries > 0 or e.params.optional for e in topology.edges.values())


class TrackedReq(Req):
    """A request in a tracked run: ``root`` the client's request (or the message copy) it
    belongs to, ``path`` the link ids crossed to get here, ``idem`` whether it carries an
    idempotency key; on the root, ``execs`` the paths at which a terminal executed it (None
    before the first) and ``degraded`` whether an optional call failed on its way."""

    __slots__ = ("degraded", "execs", "idem", "path", "root")

    def __init__(self, read: bool, t0: float, counted: bool, kb: float, idem: bool = False):
        super().__init__(read, t0, counted, kb)
        self.root = self
        self.path = ()
        self.idem = idem
        self.execs = None
        self.degraded = False

    def across(self, link_id: str) -> TrackedReq:
        """The request as it arrives over link ``link_id``."""
        r = TrackedReq.__new__(TrackedReq)
        r.read = self.read
        r.t0 = self.t0
        r.counted = self.counted
        r.kb = self.kb
        r.back = 0.0
        r.root = self.root
        r.path = self.path + (link_id,)
        r.idem = self.idem
        session = getattr(self, "session", None)
        if session is not None:
            r.session = session
        return r


def tracked_call(call):
    """``call`` (links.make_call's) with each request given its path as it crosses."""
    def call_tracked(e, req, done, inst=-1):
        call(e, req.across(e.id), done, inst)

    return call_tracked


def note_write(node, req) -> None:
    """A write of ``req`` was executed at terminal ``node``: count it when it repeats a call
    already executed there (``node.duplicate_executions``, or ``node.deduplicated`` when the
    request carries an idempotency key)."""
    root = req.root
    key = (node.id, req.path)
    if root.execs is None:
        root.execs = {key}
    elif key not in root.execs:
        root.execs.add(key)
    elif root.idem:
        node.deduplicated += 1
    else:
        node.duplicate_executions += 1
