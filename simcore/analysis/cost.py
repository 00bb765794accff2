"""Monthly cost (SPEC §3): cost_per_hour × 730 h × the nodes a component pays for."""

from __future__ import annotations

from simcore.topology import Node

HOURS_PER_MONTH = 730.0


def billed_nodes(node: Node) -> int:
    """Nodes a component pays for, as its role counts them: its instances (a database: shards ×
    (1 + replicas)) plus its standbys (one for a component; one per shard primary for a
    database); 0 for a client."""
    return node.spec.behaviour.billed_nodes(node.params)


def monthly_cost(node: Node) -> float | None:
    """Dollars per month for a component; None for a client (it costs nothing of the design)."""
    if node.spec.behaviour.is_source:
        return None
    return float(node.params.cost_per_hour) * HOURS_PER_MONTH * billed_nodes(node)
