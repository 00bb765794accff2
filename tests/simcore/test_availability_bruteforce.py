"""Exact availability, failure impacts and SPOFs (SPEC §3) against a brute force written here from
the specification's text alone.

The brute force enumerates every up/down state of every independent part: each instance of a
component, its standby and whether a failover is still in progress, each database node (per
shard: the primary, its standby and failover, each replica) and each group. A component is up
when an instance is up, or when its standby is up and done taking over; so it is down with
probability uⁿ · [u + a · (1 − e^(−n·F / MTTR))], as SPEC §3 states, without using that formula
(the failover bit of a unit of n actives is in progress with 1 − e^(−n·F / MTTR): once all n are
down the first repair comes after Exp(MTTR / n)).
For every state it evaluates the success function P(x, r) exactly as SPEC §3 words it, and sums
the states' probabilities. The admitted rps that weigh the clients come from a flow computed here
too. Small random designs (hypothesis) cover shared components (diamonds, two paths into one
database, caches, DNS or balancer failover, groups as common causes, replicas and shards,
standbys, service call probabilities, async links to queues, rate limits, caches sized by
``capacity_keys``). A sized cache with k instances up hits with h(k), Che's hit ratio at
k · capacity_keys keys (the analysis' own h(k), tested against Che's formula in
test_cache_instances.py): the brute force counts the instances up in each state (a standby
serving counts as one).

Tolerances: 1e-9 absolute on A, 1e-6 relative on U = 1 − A (and on each failure impact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcore.analysis import analyze
from simcore.analysis.che import settle_hit_ratios
from simcore.io import parse
from simcore.topology import compile_design

A_ABS = 1e-9
U_REL = 1e-6
SPOF_EPS = 1e-12
MAX_BITS = 16  # 65,536 states per design

SPLIT_BY_WEIGHT = {"client", "api_gateway", "rate_limiter", "cache", "cdn"}
BALANCERS = {"dns", "load_balancer", "reverse_proxy"}
SPLITTERS = SPLIT_BY_WEIGHT | BALANCERS
TERMINALS = {"database", "blob_storage", "external_service"}
NEEDS_TARGET = SPLITTERS
FAILOVER_DEFAULT_S = {"cold": 600.0, "warm": 60.0, "hot": 5.0}


# --- reading a design dict ------------------------------------------------------------------
def _u(params: dict) -> float:
    if "mtbf_hours" in params:
        return params["mttr_hours"] / (params["mtbf_hours"] + params["mttr_hours"])
    return 1.0 - params.get("availability", 1.0)


def _failover_p(params: dict, n: int) -> float:
    """Chance that the standby of n actives is still taking over: 1 − e^(−n·F / MTTR), MTTR 1 h
    by default."""
    standby = params.get("standby", "none")
    if standby == "none":
        return 0.0
    f_h = params.get("failover_s", FAILOVER_DEFAULT_S[standby]) / 3600.0
    return 1.0 - math.exp(-n * f_h / params.get("mttr_hours", 1.0))


@dataclass
class Bits:
    """Independent Bernoulli 'bad' bits (down, or failover in progress) and their chances."""

    p: list[float] = field(default_factory=list)

    def add(self, p: float) -> int:
        self.p.append(p)
        return len(self.p) - 1


@dataclass
class Unit:
    """One failing unit: active copies, optionally a standby with its failover bit."""

    actives: list[int]
    standby: int | None = None
    failover: int | None = None

    def up(self, bad: np.ndarray) -> np.ndarray:
        ok = np.zeros(bad.shape[0], dtype=bool)
        for b in self.actives:
            ok |= ~bad[:, b]
        if self.standby is not None:
            ok |= ~bad[:, self.standby] & ~bad[:, self.failover]
        return ok

    def all_bits(self) -> list[int]:
        return self.actives + ([self.standby] if self.standby is not None else [])

    def serving(self, bad: np.ndarray) -> np.ndarray:
        """Instances serving per row: the actives up, or 1 when only the standby serves."""
        k = np.zeros(bad.shape[0], dtype=int)
        for b in self.actives:
            k += ~bad[:, b]
        if self.standby is not None:
            k = np.where((k == 0) & ~bad[:, self.standby] & ~bad[:, self.failover], 1, k)
        return k


class Brute:
    """Every state of a design dict, and SPEC §3's P(x, r) on them."""

    def __init__(self, d: dict):
        self.d = d
        self.comp = {c["id"]: c for c in d["components"]}
        self.order = [c["id"] for c in d["components"]]  # generated in topological order
        self.out: dict[str, list[dict]] = {x: [] for x in self.order}
        for lk in d["links"]:
            self.out[lk["source"]].append(lk)
        self.bits = Bits()
        self.units: dict[str, Unit] = {}
        self.shards: dict[str, list[tuple[Unit, list[int]]]] = {}
        for x in self.order:
            c = self.comp[x]
            p = c.get("params", {})
            if c["kind"] == "client":
                continue
            u = _u(p)
            if c["kind"] == "database":
                rows = []
                for _k in range(p.get("shards", 1)):
                    prim = self._unit(1, u, _failover_p(p, 1), p)
                    reps = [self.bits.add(u) for _ in range(p.get("replicas", 0))]
                    rows.append((prim, reps))
                self.shards[x] = rows
            else:
                n = p.get("instances", 1)
                self.units[x] = self._unit(n, u, _failover_p(p, n), p)
        self.group_bit = {g["id"]: self.bits.add(_u(g.get("params", {})))
                          for g in d.get("groups", [])}
        self.groups_of = {x: [g["id"] for g in d.get("groups", []) if x in g["members"]]
                          for x in self.order}
        self.hits = _sized_hit_ratios(d)

    def hit(self, x: str, bad: np.ndarray | None = None):
        """A cache's hit ratio: given; or, sized, h(k) per row with k its instances serving
        (h(n) without rows: everything up)."""
        if x not in self.hits:
            return self.comp[x].get("params", {}).get("hit_ratio",
                                                      0.8 if self.comp[x]["kind"] == "cache"
                                                      else 0.9)
        table = self.hits[x]
        if bad is None:
            return table[-1]
        return table[self.units[x].serving(bad)]

    def _unit(self, n: int, u: float, f: float, p: dict) -> Unit:
        unit = Unit([self.bits.add(u) for _ in range(n)])
        if p.get("standby", "none") != "none":
            unit.standby = self.bits.add(u)
            unit.failover = self.bits.add(f)
        return unit

    # --- states ---------------------------------------------------------------------------
    def variable_bits(self) -> list[int]:
        return [i for i, p in enumerate(self.bits.p) if 0.0 < p < 1.0]

    def enumerate(self) -> tuple[np.ndarray, np.ndarray]:
        """(bad, weight): every state of the variable bits, the others fixed good."""
        var = self.variable_bits()
        rows = 1 << len(var)
        idx = np.arange(rows)
        bad = np.zeros((rows, len(self.bits.p)), dtype=bool)
        weight = np.ones(rows)
        for k, b in enumerate(var):
            col = ((idx >> k) & 1).astype(bool)
            bad[:, b] = col
            weight *= np.where(col, self.bits.p[b], 1.0 - self.bits.p[b])
        return bad, weight

    def all_good(self, rows: int) -> np.ndarray:
        return np.zeros((rows, len(self.bits.p)), dtype=bool)

    # --- the success function ---------------------------------------------------------------
    def own_up(self, x: str, bad: np.ndarray) -> np.ndarray:
        if x in self.units:
            return self.units[x].up(bad)
        return np.ones(bad.shape[0], dtype=bool)

    def group_up(self, x: str, bad: np.ndarray) -> np.ndarray:
        ok = np.ones(bad.shape[0], dtype=bool)
        for g in self.groups_of[x]:
            ok &= ~bad[:, self.group_bit[g]]
        return ok

    def shares(self, x: str) -> list[tuple[str, float]]:
        kind = self.comp[x]["kind"]
        links = self.out[x]
        weighted = kind in SPLIT_BY_WEIGHT or (
            kind in BALANCERS and self.comp[x].get("params", {}).get("algorithm") == "weighted")
        if weighted:
            w = [lk.get("params", {}).get("weight", 1.0) for lk in links]
        else:
            w = [1.0] * len(links)
        total = sum(w)
        return [(lk["target"], wi / total) for lk, wi in zip(links, w)]

    def mean_over_targets(self, x: str, P: dict[str, np.ndarray], rows: int) -> np.ndarray:
        """P̄(x, r): the share-weighted mean of the targets' P."""
        acc = np.zeros(rows)
        for t, s in self.shares(x):
            acc = acc + s * P[t]
        return acc

    def success(self, bad: np.ndarray, rtype: str) -> dict[str, np.ndarray]:
        """P(x, rtype) for every component, per state row."""
        rows = bad.shape[0]
        P: dict[str, np.ndarray] = {}
        for x in reversed(self.order):
            c = self.comp[x]
            kind = c["kind"]
            p = c.get("params", {})

            if kind == "client":
                P[x] = self.mean_over_targets(x, P, rows)
                continue
            up = self.own_up(x, bad) & self.group_up(x, bad)
            if kind in ("cache", "cdn"):
                h = self.hit(x, bad)
                mean = self.mean_over_targets(x, P, rows)
                served = h + (1.0 - h) * mean if rtype == "read" else mean
                P[x] = np.where(up, served, mean)  # a down cache passes requests on
                continue
            if kind in ("api_gateway", "rate_limiter"):
                val = self.mean_over_targets(x, P, rows)
            elif kind in BALANCERS:
                num = np.zeros(rows)
                den = np.zeros(rows)
                for t, s in self.shares(x):
                    serving = P[t] > 0
                    num = num + np.where(serving, s * P[t], 0.0)
                    den = den + np.where(serving, s, 0.0)
                val = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
            elif kind == "service":
                val = np.ones(rows)
                for lk in self.out[x]:
                    prob = lk.get("params", {}).get("probability", 1.0)
                    val = val * ((1.0 - prob) + prob * P[lk["target"]])
            elif kind == "database":
                k_n = p.get("shards", 1)
                even = p.get("sharding") in ("hash", "directory")
                skew = 0.0 if even else float(p.get("shard_skew", 0.0))
                z = np.arange(1, k_n + 1, dtype=float) ** -skew
                z /= z.sum()
                val = np.zeros(rows)
                mode = p.get("replication", "async")
                for k, (prim, reps) in enumerate(self.shards[x]):
                    ok = prim.up(bad)
                    if rtype == "read":
                        for r in reps:
                            ok = ok | ~bad[:, r]
                    elif reps and mode == "sync":  # every replica acknowledges
                        for r in reps:
                            ok = ok & ~bad[:, r]
                    elif reps and mode == "semi_sync":  # at least one replica acknowledges
                        ok = ok & np.any(~bad[:, reps], axis=1)
                    val = val + z[k] * ok
            else:  # message_queue, blob_storage, external_service: they are up
                val = np.ones(rows)
            P[x] = np.where(up, val, 0.0)
        return P

    # --- the request-weighted figures -----------------------------------------------------------
    def clients(self) -> list[str]:
        return [x for x in self.order if self.comp[x]["kind"] == "client"]

    def client_failure(self, bad: np.ndarray) -> dict[str, np.ndarray]:
        """Per client and state: 1 − [ρ P(c, read) + (1 − ρ) P(c, write)]."""
        pr = self.success(bad, "read")
        pw = self.success(bad, "write")
        out = {}
        for c in self.clients():
            rr = self.comp[c]["params"].get("read_ratio", 1.0)
            out[c] = rr * (1.0 - pr[c]) + (1.0 - rr) * (1.0 - pw[c])
        return out

    def client_weights(self) -> dict[str, float]:
        adm = admitted_rps(self)
        total = sum(adm.values())
        if total > 0:
            return {c: v / total for c, v in adm.items()}
        return {c: 1.0 / len(adm) for c in adm}

    def weighted_failure(self, bad: np.ndarray) -> np.ndarray:
        w = self.client_weights()
        f = self.client_failure(bad)
        return sum(w[c] * f[c] for c in f)

    def part_down_rows(self) -> dict[tuple, np.ndarray]:
        """One state per scenario of SPEC's failure impact / SPOF: ('whole', x), ('primary', x, k),
        ('group', g): that part down, everything else up (failovers done)."""
        scen = []
        for x in self.order:
            if x in self.units:
                scen.append((("whole", x), self.units[x].all_bits()))
            elif x in self.shards:
                bits = []
                for prim, reps in self.shards[x]:
                    bits += prim.all_bits() + reps
                scen.append((("whole", x), bits))
                for k, (prim, _reps) in enumerate(self.shards[x]):
                    scen.append((("primary", x, k), prim.all_bits()))
        for g, b in self.group_bit.items():
            scen.append((("group", g), [b]))
        bad = self.all_good(len(scen))
        for i, (_key, bits) in enumerate(scen):
            bad[i, bits] = True
        f = self.weighted_failure(bad)
        return {key: float(f[i]) for i, (key, _b) in enumerate(scen)}


def admitted_rps(b: Brute) -> dict[str, float]:
    """Each client's rps less what rate limits reject of its requests (SPEC §3 flow)."""
    comp, order = b.comp, b.order

    def limit(x):
        p = comp[x].get("params", {})
        if comp[x]["kind"] == "rate_limiter":
            return p["limit_rps"]
        if comp[x]["kind"] == "api_gateway":
            return p.get("rate_limit_rps")
        return None

    def forward(x, r, w):
        """[(target, reads, writes)] that x passes on from r reads and w writes it forwards."""
        kind = comp[x]["kind"]
        if kind in SPLITTERS and kind not in ("cache", "cdn"):
            return [(t, r * s, w * s) for t, s in b.shares(x)]
        if kind in ("cache", "cdn"):
            h = b.hit(x)
            return [(t, r * (1 - h) * s, w * s) for t, s in b.shares(x)]
        if kind == "service":
            return [(lk["target"], r * lk.get("params", {}).get("probability", 1.0),
                     w * lk.get("params", {}).get("probability", 1.0)) for lk in b.out[x]]
        if kind == "message_queue":
            return [(lk["target"], r, w) for lk in b.out[x]]
        return []

    def propagate(source_rates, passed=None):
        rd = dict.fromkeys(order, 0.0)
        wr = dict.fromkeys(order, 0.0)
        rejected = 0.0
        frac = {}
        for c, (r, w) in source_rates.items():
            rd[c], wr[c] = r, w
        for x in order:
            r, w = rd[x], wr[x]
            lim = limit(x)
            if lim is not None:
                f = passed[x] if passed is not None else (1.0 if r + w <= lim else lim / (r + w))
                frac[x] = f
                rejected += (r + w) * (1.0 - f)
                r, w = r * f, w * f
            for t, a, bb in forward(x, r, w):
                rd[t] += a
                wr[t] += bb
        return frac, rejected

    rates = {}
    for c in b.clients():
        p = comp[c]["params"]
        rr = p.get("read_ratio", 1.0)
        rates[c] = (p["rps"] * rr, p["rps"] * (1.0 - rr))
    passed, _ = propagate(rates)
    out = {}
    for c, (r, w) in rates.items():
        _, rej = propagate({c: (r, w)}, passed)
        out[c] = max(0.0, r + w - rej)
    return out


def _sized_hit_ratios(d: dict) -> dict[str, np.ndarray]:
    """{cache id: [h(0) (unused), h(1), …, h(n)]} for the caches sized by ``capacity_keys``."""
    sized = [c["id"] for c in d["components"] if "capacity_keys" in c.get("params", {})]
    if not sized:
        return {}
    topo = compile_design(parse(d))
    settle_hit_ratios(topo)
    out = {}
    for x in sized:
        hits = topo.nodes[x].instance_hit_ratios
        out[x] = np.array([0.0] + [hits(k) for k in range(1, hits.instances + 1)])
    return out


def brute_force(d: dict) -> dict:
    """A, U, per-client availability, failure impacts, group impacts, SPOFs, own availabilities."""
    b = Brute(d)
    bad, weight = b.enumerate()
    per = b.client_failure(bad)
    w = b.client_weights()
    u_total = sum(w[c] * float((weight * per[c]).sum()) for c in per)
    per_client = {c: 1.0 - float((weight * per[c]).sum()) for c in per}
    impacts = b.part_down_rows()
    failure_impact = {x: impacts.get(("whole", x), 0.0) for x in b.order
                      if b.comp[x]["kind"] != "client"}
    group_impact = {g: impacts[("group", g)] for g in b.group_bit}
    spofs = set()
    for x, whole in failure_impact.items():
        p = b.comp[x].get("params", {})
        if p.get("instances", 1) != 1 or p.get("standby", "none") != "none":
            continue
        if x in b.shards:
            single = max(impacts[("primary", x, k)] for k in range(len(b.shards[x])))
        else:
            single = whole
        if single > SPOF_EPS:
            spofs.add(x)
    spofs |= {g for g, v in group_impact.items() if v > SPOF_EPS}
    own = {}
    for x in b.order:
        if x in b.units:
            own[x] = float((weight * b.units[x].up(bad)).sum())
        elif x in b.shards:
            own[x] = float((weight * b.shards[x][0][0].up(bad)).sum())
    return {"A": 1.0 - u_total, "U": u_total, "per_client": per_client,
            "failure_impact": failure_impact, "group_impact": group_impact,
            "spofs": sorted(spofs), "own": own, "bits": len(b.variable_bits())}


# --- comparing ---------------------------------------------------------------------------------
def close_u(got: float, want: float) -> bool:
    return abs(got - want) <= U_REL * abs(want) + 1e-15


def check_against_brute_force(d: dict) -> None:
    want = brute_force(d)
    res = analyze(parse(d))
    assert res.availability_method == "exact"
    assert abs(res.availability - want["A"]) <= A_ABS, (res.availability, want["A"])
    assert close_u(res.unavailability, want["U"]), (res.unavailability, want["U"])
    for c, a in want["per_client"].items():
        assert abs(res.components[c].availability - a) <= A_ABS, (c, res.components[c], a)
    for x, fi in want["failure_impact"].items():
        assert close_u(res.components[x].failure_impact, fi), (x, res.components[x], fi)
    for g, fi in want["group_impact"].items():
        assert close_u(res.groups[g].failure_impact, fi), (g, res.groups[g], fi)
    for x, a in want["own"].items():
        assert res.components[x].availability == pytest.approx(a, abs=1e-12), x
    assert res.spofs == want["spofs"]


# --- hand-made structures ------------------------------------------------------------------------
def C(cid, kind, **params):
    return {"id": cid, "kind": kind, "params": params}


def L(s, t, **params):
    return {"id": f"{s}>{t}", "source": s, "target": t, "params": params}


def D(components, links, groups=()):
    return {"schema_version": 2, "components": components, "links": links,
            "groups": list(groups)}


STRUCTURES = {
    "diamond_into_one_database": D(
        [C("u", "client", rps=100, read_ratio=0.7), C("lb", "load_balancer", availability=0.99),
         C("a", "service", availability=0.9), C("b", "service", availability=0.95),
         C("db", "database", availability=0.98, replicas=1)],
        [L("u", "lb"), L("lb", "a"), L("lb", "b"), L("a", "db"), L("b", "db")]),
    "two_clients_share_a_cache_and_database": D(
        [C("web", "client", rps=300, read_ratio=0.9), C("api", "client", rps=100, read_ratio=0.5),
         C("app", "service", availability=0.9, instances=2),
         C("cache", "cache", availability=0.8, hit_ratio=0.8),
         C("db", "database", availability=0.95, shards=2, shard_skew=1.0)],
        [L("web", "app"), L("api", "cache"), L("app", "cache"), L("cache", "db")]),
    "two_clients_share_a_sized_cache_with_a_standby": D(
        [C("web", "client", rps=300, read_ratio=0.9), C("api", "client", rps=100, read_ratio=0.5),
         C("app", "service", availability=0.9, instances=2),
         C("cache", "cache", availability=0.7, capacity_keys=20_000, instances=3,
           standby="warm", failover_s=1800),
         C("db", "database", availability=0.95, replicas=1)],
        [L("web", "app"), L("api", "cache"), L("app", "cache"), L("cache", "db")],
        [{"id": "z", "kind": "zone", "members": ["cache", "app"],
          "params": {"availability": 0.99}}]),
    "dns_fails_over_between_regions": D(
        [C("u", "client", rps=1000, read_ratio=0.9), C("dns", "dns", availability=0.9999),
         C("lb_e", "load_balancer", availability=0.99), C("app_e", "service", availability=0.95),
         C("db_e", "database", availability=0.97, replicas=1),
         C("lb_w", "load_balancer", availability=0.99), C("app_w", "service", availability=0.95),
         C("db_w", "database", availability=0.97)],
        [L("u", "dns"), L("dns", "lb_e"), L("dns", "lb_w"), L("lb_e", "app_e"),
         L("app_e", "db_e"), L("lb_w", "app_w"), L("app_w", "db_w")],
        [{"id": "east", "kind": "region", "members": ["lb_e", "app_e", "db_e"],
          "params": {"availability": 0.99}},
         {"id": "west", "kind": "region", "members": ["lb_w", "app_w", "db_w"],
          "params": {"availability": 0.98}}]),
    "zone_across_branches_is_a_common_cause": D(
        [C("u", "client", rps=10), C("lb", "load_balancer", algorithm="weighted"),
         C("a", "service", availability=0.9), C("b", "service", availability=0.9),
         C("ext", "external_service", availability=0.99)],
        [L("u", "lb"), L("lb", "a", weight=3), L("lb", "b"), L("a", "ext"), L("b", "ext")],
        [{"id": "z1", "kind": "zone", "members": ["a", "ext"], "params": {"availability": 0.95}}]),
    "standbys_and_mtbf": D(
        [C("u", "client", rps=50, read_ratio=0.5),
         C("lb", "load_balancer", availability=0.99, standby="hot"),
         C("app", "service", mtbf_hours=100, mttr_hours=5, standby="warm", failover_s=900),
         C("db", "database", mtbf_hours=50, mttr_hours=2, standby="cold", replicas=1)],
        [L("u", "lb"), L("lb", "app"), L("app", "db")]),
    "replication_modes_on_shared_databases": D(
        [C("u", "client", rps=50, read_ratio=0.6), C("a", "service", availability=0.95),
         C("b", "service", availability=0.9),
         C("orders", "database", availability=0.9, replicas=2, shards=2, shard_skew=1.0,
           replication="sync", standby="warm"),
         C("users_db", "database", availability=0.8, replicas=2, shards=2, sharding="hash",
           replication="semi_sync")],
        [L("u", "a"), L("u", "b"), L("a", "orders"), L("a", "users_db"), L("b", "orders"),
         L("b", "users_db")]),
    "service_probabilities_and_async_queue": D(
        [C("u", "client", rps=20, read_ratio=0.2), C("app", "service", availability=0.95),
         C("q", "message_queue", availability=0.9), C("worker", "service", availability=0.5),
         C("pay", "external_service", availability=0.9), C("db", "database", availability=0.9)],
        [L("u", "app"), L("app", "q", mode="async", probability=0.5),
         L("app", "pay", probability=0.3), L("app", "db"), L("q", "worker"),
         L("worker", "db")]),
    "rate_limited_client_weighs_less": D(
        [C("big", "client", rps=1000), C("small", "client", rps=100),
         C("rl", "rate_limiter", limit_rps=100, availability=0.9),
         C("app", "service", availability=0.99), C("other", "service", availability=0.8)],
        [L("big", "rl"), L("rl", "app"), L("small", "other")]),
    "cdn_in_front_of_a_shared_origin": D(
        [C("viewers", "client", rps=500, read_ratio=0.95), C("cdn", "cdn", availability=0.9),
         C("gw", "api_gateway", availability=0.99, instances=2),
         C("media", "service", availability=0.9), C("meta", "database", availability=0.9),
         C("blobs", "blob_storage", availability=0.99)],
        [L("viewers", "cdn"), L("viewers", "gw", weight=0.2), L("cdn", "gw"), L("gw", "media"),
         L("media", "meta"), L("media", "blobs")]),
}


def _wide_balancer(algorithm: str) -> dict:
    """A balancer over seven servers whose success is partial (each makes an optional call to
    its own API), so the renormalised shares over the serving targets matter."""
    comps = [C("u", "client", rps=10), C("lb", "load_balancer", algorithm=algorithm)]
    links = [L("u", "lb")]
    for i in range(7):
        comps += [C(f"s{i}", "service", availability=0.6 + 0.05 * i),
                  C(f"x{i}", "external_service", availability=0.7)]
        links += [L("lb", f"s{i}", weight=1 + i) if algorithm == "weighted" else L("lb", f"s{i}"),
                  L(f"s{i}", f"x{i}", probability=0.5)]
    return D(comps, links)


STRUCTURES["wide_round_robin_balancer_with_partial_targets"] = _wide_balancer("round_robin")
STRUCTURES["wide_weighted_balancer_with_partial_targets"] = _wide_balancer("weighted")


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_structures_match_brute_force(name):
    check_against_brute_force(STRUCTURES[name])


def test_naive_series_parallel_product_is_wrong_for_a_shared_database():
    # Two app servers share one database: the database is in series with the pair, not once
    # per branch. Naive per-branch multiplication, 1 − (1 − a_app a_db)², overstates A.
    d = STRUCTURES["diamond_into_one_database"]
    res = analyze(parse(d))
    want = brute_force(d)
    a_lb, a_a, a_b, a_db = 0.99, 0.9, 0.95, 1 - 0.02 ** 2
    # Hand formula (writes and reads alike: the replica serves reads, the primary writes):
    reads = a_lb * (1 - (1 - a_a) * (1 - a_b)) * a_db
    writes = a_lb * (1 - (1 - a_a) * (1 - a_b)) * 0.98
    assert res.availability == pytest.approx(0.7 * reads + 0.3 * writes, abs=1e-12)
    assert res.availability == pytest.approx(want["A"], abs=A_ABS)
    naive = a_lb * (1 - (1 - a_a * 0.98) * (1 - a_b * 0.98))
    assert naive > res.availability + 1e-3


# --- random designs ------------------------------------------------------------------------------
MIDDLE_KINDS = ["dns", "load_balancer", "reverse_proxy", "api_gateway", "rate_limiter",
                "service", "service", "service", "cache", "cdn", "message_queue"]
END_KINDS = ["database", "database", "blob_storage", "external_service"]
AVAILABILITIES = [1.0, 0.999, 0.99, 0.9, 0.8, 0.6]


@st.composite
def designs(draw):
    n_clients = draw(st.integers(1, 2))
    n_middle = draw(st.integers(1, 5))
    n_end = draw(st.integers(1, 2))
    kinds = (["client"] * n_clients + [draw(st.sampled_from(MIDDLE_KINDS)) for _ in range(n_middle)]
             + [draw(st.sampled_from(END_KINDS)) for _ in range(n_end)])
    ids = [f"{k[:3]}{i}" for i, k in enumerate(kinds)]
    comps = []
    for i, (cid, kind) in enumerate(zip(ids, kinds)):
        p: dict = {}
        if kind == "client":
            p["rps"] = draw(st.sampled_from([0.0, 10.0, 100.0, 250.0]))
            p["read_ratio"] = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
        else:
            form = draw(st.sampled_from(["availability", "availability", "mtbf", "none"]))
            if form == "availability":
                p["availability"] = draw(st.sampled_from(AVAILABILITIES))
            elif form == "mtbf":
                p["mtbf_hours"] = draw(st.sampled_from([10.0, 100.0, 2000.0]))
                p["mttr_hours"] = draw(st.sampled_from([0.5, 2.0, 10.0]))
            if kind != "database":
                p["instances"] = draw(st.sampled_from([1, 1, 1, 2, 3]))
            standby = draw(st.sampled_from(["none", "none", "none", "cold", "warm", "hot"]))
            if standby != "none":
                p["standby"] = standby
                if draw(st.booleans()):
                    p["failover_s"] = draw(st.sampled_from([0.0, 30.0, 3600.0]))
            if kind in ("cache", "cdn"):
                keys = draw(st.sampled_from([None, None, 2_000, 50_000, 400_000]))
                if keys is None:
                    p["hit_ratio"] = draw(st.sampled_from([0.0, 0.5, 0.8, 1.0]))
                else:
                    p["capacity_keys"] = keys  # over 100,000 keys: 400,000 holds every key
                    p["instances"] = draw(st.sampled_from([2, 3]))
            if kind == "database":
                p["replicas"] = draw(st.sampled_from([0, 0, 1, 2]))
                p["replication"] = draw(st.sampled_from(["async", "semi_sync", "sync"]))
                p["shards"] = draw(st.sampled_from([1, 1, 2, 3]))
                p["shard_skew"] = draw(st.sampled_from([0.0, 0.5, 1.0]))
            if kind in BALANCERS:
                p["algorithm"] = draw(st.sampled_from(["round_robin", "weighted"]))
            if kind == "rate_limiter":
                p["limit_rps"] = draw(st.sampled_from([5.0, 50.0, 1000.0]))
            if kind == "api_gateway" and draw(st.booleans()):
                p["rate_limit_rps"] = draw(st.sampled_from([20.0, 500.0]))
        comps.append({"id": cid, "kind": kind, "params": p})
    links = []
    for i, kind in enumerate(kinds):
        if kind in TERMINALS:
            continue
        later = [j for j in range(max(i + 1, n_clients), len(kinds))]
        if kind == "client":
            later = list(range(n_clients, len(kinds)))
        lo = 1 if kind in NEEDS_TARGET else 0
        chosen = draw(st.lists(st.sampled_from(later), min_size=lo, max_size=3, unique=True))
        for j in chosen:
            lp: dict = {}
            if kind in SPLITTERS and draw(st.booleans()):
                lp["weight"] = draw(st.sampled_from([0.5, 1.0, 3.0]))
            if kind == "service":
                if draw(st.booleans()):
                    lp["probability"] = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))
                if kinds[j] == "message_queue" and draw(st.booleans()):
                    lp["mode"] = "async"
            links.append({"id": f"l{i}_{j}", "source": ids[i], "target": ids[j], "params": lp})
    groups = []
    non_clients = ids[n_clients:]
    zone_taken: set = set()
    region_taken: set = set()
    for gi in range(draw(st.integers(0, 2))):
        gkind = draw(st.sampled_from(["zone", "region"]))
        taken = zone_taken if gkind == "zone" else region_taken
        free = [x for x in non_clients if x not in taken]
        if not free:
            continue
        members = draw(st.lists(st.sampled_from(free), min_size=1, max_size=4, unique=True))
        taken.update(members)
        gp = {}
        ga = draw(st.sampled_from([1.0, 0.99, 0.9, 0.7]))
        if ga < 1.0:
            gp["availability"] = ga
        groups.append({"id": f"g{gi}", "kind": gkind, "members": members, "params": gp})
    sized = any("capacity_keys" in c["params"] for c in comps)
    d = {"schema_version": 2 if sized else 1, "components": comps, "links": links,
         "groups": groups}
    _fit_budget(d)
    return d


def _fit_budget(d: dict) -> None:
    """Make components perfect, from the last, until at most MAX_BITS parts can fail."""
    for c in reversed(d["components"]):
        if Brute(d).variable_bits().__len__() <= MAX_BITS:
            return
        if c["kind"] == "client":
            continue
        for k in ("availability", "mtbf_hours", "mttr_hours"):
            c["params"].pop(k, None)
    for g in d["groups"]:
        if len(Brute(d).variable_bits()) <= MAX_BITS:
            return
        g["params"] = {}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_random_designs_match_brute_force(d):
    check_against_brute_force(d)
