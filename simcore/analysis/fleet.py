"""Fleet failures (SPEC §7.1): how often something in the design breaks, however redundant.

A component's ``failures_per_year`` is the nodes its cost counts (instances, or database nodes,
plus standbys; see cost.billed_nodes) × 8,760 h / MTBF. With only an ``availability`` given, MTBF
follows from a = MTBF / (MTBF + MTTR) with MTTR 1 h, i.e. MTBF = a / (1 − a) hours; an
availability of 1 never fails. Groups are not counted. The notes' example: 100 servers at MTBF
2,000 h fail 438 times a year, about once a day.
"""

from __future__ import annotations

from simcore.analysis.cost import billed_nodes
from simcore.topology import Node

HOURS_PER_YEAR = 8760.0


def mtbf_hours(params) -> float:
    """Mean time between failures of one node, hours (∞ for an availability of 1)."""
    if params.mtbf_hours is not None:
        return float(params.mtbf_hours)
    a = params.instance_availability
    if a >= 1.0:
        return float("inf")
    return a * float(params.repair_hours) / (1.0 - a)


def failures_per_year(node: Node) -> float | None:
    """Expected failures a year of a component's nodes; None for a client."""
    if node.role == "source":
        return None
    return billed_nodes(node) * HOURS_PER_YEAR / mtbf_hours(node.params)
