"""Roles whose success is the mean over their targets, P̄(x, r) = Σ_t w(x, t) P(t, r), followed
by their own rule (SPEC §3): a client (``source``: P̄), a gateway (``router``) and a rate limiter
(``limiter``: P̄ when up, 0 when down) and a cache or CDN (``cache``: a read h + (1 − h) P̄ when
up; P̄ when down, since a down cache passes requests on)."""

from __future__ import annotations

import numpy as np

from simcore.roles.base import READ, Role, any_target, ordered_sum, rows_by_target


class MeanRole(Role):
    """The mean over the targets in every form; subclasses give their own rule in each."""

    splits = True
    needs_target = True

    def hit(self, nm, rtype: str) -> float:
        """The share of requests of type ``rtype`` answered without the targets."""
        return 0.0

    # own rule, three forms: from the mean's (F̄, zero) or (Z̄, H̄) and the component's state
    def own_vec(self, nm, rtype, u, fbar, zbar):
        raise NotImplementedError

    def own_scalar(self, fbar: float, zbar: bool, up: bool, hit: float):
        raise NotImplementedError

    def own_exact(self, nm, rtype, up, dn, zbar, hbar):
        raise NotImplementedError

    def vec(self, sm, nm, up, u, rtype, kids):
        rows = up.shape[0]
        fbar = np.zeros(rows)
        zbar = np.ones(rows, dtype=bool)
        for c, (fc, zc) in kids:
            fbar = fbar + c.share * fc
            zbar = zbar & zc
        fbar = np.where(zbar, 1.0, fbar)
        return self.own_vec(nm, rtype, u, fbar, zbar)

    def exact(self, nm, rtype, up, dn, kids):
        # (Z̄, H̄) of P̄ with independent targets: Z̄ = Π Z_t, H̄ = Σ w_t H_t + (Σ w_t Z_t − Π Z_t)
        zprod = 1.0
        zsum = 0.0
        hsum = 0.0
        for c, z, h in kids:
            zprod = zprod * z
            zsum = zsum + c.share * z
            hsum = hsum + c.share * h
        return self.own_exact(nm, rtype, up, dn, zprod, hsum + np.maximum(zsum - zprod, 0.0))

    def sparse(self, nm, rtype, kids, kid_outs, own, primary_row):
        hit = self.hit(nm, rtype)
        rule = self.own_scalar
        if len(kids) == 1:  # one target (a client or a cache in front of one part): map its rows
            share = kids[0].share

            def value1(f, zbar, up):
                return rule(1.0 if zbar else 0.0 + share * f, zbar, up, hit)

            (f0, z0), krows = kid_outs[0]
            rows = {r: value1(f, z, True) for r, (f, z) in krows.items()}
            for r in own:
                f, z = krows.get(r, (f0, z0))
                rows[r] = value1(f, z, False)
            return value1(f0, z0, True), rows
        kb, per_row = rows_by_target(kid_outs, own)
        down = set(own)
        share = [c.share for c in kids]
        zb = [v[1] for v in kb]
        terms0 = [share[j] * kb[j][0] for j in range(len(kids))]
        nonzero = [j for j, t in enumerate(terms0) if t != 0.0]
        alive0 = sum(1 for z in zb if not z)

        def value(changed, up):
            alive = alive0
            for j, (_f, z) in changed:
                if z != zb[j]:
                    alive += -1 if z else 1
            zbar = alive == 0
            if zbar:
                fbar = 1.0
            elif nonzero:
                fbar = ordered_sum([(j, share[j] * f) for j, (f, _z) in changed], terms0,
                                   nonzero)
            else:
                fbar = 0.0
                for j, (f, _z) in changed:
                    fbar += share[j] * f
            return rule(fbar, zbar, up, hit)

        return value([], True), {r: value(ch, r not in down) for r, ch in per_row.items()}


class SourceRole(MeanRole):
    """A client: produces the traffic and sends each request to one target by link weight."""

    name = "source"
    is_source = True

    def plan(self, node, np_):
        p = node.params
        np_.is_client = True
        np_.rps = float(p.rps)
        np_.read_ratio = float(p.read_ratio)
        np_.request_kb = float(p.request_kb)

    def servers(self, node) -> int:
        return 0

    def billed_nodes(self, params) -> int:
        return 0

    def setup_model(self, node, nm):
        nm.read_ratio = float(node.params.read_ratio)

    def own_vec(self, nm, rtype, u, fbar, zbar):
        return fbar, zbar

    def own_scalar(self, fbar, zbar, up, hit):
        return fbar, zbar

    def own_exact(self, nm, rtype, up, dn, zbar, hbar):
        return zbar, hbar

    def runtime_class(self):
        from simcore.engine.clients import RClient

        return RClient


class RouterRole(MeanRole):
    """A gateway: own work, then one target by link weight, no failover between targets (they
    are different request classes); an optional ``rate_limit_rps`` caps what it forwards."""

    name = "router"

    def limit(self, params):
        rps = getattr(params, "rate_limit_rps", None)
        return None if rps is None else ("token_bucket", rps, None)

    def own_vec(self, nm, rtype, u, fbar, zbar):
        return np.where(u, fbar, 1.0), ~u | zbar

    def own_scalar(self, fbar, zbar, up, hit):
        return (fbar if up else 1.0), (not up) or zbar

    def own_exact(self, nm, rtype, up, dn, zbar, hbar):
        return dn + up * zbar, up * hbar

    def runtime_class(self):
        from simcore.engine.nodes import RouterNode

        return RouterNode

    def serves(self, n, r, ok):
        return n.up and any_target(n, r, ok)


class LimiterRole(RouterRole):
    """A rate limiter: a router that admits at most ``limit_rps`` (by ``policy``, ``burst``);
    the rest are rejected (HTTP 429), neither successes nor failures."""

    name = "limiter"

    def limit(self, params):
        return params.policy, params.limit_rps, params.burst


class CacheRole(MeanRole):
    """A cache or CDN: a read hits with its hit ratio (given, or computed from
    ``capacity_keys``) and returns; a miss or a write goes on to one target by link weight. A
    write-behind cache (``write_policy`` back) answers every write itself while up: the target
    receives the writes later, unwaited. Down, it passes every request to its targets."""

    name = "cache"

    def hit_ratio(self, node):
        if node.computed_hit_ratio is not None:
            return node.computed_hit_ratio
        return float(node.params.hit_ratio)

    @staticmethod
    def writes_behind(params) -> bool:
        return getattr(params, "write_policy", "around") == "back"

    def hit(self, nm, rtype):
        """All instances up (the failure impacts: everything else up)."""
        return nm.hit_ratio if rtype == READ else nm.write_hit

    def mean_hit(self, nm, rtype):
        """Averaged over the instances up given that the cache serves (h̄, see
        simcore.analysis.che.mean_hit_ratio_when_up): the forms that take the expectation over
        its up/down state (vectorised, exact) use it."""
        return nm.mean_hit_ratio if rtype == READ else nm.write_hit

    def link_flow(self, node, edge):
        miss = 1.0 - self.hit_ratio(node)
        fr, fw = miss * edge.share, edge.share
        # write-behind: every write still reaches the target (a flush forwards each one), but
        # nobody waits for it there
        return fr, fw, fr, (0.0 if self.writes_behind(node.params) else fw)

    def setup_model(self, node, nm):
        super().setup_model(node, nm)
        from simcore.analysis.che import mean_hit_ratio_when_up  # the analysis imports roles

        nm.hit_ratio = self.hit_ratio(node)
        nm.mean_hit_ratio = mean_hit_ratio_when_up(node)
        nm.write_hit = 1.0 if self.writes_behind(node.params) else 0.0

    def type_independent(self, nm):
        return nm.hit_ratio == nm.write_hit == nm.mean_hit_ratio

    def is_boolean(self, nm, rtype, child_boolean):
        return (super().is_boolean(nm, rtype, child_boolean)
                and self.mean_hit(nm, rtype) in (0.0, 1.0))

    def own_vec(self, nm, rtype, u, fbar, zbar):
        h = self.mean_hit(nm, rtype)
        if h > 0:
            return np.where(u, (1.0 - h) * fbar, fbar), ~u & zbar
        return fbar, zbar

    def own_scalar(self, fbar, zbar, up, hit):
        if hit > 0:
            return ((1.0 - hit) * fbar if up else fbar), (not up) and zbar
        return fbar, zbar

    def own_exact(self, nm, rtype, up, dn, zbar, hbar):
        h = self.mean_hit(nm, rtype)
        if h > 0:
            return dn * zbar, dn * hbar + up * (1.0 - h) * (zbar + hbar)
        return zbar, hbar

    def runtime_class(self):
        from simcore.engine.caching import CacheNode

        return CacheNode

    def serves(self, n, r, ok):
        return (n.up and (n.h > 0 if r == 0 else n.behind)) or any_target(n, r, ok)
