"""Availability details of SPEC §3 worked out by hand: the standby formula, instances, groups as
common causes, database primaries and replicas in SPOFs, the digits of many nines, perfect
designs; and the Monte Carlo fallback (method, 95% interval around the exact value,
reproducibility), forced by a design with too many shared parts and by lowering the limit.
"""

from __future__ import annotations

import json
import math

import pytest

import simcore.analysis.availability_exact as exact_mod
from simcore.analysis import analyze
from simcore.analysis.report import render
from simcore.io import loads


def C(cid, kind, **params):
    return {"id": cid, "kind": kind, "params": params}


def L(s, t, **params):
    return {"id": f"{s}-{t}", "source": s, "target": t, "params": params}


def run(components, links, groups=()):
    d = {"schema_version": 1, "components": components, "links": links, "groups": list(groups)}
    return analyze(loads(json.dumps(d)))


# --- one component ------------------------------------------------------------------------------
# Two active instances with a standby, u = 0.01 (SPEC §3, revised 2026-12-06):
# q = u² · [u + a · (1 − e^(−2·F / MTTR))]. By hand, hot (F = 5 s, MTTR 1 h): 2F/MTTR = 1/360,
# 1 − e^(−1/360) = 0.0027739, so q = 1e-4 · (0.01 + 0.99 · 0.0027739) = 1.27462e-6. Warm 60 s:
# 1 − e^(−1/30) = 0.032784 → 4.24561e-6. Cold 600 s: 1 − e^(−1/3) = 0.283469 → 2.90634e-5.
# Cold 1800 s: 1 − e^(−1) = 0.632121 → 6.35799e-5. Warm 60 s with MTTR 4 h: 1 − e^(−1/120) =
# 0.0082988 → 1.82157e-6.
@pytest.mark.parametrize("standby,params,q", [
    ("hot", {"availability": 0.99}, 1.27462e-6),
    ("warm", {"availability": 0.99}, 4.24561e-6),
    ("cold", {"availability": 0.99}, 2.90634e-5),
    ("cold", {"availability": 0.99, "failover_s": 1800}, 6.35799e-5),
    ("warm", {"mtbf_hours": 396, "mttr_hours": 4}, 1.82157e-6),
])
def test_standby_formula(standby, params, q):
    res = run([C("u", "client", rps=1), C("x", "service", standby=standby, instances=2, **params)],
              [L("u", "x")])
    assert res.unavailability == pytest.approx(q, rel=1e-5)
    assert res.components["x"].availability == pytest.approx(1 - q, abs=1e-10)
    assert res.spofs == []  # instances 2 with a standby


def test_standby_covers_less_of_the_outage_with_more_instances():
    # All n down: the first repair comes after Exp(MTTR / n), so the standby's failover time
    # weighs n times as much: 1 − e^(−n·F/MTTR). One instance, cold 600 s, u = 0.01:
    # 0.01 · (0.01 + 0.99 · (1 − e^(−1/6))) = 0.01 · 0.161983 = 1.61983e-3;
    # three instances: 1e-6 · (0.01 + 0.99 · (1 − e^(−1/2))) = 1e-6 · 0.399535 = 3.99535e-7.
    for n, q in ((1, 1.61983e-3), (3, 3.99535e-7)):
        res = run([C("u", "client", rps=1),
                   C("x", "service", standby="cold", instances=n, availability=0.99)],
                  [L("u", "x")])
        assert res.unavailability == pytest.approx(q, rel=1e-5)


def test_instances_multiply_unavailability_and_nines_keep_their_digits():
    # Two instances at 99.9999%: U = 1e-12, which 1 − A in floating point could not carry.
    res = run([C("u", "client", rps=1), C("x", "service", availability=0.999999, instances=2)],
              [L("u", "x")])
    u = 1 - 0.999999
    assert res.unavailability == pytest.approx(u ** 2, rel=1e-12)
    assert res.nines == pytest.approx(-math.log10(u ** 2), rel=1e-12)
    assert res.downtime_s["year"] == pytest.approx(u ** 2 * 365 * 86400, rel=1e-12)


def test_perfect_design_has_null_nines():
    res = run([C("u", "client", rps=1), C("x", "service")], [L("u", "x")])
    assert res.availability == 1.0 and res.unavailability == 0.0
    js = res.to_json()
    assert js["nines"] is None
    assert js["downtime_per_year_s"] == 0.0 and js["downtime_per_week_s"] == 0.0
    assert js["spofs"] == ["x"]  # perfect, but still the one part everything needs
    assert "100%" in render(res)


# --- groups -------------------------------------------------------------------------------------
def test_zone_is_a_common_cause_not_counted_in_its_members_availability():
    res = run([C("u", "client", rps=1), C("lb", "load_balancer"),
               C("a", "service", availability=0.9), C("b", "service", availability=0.9)],
              [L("u", "lb"), L("lb", "a"), L("lb", "b")],
              [{"id": "z", "kind": "zone", "members": ["a", "b"],
                "params": {"availability": 0.99}}])
    # Both servers in one zone: the pair is only as good as the zone.
    assert res.availability == pytest.approx(0.99 * (1 - 0.1 ** 2), abs=1e-15)
    assert res.components["a"].availability == pytest.approx(0.9, abs=1e-15)
    assert res.groups["z"].availability == pytest.approx(0.99, abs=1e-15)
    assert res.groups["z"].failure_impact == 1.0
    assert res.spofs == ["lb", "z"]


def test_servers_in_two_zones_survive_either_zone():
    zones = [{"id": "z1", "kind": "zone", "members": ["a"], "params": {"availability": 0.99}},
             {"id": "z2", "kind": "zone", "members": ["b"],
              "params": {"mtbf_hours": 990, "mttr_hours": 10}}]
    res = run([C("u", "client", rps=1), C("lb", "load_balancer"),
               C("a", "service", availability=0.9), C("b", "service", availability=0.9)],
              [L("u", "lb"), L("lb", "a"), L("lb", "b")], zones)
    assert res.availability == pytest.approx(1 - (1 - 0.99 * 0.9) ** 2, abs=1e-15)
    assert res.groups["z2"].availability == pytest.approx(0.99, abs=1e-15)
    assert res.groups["z1"].failure_impact == 0.0
    assert res.spofs == ["lb"]


# --- databases ------------------------------------------------------------------------------------
@pytest.mark.parametrize("read_ratio,replicas,is_spof", [
    (1.0, 1, False),  # the replica serves every read while the primary is down
    (0.9, 1, True),  # writes need the primary
    (1.0, 0, True),
])
def test_database_single_failure_is_one_primary(read_ratio, replicas, is_spof):
    res = run([C("u", "client", rps=10, read_ratio=read_ratio),
               C("db", "database", availability=0.99, replicas=replicas)], [L("u", "db")])
    assert ("db" in res.spofs) is is_spof
    assert res.components["db"].failure_impact == 1.0  # wholly down: every node
    u = 0.01
    read = 1 - u ** (1 + replicas)
    assert res.availability == pytest.approx(read_ratio * read + (1 - read_ratio) * (1 - u),
                                             abs=1e-15)
    assert res.components["db"].availability == pytest.approx(0.99, abs=1e-15)  # its primary


def test_hot_shard_loses_its_share():
    res = run([C("u", "client", rps=10, read_ratio=0.0),
               C("db", "database", availability=0.9, shards=3, shard_skew=1.0)], [L("u", "db")])
    # Each shard is its own primary; a write to shard k fails when that primary is down.
    assert res.availability == pytest.approx(0.9, abs=1e-15)
    assert res.spofs == ["db"]


def test_zero_probability_call_never_matters():
    res = run([C("u", "client", rps=1), C("app", "service", availability=0.99),
               C("db", "database", availability=0.5)],
              [L("u", "app"), L("app", "db", probability=0.0)])
    assert res.availability == pytest.approx(0.99, abs=1e-15)
    assert res.components["db"].failure_impact == 0.0
    assert res.spofs == ["app"]


# --- Monte Carlo fallback ----------------------------------------------------------------------------
def many_zones(n: int = 17) -> tuple[list, list, list]:
    """A client split by weight over n branches, each a service calling its own external API,
    both in the branch's own zone: n groups with two members each are n shared parts, so the
    exact sum would condition on 2^n group states. The closed form: U = Σ share_i ·
    (1 − a_zone a_svc a_ext)."""
    comps = [C("u", "client", rps=100, read_ratio=0.5)]
    links, groups = [], []
    for i in range(n):
        comps += [C(f"s{i}", "service", availability=0.9 + 0.005 * (i % 5)),
                  C(f"e{i}", "external_service", availability=0.95)]
        links += [L("u", f"s{i}", weight=1 + i % 3), L(f"s{i}", f"e{i}")]
        groups.append({"id": f"z{i}", "kind": "zone", "members": [f"s{i}", f"e{i}"],
                       "params": {"availability": 0.98}})
    return comps, links, groups


def many_zones_closed_form(n: int = 17) -> float:
    w = [1 + i % 3 for i in range(n)]
    return sum(wi / sum(w) * (1 - 0.98 * (0.9 + 0.005 * (i % 5)) * 0.95)
               for i, wi in enumerate(w))


def test_too_many_shared_parts_fall_back_to_monte_carlo():
    res = run(*many_zones())
    assert res.availability_method == "monte_carlo"
    lo, hi = res.availability_ci95
    exact_u = many_zones_closed_form()
    assert lo <= 1 - exact_u <= hi
    # The estimate averages the failure fraction f = Σ w_i X_i (X_i: branch i fails) over
    # N = 200,000 states: the half-width is 1.96 · √(Var f / N), Var f = Σ w_i² q_i (1 − q_i).
    w = [1 + i % 3 for i in range(17)]
    q = [1 - 0.98 * (0.9 + 0.005 * (i % 5)) * 0.95 for i in range(17)]
    var = sum((wi / sum(w)) ** 2 * qi * (1 - qi) for wi, qi in zip(w, q))
    assert (hi - lo) / 2 == pytest.approx(1.96 * math.sqrt(var / 200_000), rel=0.05)
    js = res.to_json()
    assert js["availability_method"] == "monte_carlo"
    assert js["availability_ci95"] == [lo, hi]
    assert "Monte Carlo" in render(res)
    # Reproducible: the fallback is seeded.
    again = run(*many_zones())
    assert again.availability == res.availability and again.availability_ci95 == [lo, hi]
    # Failure impacts and SPOFs need no sampling: they stay exact.
    assert res.groups["z0"].failure_impact == pytest.approx(1 / sum(1 + i % 3 for i in range(17)),
                                                            rel=1e-12)


def test_raising_the_limit_makes_the_same_design_exact(monkeypatch):
    monkeypatch.setattr(exact_mod, "EXACT_LIMIT", 1 << 18)
    res = run(*many_zones())
    assert res.availability_method == "exact" and res.availability_ci95 is None
    assert res.unavailability == pytest.approx(many_zones_closed_form(), rel=1e-12)


@pytest.mark.parametrize("example", ["spof_example.json", "multi_region.json",
                                     "stage6_sharding.json"])
def test_forced_monte_carlo_brackets_the_exact_value(monkeypatch, example):
    from simcore.io import load
    from simcore.paths import examples_dir

    design = load(examples_dir() / example)
    exact = analyze(design)
    monkeypatch.setattr(exact_mod, "EXACT_LIMIT", 0)
    mc = analyze(design)
    assert exact.availability_method == "exact" and mc.availability_method == "monte_carlo"
    lo, hi = mc.availability_ci95
    assert lo <= exact.availability <= hi
    assert mc.spofs == exact.spofs
    assert analyze(design).availability == mc.availability  # reproducible
