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

import math
from dataclasses import dataclass

import numpy as np

from simcore.analysis.availability_model import READ, AvailabilityModel, NodeModel

EXACT_LIMIT = 1 << 16
"""Most rows (group states × atom values) of one exactly solved (sub)problem."""
_DB_SUPPORT_LIMIT = 4096
_MAX_AXES = 30  # one grid axis per shared part; numpy allows 32 dimensions
_WEIGHT_SUPPORT_LIMIT = 4096


class TooBig(Exception):
    """The exact computation would exceed EXACT_LIMIT rows (or a support limit)."""


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
            if len(m) == 1 and model.nodes[m[0]].role != "database":
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
        kids = nm.children
        role = nm.role
        if role in ("queue", "terminal"):
            res = True
        elif role == "database":
            res = nm.db.shards == 1
        elif role == "service":
            res = all(c.p >= 1.0 and self.is_boolean(c.target, rtype) for c in kids)
        elif role == "balancer":
            res = all(self.is_boolean(c.target, rtype) for c in kids)
        elif role == "cache":
            res = (len(kids) == 1 and self.is_boolean(kids[0].target, rtype)
                   and (rtype != READ or nm.hit_ratio in (0.0, 1.0)))
        else:
            res = len(kids) == 1 and self.is_boolean(kids[0].target, rtype)
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
            if nm.role == "database":
                atoms.append(self._db_atom(nm, rtype))
            elif nm.role not in ("queue", "terminal") and self.is_boolean(s, rtype) \
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
                if nm.role == "database":
                    if at is not None:
                        zv, hv = at[0].values
                        zx, hx = zv[at[1]], hv[at[1]]
                    else:
                        zx, hx = _db_zh(nm, rtype)
                    zs[x] = (1.0 - g) + g * zx
                    hs[x] = g * hx
                    continue
                if at is not None:  # raw: its own up bit is given
                    up = at[1].astype(float) * g
                    dn = 1.0 - up
                else:
                    q = self.q[x]
                    up = (1.0 - q) * g
                    dn = (1.0 - g) + g * q
                zs[x], hs[x] = _combine(nm, rtype, up, dn,
                                        [(c, zs[c.target], hs[c.target]) for c in nm.children])
        return zs[root], hs[root]


def _db_zh(nm: NodeModel, rtype: str) -> tuple[float, float]:
    """A database used by one path: Z = Π_k q_k, H = Σ_k z_k q_k (1 − Π_{j≠k} q_j)
    (the failed share when some shard still serves)."""
    q = nm.db.shard_down(rtype)
    z = float(np.prod(q))
    if nm.db.shards == 1:
        return z, 0.0
    h = 0.0
    for k in range(nm.db.shards):
        h += float(nm.db.z[k]) * float(q[k]) * (1.0 - float(np.prod(np.delete(q, k))))
    return z, h


def _mean_over_targets(kids):
    """(Z̄, H̄) of P̄ = Σ w_t P_t with independent targets: Z̄ = Π Z_t,
    H̄ = Σ w_t H_t + (Σ w_t Z_t − Π Z_t)."""
    zprod = 1.0
    zsum = 0.0
    hsum = 0.0
    for c, z, h in kids:
        zprod = zprod * z
        zsum = zsum + c.share * z
        hsum = hsum + c.share * h
    return zprod, hsum + np.maximum(zsum - zprod, 0.0)


def _combine(nm: NodeModel, rtype: str, up, dn, kids):
    """(Z, H) of node ``nm`` from its own up probability (``up``, ``dn`` = 1 − up carried
    exactly) and its independent targets' (Z, H)."""
    role = nm.role
    if role in ("queue", "terminal"):
        return dn, 0.0
    if role == "service":
        if len(kids) == 1:
            # One target (a chain, the common case): Z = dn + up·Z_t and H = up·H_t, or with a
            # call probability p < 1 (the call fails or it is not made): Z = dn,
            # H = up·p·(Z_t + H_t). The general form below reduces to these.
            c, z, h = kids[0]
            if c.p >= 1.0:
                return dn + up * z, up * h
            return dn, up * (c.p * (z + h))
        lz = 0.0
        lh = 0.0
        for c, z, h in kids:
            if c.p >= 1.0:
                lz = lz + np.log1p(-z)
                alive = 1.0 - z
                lh = lh + np.log1p(-np.where(alive > 0, h / np.where(alive > 0, alive, 1.0), 0.0))
            else:
                lh = lh + np.log1p(-c.p * (z + h))
        zs = -np.expm1(lz)
        hs = np.exp(lz) * -np.expm1(lh)
        return dn + up * zs, up * hs
    if role == "balancer":
        if kids and all(c.weight == kids[0][0].weight for c, _z, _h in kids):
            zprod, hsum = _equal_balancer(kids)
            return dn + up * zprod, up * hsum
        zprod = 1.0
        for _, z, _h in kids:
            zprod = zprod * z
        pos = [1.0 - z for _, z, _h in kids]
        weights = [c.weight for c, _, _ in kids]
        cs = _inverse_moments(weights, pos)
        hsum = 0.0
        for (c, _z, h), ci in zip(kids, cs):
            hsum = hsum + c.weight * h * ci
        return dn + up * zprod, up * hsum
    zbar, hbar = _mean_over_targets(kids)
    if role == "source":
        return zbar, hbar
    if role == "router":
        return dn + up * zbar, up * hbar
    # cache / cdn
    if rtype == READ and nm.hit_ratio > 0:
        h = nm.hit_ratio
        return dn * zbar, dn * hbar + up * (1.0 - h) * (zbar + hbar)
    return zbar, hbar


_GL_CACHE: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _gauss_legendre(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of k-point Gauss–Legendre quadrature on [0, 1] (memoised)."""
    if k not in _GL_CACHE:
        xs, ws = np.polynomial.legendre.leggauss(k)
        _GL_CACHE[k] = (0.5 * (xs + 1.0), 0.5 * ws)
    return _GL_CACHE[k]


def _equal_balancer(kids) -> tuple:
    """(Π_t Z_t, Σ_t H_t c_t) for a balancer whose targets weigh the same, with
    c_t = E[1 / (1 + N₋ₜ)] = ∫₀¹ Π_{j≠t} f_j(x) dx, f_j(x) = 1 − (1 − Z_j)(1 − x) (see
    ``_inverse_moments``). Then Σ_t H_t c_t = ∫₀¹ F(x) Σ_t H_t / f_t(x) dx with F = Π_j f_j, and
    f_t(x) ≥ x > 0 at every Gauss–Legendre node, so the division is safe. Targets whose arrays
    span the same axes of the grid (those that depend on the same shared parts) are stacked and
    reduced together, and only the per-axes results are broadcast against each other: the cost
    is a few passes over the output per quadrature node instead of one per target."""
    n = len(kids)
    xs, ws = _gauss_legendre(n // 2 + 1)
    arrays = [(np.asarray(z, dtype=float), np.asarray(h, dtype=float)) for _c, z, h in kids]
    dims = max(max(z.ndim, h.ndim) for z, h in arrays)
    by_shape: dict[tuple, tuple[list, list]] = {}
    for z, h in arrays:
        z = z.reshape((1,) * (dims - z.ndim) + z.shape)
        h = h.reshape((1,) * (dims - h.ndim) + h.shape)
        zl, hl = by_shape.setdefault((z.shape, h.shape), ([], []))
        zl.append(z)
        hl.append(h)
    # The quadrature nodes run along the last axis: broadcasting over the grid then works on
    # runs of that length instead of the grid's many axes of size 1 or 2.
    one_minus_x = 1.0 - xs
    zprod = 1.0
    fprod = 1.0
    stacked = []
    for zl, hl in by_shape.values():
        zs = np.stack(zl)
        zprod = zprod * zs.prod(axis=0)
        f = 1.0 - (1.0 - zs)[..., None] * one_minus_x  # (targets, *shape, nodes)
        fprod = fprod * f.prod(axis=0)
        stacked.append((f, np.stack(hl)[..., None]))
    wf = fprod * ws
    parts = [(h / f).sum(axis=0) for f, h in stacked]
    full = np.broadcast_shapes(np.shape(wf), *[p.shape for p in parts])
    each = sum(math.prod(np.broadcast_shapes(np.shape(wf), p.shape)) for p in parts)
    if each <= 2 * math.prod(full):
        # F spans few axes (the targets' Z mostly depend on the groups alone): integrate each
        # stack's share first, so only quadrature-free arrays meet on the whole grid.
        hsum = 0.0
        for p in parts:
            hsum = hsum + (p * wf).sum(axis=-1)
    else:
        ssum = 0.0
        for p in parts:
            ssum = ssum + p
        hsum = (ssum * wf).sum(axis=-1)
    return zprod, hsum


def _inverse_moments(weights: list[float], pos: list) -> list:
    """c_i = E[1 / (w_i + Σ_{j≠i} w_j B_j)] with independent B_j ~ Bernoulli(pos_j), over the
    distribution of the sum (unequal weights; equal ones take ``_equal_balancer``)."""
    n = len(weights)
    if n == 0:
        return []
    out = []
    for i in range(n):
        dist: dict[float, object] = {0.0: 1.0}
        for j in range(n):
            if j == i:
                continue
            new: dict[float, object] = {}
            for s, pr in dist.items():
                new[s] = new.get(s, 0.0) + pr * (1.0 - pos[j])
                t = s + weights[j]
                new[t] = new.get(t, 0.0) + pr * pos[j]
            dist = new
            if len(dist) > _WEIGHT_SUPPORT_LIMIT:
                raise TooBig("a weighted balancer with too many targets")
        acc = 0.0
        for s, pr in dist.items():
            acc = acc + pr / (weights[i] + s)
        out.append(acc)
    return out


def exact_failure(solver: ExactSolver, root: str, rtype: str) -> float:
    """E[1 − P(root, r)] over every state, groups included."""
    nm = solver.model.nodes[root]
    if nm.role == "source" and len(nm.children) == 1:
        # A client with one target fails exactly when its target does: solving the target
        # lets clients behind the same entry (users and api → one load balancer) share it.
        root = nm.children[0].target
    z, h = solver.solve(root, rtype)
    return float((solver.group_prob * (z + h)).sum())
