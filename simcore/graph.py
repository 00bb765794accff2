"""The design as a directed graph (components are nodes, links are edges), and the rules a link
must follow. Validation, the compiled topology and the designer's link tool all ask here, so a
rule is written once.

Graph algorithms come from networkx: topological order, cycles and reachability.
Link rules come from the kinds' roles (simcore.roles): what may link into what, and which link
parameters a source's links take.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from simcore.components.base import KindSpec
from simcore.link_params import SERVICE_ONLY, SPLIT_ONLY, LinkParams

Edge = tuple[str, str]


def digraph(nodes: Iterable[str], edges: Iterable[Edge]) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return g


def topological_order(nodes: list[str], edges: Iterable[Edge]) -> list[str]:
    """Callers before callees; among the parts ready at once, the earliest in ``nodes`` first.
    A cycle raises networkx.NetworkXUnfeasible."""
    index = {n: i for i, n in enumerate(nodes)}
    return list(nx.lexicographical_topological_sort(digraph(nodes, edges), key=index.__getitem__))


def order_or_cycle(nodes: list[str], edges: Iterable[Edge]
                   ) -> tuple[list[str] | None, list[str] | None]:
    """(``topological_order``, None) for an acyclic graph, else (None, one cycle as the list of
    its nodes, the first repeated at the end): one graph built for both questions."""
    g = digraph(nodes, edges)
    index = {n: i for i, n in enumerate(nodes)}
    try:
        return list(nx.lexicographical_topological_sort(g, key=index.__getitem__)), None
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(g)
        return None, [e[0] for e in cycle] + [cycle[0][0]]


def reaches(edges: Iterable[Edge], start: str, goal: str) -> bool:
    """Whether a path of links leads from ``start`` to ``goal`` (a part reaches itself)."""
    g = digraph((start, goal), edges)
    return nx.has_path(g, start, goal)


# --- link rules ---------------------------------------------------------------------------------

def link_keys(source: KindSpec | None) -> set[str]:
    """The link parameters that links from a component of kind ``source`` take."""
    keys = set(LinkParams.model_fields)
    if source is None or not source.splits:
        keys -= set(SPLIT_ONLY)
    if source is None or not source.behaviour.calls_links:
        keys -= set(SERVICE_ONLY)
    return keys


def link_refusal(source: KindSpec | None, target: KindSpec | None, source_label: str,
                 target_label: str) -> str | None:
    """Why no link at all may go from a component of kind ``source`` to one of kind
    ``target`` (labels name them), or None. Unknown kinds are refused elsewhere."""
    if target is not None and target.behaviour.is_source:
        return f"{target_label} is a {target.label.lower()}: it only sends, nothing links into it."
    if source is not None and source.terminal:
        return (f"{source_label} is a {source.label.lower()}: it serves requests and has no "
                "outgoing links.")
    return None


def link_problems(source: KindSpec | None, target: KindSpec | None, source_id: str,
                  target_id: str, raw_params: dict, params: LinkParams | None) -> list[str]:
    """Every rule a link breaks, as messages (validation names the link)."""
    out = []
    if target is not None and target.behaviour.is_source:
        out.append(f"a link into client '{target_id}': clients only send")
    if source is not None and source.terminal:
        out.append(f"'{source_id}' is a {source.label.lower()}, which has no outgoing links")
    if source is not None and not source.splits and "weight" in raw_params:
        out.append(f"'weight' needs a source that splits; '{source_id}' is a "
                   f"{source.label.lower()}")
    if source is None or not source.behaviour.calls_links:
        for key in SERVICE_ONLY:
            if key in raw_params:
                out.append(f"'{key}' only applies to links from a service")
    if (params is not None and params.mode == "async" and target is not None
            and not target.behaviour.takes_messages):
        out.append(f"an async link must end at a message queue, not at '{target_id}' "
                   f"({target.label.lower()})")
    return out
