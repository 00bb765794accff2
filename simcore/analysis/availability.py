"""Availability, failure impact and SPOFs of a design (SPEC §3), as the instant analysis reports
them.

    rep = analyze_availability(topo, client_weights)

A is the probability that a request drawn from the workload succeeds, every component, database
node and group independently in its steady state. It is computed exactly (availability_exact)
and, only where that would take more than ``EXACT_LIMIT`` rows for one (sub)problem, estimated by
a seeded Monte Carlo over ``MC_SAMPLES`` states (reproducible), with a 95% interval. U = 1 − A is
carried on its own, as the expectation of the failure fraction, so many nines keep their digits.

Failure impacts and SPOFs need no expectation: with one part down and everything else up the
request success is deterministic. They come from one bottom-up pass of the success function
(SuccessModel's formulas) over one state per component and group, kept sparse: a node only
evaluates the states in which something below it is down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simcore.analysis.availability_exact import EXACT_LIMIT, ExactSolver, exact_failure
from simcore.analysis.availability_model import (
    READ,
    WRITE,
    AvailabilityModel,
    SuccessModel,
    build_model,
    unit_unavailability,
)
from simcore.analysis.availability_parts import availability_by_parts
from simcore.analysis.parts import independent_parts
from simcore.roles import TooBig
from simcore.topology import Topology

__all__ = ["EXACT_LIMIT", "MC_SAMPLES", "SPOF_THRESHOLD", "AvailabilityReport",
           "analyze_availability", "full_service_availability", "has_optional_calls",
           "sample_states"]

SPOF_THRESHOLD = 1e-12
"""A single failure that loses more than this share of requests makes a SPOF."""
MC_SAMPLES = 200_000
"""States drawn by the Monte Carlo fallback."""
MC_SEED = 20_240_601
"""The fallback's fixed seed: the same design always gets the same estimate."""
_MC_CHUNK = 25_000


@dataclass
class AvailabilityReport:
    """Availabilities are fractions. ``unavailability`` is U = 1 − A computed on its own.
    ``component_availability`` holds every component: its own up-probability with instances and
    standby (groups not counted; a database: its primary's, i.e. its write availability), and for
    a client its requests' availability. ``failure_impact`` holds every non-client component."""

    availability: float
    unavailability: float
    method: str
    ci95: list[float] | None
    per_client: dict[str, float] = field(default_factory=dict)
    component_availability: dict[str, float] = field(default_factory=dict)
    failure_impact: dict[str, float] = field(default_factory=dict)
    group_availability: dict[str, float] = field(default_factory=dict)
    group_impact: dict[str, float] = field(default_factory=dict)
    spofs: list[str] = field(default_factory=list)


def analyze_availability(topo: Topology, client_weights: dict[str, float]) -> AvailabilityReport:
    """The availability part of the instant analysis. ``client_weights``: each client's
    admitted rps; when all are 0 the clients weigh equally."""
    parts = independent_parts(topo)
    if len(parts) > 1:  # independent parts are solved apart and combined exactly
        return availability_by_parts(topo, client_weights, parts, analyze_availability)
    model = build_model(topo)
    success = SuccessModel(model, client_weights)
    try:
        a, u, per_client = _exact(model, success)
        method, ci = "exact", None
    except TooBig:
        a, u, per_client, ci = _monte_carlo(model, success)
        method = "monte_carlo"
    rep = AvailabilityReport(a, u, method, ci, per_client=per_client)
    _own_availabilities(topo, rep)
    _impacts(topo, model, success, rep)
    return rep


def has_optional_calls(topo: Topology) -> bool:
    return any(e.params.optional for e in topo.edges.values())


def full_service_availability(topo: Topology, client_weights: dict[str, float]) -> float:
    """The availability when every optional call must succeed too (SPEC §7.7): the share of
    requests served in full, not degraded. Exact, or by the same Monte Carlo fallback."""
    model = build_model(topo, full_service=True)
    success = SuccessModel(model, client_weights)
    try:
        return _exact(model, success)[0]
    except TooBig:
        return _monte_carlo(model, success)[0]


def _exact(model: AvailabilityModel, success: SuccessModel):
    solver = ExactSolver(model)
    u_total = 0.0
    a_total = 0.0
    per_client: dict[str, float] = {}
    for c in model.clients:
        rr = model.nodes[c].read_ratio
        f = 0.0
        if rr > 0:
            f += rr * exact_failure(solver, c, READ)
        if rr < 1:
            f += (1.0 - rr) * exact_failure(solver, c, WRITE)
        f = min(max(f, 0.0), 1.0)
        per_client[c] = 1.0 - f
        w = success.weights[c]
        u_total += w * f
        a_total += w * (1.0 - f)
    return a_total, u_total, per_client


def sample_states(model: AvailabilityModel, success: SuccessModel, rows: int,
                  rng: np.random.Generator) -> np.ndarray:
    """``rows`` independent steady states (rows × success.columns, True = up)."""
    p_down = np.zeros(len(success.columns))
    for x in model.order:
        nm = model.nodes[x]
        if nm.db is not None:
            cols = success.db_cols[x]
            p_down[cols[:, 0]] = nm.db.q_primary
            p_down[cols[:, 1:]] = nm.db.u_node
        elif x in success.col:
            p_down[success.col[x]] = nm.q
    for g, c in success.group_col.items():
        p_down[c] = model.groups[g]
    return rng.random((rows, len(p_down))) >= p_down


def _monte_carlo(model: AvailabilityModel, success: SuccessModel):
    rng = np.random.default_rng(MC_SEED)
    total_sum = total_sq = 0.0
    client_sum = dict.fromkeys(model.clients, 0.0)
    done = 0
    while done < MC_SAMPLES:
        n = min(_MC_CHUNK, MC_SAMPLES - done)
        f, per = success.failure(sample_states(model, success, n, rng), per_client=True)
        total_sum += float(f.sum())
        total_sq += float((f * f).sum())
        for c in model.clients:
            client_sum[c] += float(per[c].sum())
        done += n
    u = total_sum / done
    var = max(total_sq / done - u * u, 0.0) * done / (done - 1)
    half = 1.96 * math.sqrt(var / done)
    if half == 0.0:  # no failure seen: the exact 97.5% bound of a zero count
        half = -math.expm1(math.log(0.025) / done)
    ci = [max(0.0, 1.0 - u - half), min(1.0, 1.0 - u + half)]
    per_client = {c: 1.0 - client_sum[c] / done for c in model.clients}
    return 1.0 - u, u, per_client, ci


def _own_availabilities(topo: Topology, rep: AvailabilityReport) -> None:
    for cid, tn in topo.nodes.items():
        if tn.spec.behaviour.is_source:
            rep.component_availability[cid] = rep.per_client.get(cid, 1.0)
        else:
            rep.component_availability[cid] = tn.spec.behaviour.own_availability(tn.params)
    for gid, (_, gp) in topo.groups.items():
        rep.group_availability[gid] = 1.0 - unit_unavailability(gp)


def _impacts(topo: Topology, model: AvailabilityModel, success: SuccessModel,
             rep: AvailabilityReport) -> None:
    """One state per component, per group, and per database for its hottest shard's primary
    alone: each part down, everything else up."""
    comps = [x for x in model.order if not model.nodes[x].behaviour.is_source]
    dbs = [x for x in comps if model.nodes[x].db is not None]
    groups = list(success.group_col)
    f = np.clip(_single_failures(model, success, comps, groups, dbs), 0.0, 1.0)
    whole = {x: float(f[i]) for i, x in enumerate(comps)}
    primary = {x: float(f[len(comps) + len(groups) + i]) for i, x in enumerate(dbs)}
    for cid, tn in topo.nodes.items():
        if tn.spec.behaviour.is_source:
            continue
        rep.failure_impact[cid] = whole.get(cid, 0.0)
        single = primary.get(cid, whole.get(cid, 0.0))
        p = tn.params
        if p.instances == 1 and p.standby == "none" and single > SPOF_THRESHOLD:
            rep.spofs.append(cid)
    for i, g in enumerate(groups, start=len(comps)):
        rep.group_impact[g] = float(f[i])
        if f[i] > SPOF_THRESHOLD:
            rep.spofs.append(g)
    rep.spofs.sort()


# --- single failures, sparsely ------------------------------------------------------------------
# With one part down and everything else up, only the part's ancestors differ from the all-up
# state. Each node therefore keeps its all-up value (F, zero) and a dict {row: (F, zero)} of the
# rows where its inputs differ, built bottom-up from its targets' dicts: the work is the sum of
# the ancestor counts, not components × rows. Each role's ``sparse`` rule is its ``vec`` rule per
# row; sums run over the targets in link order and skip only exact zeros, so they round alike.

def _single_failures(model: AvailabilityModel, success: SuccessModel, comps: list[str],
                     groups: list[str], dbs: list[str]) -> np.ndarray:
    """Weighted failure fraction of each row: comps[i] wholly down, then each group down, then
    each database's shard-0 primary alone down (the rows ``_impacts`` reads)."""
    n_rows = len(comps) + len(groups) + len(dbs)
    own_rows: dict[str, list[int]] = {x: [] for x in model.order}
    for i, x in enumerate(comps):
        own_rows[x].append(i)
    group_row = {g: len(comps) + i for i, g in enumerate(groups)}
    for x in model.order:
        for g in model.nodes[x].groups:
            if g in group_row:
                own_rows[x].append(group_row[g])
    primary_row = {x: len(comps) + len(groups) + i for i, x in enumerate(dbs)}
    same_for_writes = _type_independent(model)
    total = np.zeros(n_rows)
    done: dict[str, tuple] = {}
    for rtype in (READ, WRITE):
        if rtype not in success.types:
            continue
        reuse = same_for_writes if done else None
        done = _sparse_pass(model, rtype, own_rows, primary_row, done, reuse)
        for c in model.clients:
            rr = model.nodes[c].read_ratio
            share = rr if rtype == READ else 1.0 - rr
            if share <= 0:
                continue
            (f0, _z0), rows = done[c]
            fc = np.full(n_rows, f0)
            if rows:
                fc[list(rows)] = [v[0] for v in rows.values()]
            total += success.weights[c] * (share * fc)
    return total


def _type_independent(model: AvailabilityModel) -> set[str]:
    """Nodes whose success is the same for reads and writes: nothing below them reads from a
    cache with hits or from a database replica."""
    same: set[str] = set()
    for x in reversed(model.order):
        nm = model.nodes[x]
        if nm.behaviour.type_independent(nm) and all(c.target in same for c in nm.children):
            same.add(x)
    return same


def _sparse_pass(model: AvailabilityModel, rtype: str, own_rows: dict[str, list[int]],
                 primary_row: dict[str, int], previous: dict, reuse: set[str] | None) -> dict:
    """{node: ((F, zero) all up, {row: (F, zero)})} for one request type, by each role's
    ``sparse`` rule."""
    out: dict[str, tuple] = {}
    for x in reversed(model.order):
        if reuse is not None and x in reuse:
            out[x] = previous[x]
            continue
        nm = model.nodes[x]
        kids = nm.children
        out[x] = nm.behaviour.sparse(nm, rtype, kids, [out[c.target] for c in kids],
                                     own_rows[x], primary_row.get(x))
    return out
