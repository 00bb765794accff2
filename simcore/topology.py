"""A valid design compiled once into plain lookup tables, shared by the analysis and the
simulation: typed parameters, outgoing links in file order, split shares, effective link
latencies, group memberships and a stable topological order. networkx is used here, at compile
time, and nowhere in an event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from simcore.components import KINDS, KindSpec
from simcore.components.base import ParamsBase
from simcore.design import Design, Group
from simcore.link_params import (
    CROSS_REGION_LATENCY_MS,
    CROSS_ZONE_LATENCY_MS,
    GroupParams,
    LinkParams,
)
from simcore.params import component_params, group_params, link_params
from simcore.problems import DesignError
from simcore.validate import validate

# Kinds whose split over targets follows link weights always (SPEC §3, "Split shares").
_WEIGHTED_ALWAYS = {"client", "api_gateway", "rate_limiter", "cache", "cdn"}
_BALANCERS = {"dns", "load_balancer", "reverse_proxy"}


@dataclass
class Edge:
    """A link, compiled. ``latency_ms`` is the effective one-way latency (defaults applied);
    ``share`` is w(source, target) for a splitting source (1 for services and queues)."""

    id: str
    source: str
    target: str
    params: LinkParams
    latency_ms: float
    share: float = 1.0

    def transmission_ms(self, request_kb: float) -> float:
        """Time for a request of ``request_kb`` KB (1 KB = 1000 bytes) to cross toward the
        target: request_kb · 8 / bandwidth_mbps ms; 0 with no bandwidth set."""
        bw = self.params.bandwidth_mbps
        return 0.0 if bw is None else request_kb * 8.0 / bw


@dataclass
class Node:
    """A component, compiled."""

    id: str
    kind: str
    spec: KindSpec
    params: ParamsBase
    out: list[Edge] = field(default_factory=list)
    inbound: list[Edge] = field(default_factory=list)
    zone: str | None = None
    region: str | None = None
    fed_only_by_queues: bool = False
    """A consumer whose every caller is a message queue: its instances pull from one shared
    queue (one pool of instances × workers)."""

    @property
    def role(self) -> str:
        return self.spec.role


@dataclass
class Topology:
    design: Design
    nodes: dict[str, Node]
    order: list[str]  # topological, ties broken by file order
    edges: dict[str, Edge]
    groups: dict[str, tuple[Group, GroupParams]]
    clients: list[str]

    def groups_of(self, cid: str) -> list[str]:
        n = self.nodes[cid]
        return [g for g in (n.zone, n.region) if g is not None]


def _effective_latency(lp: LinkParams, a: Node, b: Node) -> float:
    if lp.latency_ms is not None:
        return float(lp.latency_ms)
    if a.region is not None and b.region is not None and a.region != b.region:
        return CROSS_REGION_LATENCY_MS
    if a.zone is not None and b.zone is not None and a.zone != b.zone:
        return CROSS_ZONE_LATENCY_MS
    return 0.0


def compile_design(design: Design, check: bool = True) -> Topology:
    """Compile ``design``. With ``check``, a design with problems raises DesignError."""
    if check:
        problems = validate(design)
        if problems:
            raise DesignError(problems)
    nodes: dict[str, Node] = {}
    for c in design.components:
        nodes[c.id] = Node(c.id, c.kind, KINDS[c.kind], component_params(c))
    groups: dict[str, tuple[Group, GroupParams]] = {}
    for g in design.groups:
        groups[g.id] = (g, group_params(g))
        for m in g.members:
            if g.kind == "zone":
                nodes[m].zone = g.id
            else:
                nodes[m].region = g.id
    edges: dict[str, Edge] = {}
    for lk in design.links:
        lp = link_params(lk)
        a, b = nodes[lk.source], nodes[lk.target]
        e = Edge(lk.id, lk.source, lk.target, lp, _effective_latency(lp, a, b))
        edges[lk.id] = e
        a.out.append(e)
        b.inbound.append(e)
    for n in nodes.values():
        _set_shares(n)
        n.fed_only_by_queues = bool(n.inbound) and all(
            nodes[e.source].kind == "message_queue" for e in n.inbound)
    index = {c.id: i for i, c in enumerate(design.components)}
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((e.source, e.target) for e in edges.values())
    order = list(nx.lexicographical_topological_sort(g, key=lambda v: index[v]))
    clients = [c.id for c in design.components if c.kind == "client"]
    return Topology(design, nodes, order, edges, groups, clients)


def _set_shares(n: Node) -> None:
    if not n.out or not n.spec.splits:
        return
    weighted = n.kind in _WEIGHTED_ALWAYS or (
        n.kind in _BALANCERS and getattr(n.params, "algorithm", "") == "weighted"
    )
    if weighted:
        total = sum(e.params.weight for e in n.out)
        for e in n.out:
            e.share = e.params.weight / total
    else:
        for e in n.out:
            e.share = 1.0 / len(n.out)
