"""Roles whose success is their own up state (SPEC §3: 1 when up): a message queue (enqueued is
done; every outgoing link is a subscription that receives every message, and nobody waits for
the consumers) and a terminal (blob storage, an external service: serve and answer)."""

from __future__ import annotations

from simcore.roles.base import Role


class LeafRole(Role):
    leaf_success = True

    def is_boolean(self, nm, rtype, child_boolean) -> bool:
        return True

    def vec(self, sm, nm, up, u, rtype, kids):
        zero = ~u
        return zero.astype(float), zero

    def sparse(self, nm, rtype, kids, kid_outs, own, primary_row):
        return (0.0, False), {r: (1.0, True) for r in own}

    def exact(self, nm, rtype, up, dn, kids):
        return dn, 0.0


class QueueRole(LeafRole):
    name = "queue"
    takes_messages = True

    def link_flow(self, node, edge):
        return 1.0, 1.0, 0.0, 0.0  # every consumer gets every message; none is waited for

    def availability_links(self, node, full_service=False):
        return []  # an enqueued request is done

    def runtime_class(self):
        from simcore.engine.storage import QueueNode

        return QueueNode


class TerminalRole(LeafRole):
    name = "terminal"
    terminal = True

    def link_flow(self, node, edge):
        return None  # no outgoing links (validated)

    def runtime_class(self):
        from simcore.engine.nodes import TerminalNode

        return TerminalNode
