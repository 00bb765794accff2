"""Exact request availability (SPEC §3) by conditioning on what several paths share.

For one client and one request type r, P(client, r) is a function of independent up/down states.
Unfold the request graph into a tree: a component reached by a single path appears once, and the
subtrees of a node's targets then hold disjoint, independent states, so expectations combine
bottom-up. Components reached by two paths or more (and groups, common causes) are *atoms*: their
states are enumerated, vectorised with numpy over a grid of rows (group states × atom values), and
within each row the rest is combined exactly.

Per node and row we carry Z = Pr[P = 0] and H = E[(1 − P); P > 0], so that F = Z + H = E[1 − P]
keeps its digits when it is tiny, and Pr[P > 0] = 1 − Z is what a balancer's renormalisation
needs: with independent targets, E[w_i P_i / Σ_{j: P_j>0} w_j] = w_i E[P_i] E[1 / (w_i + W₋ᵢ)],
W₋ᵢ = Σ_{j≠i} w_j B_j, B_j ~ Bernoulli(1 − Z_j).

Atoms, chosen top-down among the shared nodes of a (sub)problem:
- a database: the distribution of its failed share Σ_k z_k [shard k cannot serve r];
- a shared node whose whole subtree hangs from it alone (it dominates its descendants) and whose
  success is 0 or 1 in every state: a Bernoulli whose probability, per group state, comes from
  solving the subtree as its own problem (memoised, so the work is shared between clients);
- any other shared node: its own up bit; its targets are then shared too and become atoms.
Groups are always conditioned on (all of them, outermost), except a group with one member that is
no database, which is folded into that member's down probability.

``EXACT_LIMIT`` bounds the rows of one (sub)problem; a larger one raises ``TooBig`` and the caller
falls back to Monte Carlo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcore.analysis.availability_model import AvailabilityModel, NodeModel
from simcore.roles import TooBig

__all__ = ["EXACT_LIMIT", "ExactSolver", "TooBig", "exact_failure"]

EXACT_LIMIT = 1 << 16
"""Most rows (group states × atom values) of one exactly solved (sub)problem (beyond it, or a
support limit, ``TooBig`` is raised)."""
_DB_SUPPORT_LIMIT = 4096
_MAX_AXES = 30  # one grid axis per shared part; numpy allows 32 dimensions


@dataclass
class _Atom:
    node: str
    kind: str  # "raw", "db", "bool"
    size: int
    probs: np.ndarray  # (size,) or (Gs, size)
    values: object = None  # db: (Zv, Hv) arrays of length size


class _Frame:
    """Rows of one (sub)problem: a grid of group states × atom values, one axis each."""

    def __init__(self, gbits: dict[str, np.ndarray], atom_vals: list[np.ndarray],
                 weight: np.ndarray):
        self.gbits = gbits
        self.atom_vals = atom_vals
        self.weight = weight


class ExactSolver:
    """Solves E[1 − P(x, r)] exactly for any root x of the model (see the module docstring)."""

    def __init__(self, model: AvailabilityModel):
        self.model = model
        members: dict[str, list[str]] = {g: [] for g in model.groups}
        for x in model.order:
            for g in model.nodes[x].groups:
                members[g].append(x)
        self.q: dict[str, float] = {x: model.nodes[x].q for x in model.order}
        self.folded: dict[str, list[str]] = {x: [] for x in model.order}
        cond = []
        for g, u in model.groups.items():
            m = members[g]
            if u <= 0.0 or not m:
                continue
            if len(m) == 1 and not model.nodes[m[0]].behaviour.per_node_state:
                x = m[0]
                self.q[x] = self.q[x] + u * (1.0 - self.q[x])
                self.folded[x].append(g)
            else:
                cond.append(g)
        self.cond_groups = cond
        self.Gs = 1 << len(cond)
        if self.Gs > EXACT_LIMIT:
            raise TooBig(f"{len(cond)} groups")
        idx = np.arange(self.Gs)
        self.gbits_full: dict[str, np.ndarray] = {}
        pg = np.ones(self.Gs)
        for k, g in enumerate(cond):
            bit = ((idx >> k) & 1).astype(float)
            self.gbits_full[g] = bit
            u = model.groups[g]
            pg = pg * np.where(bit > 0, 1.0 - u, u)
        self.group_prob = pg
        self._memo: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._reach: dict[str, list[str]] = {}
        self._bool: dict[tuple[str, str], bool] = {}

    # --- structure -----------------------------------------------------------------------
    def reach(self, x: str) -> list[str]:
        if x not in self._reach:
            self._reach[x] = self.model.reach(x)
        return self._reach[x]

    def is_boolean(self, x: str, rtype: str) -> bool:
        """P(x, r) is 0 or 1 in every state."""
        key = (x, rtype)
        if key in self._bool:
            return self._bool[key]
        nm = self.model.nodes[x]
        res = nm.behaviour.is_boolean(nm, rtype, lambda t: self.is_boolean(t, rtype))
        self._bool[key] = res
        return res

    def _dominates(self, s: str, inside: set[str]) -> bool:
        below = set(self.reach(s))
        for d in below:
            if d == s:
                continue
            for p in self.model.parents[d]:
                if p in inside and p not in below:
                    return False
        return True

    # --- the solve -----------------------------------------------------------------------
    def solve(self, root: str, rtype: str) -> tuple[np.ndarray, np.ndarray]:
        """(Z, H) of P(root, r) per conditioned group state, arrays of shape (Gs,)."""
        key = (root, rtype)
        if key not in self._memo:
            self._memo[key] = self._solve(root, rtype)
        return self._memo[key]

    def _atoms(self, root: str, rtype: str) -> tuple[list[str], list[_Atom], set[str]]:
        nodes = self.reach(root)
        inside = set(nodes)
        count = dict.fromkeys(nodes, 0)
        count[root] = 1
        for x in nodes:
            for c in self.model.nodes[x].children:
                count[c.target] = min(2, count[c.target] + count[x])
        atoms: list[_Atom] = []
        covered: set[str] = set()
        for s in nodes:
            if count[s] < 2 or s in covered:
                continue
            nm = self.model.nodes[s]
            if nm.behaviour.per_node_state:
                atoms.append(self._db_atom(nm, rtype))
            elif not nm.behaviour.leaf_success and self.is_boolean(s, rtype) \
                    and self._dominates(s, inside):
                z, _h = self.solve(s, rtype)
                atoms.append(_Atom(s, "bool", 2, np.stack([z, 1.0 - z], axis=1)))
                covered.update(x for x in self.reach(s) if x != s)
            else:
                q = self.q[s]
                atoms.append(_Atom(s, "raw", 2, np.array([q, 1.0 - q])))
        return nodes, atoms, covered

    def _db_atom(self, nm: NodeModel, rtype: str) -> _Atom:
        q = nm.db.shard_down(rtype)
        dist: dict[tuple[float, bool], float] = {(0.0, False): 1.0}
        for k in range(nm.db.shards):
            new: dict[tuple[float, bool], float] = {}
            for (f, any_ok), pr in dist.items():
                a = (f, True)
                new[a] = new.get(a, 0.0) + pr * (1.0 - q[k])
                b = (f + float(nm.db.z[k]), any_ok)
                new[b] = new.get(b, 0.0) + pr * q[k]
            dist = new
            if len(dist) > _DB_SUPPORT_LIMIT:
                raise TooBig(f"database {nm.id}: too many shard outcomes")
        keys = list(dist)
        zv = np.array([0.0 if ok else 1.0 for _, ok in keys])
        hv = np.array([f if ok else 0.0 for f, ok in keys])
        return _Atom(nm.id, "db", len(keys), np.array([dist[k] for k in keys]), (zv, hv))

    def _solve(self, root: str, rtype: str) -> tuple[np.ndarray, np.ndarray]:
        nodes, atoms, covered = self._atoms(root, rtype)
        m = 1
        for a in atoms:
            m *= a.size
        if self.Gs * m > EXACT_LIMIT or len(atoms) > _MAX_AXES:
            raise TooBig(f"{len(atoms)} shared parts below {root}")
        frame = self._grid(atoms)
        z, h = self._bottom_up(nodes, atoms, covered, frame, rtype, root)
        w = frame.weight
        z = np.broadcast_to(z, w.shape)
        h = np.broadcast_to(h, w.shape)
        axes = tuple(range(1, w.ndim))
        return (w * z).sum(axis=axes), (w * h).sum(axis=axes)

    def _grid(self, atoms: list[_Atom]) -> _Frame:
        """The rows as a broadcast grid: axis 0 the group states, then one axis per atom. A
        node's arrays only span the axes of the atoms below it, so a chain that depends on one
        shared part costs that part's few values, not the whole grid."""
        dims = 1 + len(atoms)

        def along(axis: int, v: np.ndarray) -> np.ndarray:
            shape = [1] * dims
            shape[axis] = v.shape[-1]
            if v.ndim == 2:  # (Gs, size): also along the group axis
                shape[0] = v.shape[0]
            return v.reshape(shape)

        gbits = {g: b.reshape([self.Gs] + [1] * len(atoms)) for g, b in self.gbits_full.items()}
        weight = np.ones([self.Gs] + [1] * len(atoms))
        vals = []
        for k, a in enumerate(atoms, start=1):
            vals.append(along(k, np.arange(a.size)))
            weight = weight * along(k, a.probs)
        return _Frame(gbits, vals, weight)

    def _bottom_up(self, nodes, atoms, covered, frame: _Frame, rtype, root):
        atom_of = {a.node: (a, v) for a, v in zip(atoms, frame.atom_vals)}
        zs: dict[str, np.ndarray] = {}
        hs: dict[str, np.ndarray] = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            for x in reversed(nodes):
                if x in covered:
                    continue
                nm = self.model.nodes[x]
                g = 1.0
                for grp in nm.groups:
                    if grp in frame.gbits:
                        g = g * frame.gbits[grp]
                at = atom_of.get(x)
                if at is not None and at[0].kind == "bool":
                    zs[x] = (at[1] == 0).astype(float)
                    hs[x] = 0.0
                    continue
                if at is not None and at[0].kind == "db":
                    zv, hv = at[0].values
                    zs[x] = (1.0 - g) + g * zv[at[1]]
                    hs[x] = g * hv[at[1]]
                    continue
                if nm.behaviour.per_node_state:  # its nodes' states are inside its rule
                    up, dn = g, 1.0 - g
                elif at is not None:  # raw: its own up bit is given
                    up = at[1].astype(float) * g
                    dn = 1.0 - up
                else:
                    q = self.q[x]
                    up = (1.0 - q) * g
                    dn = (1.0 - g) + g * q
                zs[x], hs[x] = nm.behaviour.exact(
                    nm, rtype, up, dn, [(c, zs[c.target], hs[c.target]) for c in nm.children])
        return zs[root], hs[root]


def exact_failure(solver: ExactSolver, root: str, rtype: str) -> float:
    """E[1 − P(root, r)] over every state, groups included."""
    nm = solver.model.nodes[root]
    if nm.behaviour.is_source and len(nm.children) == 1:
        # A client with one target fails exactly when its target does: solving the target
        # lets clients behind the same entry (users and api → one load balancer) share it.
        root = nm.children[0].target
    z, h = solver.solve(root, rtype)
    return float((solver.group_prob * (z + h)).sum())
