"""A valid design compiled once into plain lookup tables, shared by the analysis and the
simulation: typed parameters, outgoing links in file order, split shares, effective link
latencies, group memberships and a stable topological order (simcore.graph, networkx), at
compile time and nowhere in an event loop.

Compiling a checked design reuses the typed parameters validation produced (each parameter set
is validated once): this runs on every edit in the designer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simcore.components import KINDS, KindSpec
from simcore.components.base import ParamsBase
from simcore.design import Design, Group
from simcore.graph import topological_order
from simcore.link_params import (
    CROSS_REGION_LATENCY_MS,
    CROSS_ZONE_LATENCY_MS,
    GroupParams,
    LinkParams,
)
from simcore.params import component_params, group_params, link_params
from simcore.problems import DesignError
from simcore.validate import validate_and_parse

if TYPE_CHECKING:
    from simcore.analysis.che import InstanceHits


@dataclass
class Edge:
    """A link, compiled. ``latency_ms`` is the effective one-way latency (defaults applied);
    ``share`` is w(source, target) for a splitting source (1 for services and queues); under
    least connections the analysis sets the capacity shares (SPEC §7.1) before using them."""

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
    computed_hit_ratio: float | None = None
    """A cache sized by ``capacity_keys``: its hit ratio by Che's approximation, once the
    analysis has settled it (simcore.analysis.che.settle_hit_ratios)."""
    instance_hit_ratios: InstanceHits | None = None
    """Such a cache's hit ratio h(k) with k of its instances up (simcore.analysis.che
    .InstanceHits), set with ``computed_hit_ratio``."""

    @property
    def role(self) -> str:
        return self.spec.role

    @property
    def behaviour(self):
        """The kind's role object (simcore.roles.Role)."""
        return self.spec.behaviour


@dataclass
class Topology:
    design: Design
    nodes: dict[str, Node]
    order: list[str]  # topological, ties broken by file order
    edges: dict[str, Edge]
    groups: dict[str, tuple[Group, GroupParams]]
    clients: list[str]
    capacity_shares_settled: bool = False
    """Whether the analysis has set the least-connections shares (see analysis.flow)."""
    hit_ratios_settled: bool = False
    """Whether the analysis has computed the hit ratios of sized caches (see analysis.che)."""

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
    parsed = None
    if check:
        problems, parsed = validate_and_parse(design)  # the typed parameters are reused below
        if problems:
            raise DesignError(problems)
    nodes: dict[str, Node] = {}
    for k, c in enumerate(design.components):
        params = parsed.components[k] if parsed else component_params(c)
        nodes[c.id] = Node(c.id, c.kind, KINDS[c.kind], params)
    groups: dict[str, tuple[Group, GroupParams]] = {}
    for k, g in enumerate(design.groups):
        groups[g.id] = (g, parsed.groups[k] if parsed else group_params(g))
        for m in g.members:
            if g.kind == "zone":
                nodes[m].zone = g.id
            else:
                nodes[m].region = g.id
    edges: dict[str, Edge] = {}
    for k, lk in enumerate(design.links):
        lp = parsed.links[k] if parsed else link_params(lk)
        a, b = nodes[lk.source], nodes[lk.target]
        e = Edge(lk.id, lk.source, lk.target, lp, _effective_latency(lp, a, b))
        edges[lk.id] = e
        a.out.append(e)
        b.inbound.append(e)
    for n in nodes.values():
        _set_shares(n)
        n.fed_only_by_queues = bool(n.inbound) and all(
            nodes[e.source].spec.behaviour.takes_messages for e in n.inbound)
    order = parsed.order if parsed else topological_order(
        [c.id for c in design.components], ((e.source, e.target) for e in edges.values()))
    clients = [c.id for c in design.components if nodes[c.id].spec.behaviour.is_source]
    return Topology(design, nodes, order, edges, groups, clients)


def _set_shares(n: Node) -> None:
    """Split shares w(x, t) (SPEC §3): by the role's link weights, else equal."""
    if not n.out or not n.spec.splits:
        return
    weights = n.spec.behaviour.split_weights(n)
    if weights is not None:
        total = sum(weights)
        for e, w in zip(n.out, weights):
            e.share = w / total
    else:
        for e in n.out:
            e.share = 1.0 / len(n.out)
