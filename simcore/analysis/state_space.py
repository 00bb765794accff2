"""The up/down states of a part of a design for the availability under load (SPEC §7.2).

A state gives, independently:
- for each component, k of its n instances up (binomial in a); when k = 0 and it has a standby,
  the standby serves as one instance with probability uⁿ · a · e^(−n·F/MTTR) (F the failover time,
  in hours), else the component is down; a component with a = 1 has one state;
- for each group, up or down;
- for each database shard, its primary serving (itself, or its standby with probability
  u · a · e^(−F/MTTR)) or not, and how many of its replicas are up (binomial).

A ``Variable`` is one of these with its values and probabilities. Values that act alike (the
standby serving is one instance serving; which replicas are up does not matter, only how many)
are merged, which is exact and keeps the enumeration small. ``spec_count`` is the number of
states the variable has before merging, as SPEC §7.2 counts them (n + 1 values of k, one more
with a standby; 2 per group and per database node): the exact/Monte Carlo threshold uses it.

Keys of a state (a dict of arrays, one entry per state): ``("k", id)`` instances serving (a float;
missing means all n), ``("g", id)`` 1/0 group up, ``("p", id, shard)`` 1/0 primary serving,
``("r", id, shard)`` replicas up (missing means all).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simcore.roles.standby import standby_factor, unit_unavailability
from simcore.topology import Topology


@dataclass
class Variable:
    key: tuple
    values: np.ndarray  # float
    probs: np.ndarray
    spec_count: int


def _binomial(n: int, a: float, u: float) -> np.ndarray:
    """P(k of n up) for k = 0..n, computed in logs so large n neither overflows nor underflows
    to garbage."""
    k = np.arange(n + 1)
    if u == 0.0:
        return (k == n).astype(float)
    if a == 0.0:
        return (k == 0).astype(float)
    log_c = np.array([math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1)
                      for j in range(n + 1)])
    return np.exp(log_c + k * math.log(a) + (n - k) * math.log(u))


def standby_serves(n: int, u: float, params) -> float:
    """P(all n instances down and the standby serving) = uⁿ · a · e^(−n·F/MTTR): all down, and
    not left uncovered (roles.standby.standby_factor); 0 without a standby."""
    if params.standby == "none":
        return 0.0
    f_h = params.effective_failover_s / 3600.0
    return u ** n * (1.0 - standby_factor(u, f_h, params.repair_hours, n))


def instance_count_probs(params) -> np.ndarray:
    """P(k instances serving) for k = 0..n of a component with n = ``params.instances``: k
    binomial in its availability, the standby serving counted as one instance (k = 1)."""
    n = int(params.instances)
    u = unit_unavailability(params)
    probs = _binomial(n, 1.0 - u, u)
    sb = standby_serves(n, u, params)
    if sb > 0.0:
        probs[0] -= sb
        probs[1] += sb  # the standby serving acts as one instance
    return probs


def part_variables(topo: Topology, part: list[str]) -> list[Variable]:
    """The random variables of the states of ``part`` (component ids), in a fixed order; parts
    that cannot fail have none."""
    out: list[Variable] = []
    groups: list[str] = []
    for cid in part:
        node = topo.nodes[cid]
        for g in topo.groups_of(cid):
            if g not in groups:
                groups.append(g)
        if node.role == "source":
            continue
        p = node.params
        u = unit_unavailability(p)
        if u == 0.0:
            continue
        a = 1.0 - u
        if node.role == "database":
            sb = standby_serves(1, u, p)
            for shard in range(1, int(p.shards) + 1):
                out.append(Variable(("p", cid, shard), np.array([1.0, 0.0]),
                                    np.array([a + sb, u - sb]),
                                    3 if p.standby != "none" else 2))
                if p.replicas > 0:
                    out.append(Variable(("r", cid, shard),
                                        np.arange(p.replicas + 1, dtype=float),
                                        _binomial(int(p.replicas), a, u),
                                        2 ** min(int(p.replicas), 64)))
            continue
        n = int(p.instances)
        probs = instance_count_probs(p)
        out.append(Variable(("k", cid), np.arange(n + 1, dtype=float), probs,
                            n + 1 + (1 if p.standby != "none" else 0)))
    for g in groups:
        u = unit_unavailability(topo.groups[g][1])
        if u > 0.0:
            out.append(Variable(("g", g), np.array([1.0, 0.0]), np.array([1.0 - u, u]), 2))
    return out


def spec_state_count(variables: list[Variable]) -> float:
    """The number of states as SPEC §7.2 counts them (a float: it may be astronomically big)."""
    return math.prod(float(v.spec_count) for v in variables)


def enumerate_states(variables: list[Variable]) -> tuple[dict, np.ndarray]:
    """Every state of positive probability: (state arrays, probabilities)."""
    kept = [(v, np.flatnonzero(v.probs > 0.0)) for v in variables]
    shape = tuple(len(ix) for _, ix in kept)
    rows = math.prod(shape)
    idx = np.unravel_index(np.arange(rows), shape) if shape else ()
    state = {}
    prob = np.ones(rows)
    for (v, ix), pos in zip(kept, idx):
        state[v.key] = v.values[ix][pos]
        prob *= v.probs[ix][pos]
    return state, prob


class DistinctSampler:
    """Draws independent states of ``variables`` from their steady-state distribution, and
    returns the distinct ones with how often each was drawn.

    Each variable is drawn as its deviations from its most likely value: how many rows deviate
    is binomial (all variables in one call), which rows uniform, and their values follow the
    variable's other probabilities. A large design draws mostly the same few states (everything
    up, one part down), so a row is identified by a 128-bit fingerprint of its deviations and
    each distinct state is evaluated once. What does not depend on the draw is prepared once.
    ``draw`` also returns the fingerprints (16 bytes each), so that a state drawn again in a later
    chunk can reuse its figure."""

    def __init__(self, variables: list[Variable]):
        self.variables = variables
        keys = np.random.default_rng(0x5EED)  # fingerprints: independent of the draws
        self.mode = [int(np.argmax(v.probs)) for v in variables]
        self.others = [np.delete(np.arange(len(v.values)), m)
                       for v, m in zip(variables, self.mode)]
        p_dev = [v.probs[o] for v, o in zip(variables, self.others)]
        self.p_any = np.array([min(1.0, float(p.sum())) for p in p_dev])
        self.p_which = [p / p.sum() if p.sum() > 0 else p for p in p_dev]
        self.salt = [keys.integers(0, 2 ** 63, size=(len(v.values), 2), dtype=np.uint64)
                     for v in variables]

    def draw(self, rows: int, rng: np.random.Generator) -> tuple[dict, np.ndarray, np.ndarray]:
        """(distinct states, how often each was drawn, their fingerprints) of ``rows`` draws."""
        fp = np.zeros((rows, 2), dtype=np.uint64)
        counts = rng.binomial(rows, self.p_any) if self.variables else []
        drawn = []
        for j, count in enumerate(counts):
            if count == 0:
                continue
            others = self.others[j]
            where = rng.choice(rows, size=int(count), replace=False)
            value_idx = (np.full(count, others[0]) if len(others) == 1
                         else others[rng.choice(len(others), size=count, p=self.p_which[j])])
            fp[where] ^= self.salt[j][value_idx]
            drawn.append((j, where, value_idx))
        view = np.ascontiguousarray(fp).view(np.dtype((np.void, 16))).ravel()
        prints, first, inverse, seen = np.unique(view, return_index=True, return_inverse=True,
                                            return_counts=True)
        state = {v.key: np.full(len(first), v.values[m])
                 for v, m in zip(self.variables, self.mode)}
        for j, where, value_idx in drawn:
            v = self.variables[j]
            state[v.key][inverse[where]] = v.values[value_idx]
        return state, seen.astype(float), prints
