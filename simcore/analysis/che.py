"""The hit ratio of an LRU cache from its size (SPEC §7.4), by Che's approximation.

A cache of C keys under independent (Poisson) requests keeps key k with probability
1 − e^(−λ_k T), T the cache's *characteristic time*: the time a key survives without a request.
The occupancies sum to the capacity, Σ_k h_k(T) = C, which fixes T. Per key, with read rate r_k
and write rate w_k (requests/s):

- ``around`` (a write removes the key): h_k = r_k / (r_k + w_k) · (1 − e^(−(r_k + w_k) T));
- ``through``/``back`` (a write refreshes the key): h_k = 1 − e^(−(r_k + w_k) T);
- with a time to live, h_k ≤ r_k · ttl / (1 + r_k · ttl) (a key lives ttl after its fill: of a
  fill and the reads during the ttl that follows, all but the fill hit).

The hit ratio is the read-weighted mean, h = Σ r_k h_k / Σ r_k. The approximation is known to be
accurate within a percent or two for Zipf popularities once the cache holds more than a few
hundred keys (Che, Tung and Wang 2002; Fricker, Robert and Roberts 2012).

Key popularities are the clients' Zipf laws (``key_space`` keys, exponent ``key_skew``; key i
has weight (i + 1)^−skew) mixed by each client's rate of that type. Key spaces up to 10⁹ are
handled by treating the first HEAD_KEYS keys one by one and grouping the rest in geometrically
growing bins of keys of nearly equal popularity (their weight from the integral of x^−skew).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

HEAD_KEYS = 1 << 15
"""Keys counted one by one; beyond, bins BIN_GROWTH wider each (relative popularity spread in
a bin ≤ skew · 0.2 %)."""
BIN_GROWTH = 1.002

Law = tuple[float, int, float]
"""(weight: the client's rate of that type, key_space, key_skew)."""


def _edges(spaces: list[int]) -> np.ndarray:
    """Bin edges over [0, max space): every key below HEAD_KEYS, then geometric bins, with
    every key space a bin edge (a law ends exactly at one)."""
    top = max(spaces)
    head = min(top, HEAD_KEYS)
    edges = [np.arange(head + 1, dtype=float)]
    if top > head:
        n = math.ceil(math.log(top / head) / math.log(BIN_GROWTH))
        edges.append(np.unique(np.rint(head * BIN_GROWTH ** np.arange(1, n + 1))))
    edges.append(np.array(spaces, dtype=float))
    e = np.unique(np.concatenate(edges))
    return e[e <= top]


def _mass(a: np.ndarray, b: np.ndarray, skew: float) -> np.ndarray:
    """Σ (i + 1)^−skew over keys a ≤ i < b: exact for single keys, else ∫ over [a + ½, b + ½)."""
    single = (b - a) == 1
    out = np.empty_like(a)
    out[single] = (a[single] + 1.0) ** -skew
    lo, hi = a[~single] + 0.5, b[~single] + 0.5
    if abs(skew - 1.0) < 1e-12:
        out[~single] = np.log(hi / lo)
    else:
        e = 1.0 - skew
        out[~single] = (hi**e - lo**e) / e
    return out


def bin_popularity(laws_by_type: list[list[Law]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """(keys per bin, [per-key probability in each bin, one array per request type]) for the
    mixtures of ``laws_by_type`` (a type with no law has all zeros)."""
    spaces = sorted({int(n) for laws in laws_by_type for _w, n, _s in laws}) or [1]
    e = _edges(spaces)
    a, b = e[:-1], e[1:]
    count = b - a
    probs = []
    for laws in laws_by_type:
        total = sum(w for w, _n, _s in laws if w > 0)
        p = np.zeros_like(a)
        for w, n, s in laws:
            if w <= 0:
                continue
            inside = b <= n
            m = np.where(inside, _mass(a, b, float(s)), 0.0)
            p += (w / total) * m / m.sum()
        probs.append(p / count)
    return count, probs


class HitCurve:
    """The read hit ratio of an LRU cache as a function of the keys it holds, for one traffic:
    ``read_rps`` reads and ``write_rps`` writes spread over the keys by the two mixtures. The
    key popularities are binned once; each ``at`` solves Σ_k h_k(T) = C for T by bisection."""

    def __init__(self, read_rps: float, write_rps: float, read_laws: list[Law],
                 write_laws: list[Law], policy: str = "around", ttl_s: float | None = None):
        self.reads = read_rps > 0.0
        if not self.reads:
            return
        count, (pr, pw) = bin_popularity([read_laws, write_laws])
        r = read_rps * pr  # per key of each bin
        w = write_rps * pw if write_laws else np.zeros_like(r)
        lam = r + w
        self.count, self.r, self.lam = count, r, lam
        self.share = np.divide(r, lam, out=np.zeros_like(r), where=lam > 0) \
            if policy == "around" else (lam > 0).astype(float)
        self.cap = 1.0 if ttl_s is None else r * ttl_s / (1.0 + r * ttl_s)

    def _per_key(self, t: float) -> np.ndarray:
        return np.minimum(self.share * -np.expm1(-self.lam * t), self.cap)

    def _occupancy(self, t: float) -> float:
        return float((self.count * self._per_key(t)).sum())

    def at(self, capacity_keys: float) -> float:
        """The hit ratio holding ``capacity_keys`` keys; 0 without reads."""
        if not self.reads:
            return 0.0
        if self._occupancy(1e300) <= capacity_keys:
            h = self._per_key(1e300)  # everything that can be held fits: no eviction
        else:  # T where the occupancy, growing with T, is the capacity
            h = self._per_key(_smallest_time(self._occupancy, capacity_keys))
        count_r = self.count * self.r
        return float((count_r * h).sum() / count_r.sum())

    def keys_for(self, target: float, most: int) -> int:
        """The keys for which the hit ratio is ``target``: the occupancy Σ_k h_k(T) at the T
        where the read-weighted hit ratio reaches it (both grow with T); ``most`` (every key
        the reads can touch) when it cannot; 1 for a target of 0 or without reads."""
        if target <= 0.0 or not self.reads:
            return 1
        weight = self.count * self.r / float((self.count * self.r).sum())

        def hits(t: float) -> float:
            return float((weight * self._per_key(t)).sum())

        if target >= hits(1e300) - REACH_TOLERANCE:
            return most
        return min(most, math.ceil(self._occupancy(_smallest_time(hits, target)) - 1e-9))


def hit_ratio(read_rps: float, write_rps: float, read_laws: list[Law], write_laws: list[Law],
              capacity_keys: float, policy: str = "around", ttl_s: float | None = None) -> float:
    """The read hit ratio of an LRU cache holding ``capacity_keys`` keys (all its instances),
    under ``read_rps`` reads and ``write_rps`` writes spread over the keys by the two mixtures;
    0 without reads."""
    return HitCurve(read_rps, write_rps, read_laws, write_laws, policy, ttl_s).at(capacity_keys)


def _smallest_time(grows, goal: float) -> float:
    """The smallest T (s) with ``grows(T) ≥ goal``, to a relative 10⁻¹², for ``grows``
    increasing in T and reaching ``goal`` at some finite T."""
    lo, hi = 0.0, 1.0
    while grows(hi) < goal:
        lo, hi = hi, hi * 2.0
    for _ in range(100):  # bisection on T
        mid = 0.5 * (lo + hi)
        if grows(mid) < goal:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return hi


class InstanceHits:
    """h(k), a sized cache's hit ratio with k of its ``instances`` up: they hold
    k · ``capacity_keys`` keys (SPEC §7.4: T solves Σ_k h_k(T) = k_up · capacity_keys), at the
    design's load (the all-up flow's reads and writes). Each k is computed when first asked."""

    def __init__(self, curve: HitCurve, capacity_keys: int, instances: int):
        self.curve = curve
        self.capacity_keys = float(capacity_keys)
        self.instances = int(instances)
        self._known: dict[int, float] = {}

    def __call__(self, k: int) -> float:
        """h(k) for 1 ≤ k ≤ instances (the standby serving counts as k = 1)."""
        k = int(k)
        h = self._known.get(k)
        if h is None:
            h = self._known[k] = self.curve.at(self.capacity_keys * k)
        return h

    def of_counts(self, units: np.ndarray) -> np.ndarray:
        """h(k) for each entry of ``units`` (instances serving, as floats); entries below 1 (the
        cache down) get h(instances): a down cache hits nothing, whatever the figure."""
        n = float(self.instances)
        k = np.where(units >= 1.0, np.minimum(units, n), n)
        values = np.unique(k)
        if len(values) == 1:
            return np.full(len(k), self(values[0]))
        return np.array([self(v) for v in values])[np.searchsorted(values, k)]


NEGLIGIBLE_MASS = 1e-15
"""Instance counts left out of the mean hit ratio: the least likely ones, together at most this
share of the up-probability (their h is bounded by 1, so h̄ moves by less than this)."""


def mean_hit_ratio_when_up(node) -> float:
    """h̄ = E[h(K) | the cache serves]: the hit ratio of a cache sized by ``capacity_keys`` in the
    forms of the structural availability (SPEC §3) that take the expectation over its up/down
    state: the exact sum, and the vectorised rule of the Monte Carlo fallback and of the
    reliability simulation. Its given or all-up hit ratio for any other cache.

    Why this is exact. The structural model sees a cache as up or down; behind "up" are its
    K ≥ 1 instances up of n, K binomial in its availability a, plus the state where all n are
    down and the standby serves, which acts as one instance (K = 1): P(K = k), with
    P(up) = Σ_{k≥1} P(K = k) = 1 − q. Fix the state of every other part: the targets' mean
    success P̄ is then fixed, and K is independent of it. A read at the cache succeeds with
    h(K) + (1 − h(K)) · P̄ when K ≥ 1, and with P̄ when the cache is down. Its expectation over K is

        P̄ + (1 − P̄) · Σ_{k≥1} P(K = k) h(k)
          = P(up) · [h̄ + (1 − h̄) · P̄] + (1 − P(up)) · P̄,  h̄ = Σ_{k≥1} P(K = k) h(k) / P(up),

    the two-state rule of SPEC §3 with h̄ in place of h. It is linear in h(K) whatever P̄, so the
    substitution is exact in every form that takes the expectation over the cache's up/down
    state. (Failure impacts hold everything else all up: there a cache hits with h(n).)
    """
    hits = node.instance_hit_ratios
    role_h = node.behaviour.hit_ratio(node)
    if hits is None or hits.instances == 1:
        return role_h
    from simcore.analysis.state_space import instance_count_probs

    probs = instance_count_probs(node.params)[1:]  # k = 1 … n
    total = float(probs.sum())
    if total <= 0.0 or probs[-1] == total:
        return role_h  # never up, or always with every instance
    order = np.argsort(-probs, kind="stable")
    cum = np.cumsum(probs[order])
    keep = order[:int(np.searchsorted(cum, total * (1.0 - NEGLIGIBLE_MASS))) + 1]
    p = probs[keep]
    return float(np.dot(p, [hits(k + 1) for k in keep]) / p.sum())


def settle_hit_ratios(topo) -> None:
    """Set ``computed_hit_ratio`` on every cache of ``topo`` sized by ``capacity_keys``, in
    topological order (a cache's traffic depends on the caches in front of it). Its reads and
    writes are the flow's at the design's load; their keys follow the clients from which a path
    of links leads to it, mixed by each client's rate of that type (SPEC §7.4: not filtered by
    the caches upstream). All its instances hold keys: n · capacity_keys; with fewer up, k of
    them hold k · capacity_keys (``instance_hit_ratios``, computed when asked)."""
    if topo.hit_ratios_settled:
        return
    topo.hit_ratios_settled = True
    # A part's sub-topology (availability_parts) reuses nodes settled with the whole design.
    sized = [cid for cid in topo.order
             if getattr(topo.nodes[cid].params, "capacity_keys", None) is not None
             and topo.nodes[cid].instance_hit_ratios is None]
    if not sized:
        return
    from simcore.analysis.flow import _compile, run_flow

    for cid in sized:
        node = topo.nodes[cid]
        plan = _compile(topo)  # with the hit ratios settled so far
        flow = run_flow(plan, 1.0)
        i = plan.index[cid]
        reads, writes = client_laws(topo, cid)
        p = node.params
        curve = HitCurve(flow.read[i], flow.write[i], reads, writes,
                         getattr(p, "write_policy", "around"), p.ttl_s)
        node.instance_hit_ratios = InstanceHits(curve, p.capacity_keys, p.instances)
        node.computed_hit_ratio = node.instance_hit_ratios(int(p.instances))


def clients_reaching(topo, target: str) -> list[str]:
    """The clients of ``topo`` from which some path of links leads to ``target``."""
    found = []
    for cid in topo.clients:
        seen, stack = set(), [e.target for e in topo.nodes[cid].out]
        while stack:
            x = stack.pop()
            if x == target:
                found.append(cid)
                break
            if x not in seen:
                seen.add(x)
                stack.extend(e.target for e in topo.nodes[x].out)
    return found


REACH_TOLERANCE = 1e-6
"""A hit ratio this little above what LRU can reach is rounding (a hit ratio of 0.8 given for
clients that read 80% of the time is exactly at the bound), not a request to cap."""


def reachable_hit_ratio(read_rps: float, write_rps: float, read_laws: list[Law],
                        write_laws: list[Law], policy: str = "around",
                        ttl_s: float | None = None) -> float:
    """The most an LRU cache reaches, holding every key: under ``around`` a write removes its
    key, so per key h_k ≤ r_k / (r_k + w_k); with ``ttl_s`` also h_k ≤ r_k · ttl / (1 + r_k ·
    ttl); under ``through``/``back`` 1 otherwise. The read-weighted mean of those bounds (1
    without reads: nothing bounds them)."""
    if read_rps <= 0.0:
        return 1.0
    return hit_ratio(read_rps, write_rps, read_laws, write_laws, math.inf, policy, ttl_s)


@dataclass(frozen=True)
class CacheTraffic:
    """What reaches a cache at the design's load: reads and writes (requests/s) and the key
    laws (client rate of that type, key_space, key_skew) of the clients from which a path of
    links leads to it (SPEC §7.4). Hashable when the laws are tuples."""

    read_rps: float
    write_rps: float
    read_laws: Sequence[Law]
    write_laws: Sequence[Law]
    policy: str
    ttl_s: float | None

    @property
    def key_space(self) -> int:
        """Distinct keys the reads can touch (the widest key space among the laws)."""
        return max((int(n) for w, n, _s in self.read_laws if w > 0), default=1)

    def reachable(self) -> float:
        return reachable_hit_ratio(self.read_rps, self.write_rps, self.read_laws,
                                   self.write_laws, self.policy, self.ttl_s)

    def keys_for(self, target: float) -> int:
        """Keys (over all instances) for which Che's approximation gives ``target``; every key
        the reads can touch when it cannot (``HitCurve.keys_for``)."""
        curve = HitCurve(self.read_rps, self.write_rps, self.read_laws, self.write_laws,
                         self.policy, self.ttl_s)
        return curve.keys_for(target, self.key_space)


def cache_traffic(topo, cid: str) -> CacheTraffic:
    """The traffic that reaches cache ``cid`` of ``topo`` (its hit ratio and those of the
    caches in front of it as the analysis uses them)."""
    from simcore.analysis.flow import compile_plan, run_flow

    plan = compile_plan(topo)
    flow = run_flow(plan, 1.0)
    i = plan.index[cid]
    p = topo.nodes[cid].params
    reads, writes = client_laws(topo, cid)
    return CacheTraffic(flow.read[i], flow.write[i], tuple(reads), tuple(writes),
                        getattr(p, "write_policy", "around"), p.ttl_s)


@lru_cache(maxsize=64)
def sized_for(traffic: CacheTraffic, target: float) -> tuple[float, int]:
    """(what an LRU can reach, the keys for ``min(target, that)``) for this traffic; kept,
    since every replication of a study sizes the same caches."""
    reach = traffic.reachable()
    return reach, traffic.keys_for(min(target, reach))


def client_laws(topo, cid: str) -> tuple[list[Law], list[Law]]:
    """The key laws (client rate of that type, key_space, key_skew) of the clients from which
    a path of links leads to ``cid``: for its reads, for its writes."""
    reads, writes = [], []
    for client_id in clients_reaching(topo, cid):
        p = topo.nodes[client_id].params
        reads.append((p.rps * p.read_ratio, p.key_space, p.key_skew))
        writes.append((p.rps * (1.0 - p.read_ratio), p.key_space, p.key_skew))
    return reads, writes
