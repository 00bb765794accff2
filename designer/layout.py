"""Automatic layout: components left to right by depth (networkx topological generations),
with the members of each zone and region kept together and nothing overlapping.

Each zone/region combination gets a horizontal lane of its own (components in no group share
one), lanes stacked top to bottom with room for the groups' margins and titles between them;
within a lane, a column holds the components of one depth, ordered after their callers so
that links cross little. Qt-free: positions are the components' top-left corners on the grid.
"""

from __future__ import annotations

import networkx as nx

BOX_W, BOX_H = 160.0, 60.0
"""A component's box on the canvas."""
GRID = 20.0
COLUMN_STEP = BOX_W + 100.0
ROW_STEP = BOX_H + 40.0
ZONE_ROOM = 2 * 20.0 + 22.0 + 20.0
"""Extra space between two lanes whose zones differ: both boxes' margins, a title, a gap."""
REGION_ROOM = 2 * 40.0 + 22.0 + 20.0


def needs_layout(design) -> bool:
    """True for a design whose components were given no places: several at (0, 0) (a file
    written by hand, by a script or by ``skyline estimate``); they would open as a pile."""
    return sum(1 for c in design.components if c.x == 0 and c.y == 0) >= 2


def _depths(design) -> dict[str, int]:
    graph = nx.DiGraph()
    graph.add_nodes_from(c.id for c in design.components)
    graph.add_edges_from((lk.source, lk.target) for lk in design.links
                         if lk.source in graph and lk.target in graph)
    if not nx.is_directed_acyclic_graph(graph):  # a design being mended: order its cycles
        cond = nx.condensation(graph)
        members = cond.graph["mapping"]
        level = {n: d for d, gen in enumerate(nx.topological_generations(cond)) for n in gen}
        return {cid: level[members[cid]] for cid in graph}
    return {cid: d for d, gen in enumerate(nx.topological_generations(graph)) for cid in gen}


def _lane_of(design) -> dict[str, tuple[str, str]]:
    """(region id, zone id) of each component ("" where it is in none)."""
    lane = {c.id: ["", ""] for c in design.components}
    for g in design.groups:
        for m in g.members:
            if m in lane:
                lane[m][0 if g.kind == "region" else 1] = g.id
    return {cid: (r, z) for cid, (r, z) in lane.items()}


def _snap(v: float) -> float:
    return round(v / GRID) * GRID


def auto_layout(design) -> dict[str, tuple[float, float]]:
    """Component id → new (x, y) for every component."""
    depth = _depths(design)
    lanes = _lane_of(design)
    order = {c.id: i for i, c in enumerate(design.components)}
    callers: dict[str, list[str]] = {}
    for lk in design.links:
        callers.setdefault(lk.target, []).append(lk.source)
    keys = sorted(set(lanes.values()), key=lambda k: (k[0] == "", k[0], k[1] == "", k[1]))
    positions: dict[str, tuple[float, float]] = {}
    row_of: dict[str, float] = {}
    top = 0.0
    previous = None
    for key in keys:
        if previous is not None:
            top += ROW_STEP - BOX_H
            top += REGION_ROOM if key[0] != previous[0] else 0.0
            top += ZONE_ROOM if key != previous and (key[1] or previous[1]) else 0.0
        rows = 0
        by_depth: dict[int, list[str]] = {}
        for cid in (c.id for c in design.components if lanes[c.id] == key):
            by_depth.setdefault(depth[cid], []).append(cid)
        for d in sorted(by_depth):
            def after_callers(cid):
                seen = [row_of[s] for s in callers.get(cid, []) if s in row_of]
                return (sum(seen) / len(seen) if seen else float("inf"), order[cid])

            column = sorted(by_depth[d], key=after_callers)
            for i, cid in enumerate(column):
                row_of[cid] = top / ROW_STEP + i
                positions[cid] = (_snap(d * COLUMN_STEP), _snap(top + i * ROW_STEP))
            rows = max(rows, len(column))
        top += (rows - 1) * ROW_STEP + BOX_H
        previous = key
    return positions
