"""A cache given only its hit ratio, in the simulation (SPEC §7.4): the keyed LRU Che's
approximation sizes for that hit ratio, capped (with a warning) at what its write policy and
time to live let an LRU reach; a run's key budget; a down instance's keys on the next one up."""

from __future__ import annotations

import pytest

from simcore.analysis.che import hit_ratio
from simcore.engine import caching
from simcore.engine.report import render
from simcore.engine.simulation import Sim
from simcore.engine.study import simulate
from simcore.io import parse
from simcore.lint import warnings
from tests.simcore.test_caching import cache_design, runs
from tests.simcore.test_sim_behaviour import check_ci

FAST_DB = {"workers": 200, "service_time_ms": 1}
ZIPF = {"key_space": 100_000, "key_skew": 0.9}


def observed(r: dict, cid: str = "c") -> float:
    c = r["components"][cid]
    return c["hits"] / (c["hits"] + c["misses"])


@pytest.mark.parametrize("policy", ["around", "through"])
def test_a_cache_given_its_hit_ratio_reproduces_it(policy):
    # 2,400 reads and 600 writes a second over 100,000 Zipf(0.9) keys; hit ratio 0.7, below
    # what either policy allows (around: 0.8, the reads' share; through: 1). The LRU sized by
    # Che's approximation hits 0.7 within the interval over 3 replications + 0.015 (Che's
    # accuracy at a few thousand keys, as in test_caching).
    raw = cache_design({"hit_ratio": 0.7, "write_policy": policy}, rps=3000, read_ratio=0.8,
                       keys=ZIPF, db=FAST_DB)
    rs = runs(raw, 3, seed=3, duration_s=10, warmup_s=2)
    check_ci([observed(r) for r in rs], 0.7, allowance=0.015, max_half=0.02,
             what=f"{policy} hit ratio")
    assert all(r["warnings"] == [] for r in rs)


CAPPED = ("c's hit ratio 0.95 is more than a cache-aside cache can reach when 20% of the "
          "requests reaching it are writes (0.80): the simulation caps it there")


def test_a_hit_ratio_beyond_what_cache_aside_reaches_is_capped_and_said():
    # 80% reads: a write removes its key, so every key is held at most 80% of the time and
    # the reads hit at most 0.8 (every key held). Warned by the lint (validate, the designer)
    # and by the run (JSON, text); the run hits 0.8 within its interval + 0.01.
    raw = cache_design({"hit_ratio": 0.95}, rps=2000, read_ratio=0.8, db=FAST_DB)
    design = parse(raw)
    (w,) = warnings(design)
    assert (w.where, w.message) == ("c", CAPPED)
    res = simulate(design, duration_s=10, seed=2, replications=3, workers=1)
    j = res.to_json()
    assert j["warnings"] == [CAPPED]
    check_ci([observed(r) for r in res.replications], 0.8, allowance=0.01, max_half=0.02,
             what="capped hit ratio")
    text = render(j)
    assert "Warning: c's hit ratio 0.95 is more than a cache-aside cache can reach" in text


@pytest.mark.parametrize("cache,read_ratio", [
    ({"hit_ratio": 0.8}, 0.8),  # exactly at the bound (as stage6_sharding.json)
    ({"hit_ratio": 0.95, "write_policy": "through"}, 0.8),  # a write refreshes: bound 1
    ({"hit_ratio": 0.95}, 1.0),  # no writes: bound 1
])
def test_no_warning_within_what_the_policy_allows(cache, read_ratio):
    raw = cache_design(cache, rps=500, read_ratio=read_ratio)
    assert warnings(parse(raw)) == []
    sim = Sim(parse(raw), seed=1, rep_index=0, duration_s=1, warmup_s=0)
    assert sim.warnings == []


def test_a_time_to_live_bounds_the_hit_ratio_too():
    # 1,000 reads/s over 1,000 equally popular keys: 1 read/s a key. A key lives 1 s after
    # its fill, so of a fill and the reads within the second after it, all but the fill hit:
    # h ≤ r · ttl / (1 + r · ttl) = 0.5 (SPEC §7.4), which the run reaches holding every key
    # (Poisson reads: exact), within its interval over 3 replications + 0.01.
    raw = cache_design({"hit_ratio": 0.9, "write_policy": "through", "ttl_s": 1.0},
                       rps=1000, read_ratio=1.0, keys={"key_space": 1000, "key_skew": 0},
                       db=FAST_DB)
    (w,) = warnings(parse(raw))
    assert w.message == ("c's hit ratio 0.90 is more than a cache whose items live 1 s can "
                         "reach at the rates its keys are read (0.50): the simulation caps it "
                         "there")
    rs = runs(raw, 3, seed=4, duration_s=10, warmup_s=2)
    assert rs[0]["warnings"] == [w.message]
    check_ci([observed(r) for r in rs], 0.5, allowance=0.01, max_half=0.03,
             what="hit ratio capped by the TTL")


def test_a_cache_too_large_to_hold_draws_its_hits_and_says_so():
    # 1,000,000,000 keys with Zipf(0.8): hitting 0.99 would take hundreds of millions of
    # keys, far beyond a run's budget; the cache draws each read's hit at 0.99 instead
    # (interval over 3 replications + 0.005) and the run says so.
    raw = cache_design({"hit_ratio": 0.99}, rps=2000, read_ratio=1.0, db=FAST_DB,
                       keys={"key_space": 1_000_000_000, "key_skew": 0.8})
    rs = runs(raw, 3, seed=6, duration_s=6, warmup_s=1)
    check_ci([observed(r) for r in rs], 0.99, allowance=0.005, max_half=0.01,
             what="hit ratio drawn per read")
    (w,) = rs[0]["warnings"]
    assert w.startswith("c would hold ") and "the simulation draws each read's hit at 0.99" in w
    assert f"{caching.CACHE_KEYS_PER_RUN:,} a run holds" in w


def test_an_instance_holds_at_most_its_own_keys():
    # capacity_keys 10^8 on 2 instances over 100,000 keys: each holds its 50,000 keys, all
    # of them (reads only: nothing removes them), and every read hits.
    raw = cache_design({"capacity_keys": 100_000_000, "instances": 2}, rps=500, read_ratio=1.0)
    sim = Sim(parse(raw), seed=1, rep_index=0, duration_s=3, warmup_s=1)
    node = sim.nodes["c"]
    assert [len(lru) for lru in node.lru] == [50_000, 50_000]
    assert all(key % 2 == k for k, lru in enumerate(node.lru) for key in lru)
    r = sim.run()
    assert r["components"]["c"]["misses"] == 0 and r["components"]["c"]["hits"] > 0


def test_a_down_instances_keys_go_to_the_next_instance_up():
    # Two instances of 2,000 keys over 100,000 Zipf(0.9) keys, reads only; instance 1 down for
    # the whole run. Its keys go to instance 0, which fills them on a miss: after the
    # transient (6 s of warm-up, about 20 times the time 2,000 distinct keys take to be read)
    # the one instance up holds the key space's most recent 2,000 keys, and the hit ratio is
    # Che's h(1 · 2,000) within the interval over 3 replications + 0.015. Passing instance 1's
    # keys through instead would give about h(4,000) / 2: far from it (checked).
    raw = cache_design({"capacity_keys": 2_000, "instances": 2}, rps=4000, read_ratio=1.0,
                       keys=ZIPF, db=FAST_DB)
    law = [(4000.0, ZIPF["key_space"], ZIPF["key_skew"])]
    one_up = hit_ratio(4000.0, 0.0, law, [], 2_000)
    passed_half = hit_ratio(4000.0, 0.0, law, [], 4_000) / 2
    assert one_up - passed_half > 0.1
    hits = []
    for i in range(3):
        sim = Sim(parse(raw), seed=8, rep_index=i, duration_s=14, warmup_s=6)
        node = sim.nodes["c"]
        node.inst_down[1] += 1
        node.refresh()
        assert node.route == [0, 0]
        r = sim.run()
        assert r["components"]["c"]["passed_through"] == 0
        hits.append(observed(r))
    check_ci(hits, one_up, allowance=0.015, max_half=0.02, what="hit ratio with one up")


def test_with_no_instance_up_the_cache_passes_everything_through():
    raw = cache_design({"hit_ratio": 0.7, "instances": 2}, rps=400, read_ratio=1.0)
    sim = Sim(parse(raw), seed=1, rep_index=0, duration_s=3, warmup_s=1)
    node = sim.nodes["c"]
    node.inst_down = [1, 1]
    node.refresh()
    assert node.route == [-1, -1]
    r = sim.run()
    c = r["components"]["c"]
    assert c["hits"] == c["misses"] == 0 and c["passed_through"] > 0
    assert r["error_rate"] == 0  # the database answers them


def test_a_key_space_too_large_to_draw_key_by_key_starts_warm_from_a_request_draw():
    # 5,000,000 Zipf(0.9) keys, beyond what the warm start draws key by key: it draws a
    # request stream instead. A cache of 20,000 keys then hits Che's figure from the first
    # second: within the interval over 3 replications of 4 s (no warm-up) + 0.015.
    from simcore.analysis import analyze
    from simcore.engine.cache_warm import EXACT_KEYS

    keys = {"key_space": 5_000_000, "key_skew": 0.9}
    assert keys["key_space"] > EXACT_KEYS
    raw = cache_design({"capacity_keys": 20_000}, rps=2000, read_ratio=1.0, keys=keys,
                       db=FAST_DB)
    expected = analyze(parse(raw)).components["c"].hit_ratio
    rs = runs(raw, 3, seed=5, duration_s=4, warmup_s=0)
    check_ci([observed(r) for r in rs], expected, allowance=0.015, max_half=0.02,
             what="hit ratio from a drawn warm start")


def test_an_outage_of_the_target_does_not_empty_a_cache_aside_cache():
    # The database down for the whole run: a write fails, so it changed nothing and the copy
    # it removed goes back; a miss cannot fill. The cache keeps its warm contents, which hit
    # 0.75 of the reads on average, and 0.8 · 0.75 = 0.6 of the requests succeed, as the
    # analysis says. The contents are frozen from the start, so each replication keeps its
    # own draw of them: a hot key absent at the start (its last request a write: 20 % of the
    # time) stays absent, and replications differ by a few percent. Hence 8 replications;
    # within their interval + 0.015.
    fail = {"type": "fail", "target": "db", "at_s": 0, "duration_s": 100}
    raw = cache_design({"hit_ratio": 0.75}, rps=1000, read_ratio=0.8, keys=ZIPF, db=FAST_DB,
                       events=[fail])
    rs = runs(raw, 8, seed=7, duration_s=3, warmup_s=1)
    check_ci([observed(r) for r in rs], 0.75, allowance=0.015, max_half=0.05,
             what="hit ratio with the target down")
    check_ci([r["availability"] for r in rs], 0.6, allowance=0.015, max_half=0.05,
             what="availability with the target down")
