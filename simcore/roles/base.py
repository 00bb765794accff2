"""What a role is: the behaviour shared by every kind that treats a request the same way
(SPEC §2, §3). A kind's declaration names its role; the analysis, the availability code, the
engine and validation ask the role, never the kind's name.

A role answers, for one compiled component (``simcore.topology.Node``):
- the flow: how a request is split over the outgoing links (``split_weights``, ``link_flow``),
  the parameters the traffic analysis reads (``plan``) and its rate limit (``limit``);
- its capacity (``servers``) and the nodes it pays for (``billed_nodes``);
- its success rule P(x, r) of SPEC §3, in the three forms the availability code needs: over many
  up/down states at once (``vec``, numpy rows), per single failure (``sparse``, scalar rows) and
  as an exact expectation over independent targets (``exact``, the pair Z = Pr[P = 0],
  H = E[(1 − P); P > 0]);
- at run time, its engine node class (``runtime_class``) and what a health check sees
  (``serves``).

The subclasses live in this package, one module per family of roles.
"""

from __future__ import annotations

import numpy as np

from simcore.roles.standby import component_down_probability

READ, WRITE = "read", "write"


class TooBig(Exception):
    """An exact availability computation would exceed its limits (the caller falls back to
    Monte Carlo)."""


class Role:
    """Base of every role. The class attributes are facts about the role that validation, the
    designer and the algorithms read; the methods are its rules (subclasses override them)."""

    name = ""
    is_source = False  # produces traffic (a client): no parameters of a served component
    splits = False  # sends each request to one of its targets: links take a `weight`
    needs_target = False  # a validation error when it has no outgoing link
    terminal = False  # outgoing links are an error
    calls_links = False  # calls every outgoing link in order: links take `probability`, `mode`
    takes_messages = False  # accepts async enqueues; every outgoing link is a subscription
    per_node_state = False  # its nodes (not the component) fail apart: a database
    leaf_success = False  # P(x, r) is 1 when x is up and 0 when down, whatever is below

    # --- flow ---------------------------------------------------------------------------
    def split_weights(self, node) -> list[float] | None:
        """The link weights by which a request is split over ``node.out`` (normalised by the
        caller); None for equal shares. Only asked of a role that splits."""
        return [e.params.weight for e in node.out]

    def plan(self, node, np_) -> None:
        """Fill the traffic analysis' NodePlan ``np_`` from the component's parameters."""
        from simcore.analysis.queueing import service_cv

        p = node.params
        np_.service_s = float(p.service_time_ms) / 1000.0
        np_.service_cv = service_cv(p.service_distribution, p.service_cv)
        np_.workers = int(p.workers)
        np_.instances = int(p.instances)
        np_.pooled = bool(node.fed_only_by_queues)
        lim = self.limit(p)
        if lim is not None:
            np_.limit_rps = float(lim[1])

    def splits_by_capacity(self, node) -> bool:
        """Whether its split shares are its targets' capacities (set by the analysis)."""
        return False

    def link_flow(self, node, edge) -> tuple[float, float, float, float] | None:
        """(flow_read, flow_write, cost_read, cost_write) of one outgoing link: the share of the
        component's reads and writes sent over it, and its weight in the downstream time D."""
        s = edge.share
        return s, s, s, s

    def hit_ratio(self, node) -> float | None:
        """The share of reads it answers itself (a cache: the one the analysis uses); None
        for a role that answers none."""
        return None

    def limit(self, params) -> tuple[str, float, float | None] | None:
        """(policy, limit_rps, burst) of the component's rate limit, or None."""
        return None

    def servers(self, node) -> int:
        """Workers that serve requests at once, over all instances (capacity = servers / H)."""
        p = node.params
        return int(p.instances) * int(p.workers)

    def billed_nodes(self, params) -> int:
        """Nodes the component pays for: its instances plus its standby."""
        return int(params.instances + (1 if params.standby != "none" else 0))

    # --- availability: the model --------------------------------------------------------
    def setup_model(self, node, nm) -> None:
        """Fill the availability NodeModel ``nm``: the probability that the component is down."""
        nm.instances = node.params.instances
        nm.standby = node.params.standby != "none"
        nm.q = component_down_probability(node.params)

    def own_availability(self, params) -> float:
        """The component's own up-probability, instances and standby (groups not counted)."""
        return 1.0 - component_down_probability(params)

    def availability_links(self, node, full_service=False):
        """(target, share, weight, p) for each outgoing link that matters to a request's
        success: ``share`` the split share, ``weight`` a balancer's renormalisation weight,
        ``p`` a service's call probability. With ``full_service`` a request also needs its
        optional calls (SPEC §7.7 ``full_service_availability``)."""
        return [(e.target, float(e.share), 1.0, 1.0) for e in node.out]

    def type_independent(self, nm) -> bool:
        """Whether its own rule is the same for reads and writes."""
        return True

    def is_boolean(self, nm, rtype: str, child_boolean) -> bool:
        """Whether P(x, r) is 0 or 1 in every state; ``child_boolean(target)`` asks a target."""
        return len(nm.children) == 1 and child_boolean(nm.children[0].target)

    # --- availability: the three forms of the success rule ------------------------------
    def vec(self, sm, nm, up: np.ndarray, u: np.ndarray, rtype: str, kids):
        """(F, zero) per state row: F = 1 − P, zero = (P == 0). ``up`` the state rows, ``u``
        whether the component itself is up in each, ``kids`` [(Child, (F, zero))]."""
        raise NotImplementedError

    def sparse(self, nm, rtype: str, kids, kid_outs, own: list[int], primary_row):
        """((F, zero) with everything up, {row: (F, zero)}) for single-failure rows: ``own`` the
        rows where the component itself is down, ``kid_outs`` its targets' same pairs."""
        raise NotImplementedError

    def exact(self, nm, rtype: str, up, dn, kids):
        """(Z, H) from its own up probability (``up``, ``dn`` = 1 − up carried exactly) and its
        independent targets' [(Child, Z, H)]."""
        raise NotImplementedError

    # --- the engine ---------------------------------------------------------------------
    def runtime_class(self):
        """The engine's node class that runs a component of this role."""
        raise NotImplementedError

    def serves(self, n, r: int, ok) -> bool:
        """What a health check sees: whether run-time node ``n`` can serve a read (r = 0) or a
        write (r = 1) now, ``ok[id][r]`` already known for the nodes below."""
        return n.up

    def __repr__(self) -> str:
        return f"<role {self.name}>"


def any_target(n, r: int, ok) -> bool:
    """Whether some outgoing link of run-time node ``n`` reaches a target serving type r."""
    return any(ok[e.dst.id][r] and not e.partitioned for e in n.out if e.share > 0)


def ordered_sum(changed: list, base_terms: list[float], nonzero: list[int]) -> float:
    """Σ over the targets in order of their terms, ``changed`` [(index, term)] (in order)
    replacing the all-up ones; zero terms are left out, which changes nothing."""
    if not nonzero:
        acc = 0.0
        for _j, t in changed:
            acc += t
        return acc
    terms = {j: base_terms[j] for j in nonzero}
    terms.update(changed)
    acc = 0.0
    for j in sorted(terms):
        acc += terms[j]
    return acc


def rows_by_target(kid_outs, own: list[int]):
    """The all-up pairs of the targets, and per row the targets whose pair differs there
    ({row: [(index, (F, zero))]}), with the component's own rows present (maybe empty)."""
    kb = [o[0] for o in kid_outs]
    per_row: dict[int, list] = {}
    for j, o in enumerate(kid_outs):
        for r, v in o[1].items():
            lst = per_row.get(r)
            if lst is None:
                per_row[r] = [(j, v)]
            else:
                lst.append((j, v))
    for r in own:
        per_row.setdefault(r, [])
    return kb, per_row
