"""A cache sized by ``capacity_keys`` hits with the instances that are up (SPEC §7.4: T solves
Σ_k h_k(T) = k_up · capacity_keys): h(k) per instance count, its mean h̄ over the instances up in
the structural availability (SPEC §3), and h(k) per state in the availability under load (§7.2).
Every expected figure is a sum over the instance counts written out here, with h(k) from Che's
``hit_ratio`` at k · capacity_keys keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simcore.analysis import analyze
from simcore.analysis.availability_model import SuccessModel, build_model
from simcore.analysis.che import hit_ratio, settle_hit_ratios
from simcore.io import parse
from simcore.topology import compile_design

REL = 1e-12
KEYS = {"key_space": 10_000, "key_skew": 1.0}
LAW = (10_000, 1.0)


def design(cache: dict, *, rps=1000.0, read_ratio=1.0, db=None, shared=False) -> dict:
    """users → c (cache) → db; with ``shared`` users → lb → s1, s2 → c → db (all of lb, s1
    and s2 always up), so that the cache is reached by two paths."""
    front = [("u", "c")]
    comps = [{"id": "u", "kind": "client",
              "params": {"rps": rps, "read_ratio": read_ratio, **KEYS}}]
    if shared:
        front = [("u", "lb"), ("lb", "s1"), ("lb", "s2"), ("s1", "c"), ("s2", "c")]
        comps += [{"id": "lb", "kind": "load_balancer", "params": {"availability": 1.0}}]
        comps += [{"id": s, "kind": "service", "params": {"availability": 1.0}}
                  for s in ("s1", "s2")]
    comps += [{"id": "c", "kind": "cache",
               "params": {"workers": 1000, "service_time_ms": 0.01, **cache}},
              {"id": "db", "kind": "database",
               "params": db or {"workers": 1000, "service_time_ms": 1}}]
    links = [{"id": f"{a}-{b}", "source": a, "target": b} for a, b in front + [("c", "db")]]
    return {"schema_version": 2, "name": "sized cache", "components": comps, "links": links,
            "scenario": {"events": []}}


def che(rps, read_ratio, keys, policy="around"):
    """h at ``keys`` keys for the client's traffic (every request reaches the cache)."""
    reads, writes = rps * read_ratio, rps * (1 - read_ratio)
    return hit_ratio(reads, writes, [(reads, *LAW)], [(writes, *LAW)], keys, policy)


def binomial(n, a):
    return [math.comb(n, k) * a ** k * (1 - a) ** (n - k) for k in range(n + 1)]


# --- h(k) -------------------------------------------------------------------------------------

def test_each_instance_count_holds_its_own_share_of_the_keys():
    raw = design({"capacity_keys": 1_000, "instances": 3}, read_ratio=0.8)
    topo = compile_design(parse(raw))
    settle_hit_ratios(topo)
    node = topo.nodes["c"]
    hits = node.instance_hit_ratios
    expected = [che(1000, 0.8, 1_000 * k) for k in (1, 2, 3)]
    assert [hits(k) for k in (1, 2, 3)] == pytest.approx(expected, rel=REL)
    assert expected[0] < expected[1] < expected[2]  # fewer keys held, fewer hits
    assert node.computed_hit_ratio == hits(3)  # all up: the hit ratio the flow uses
    assert hits.of_counts(np.array([2.0, 0.0, 1.0, 3.0])).tolist() == [
        hits(2), hits(3), hits(1), hits(3)]  # a down cache (0) takes h(n): it hits nothing


# --- the structural availability: h̄ -----------------------------------------------------------

def _cache_then_db(p, h, a_db):
    """Brute force over the cache's instance count k (P(k) = p[k]): a read hits with h(k) when
    k ≥ 1, else (and on a miss) needs the database."""
    return sum(p[k] * (h[k] + (1 - h[k]) * a_db) for k in range(1, len(p))) + p[0] * a_db


def test_a_two_instance_cache_in_front_of_a_database_averages_its_hit_ratio_over_k():
    # A = Σ_k P(k) [h(k) + (1 − h(k)) A_db] + P(0) A_db for the reads, A_db for the writes.
    a_c, a_db, rr = 0.9, 0.95, 0.8
    raw = design({"capacity_keys": 2_000, "instances": 2, "availability": a_c},
                 read_ratio=rr, db={"workers": 1000, "service_time_ms": 1,
                                    "availability": a_db})
    h = [0.0, che(1000, rr, 2_000), che(1000, rr, 4_000)]
    expect = rr * _cache_then_db(binomial(2, a_c), h, a_db) + (1 - rr) * a_db
    r = analyze(parse(raw))
    assert r.availability_method == "exact"
    assert r.availability == pytest.approx(expect, rel=REL)
    assert r.unavailability == pytest.approx(1 - expect, rel=1e-9)
    # The all-up hit ratio alone (the rule before) would be off by far more than the tolerance.
    h_all_up = [0.0, h[2], h[2]]
    old = rr * _cache_then_db(binomial(2, a_c), h_all_up, a_db) + (1 - rr) * a_db
    assert abs(old - expect) > 1e-4
    assert r.component("c").hit_ratio == pytest.approx(h[2], rel=REL)  # reported: all up


def test_a_standby_serving_counts_as_one_instance():
    # Both instances down (u²): the standby serves with u² · a · e^(−2F/MTTR) (MTTR 1 h when
    # only the availability is given), as one instance: h(1).
    a, a_db, f_s = 0.8, 0.9, 600.0
    u = 1 - a
    raw = design({"capacity_keys": 2_000, "instances": 2, "availability": a,
                  "standby": "hot", "failover_s": f_s},
                 db={"workers": 1000, "service_time_ms": 1, "availability": a_db})
    sb = u * u * a * math.exp(-2 * f_s / 3600)
    p = binomial(2, a)
    p = [p[0] - sb, p[1] + sb, p[2]]
    h = [0.0, che(1000, 1.0, 2_000), che(1000, 1.0, 4_000)]
    r = analyze(parse(raw))
    assert r.availability == pytest.approx(_cache_then_db(p, h, a_db), rel=REL)


def test_the_vectorised_form_over_up_down_states_gives_the_same_expectation():
    # The Monte Carlo fallback and the reliability simulation see the cache up or down; with h̄
    # the expectation over the four (cache, database) states is the brute force over k.
    a_c, a_db = 0.7, 0.9
    raw = design({"capacity_keys": 1_000, "instances": 3, "availability": a_c},
                 db={"workers": 1000, "service_time_ms": 1, "availability": a_db})
    model = build_model(compile_design(parse(raw)))
    success = SuccessModel(model, {"u": 1.0})
    assert success.columns == ["c", "db:0:0"]
    states = np.array([[True, True], [True, False], [False, True], [False, False]])
    q = (1 - a_c) ** 3
    prob = np.array([(1 - q) * a_db, (1 - q) * (1 - a_db), q * a_db, q * (1 - a_db)])
    mean_failure = float(prob @ success.failure(states))
    h = [0.0] + [che(1000, 1.0, 1_000 * k) for k in (1, 2, 3)]
    assert 1 - mean_failure == pytest.approx(_cache_then_db(binomial(3, a_c), h, a_db),
                                             rel=REL)


def test_failure_impacts_hold_everything_else_up_so_the_cache_hits_with_all_instances():
    # The database down, everything else up: the reads that miss h(2) and every write fail.
    rr = 0.8
    raw = design({"capacity_keys": 2_000, "instances": 2, "availability": 0.9},
                 read_ratio=rr, db={"workers": 1000, "service_time_ms": 1,
                                    "availability": 0.99})
    r = analyze(parse(raw))
    h2 = che(1000, rr, 4_000)
    assert r.component("db").failure_impact == pytest.approx(rr * (1 - h2) + (1 - rr), rel=REL)


def test_write_behind_holding_every_key_only_when_all_are_up_is_not_boolean():
    # 1,000 keys and two instances of 500: all up, every key is held (h(2) = 1, the reads
    # succeed whatever the database does); one up, h(1) < 1. Writes are answered by the cache
    # while it is up. Two services share the cache: the exact method conditions on it, and
    # taking its success for 0 or 1 in every state (as h(2) = 1 would suggest) would be wrong.
    a_c, a_db, rr = 0.9, 0.8, 0.5
    raw = design({"capacity_keys": 500, "instances": 2, "availability": a_c,
                  "write_policy": "back"}, read_ratio=rr,
                 db={"workers": 1000, "service_time_ms": 1, "availability": a_db},
                 shared=True)
    raw["components"][0]["params"]["key_space"] = 1_000
    law = [(500.0, 1_000, 1.0)]
    h = [0.0] + [hit_ratio(500, 500, law, law, 500 * k, "back") for k in (1, 2)]
    assert h[2] == 1.0 > h[1]
    p = binomial(2, a_c)
    q = p[0]
    expect = rr * _cache_then_db(p, h, a_db) + (1 - rr) * ((1 - q) + q * a_db)
    r = analyze(parse(raw))
    assert r.availability == pytest.approx(expect, rel=REL)
    assert r.component("db").failure_impact == 0.0  # all up, nothing needs the database


# --- the availability under load: h(k) per state ----------------------------------------------

def _overloaded_behind_the_cache(a_c=1.0):
    """1,000 reads/s; a cache of 2 × 2,000 keys; the database (one worker) sized to run at 70%
    with both instances up. Returns (raw design, h(1), h(2), the database's service time s)."""
    h1, h2 = che(1000, 1.0, 2_000), che(1000, 1.0, 4_000)
    s = 0.7 / (1000 * (1 - h2))  # ρ = λ (1 − h(2)) s / 1
    raw = design({"capacity_keys": 2_000, "instances": 2, "availability": a_c},
                 db={"workers": 1, "service_time_ms": 1000 * s})
    return raw, h1, h2, s


def test_one_cache_instance_down_sends_its_lost_hits_to_the_database():
    # One instance down: the database gets 1000 (1 − h(1)) reads/s, ρ₁ = 0.7 (1 − h(1)) /
    # (1 − h(2)) > 1, and serves 1/ρ₁ of them: the share lost is (1 − h(1)) (1 − 1/ρ₁).
    raw, h1, h2, _s = _overloaded_behind_the_cache()
    rho1 = 0.7 * (1 - h1) / (1 - h2)
    assert rho1 > 1.2
    r = analyze(parse(raw))
    assert r.component("db").utilization == pytest.approx(0.7, rel=1e-9)
    lost = (1 - h1) * (1 - 1 / rho1)
    assert r.component("c").one_down_impact == pytest.approx(lost, rel=1e-9)
    assert r.capacity_risks == ["c"]  # two instances: no SPOF, but one down overloads the db
    assert r.capacity_risk_detail["c"] == (
        f"if one of c's 2 instances fails, db runs at {100 * rho1:.0f}% and "
        f"{100 * (1 - 1 / rho1):.1f}% of its requests fail")
    assert r.availability_under_load == 1.0  # instances that never fail: no state loses any


def _under_load_by_hand(a, h1, h2, s):
    """P(2) · 1 + P(1) · (1 − (1 − h(1))(1 − 1/ρ₁)) + P(0) · min(1, 1/ρ₀): the cache down passes
    every read on, ρ₀ = 1000 s."""
    rho1 = 0.7 * (1 - h1) / (1 - h2)
    rho0 = 1000 * s
    p = binomial(2, a)
    return p[2] + p[1] * (1 - (1 - h1) * (1 - 1 / rho1)) + p[0] * min(1.0, 1 / rho0)


def test_availability_under_load_weighs_each_instance_count_with_its_hit_ratio():
    raw, h1, h2, s = _overloaded_behind_the_cache(0.9)
    expect = _under_load_by_hand(0.9, h1, h2, s)
    r = analyze(parse(raw))
    assert r.availability_under_load_method == "exact"
    assert r.availability_under_load == pytest.approx(expect, rel=1e-9)
    assert r.unavailability_under_load == pytest.approx(1 - expect, rel=1e-9)


def test_sampled_states_use_the_hit_ratio_of_their_instance_count(monkeypatch):
    # The enumeration switched off: the Monte Carlo estimate over sampled instance counts holds
    # the figure by hand within its 95 % interval, which is narrow enough to tell h(1) from h(2)
    # (taking h(2) with one instance up would lose nothing there: 0.42 · 0.23 · 0.17 ≈ 0.017).
    from simcore.analysis import under_load

    raw, h1, h2, s = _overloaded_behind_the_cache(0.7)
    monkeypatch.setattr(under_load, "EXACT_STATES", 1)
    r = analyze(parse(raw))
    assert r.availability_under_load_method == "monte_carlo"
    lo, hi = r.availability_under_load_ci95
    assert lo <= _under_load_by_hand(0.7, h1, h2, s) <= hi
    assert hi - lo < 0.01
