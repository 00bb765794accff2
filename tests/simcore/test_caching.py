"""Caching strategies (SPEC §7.4): write policies, the hit ratio from the cache's size by Che's
approximation (checked against a direct LRU over a Zipf stream), the TTL cap, a keyed LRU in the
simulation, and the flush event."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

from simcore.analysis import analyze
from simcore.analysis.che import CacheTraffic, hit_ratio
from simcore.engine.keys import zipf_keys
from simcore.engine.replication import run_replication
from simcore.io import parse
from simcore.problems import DesignError
from simcore.validate import validate
from tests.simcore.test_sim_behaviour import check_ci


def cache_design(cache: dict, *, rps=400.0, read_ratio=0.5, db=None, events=(), keys=None,
                 **scenario) -> dict:
    client = {"rps": rps, "read_ratio": read_ratio, **(keys or {})}
    return {
        "schema_version": 2, "name": "cache",
        "components": [
            {"id": "u", "kind": "client", "params": client},
            {"id": "c", "kind": "cache", "params": cache},
            {"id": "db", "kind": "database",
             "params": db or {"workers": 100, "service_time_ms": 2}}],
        "links": [{"id": "l1", "source": "u", "target": "c"},
                  {"id": "l2", "source": "c", "target": "db"}],
        "scenario": {"events": list(events), **scenario}}


def runs(raw: dict, reps: int, *, seed: int, duration_s: float, warmup_s: float) -> list[dict]:
    d = parse(raw)
    return [run_replication(d, seed=seed, rep_index=i, duration_s=duration_s,
                            warmup_s=warmup_s) for i in range(reps)]


# --- write policies --------------------------------------------------------------------------

def test_write_behind_loses_the_pending_writes_when_the_cache_fails_and_write_through_does_not():
    # 200 writes/s; flushes at 1, 2, 3 … s; the cache fails at 10.5 s. The writes accepted
    # since the flush at 10 s are pending then: Poisson with mean 200 · 0.5 = 100 (sd 10) per
    # replication, all lost. Tolerance: the 95 % interval over 6 replications + 3 writes.
    fail = {"type": "fail", "target": "c", "at_s": 10.5, "duration_s": 2}
    behind = runs(cache_design({"write_policy": "back", "flush_interval_s": 1}, events=[fail]),
                  6, seed=5, duration_s=14, warmup_s=2)
    check_ci([r["lost_writes"] for r in behind], 100.0, allowance=3.0, max_half=15.0,
             what="writes lost by write-behind")
    for r in behind:
        assert r["components"]["c"]["lost_writes"] == r["lost_writes"]
    through = runs(cache_design({"write_policy": "through"}, events=[fail]),
                   3, seed=5, duration_s=14, warmup_s=2)
    assert [r["lost_writes"] for r in through] == [0, 0, 0]
    assert all(r["error_rate"] == 0 for r in through + behind)  # a down cache passes through


def test_write_behind_forwards_every_write_to_the_target_at_the_flushes():
    # Without failures every accepted write reaches the database, one flush later at most:
    # after the warm-up the database serves the misses (reads 200 · (1 − 0.8)) and the writes
    # (200/s); counts over 10 s, tolerance 4 %.
    r = runs(cache_design({"write_policy": "back", "flush_interval_s": 0.5}),
             1, seed=3, duration_s=12, warmup_s=2)[0]
    served = r["components"]["db"]["served"]
    assert served == pytest.approx((200 * 0.2 + 200) * 10, rel=0.04)
    assert r["lost_writes"] == 0


def test_analysis_of_write_behind_writes_need_only_the_cache():
    # Writes only. The cache is up with 0.99, the database with 0.9. Around: a write needs the
    # database whether the cache is up or passes it through: 0.9. Write-behind: answered by
    # the cache when up, passed through when down: 0.99 + 0.01 · 0.9 = 0.999. Write-behind
    # writes do not wait for the database: the client's latency is the cache's alone.
    def a(policy):
        return analyze(parse(cache_design(
            {"write_policy": policy, "availability": 0.99, "service_time_ms": 1.0},
            rps=10, read_ratio=0.0,
            db={"workers": 100, "service_time_ms": 2, "availability": 0.9})))
    around, behind = a("around"), a("back")
    assert around.availability == pytest.approx(0.9, abs=1e-12)
    assert behind.availability == pytest.approx(0.99 + 0.01 * 0.9, abs=1e-12)
    assert behind.components["db"].write_rps == pytest.approx(10.0)  # every write arrives
    assert behind.components["u"].latency_ms == pytest.approx(1.0 / (1.0 - 0.01), rel=1e-9)
    assert around.components["u"].latency_ms == pytest.approx(
        behind.components["u"].latency_ms + 2.0, rel=1e-9)  # + the database's 2 ms


# --- Che's approximation -----------------------------------------------------------------------

def lru_hit_ratio(keys: np.ndarray, reads: np.ndarray, capacity: int, policy: str,
                  warm: int) -> float:
    """A direct LRU over the key stream; hits counted after the first ``warm`` requests."""
    lru: OrderedDict = OrderedDict()
    hits = total = 0
    for i, (k, rd) in enumerate(zip(keys.tolist(), reads.tolist())):
        if rd:
            hit = k in lru
            if hit:
                lru.move_to_end(k)
            else:
                lru[k] = True
            if i >= warm:
                hits += hit
                total += 1
        elif policy == "around":
            lru.pop(k, None)
            continue
        else:
            lru[k] = True
            lru.move_to_end(k)
        if len(lru) > capacity:
            lru.popitem(last=False)
    return hits / total


@pytest.mark.parametrize("skew,capacity,write_share,policy", [
    (0.8, 500, 0.0, "around"),
    (1.0, 200, 0.0, "around"),
    (0.8, 500, 0.2, "around"),
    (0.8, 500, 0.2, "through"),
])
def test_che_matches_a_direct_lru_over_a_zipf_stream(skew, capacity, write_share, policy):
    # 10,000 keys, 300,000 requests (100,000 to warm up). Che's approximation is accurate to
    # about a percent for Zipf popularities; the stream's own noise is ~0.001. Tolerance 0.015.
    rng = np.random.default_rng(7)
    n = 300_000
    keys = zipf_keys(rng, 10_000, skew, n)
    reads = rng.random(n) >= write_share
    simulated = lru_hit_ratio(keys, reads, capacity, policy, warm=100_000)
    law = [(1.0, 10_000, skew)]
    che = hit_ratio(1.0 - write_share, write_share, law, law if write_share else [],
                    capacity, policy)
    assert che == pytest.approx(simulated, abs=0.015)


def test_ttl_caps_each_key_at_r_ttl_over_1_plus_r_ttl():
    # Ten keys alike, 10 reads/s: 1 read/s per key. Room for all, so only the TTL limits:
    # h = r · ttl / (1 + r · ttl) = 0.5 for ttl 1 s, 0.8 for 4 s; no TTL: every read hits.
    law = [(1.0, 10, 0.0)]
    assert hit_ratio(10.0, 0.0, law, [], 100, ttl_s=1.0) == pytest.approx(0.5, rel=1e-12)
    assert hit_ratio(10.0, 0.0, law, [], 100, ttl_s=4.0) == pytest.approx(0.8, rel=1e-12)
    assert hit_ratio(10.0, 0.0, law, [], 100) == pytest.approx(1.0, rel=1e-12)


def test_a_large_key_space_is_binned_without_losing_accuracy():
    # 2 million keys (binned beyond 32,768) against the same law cut to its exact head: the
    # bins stand for the tail's keys within 0.2 % of the hit ratio.
    law = [(1.0, 2_000_000, 0.9)]
    h = hit_ratio(1.0, 0.0, law, [], 50_000)
    ranks = np.arange(1, 2_000_001, dtype=float) ** -0.9
    p = ranks / ranks.sum()
    lo, hi = 0.0, 1e12
    for _ in range(200):  # Che's T by bisection, every key on its own
        t = (lo + hi) / 2
        lo, hi = (t, hi) if (-np.expm1(-p * t)).sum() < 50_000 else (lo, t)
    exact = float((p * -np.expm1(-p * lo)).sum())
    assert h == pytest.approx(exact, rel=0.002)


def test_capacity_for_a_hit_ratio_inverts_che():
    law = [(1.0, 100_000, 1.0)]
    c = CacheTraffic(1.0, 0.0, law, [], "around", None).keys_for(0.8)
    assert hit_ratio(1.0, 0.0, law, [], c) >= 0.8 > hit_ratio(1.0, 0.0, law, [], c * 0.99)


# --- the design: computed hit ratio, validation ----------------------------------------------

def test_analysis_uses_the_computed_hit_ratio_and_reports_it():
    keys = {"key_space": 100_000, "key_skew": 0.9}
    raw = cache_design({"capacity_keys": 2_500, "instances": 2}, rps=1000, read_ratio=0.9,
                       keys=keys)
    res = analyze(parse(raw))
    law = [(900.0, 100_000, 0.9)]
    expected = hit_ratio(900.0, 100.0, law, [(100.0, 100_000, 0.9)], 5_000, "around")
    c = res.components["c"]
    assert c.hit_ratio == pytest.approx(expected, rel=1e-12) and c.hit_ratio_computed
    assert res.components["db"].read_rps == pytest.approx(900 * (1 - expected), rel=1e-9)
    assert c.to_json()["hit_ratio"] == c.hit_ratio
    assert res.components["u"].to_json()["hit_ratio"] is None


def test_hit_ratio_and_capacity_keys_together_is_an_error():
    with pytest.raises(DesignError, match="either hit_ratio or capacity_keys"):
        validate_raw(cache_design({"capacity_keys": 1000, "hit_ratio": 0.5}))


def validate_raw(raw):
    d = parse(raw)
    problems = validate(d)
    if problems:
        raise DesignError(problems)


def test_simulated_lru_reproduces_che():
    # A keyed cache of 2 × 2,500 keys over 100,000 Zipf(0.9) keys, reads only, starting warm:
    # the observed hit ratio matches Che's within its interval + 0.015 (the approximation).
    # The interval is over 3 replications of 8 s measured.
    raw = cache_design({"capacity_keys": 2_500, "instances": 2}, rps=2000, read_ratio=1.0,
                       keys={"key_space": 100_000, "key_skew": 0.9})
    expected = analyze(parse(raw)).components["c"].hit_ratio
    rs = runs(raw, 3, seed=9, duration_s=12, warmup_s=4)
    hits = [r["components"]["c"]["hits"] / (r["components"]["c"]["hits"]
                                             + r["components"]["c"]["misses"]) for r in rs]
    check_ci(hits, expected, allowance=0.015, max_half=0.02, what="LRU hit ratio")


def test_a_hit_is_never_older_than_the_ttl():
    raw = cache_design({"capacity_keys": 1_000, "ttl_s": 0.5}, rps=2000, read_ratio=1.0,
                       keys={"key_space": 10_000, "key_skew": 1.0})
    r = runs(raw, 1, seed=2, duration_s=6, warmup_s=1)[0]
    assert 0 < r["components"]["c"]["max_staleness_ms"] <= 500.0


# --- flush ------------------------------------------------------------------------------------

@pytest.mark.parametrize("cache", [{"capacity_keys": 10_000}, {"hit_ratio": 0.8}],
                         ids=["keyed", "hit_ratio"])
def test_flush_empties_the_cache_and_the_target_takes_the_stampede(cache):
    # 3,000 reads/s over 100,000 Zipf(1) keys, a cache hitting about 80 % (keyed; or, given
    # only hit_ratio, sized by Che to give it). A flush at 10 s sends every read
    # to the database until the popular keys are back: its busy fraction in the second after
    # the flush is more than twice that of the second before, and falls again as the hits
    # recover (five seconds later it is below the peak).
    raw = cache_design(cache, rps=3000, read_ratio=1.0,
                       keys={"key_space": 100_000, "key_skew": 1.0},
                       db={"workers": 8, "service_time_ms": 2},
                       events=[{"type": "flush", "target": "c", "at_s": 10.0}])
    r = runs(raw, 1, seed=4, duration_s=16, warmup_s=2)[0]
    util = r["timeseries"]["utilization"]["db"]
    assert util[10] > 2.0 * util[9]  # seconds 10–11 against 9–10
    assert util[15] < 0.8 * util[10]


@pytest.mark.parametrize("event,message", [
    ({"type": "flush", "target": "c", "at_s": 1, "duration_s": 2}, "instantaneous"),
    ({"type": "flush", "target": "db", "at_s": 1}, "role cache"),
    ({"type": "flush", "target": "u", "at_s": 1}, "client holds no cache"),
])
def test_flush_is_instantaneous_and_only_on_a_cache(event, message):
    with pytest.raises(DesignError, match=message):
        validate_raw(cache_design({}, events=[event]))
