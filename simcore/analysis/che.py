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


def _occupancy(read_rps: float, write_rps: float, read_laws: list[Law], write_laws: list[Law],
               policy: str, ttl_s: float | None):
    """(keys per bin, read rate per key of each bin, per_key) where ``per_key(T)`` gives each
    bin's h_k for the characteristic time T (s): its occupancy and its reads' hit chance."""
    count, (pr, pw) = bin_popularity([read_laws, write_laws])
    r = read_rps * pr  # per key of each bin
    w = write_rps * pw if write_laws else np.zeros_like(r)
    lam = r + w
    share = np.divide(r, lam, out=np.zeros_like(r), where=lam > 0) if policy == "around" \
        else (lam > 0).astype(float)
    cap = 1.0
    if ttl_s is not None:
        cap = r * ttl_s / (1.0 + r * ttl_s)

    def per_key(t: float) -> np.ndarray:
        return np.minimum(share * -np.expm1(-lam * t), cap)

    return count, r, per_key


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


def hit_ratio(read_rps: float, write_rps: float, read_laws: list[Law], write_laws: list[Law],
              capacity_keys: float, policy: str = "around", ttl_s: float | None = None) -> float:
    """The read hit ratio of an LRU cache holding ``capacity_keys`` keys (all its instances),
    under ``read_rps`` reads and ``write_rps`` writes spread over the keys by the two mixtures;
    0 without reads."""
    if read_rps <= 0.0:
        return 0.0
    count, r, per_key = _occupancy(read_rps, write_rps, read_laws, write_laws, policy, ttl_s)
    if float((count * per_key(1e300)).sum()) <= capacity_keys:
        h = per_key(1e300)  # everything that can be held fits: no eviction
    else:  # T where the occupancy, growing with T, is the capacity
        h = per_key(_smallest_time(lambda t: float((count * per_key(t)).sum()), capacity_keys))
    return float((count * r * h).sum() / (count * r).sum())


def settle_hit_ratios(topo) -> None:
    """Set ``computed_hit_ratio`` on every cache of ``topo`` sized by ``capacity_keys``, in
    topological order (a cache's traffic depends on the caches in front of it). Its reads and
    writes are the flow's at the design's load; their keys follow the clients from which a path
    of links leads to it, mixed by each client's rate of that type (SPEC §7.4: not filtered by
    the caches upstream). All its instances hold keys: n · capacity_keys."""
    if topo.hit_ratios_settled:
        return
    topo.hit_ratios_settled = True
    sized = [cid for cid in topo.order
             if getattr(topo.nodes[cid].params, "capacity_keys", None) is not None]
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
        node.computed_hit_ratio = hit_ratio(
            flow.read[i], flow.write[i], reads, writes, float(p.capacity_keys) * int(p.instances),
            getattr(p, "write_policy", "around"), p.ttl_s)


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
        """Keys (over all instances) for which Che's approximation gives ``target``: the
        occupancy Σ_k h_k(T) at the T where the read-weighted hit ratio reaches it (both grow
        with T); every key the reads can touch when it cannot."""
        if target <= 0.0 or self.read_rps <= 0.0:
            return 1
        count, r, per_key = _occupancy(self.read_rps, self.write_rps, self.read_laws,
                                       self.write_laws, self.policy, self.ttl_s)
        weight = count * r / float((count * r).sum())
        if target >= float((weight * per_key(1e300)).sum()) - REACH_TOLERANCE:
            return self.key_space
        t = _smallest_time(lambda t: float((weight * per_key(t)).sum()), target)
        return min(self.key_space, math.ceil(float((count * per_key(t)).sum()) - 1e-9))


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
