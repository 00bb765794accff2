"""Saturation and bottleneck (SPEC §3): the seed's throughput = workers / latency, bisection
precision on a non-linear (blocking) design against a root found in the test, the tie rule,
no traffic, rate limits and the saturated flag."""

import math

import pytest

from simcore.analysis.flow import compile_plan
from simcore.analysis.saturation import utilizations
from simcore.topology import compile_design
from tests.simcore.closed_forms import analyse, design_of, mmc_wait


def test_seed_50_workers_at_10ms_saturate_at_5000_rps():
    r = analyse([("users", "client", {"rps": 1000}),
             ("app", "service", {"workers": 50, "service_time_ms": 10})], [("users", "app")])
    assert r.saturation_rps == pytest.approx(5000, rel=1e-6)
    assert r.saturation_factor == pytest.approx(5.0, rel=1e-6)
    assert r.bottleneck == "app"
    assert r.components["app"].utilization == pytest.approx(0.2)
    assert not r.saturated
    # Two instances double it.
    r2 = analyse([("users", "client", {"rps": 1000}),
              ("app", "service", {"instances": 2, "workers": 50, "service_time_ms": 10})],
             [("users", "app")])
    assert r2.saturation_rps == pytest.approx(10_000, rel=1e-6)


def test_blocking_saturation_matches_root_found_by_hand():
    # app (blocking, 1 worker... 4 workers, 10 ms) calls db (2 workers, 4 ms) with a 1 ms link.
    # ρ_app(λ) = λ (0.010 + 0.002 + Wq_db(λ) + 0.004) / 4 reaches 1 before the db does
    # (db: 2 / 0.004 = 500 rps); solve ρ_app = 1 here by bisection to 1e-12.
    comps = [("users", "client", {"rps": 10}),
             ("app", "service", {"workers": 4, "service_time_ms": 10}),
             ("db", "database", {"workers": 2, "service_time_ms": 4})]
    r = analyse(comps, [("users", "app"), ("app", "db", {"latency_ms": 1})])

    def rho_app(lam):
        return lam * (0.016 + mmc_wait(lam, 0.004, 2)) / 4

    lo, hi = 1.0, 499.0
    while hi - lo > 1e-12 * hi:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if rho_app(mid) >= 1 else (mid, hi)
    assert r.saturation_rps == pytest.approx(lo, rel=1e-6)
    assert r.bottleneck == "app"
    # And the bracket holds in the module's own model: below → ρ < 1, above → ρ ≥ 1.
    plan = compile_plan(compile_design(design_of(comps, [("users", "app"),
                                                    ("app", "db", {"latency_ms": 1})])))
    k = r.saturation_factor
    assert max(utilizations(plan, k * (1 - 1e-6))) < 1.0
    assert max(utilizations(plan, k * (1 + 1e-6))) >= 1.0


def test_bottleneck_tie_goes_to_smallest_id():
    svc = {"workers": 10, "service_time_ms": 10}
    r = analyse([("users", "client", {"rps": 100}), ("lb", "load_balancer"),
             ("zeta", "service", svc), ("alpha", "service", svc)],
            [("users", "lb"), ("lb", "zeta"), ("lb", "alpha")])
    assert r.bottleneck == "alpha"
    assert r.saturation_rps == pytest.approx(2000, rel=1e-6)
    # A difference above 1e-9 relative is not a tie.
    r2 = analyse([("users", "client", {"rps": 100}), ("lb", "load_balancer"),
              ("zeta", "service", svc), ("alpha", "service", {"workers": 10,
                                                              "service_time_ms": 9.99})],
             [("users", "lb"), ("lb", "zeta"), ("lb", "alpha")])
    assert r2.bottleneck == "zeta"


def test_no_traffic_and_out_of_range():
    r = analyse([("users", "client", {"rps": 0}), ("app", "service")], [("users", "app")])
    assert r.saturation_rps is None and r.bottleneck is None and r.saturated is False
    assert r.offered_rps == 0.0
    # 1e-3 rps on a 1e12 rps capacity: no factor up to 1e6 saturates; the bottleneck is the
    # busiest part now.
    r2 = analyse([("users", "client", {"rps": 0.001}),
              ("lb", "load_balancer", {"workers": 10, "service_time_ms": 1}),
              ("app", "service", {"workers": 1_000_000, "service_time_ms": 0.001})],
             [("users", "lb"), ("lb", "app")])
    assert r2.saturation_rps is None
    assert r2.bottleneck == "lb"
    # Exactly reachable at the search limit: 1e6 × 0.01 rps = 10,000 rps = 100 workers / 10 ms.
    r3 = analyse([("users", "client", {"rps": 0.01}),
              ("app", "service", {"workers": 100, "service_time_ms": 10})], [("users", "app")])
    assert r3.saturation_rps == pytest.approx(10_000, rel=1e-6)


def test_saturated_now():
    r = analyse([("users", "client", {"rps": 8000}),
             ("app", "service", {"workers": 50, "service_time_ms": 10})], [("users", "app")])
    assert r.saturated
    assert r.components["app"].utilization == pytest.approx(1.6)
    assert r.saturation_rps == pytest.approx(5000, rel=1e-6)
    assert r.latency_mean_ms == math.inf
    assert r.to_json()["latency_ms"]["mean"] is None


def test_rate_limiter_shields_what_is_behind_it():
    # The limiter forwards at most 100 rps to an app that takes 5,000: scaling the load only
    # ever loads the limiter itself (it counts all offered): 10 workers / 1 ms = 10,000 rps.
    r = analyse([("users", "client", {"rps": 1000}),
             ("rl", "rate_limiter", {"limit_rps": 100, "workers": 10, "service_time_ms": 1}),
             ("app", "service", {"workers": 50, "service_time_ms": 10})],
            [("users", "rl"), ("rl", "app")])
    assert r.saturation_rps == pytest.approx(10_000, rel=1e-6)
    assert r.bottleneck == "rl"
    assert r.components["app"].utilization == pytest.approx(100 * 0.01 / 50)
    # A limit above the app's capacity lets the app saturate first, at 5,000 rps, while the
    # limiter at k = 5 carries 5,000 rps (ρ 0.5).
    r2 = analyse([("users", "client", {"rps": 1000}),
              ("rl", "rate_limiter", {"limit_rps": 6000, "workers": 10, "service_time_ms": 1}),
              ("app", "service", {"workers": 50, "service_time_ms": 10})],
             [("users", "rl"), ("rl", "app")])
    assert r2.saturation_rps == pytest.approx(5000, rel=1e-6)
    assert r2.bottleneck == "app"


def test_blocking_saturation_is_lower_with_a_slower_callee():
    def sat(db_ms):
        return analyse([("users", "client", {"rps": 10}),
                    ("app", "service", {"workers": 20, "service_time_ms": 5}),
                    ("db", "database", {"workers": 64, "service_time_ms": db_ms})],
                   [("users", "app"), ("app", "db")]).saturation_rps

    values = [sat(ms) for ms in (1, 5, 20, 80)]
    assert values == sorted(values, reverse=True)
    assert values[0] == pytest.approx(20 / 0.006, rel=1e-3)  # db wait negligible at 1 ms
