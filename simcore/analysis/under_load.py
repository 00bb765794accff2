"""Availability under load (N+1), SPEC §7.2: the availability when a survivor may be unable to
carry the load of what failed.

    rep = availability_under_load(topo, plan, hold, client_weights, spofs)

``availability_under_load`` is the expectation over up/down states of the share of admitted
requests that complete, with shedding (state_flow.py), weighted over clients as the availability
is. The design is first split into independent parts (parts.py); each part is solved apart and the
parts add exactly. A part with at most ``EXACT_STATES`` states (as SPEC §7.2 counts them) is
enumerated; a bigger one is sampled (seeded, ``MC_STATES`` states in chunks), and the result then
carries a 95% interval. The unavailability is carried on its own, as the expectation of the lost
share, so that many nines keep their digits.

``one_down_impact`` of a component: the share of requests lost, with shedding, when one of its
instances is down and everything else up, against everything up (floored at 0); ``capacity_risks``
are the components with such an impact above 10⁻¹² that are no SPOF.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simcore.analysis.flow import Plan
from simcore.analysis.parts import independent_parts
from simcore.analysis.state_flow import StateFlow, behind_queues
from simcore.analysis.state_space import (
    DistinctSampler,
    enumerate_states,
    part_variables,
    spec_state_count,
)
from simcore.topology import Topology

EXACT_STATES = 65_536
"""Largest state space (per independent part) that is enumerated."""
MC_STATES = 200_000
"""States drawn for a part beyond that."""
MC_SEED = 20_261_206
_CHUNK = 25_000
_CHUNK_CELLS = 12_500_000
"""At most this many (state, variable) cells per chunk: a part with many variables (a database of
a thousand shards) is sampled in smaller chunks, so memory stays bounded (a few hundred MB)."""
RISK_THRESHOLD = 1e-12
_NULL_ROLES = ("source", "database")
"""Roles whose one_down_impact is null: clients, and databases (their nodes fail apart)."""


@dataclass
class UnderLoadReport:
    availability: float
    unavailability: float
    method: str  # "exact" or "monte_carlo"
    ci95: list[float] | None
    one_down_impact: dict[str, float | None] = field(default_factory=dict)
    capacity_risks: list[str] = field(default_factory=list)
    risk_detail: dict[str, str] = field(default_factory=dict)  # id -> the explaining sentence


def _normalised(weights: dict[str, float], clients: list[str]) -> dict[str, float]:
    total = sum(weights.get(c, 0.0) for c in clients)
    if total > 0:
        return {c: weights.get(c, 0.0) / total for c in clients}
    return {c: 1.0 / len(clients) for c in clients} if clients else {}


@dataclass
class Structural:
    """The structural availability (SPEC §3) where it is exact: per client its availability,
    per component its failure impact. A part that can shed nothing takes its figures from it."""

    per_client: dict[str, float]
    failure_impact: dict[str, float]


def availability_under_load(topo: Topology, plan: Plan, hold: list[float],
                            client_weights: dict[str, float], spofs: list[str],
                            structural: Structural | None = None) -> UnderLoadReport:
    """SPEC §7.2 for a checked design: ``hold`` the all-up holding times (seconds, per plan
    node), ``client_weights`` the clients' admitted rps, ``spofs`` the design's SPOFs. With
    ``structural`` (exact figures of SPEC §3), parts in which no state can overload anything
    are not enumerated: there the availability under load is the structural one."""
    weights = _normalised(client_weights, list(topo.clients))
    u_total = 0.0
    var_total = 0.0
    sampled = False
    impacts: dict[str, float | None] = {}
    details: dict[str, str] = {}
    queued = behind_queues(topo)
    for k, part in enumerate(independent_parts(topo)):
        flow = StateFlow(topo, plan, hold, part, queued)
        if not flow.clients:
            impacts.update({cid: 0.0 for cid in part})
            continue
        w = {i: weights[plan.nodes[i].id] for i in flow.clients}
        if structural is not None and not flow.can_shed():
            u_total += sum(wt * (1.0 - structural.per_client[plan.nodes[i].id])
                           for i, wt in w.items())
            for cid in part:
                node = topo.nodes[cid]
                if node.role in _NULL_ROLES:
                    continue  # reported null
                alone = node.params.instances == 1 and node.params.standby == "none"
                impacts[cid] = structural.failure_impact.get(cid, 0.0) if alone else 0.0
            continue
        variables = part_variables(topo, part)
        if spec_state_count(variables) <= EXACT_STATES:
            state, prob = enumerate_states(variables)
            lost = _lost(flow, w, state, len(prob))
            u_total += float(np.dot(prob, lost))
        else:
            sampled = True
            mean, var = _sampled(flow, w, variables, np.random.default_rng([MC_SEED, k]))
            u_total += mean
            var_total += var
        _one_down(topo, flow, w, part, impacts, details)
    u_total = min(max(u_total, 0.0), 1.0)
    ci = None
    if sampled:
        half = 1.96 * math.sqrt(var_total)
        ci = [max(0.0, 1.0 - u_total - half), min(1.0, 1.0 - u_total + half)]
    for cid, node in topo.nodes.items():
        if node.role in _NULL_ROLES:
            impacts[cid] = None
    risks = sorted(cid for cid, x in impacts.items()
                   if x is not None and x > RISK_THRESHOLD and cid not in spofs)
    return UnderLoadReport(1.0 - u_total, u_total, "monte_carlo" if sampled else "exact", ci,
                           impacts, risks, {cid: details[cid] for cid in risks if cid in details})


def _lost(flow: StateFlow, w: dict[int, float], state: dict, rows: int) -> np.ndarray:
    """Per state, the weighted share of the part's admitted requests that do not complete."""
    shares = flow.client_shares(state, rows)
    lost = np.zeros(rows)
    for i, share in shares.items():
        lost += w[i] * (1.0 - share)
    return lost


def _sampled(flow: StateFlow, w: dict[int, float], variables, rng) -> tuple[float, float]:
    """(mean, variance of the mean) of the lost share over ``MC_STATES`` sampled states. A state
    is evaluated once: one drawn again in a later chunk (everything up, one part down) takes the
    figure already found for it."""
    total = total_sq = 0.0
    done = 0
    sampler = DistinctSampler(variables)
    known: dict[bytes, float] = {}
    while done < MC_STATES:
        n = min(_CHUNK, max(1_000, _CHUNK_CELLS // max(1, len(variables))), MC_STATES - done)
        state, counts, prints = sampler.draw(n, rng)
        keys = [p.tobytes() for p in prints]
        new = np.array([r for r, key in enumerate(keys) if key not in known], dtype=np.intp)
        if len(new):
            fresh = _lost(flow, w, {k: v[new] for k, v in state.items()}, len(new))
            known.update(zip((keys[r] for r in new), fresh.tolist()))
        lost = np.array([known[key] for key in keys])
        total += float(np.dot(counts, lost))
        total_sq += float(np.dot(counts, lost * lost))
        done += n
    mean = total / done
    var = max(total_sq / done - mean * mean, 0.0) / (done - 1)
    if var == 0.0 and mean == 0.0:
        # Nothing lost in any draw: the exact 97.5% bound of a zero count, as a 1.96-sd width.
        var = (-math.expm1(math.log(0.025) / done) / 1.96) ** 2
    return mean, var


def _one_down(topo: Topology, flow: StateFlow, w: dict[int, float], part: list[str],
              impacts: dict, details: dict) -> None:
    """One row with everything up, then one per component of the part with one instance down
    (the whole component when it has one; with one and a standby, the standby serving)."""
    cands = [cid for cid in part if topo.nodes[cid].role not in _NULL_ROLES]
    rows = 1 + len(cands)
    state = {}
    for r, cid in enumerate(cands, start=1):
        n = float(topo.nodes[cid].params.instances)
        col = np.full(rows, n)
        col[r] = n - 1.0 if n > 1 or topo.nodes[cid].params.standby == "none" else 1.0
        state[("k", cid)] = col
    lost = _lost(flow, w, state, rows)
    base = lost[0]
    for r, cid in enumerate(cands, start=1):
        impacts[cid] = max(0.0, float(lost[r] - base))
    overloaded = _overloads(flow, state, rows, cands)
    for r, cid in enumerate(cands, start=1):
        if impacts[cid] > RISK_THRESHOLD and overloaded.get(r):
            who, rho = overloaded[r]
            details[cid] = (f"if {_one(topo, cid)} fails, {who} runs at {100 * rho:.0f}% and "
                            f"{_share(1 - 1 / rho)} of its requests fail")


def _one(topo: Topology, cid: str) -> str:
    n = topo.nodes[cid].params.instances
    return cid if n == 1 else f"one of {cid}'s {n} instances"


def _share(x: float) -> str:
    return f"{100 * x:.1f}%".replace(".0%", "%")


def _overloads(flow: StateFlow, state: dict, rows: int, cands: list[str]) -> dict:
    """Per row: the most overloaded component there (its id and ρ), for the explaining
    sentence; rows where nothing is over 100% are left out."""
    rhos = flow.utilizations(state, rows)
    if not rhos:
        return {}
    ids = list(rhos)
    table = np.vstack([np.broadcast_to(rhos[cid], (rows,)) for cid in ids])
    top = np.argmax(table, axis=0)  # the first of equals, as max() picks
    out = {}
    for r in range(1, rows):
        rho = float(table[top[r], r])
        if rho > 1.0:
            out[r] = (ids[top[r]], rho)
    return out
