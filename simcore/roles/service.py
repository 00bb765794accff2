"""The service role: own work, then each outgoing link in order, each with its ``probability``;
the first failed call fails the request. Its success is Π over the links of
(1 − p) + p · P(t, r) (SPEC §3); an async link ends at a queue, which only has to be up. An
``optional`` link's failure only degrades the request (SPEC §7.7): the availability leaves it
out, the full-service availability keeps it as any other call."""

from __future__ import annotations

import math

import numpy as np

from simcore.roles.base import Role, ordered_sum, rows_by_target


class ServiceRole(Role):
    name = "service"
    calls_links = True

    def plan(self, node, np_):
        super().plan(node, np_)
        np_.blocking = bool(node.params.blocking)

    def link_flow(self, node, edge):
        p = float(edge.params.probability)
        return p, p, p, p

    def availability_links(self, node, full_service=False):
        # a call made with probability 0 never matters, nor does an optional call whose
        # failure only degrades the request (unless the full service is asked for)
        return [(e.target, float(e.share), 1.0, float(e.params.probability))
                for e in node.out if float(e.params.probability) > 0.0
                and (full_service or not e.params.optional)]

    def is_boolean(self, nm, rtype, child_boolean):
        return all(c.p >= 1.0 and child_boolean(c.target) for c in nm.children)

    def vec(self, sm, nm, up, u, rtype, kids):
        s = np.zeros(up.shape[0])
        zero = ~u
        for c, (fc, zc) in kids:
            s = s + np.log1p(-c.p * fc)
            if c.p >= 1.0:
                zero = zero | zc
        return np.where(zero, 1.0, -np.expm1(s)), zero

    def sparse(self, nm, rtype, kids, kid_outs, own, primary_row):
        if len(kids) == 1:  # a chain: the target's rows, mapped
            p = kids[0].p
            (f0, z0), krows = kid_outs[0]
            base = (1.0, True) if (z0 and p >= 1.0) else (-math.expm1(0.0 + math.log1p(-p * f0)),
                                                         False)
            rows = {}
            for r, (f, z) in krows.items():
                rows[r] = (1.0, True) if (z and p >= 1.0) else (
                    -math.expm1(0.0 + math.log1p(-p * f)), False)
            for r in own:
                rows[r] = (1.0, True)
            return base, rows
        kb, per_row = rows_by_target(kid_outs, own)
        down = set(own)
        p = [c.p for c in kids]
        terms0 = [math.log1p(-p[j] * kb[j][0]) for j in range(len(kids))]
        nonzero = [j for j, t in enumerate(terms0) if t != 0.0]
        zc0 = sum(1 for j in range(len(kids)) if p[j] >= 1.0 and kb[j][1])

        def value(changed, up):
            if not up:
                return 1.0, True
            zc = zc0
            for j, (_f, z) in changed:
                if p[j] >= 1.0:
                    zc += z - kb[j][1]
            if zc > 0:
                return 1.0, True
            s = ordered_sum([(j, math.log1p(-p[j] * f)) for j, (f, _z) in changed], terms0,
                            nonzero)
            return -math.expm1(s), False

        return value([], True), {r: value(ch, r not in down) for r, ch in per_row.items()}

    def exact(self, nm, rtype, up, dn, kids):
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

    def runtime_class(self):
        from simcore.engine.nodes import ServiceNode

        return ServiceNode

    def serves(self, n, r, ok):
        if not n.up:
            return False
        for e in n.out:
            if e.prob < 1.0 or e.optional:
                continue  # a call it may skip cannot make every request fail
            if e.partitioned or not (e.dst.up if e.mode == "async" else ok[e.dst.id][r]):
                return False
        return True
