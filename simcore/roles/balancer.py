"""The balancer role (dns, load balancer, reverse proxy): own work, then one target that its
health check sees serving, by ``algorithm``. Its success is the mean of P(t, r) over the targets
with P(t, r) > 0, their weights renormalised (SPEC §3); 0 when there are none.

Weights: the link weights under ``weighted``; under ``least_connections`` the targets'
capacities (SPEC §7.1, set by the analysis before use); equal otherwise.
"""

from __future__ import annotations

import math

import numpy as np

from simcore.roles.base import Role, TooBig, any_target, ordered_sum, rows_by_target

_WEIGHT_SUPPORT_LIMIT = 4096


def algorithm(params) -> str:
    """The balancing algorithm of a balancer's parameters (round robin when it has none)."""
    return getattr(params, "algorithm", "round_robin")


class BalancerRole(Role):
    name = "balancer"
    splits = True
    needs_target = True

    def split_weights(self, node):
        if algorithm(node.params) == "weighted":
            return [e.params.weight for e in node.out]
        return None

    def splits_by_capacity(self, node):
        return algorithm(node.params) == "least_connections" and len(node.out) > 1

    def availability_links(self, node, full_service=False):
        alg = algorithm(node.params)
        out = []
        for e in node.out:
            if alg == "weighted":
                w = float(e.params.weight)
            elif alg == "least_connections":
                w = float(e.share)  # the capacity share (or equal)
            else:
                w = 1.0
            out.append((e.target, float(e.share), w, 1.0))
        return out

    def is_boolean(self, nm, rtype, child_boolean):
        return all(child_boolean(c.target) for c in nm.children)

    def vec(self, sm, nm, up, u, rtype, kids):
        rows = up.shape[0]
        num = np.zeros(rows)
        den = np.zeros(rows)
        for c, (fc, zc) in kids:
            pos = ~zc
            num = num + np.where(pos, c.weight * fc, 0.0)
            den = den + np.where(pos, c.weight, 0.0)
        zero = ~u | (den <= 0)
        return np.where(zero, 1.0, num / np.where(den > 0, den, 1.0)), zero

    def sparse(self, nm, rtype, kids, kid_outs, own, primary_row):
        kb, per_row = rows_by_target(kid_outs, own)
        down = set(own)
        w = [c.weight for c in kids]
        zb = [v[1] for v in kb]
        num0 = [0.0 if zb[j] else w[j] * kb[j][0] for j in range(len(kids))]
        den0 = [0.0 if zb[j] else w[j] for j in range(len(kids))]
        nonzero = [j for j, t in enumerate(num0) if t != 0.0]
        den_all = ordered_sum(list(enumerate(den0)), den0, [])
        whole = all(float(v).is_integer() for v in w)  # then den updates are exact

        def value(changed, up):
            if not up:
                return 1.0, True
            if whole:
                den = den_all
                for j, (_f, z) in changed:
                    if z != zb[j]:
                        den += -w[j] if z else w[j]
            else:
                d = list(den0)
                for j, (_f, z) in changed:
                    d[j] = 0.0 if z else w[j]
                den = ordered_sum(list(enumerate(d)), d, [])
            if den <= 0:
                return 1.0, True
            if nonzero:
                num = ordered_sum([(j, 0.0 if z else w[j] * f) for j, (f, z) in changed], num0,
                                  nonzero)
            else:
                num = 0.0
                for j, (f, z) in changed:
                    if not z:
                        num += w[j] * f
            return num / den, False

        return value([], True), {r: value(ch, r not in down) for r, ch in per_row.items()}

    def exact(self, nm, rtype, up, dn, kids):
        # With independent targets, E[w_i P_i / Σ_{j: P_j>0} w_j] = w_i E[P_i] E[1 / (w_i + W₋ᵢ)],
        # W₋ᵢ = Σ_{j≠i} w_j B_j, B_j ~ Bernoulli(1 − Z_j).
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

    def runtime_class(self):
        from simcore.engine.nodes import BalancerNode

        return BalancerNode

    def serves(self, n, r, ok):
        return n.up and any_target(n, r, ok)


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
    """c_i = E[1 / (w_i + Σ_{j≠i} w_j B_j)] with independent B_j ~ Bernoulli(pos_j), by the
    distribution of the sum (equal weights take ``_equal_balancer`` instead)."""
    n = len(weights)
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
