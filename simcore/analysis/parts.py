"""Independent parts of a design: sets of components that share no component, group or link with
any other set (SPEC §7.2, and issue 14's scale target: 1,000 zoned stacks are 1,000 parts).

Components fail independently and groups fail as a whole, so the up/down states of two parts are
independent, and a request stays inside the part of its client. Any expectation over states that
is a sum over clients (availability, availability under load) is therefore the sum of each part's
own expectation: the parts can be solved apart, each with its own small state space, and added
exactly.
"""

from __future__ import annotations

from simcore.topology import Topology


def independent_parts(topo: Topology) -> list[list[str]]:
    """The design's components split into independent parts (links and shared groups join
    components), each part in topological order, the parts in the order of their first
    component; a component with no link and no group is a part of its own."""
    parent = {cid: cid for cid in topo.order}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving keeps the trees flat
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra

    for e in topo.edges.values():
        join(e.source, e.target)
    for g, _ in topo.groups.values():
        members = list(g.members)
        for m in members[1:]:
            join(members[0], m)
    parts: dict[str, list[str]] = {}
    for cid in topo.order:
        parts.setdefault(root(cid), []).append(cid)
    return list(parts.values())
