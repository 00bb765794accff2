"""Service variability (SPEC §7.1, Allen–Cunneen), latency percentiles (a gamma approximation)
and fleet failures, against closed forms worked out in the tests."""

import json
import math

import pytest

from simcore.analysis import analyze
from simcore.analysis.flow import compile_plan, run_flow
from simcore.analysis.latency import run_times
from simcore.analysis.percentiles import (
    client_moments,
    gamma_cdf,
    mixture_quantile,
    regularized_lower_gamma,
)
from simcore.analysis.queueing import mmc_wait
from simcore.io import loads
from simcore.topology import compile_design

REL = 1e-9


def make(components, links, version=1):
    comps = [{"id": c[0], "kind": c[1], "params": c[2] if len(c) > 2 else {}} for c in components]
    lks = [{"id": f"{s}-{t}", "source": s, "target": t, "params": p} for s, t, p in
           ((lk + ({},))[:3] for lk in links)]
    return loads(json.dumps({"schema_version": version, "components": comps, "links": lks}))


def one_station(rps, workers, ms, **extra):
    params = {"workers": workers, "service_time_ms": ms, **extra}
    return analyze(make([("u", "client", {"rps": rps}), ("s", "service", params)],
                        [("u", "s")]), availability=False)


# --- Allen–Cunneen ------------------------------------------------------------------------------

def test_md1_at_half_load_is_15_ms():
    # SPEC §7.1: one worker, constant 10 ms, 50 rps: Wq = ρ s / (2 (1 − ρ)) = 5 ms, mean 15 ms.
    r = one_station(50, 1, 10, service_distribution="constant")
    assert r.latency_mean_ms == pytest.approx(15.0, rel=REL)
    assert one_station(50, 1, 10).latency_mean_ms == pytest.approx(20.0, rel=REL)


def test_mg1_lognormal_is_pollaczek_khinchine():
    # Wq = λ E[S²] / (2 (1 − ρ)), E[S²] = s² (1 + v²): v = 1.5, s = 10 ms, λ = 60/s.
    lam, s, v = 60.0, 0.010, 1.5
    rho = lam * s
    expect = lam * s * s * (1 + v * v) / (2 * (1 - rho)) + s
    r = one_station(60, 1, 10, service_distribution="lognormal", service_cv=v)
    assert r.latency_mean_ms == pytest.approx(1000 * expect, rel=REL)


def test_mgc_is_erlang_c_times_the_factor():
    base = one_station(300, 4, 10)
    const = one_station(300, 4, 10, service_distribution="constant")
    wq = base.latency_mean_ms - 10.0
    assert const.latency_mean_ms == pytest.approx(10.0 + 0.5 * wq, rel=REL)


def test_blocking_service_with_calls_keeps_v_one_but_its_callee_uses_its_own():
    comps = [("u", "client", {"rps": 40}),
             ("app", "service", {"workers": 2, "service_time_ms": 5,
                                 "service_distribution": "constant"}),
             ("db", "database", {"workers": 1, "service_time_ms": 10,
                                 "service_distribution": "constant"})]
    r = analyze(make(comps, [("u", "app"), ("app", "db")]), availability=False)
    exp = analyze(make([(c[0], c[1], {k: v for k, v in c[2].items()
                                      if k != "service_distribution"}) for c in comps],
                       [("u", "app"), ("app", "db")]), availability=False)
    # The database (H = s) gets the M/D/1 wait: half the M/M/1 one.
    assert r.component("db").wait_ms == pytest.approx(0.5 * exp.component("db").wait_ms, rel=REL)
    # The app's holding time is s + the database's response, not its own service: v = 1, so
    # its wait is the M/M/c wait at that holding time.
    h = r.component("app").holding_ms / 1000.0
    assert r.component("app").wait_ms == pytest.approx(1000 * mmc_wait(40, h, 2), rel=REL)


def test_saturation_sees_the_shorter_holding_time():
    # A blocking app over a constant-time database: the database's shorter wait shortens the
    # app's holding time, so the saturation point moves up, and the sweep agrees with the scalar
    # pass at that point (the app's ρ is 1 there).
    comps = [("u", "client", {"rps": 50}),
             ("app", "service", {"workers": 4, "service_time_ms": 5}),
             ("db", "database", {"workers": 1, "service_time_ms": 10})]
    links = [("u", "app"), ("app", "db")]
    exp = analyze(make(comps, links), availability=False)
    comps[2] = ("db", "database", {"workers": 1, "service_time_ms": 10,
                                   "service_distribution": "constant"})
    const = analyze(make(comps, links), availability=False)
    assert const.saturation_rps >= exp.saturation_rps
    at = one_scale(make(comps, links), const.saturation_factor * (1 - 1e-6))
    assert max(at.utilization) == pytest.approx(1.0, abs=1e-4)


def one_scale(design, k):
    plan = compile_plan(compile_design(design))
    return run_times(plan, run_flow(plan, k))


# --- percentiles --------------------------------------------------------------------------------

def test_gamma_cdf_closed_forms():
    for x in (0.1, 1.0, 3.0, 10.0):
        assert regularized_lower_gamma(1.0, x) == pytest.approx(-math.expm1(-x), rel=1e-12)
        assert regularized_lower_gamma(2.0, x) == pytest.approx(1 - math.exp(-x) * (1 + x),
                                                                rel=1e-10)
    # Huge shape: normal with the same mean and variance.
    m, sd = 5.0, 1e-3
    assert gamma_cdf(m + sd, m, sd * sd) == pytest.approx(0.841344746, abs=1e-4)
    assert gamma_cdf(2.0, 2.0, 0.0) == 1.0 and gamma_cdf(1.999, 2.0, 0.0) == 0.0


@pytest.mark.parametrize("rho", [0.2, 0.5, 0.9])
def test_mm1_percentiles_are_exact(rho):
    # M/M/1 sojourn is exponential with rate μ − λ; the gamma with its mean and variance has
    # shape 1, i.e. is that exponential.
    s = 0.010
    r = one_station(rho / s, 1, 10)
    mean = s / (1 - rho)
    for q, got in ((0.5, r.latency_p50_ms), (0.95, r.latency_p95_ms), (0.99, r.latency_p99_ms)):
        assert got == pytest.approx(1000 * -mean * math.log(1 - q), rel=1e-9)


def test_constant_service_without_load_is_a_point():
    r = one_station(0.0, 1, 10, service_distribution="constant")
    assert r.latency_p50_ms == r.latency_p99_ms == pytest.approx(10.0, rel=REL)


def test_mixture_of_two_clients():
    # Two clients on two separate M/M/1 stations: the mixture of two exponentials.
    r = analyze(make([("a", "client", {"rps": 30}), ("b", "client", {"rps": 10}),
                      ("x", "service", {"workers": 1, "service_time_ms": 10}),
                      ("y", "service", {"workers": 1, "service_time_ms": 20})],
                     [("a", "x"), ("b", "y")]), availability=False)
    m1, m2 = 0.010 / (1 - 0.3), 0.020 / (1 - 0.2)

    def cdf(x):
        return 0.75 * -math.expm1(-x / m1) + 0.25 * -math.expm1(-x / m2)

    for q, got in ((0.5, r.latency_p50_ms), (0.95, r.latency_p95_ms), (0.99, r.latency_p99_ms)):
        assert cdf(got / 1000) == pytest.approx(q, abs=1e-9)


def client_path(design, client="u"):
    """The client's path moments (mean s, variance s²) at the design's own load."""
    plan = compile_plan(compile_design(design))
    return client_moments(plan, run_times(plan, run_flow(plan, 1.0)))[plan.index[client]]


def test_series_and_branches_add_variances():
    # u → lb (constant 1 ms, no load) → {x, y} evenly, each constant: 1 + {4, 8} ms, a two-point
    # mixture whose variance is the law of total variance's.
    d = make([("u", "client", {"rps": 0}),
              ("lb", "load_balancer", {"workers": 1, "service_time_ms": 1,
                                       "service_distribution": "constant"}),
              ("x", "service", {"workers": 1, "service_time_ms": 4,
                                "service_distribution": "constant"}),
              ("y", "service", {"workers": 1, "service_time_ms": 8,
                                "service_distribution": "constant"})],
             [("u", "lb"), ("lb", "x"), ("lb", "y")])
    mo = client_path(d)
    assert mo.mean == pytest.approx(0.007, rel=REL)
    assert mo.variance == pytest.approx(0.002 ** 2, rel=1e-9)


def test_service_calls_are_bernoulli():
    # A non-blocking service calling a constant 10 ms station with probability 0.3: the call
    # adds 0 or 10 ms, variance p (1 − p) m².
    d = make([("u", "client", {"rps": 0}),
              ("app", "service", {"workers": 1, "service_time_ms": 2, "blocking": False,
                                  "service_distribution": "constant"}),
              ("z", "external_service", {"workers": 1, "service_time_ms": 10,
                                         "service_distribution": "constant"})],
             [("u", "app"), ("app", "z", {"probability": 0.3})])
    mo = client_path(d)
    assert mo.mean == pytest.approx(0.002 + 0.3 * 0.010, rel=REL)
    assert mo.variance == pytest.approx(0.3 * 0.7 * 0.010 ** 2, rel=1e-9)


def test_saturated_path_has_no_percentiles():
    r = one_station(200, 1, 10)
    assert r.latency_p99_ms is None
    assert r.to_json()["latency_ms"]["p99"] is None


def test_mixture_quantile_of_point_masses():
    assert mixture_quantile([(0.5, 1.0, 0.0), (0.5, 3.0, 0.0)], 0.5) == pytest.approx(1.0)
    assert mixture_quantile([(0.5, 1.0, 0.0), (0.5, 3.0, 0.0)], 0.95) == pytest.approx(3.0)


# --- fleet failures -----------------------------------------------------------------------------

def test_notes_fleet_of_100_servers_fails_438_times_a_year():
    r = analyze(make([("u", "client", {"rps": 1}),
                      ("app", "service", {"instances": 100, "mtbf_hours": 2000,
                                          "mttr_hours": 2})],
                     [("u", "app")]), availability=False)
    assert r.component("app").failures_per_year == pytest.approx(438.0, rel=REL)
    assert r.fleet_failures_per_year == pytest.approx(438.0, rel=REL)
    assert r.to_json()["components"]["u"]["failures_per_year"] is None


def test_fleet_counts_standbys_database_nodes_and_availability_only_mtbf():
    r = analyze(make([("u", "client", {"rps": 1}),
                      ("app", "service", {"instances": 2, "availability": 0.999,
                                          "standby": "warm"}),
                      ("db", "database", {"shards": 2, "replicas": 1, "mtbf_hours": 8760,
                                          "mttr_hours": 1, "standby": "hot"}),
                      ("ext", "external_service", {})],
                     [("u", "app"), ("app", "db"), ("app", "ext")]), availability=False)
    # MTBF = a / (1 − a) · 1 h = 999 h; 3 nodes.
    assert r.component("app").failures_per_year == pytest.approx(3 * 8760 / 999, rel=REL)
    # 2 × (1 + 1) nodes + 2 standbys at one failure a year each.
    assert r.component("db").failures_per_year == pytest.approx(6.0, rel=REL)
    assert r.component("ext").failures_per_year == 0.0
    assert r.fleet_failures_per_year == pytest.approx(3 * 8760 / 999 + 6, rel=REL)
