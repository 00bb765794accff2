"""The traffic simulation against queueing theory: M/M/1, M/M/c (Erlang C), a Jackson network
against its closed form, Little's law, and a link's latency paid both ways.

Every figure is estimated over several independent replications (fixed seeds, so the tests are
reproducible) with a Student-t 95 % interval from ``simcore.engine.stats.mean_ci``. A check
passes when the closed form lies within the interval widened by a stated systematic allowance
(the latency histogram reports a percentile to ±0.5 %, and a run starts empty), and the
interval itself is narrower than a stated precision, so that a wrong engine cannot hide behind
a wide interval.
"""

import math

import pytest

from simcore.analysis import analyze
from simcore.analysis.queueing import erlang_c, mmc_sojourn
from simcore.engine.replication import run_replication
from simcore.engine.stats import mean_ci
from simcore.io import parse
from tests.simcore.closed_forms import mmc_sojourn as mmc_sojourn_written_out


def one_station(rps, service_ms, workers=1, dist="exponential", latency_ms=0.0):
    """A Poisson client calling one terminal station (an M/M/c queue when exponential)."""
    return parse({
        "schema_version": 1,
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": rps}},
            {"id": "api", "kind": "external_service",
             "params": {"workers": workers, "service_time_ms": service_ms,
                        "service_distribution": dist}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "api",
                   "params": {"latency_ms": latency_ms}}],
    })


def replicate(design, reps, *, seed, duration_s, warmup_s):
    return [run_replication(design, seed=seed, rep_index=r, duration_s=duration_s,
                            warmup_s=warmup_s) for r in range(reps)]


def check_ci(values, expected, *, allowance_rel, max_half_rel, what):
    """``expected`` within the 95 % interval of ``values`` ± ``allowance_rel`` · expected, and
    the interval's half-width at most ``max_half_rel`` · expected."""
    m, ci = mean_ci(values)
    half = (ci[1] - ci[0]) / 2.0
    assert half <= max_half_rel * expected, (
        f"{what}: interval too wide to judge: {m:.4g} ± {half:.3g}")
    assert abs(m - expected) <= half + allowance_rel * expected, (
        f"{what}: simulated {m:.5g} [{ci[0]:.5g}, {ci[1]:.5g}], closed form {expected:.5g}")
    return m, ci


@pytest.mark.slow
def test_mm1_mean_and_p99_sojourn():
    # λ = 700/s, μ = 1000/s (ρ = 0.7). Sojourn time is exponential with rate μ − λ:
    # mean 1 / (μ − λ) = 3.333 ms, p99 = −ln(0.01) / (μ − λ) = 15.35 ms.
    # Tolerance: the mean within its 95 % interval + 1 % (start-up transient), the interval
    # within ±4 %; p99 within its interval + 1 % (histogram bins ±0.5 %), interval within ±6 %.
    lam, mu = 700.0, 1000.0
    runs = replicate(one_station(lam, 1000.0 / mu), 8, seed=11, duration_s=25, warmup_s=1)
    check_ci([r["latency_ms"]["mean"] for r in runs], 1000.0 / (mu - lam),
             allowance_rel=0.01, max_half_rel=0.04, what="M/M/1 mean sojourn (ms)")
    check_ci([r["latency_ms"]["p99"] for r in runs], -math.log(0.01) / (mu - lam) * 1000.0,
             allowance_rel=0.01, max_half_rel=0.06, what="M/M/1 p99 sojourn (ms)")
    # Utilization ρ = λ / μ, within its interval + 1 %.
    check_ci([r["components"]["api"]["utilization"] for r in runs], lam / mu,
             allowance_rel=0.01, max_half_rel=0.02, what="M/M/1 utilization")
    # Every request succeeds, and what was offered is what the client sent at 700/s.
    assert all(r["error_rate"] == 0.0 and r["availability"] == 1.0 for r in runs)
    check_ci([r["offered"] / r["measured_s"] for r in runs], lam,
             allowance_rel=0.005, max_half_rel=0.01, what="offered rps")


@pytest.mark.slow
def test_mmc_mean_sojourn_erlang_c():
    # c = 4 workers, service 4 ms (μ = 250/s each), λ = 700/s: a = 2.8 erlangs, ρ = 0.7.
    # W = C(4, 2.8) / (cμ − λ) + 1/μ (Erlang C) = 4 + 1.27… ms; Lq = λ · Wq (Little).
    # Tolerance: within the interval + 1 %, interval within ±4 % (W) and ±10 % (Lq).
    lam, s, c = 700.0, 0.004, 4
    expected_w = mmc_sojourn(lam, s, c) * 1000.0
    # the same closed form written out, so the test does not only trust the analysis module
    a = lam * s
    p0 = 1.0 / (sum(a**k / math.factorial(k) for k in range(c))
                + a**c / math.factorial(c) / (1 - a / c))
    erlang_c_direct = a**c / math.factorial(c) / (1 - a / c) * p0
    assert erlang_c(c, a) == pytest.approx(erlang_c_direct, rel=1e-12)
    assert expected_w == pytest.approx((erlang_c_direct / (c / s - lam) + s) * 1000.0, rel=1e-12)

    runs = replicate(one_station(lam, s * 1000.0, workers=c), 8, seed=5, duration_s=25,
                     warmup_s=1)
    check_ci([r["latency_ms"]["mean"] for r in runs], expected_w,
             allowance_rel=0.01, max_half_rel=0.04, what="M/M/4 mean sojourn (ms)")
    lq = lam * erlang_c_direct / (c / s - lam)
    check_ci([r["components"]["api"]["mean_queue"] for r in runs], lq,
             allowance_rel=0.01, max_half_rel=0.10, what="M/M/4 mean queue (Little)")
    check_ci([r["components"]["api"]["utilization"] for r in runs], a / c,
             allowance_rel=0.01, max_half_rel=0.02, what="M/M/4 utilization")


JACKSON = {
    "schema_version": 1,
    "components": [
        {"id": "users", "kind": "client", "params": {"rps": 400, "read_ratio": 0.7}},
        {"id": "lb", "kind": "load_balancer",
         "params": {"algorithm": "random", "workers": 1, "service_time_ms": 0.5}},
        {"id": "a", "kind": "service",
         "params": {"instances": 2, "workers": 2, "service_time_ms": 6, "blocking": False}},
        {"id": "b", "kind": "service",
         "params": {"instances": 1, "workers": 3, "service_time_ms": 5, "blocking": False}},
        {"id": "cache", "kind": "cache",
         "params": {"workers": 1, "service_time_ms": 0.5, "hit_ratio": 0.6}},
        {"id": "db", "kind": "database", "params": {"workers": 2, "service_time_ms": 3}},
    ],
    "links": [
        {"id": "l1", "source": "users", "target": "lb", "params": {"latency_ms": 2}},
        {"id": "l2", "source": "lb", "target": "a", "params": {"latency_ms": 0.5}},
        {"id": "l3", "source": "lb", "target": "b", "params": {"latency_ms": 0.5}},
        {"id": "l4", "source": "a", "target": "cache", "params": {"latency_ms": 0.3}},
        {"id": "l5", "source": "b", "target": "cache", "params": {"latency_ms": 0.3}},
        {"id": "l6", "source": "cache", "target": "db", "params": {"latency_ms": 1}},
    ],
}


def jackson_closed_form() -> tuple[float, dict[str, float]]:
    """The JACKSON design's mean latency (ms) and utilizations, from the network's rates.

    400 req/s, 70 % reads. The random balancer gives a and b 200/s each; a spreads over its
    2 instances (100/s each, M/M/2 at 6 ms), b is one M/M/3 at 5 ms; both call the cache
    (400/s, M/M/1 at 0.5 ms); the database gets the misses 400·0.7·0.4 = 112/s plus the writes
    400·0.3 = 120/s: 232/s, M/M/2 at 3 ms. Links are paid there and back: users→lb 2·2 ms,
    lb→a|b 2·0.5, a|b→cache 2·0.3, and cache→db 2·1 for the 232/400 = 58 % that go on."""
    ms = 1e-3
    t = {"lb": mmc_sojourn_written_out(400, 0.5 * ms, 1), "a": mmc_sojourn_written_out(100, 6 * ms, 2),
         "b": mmc_sojourn_written_out(200, 5 * ms, 3), "cache": mmc_sojourn_written_out(400, 0.5 * ms, 1),
         "db": mmc_sojourn_written_out(232, 3 * ms, 2)}
    to_db = 232 / 400
    latency = (2 * 2 + t["lb"] / ms + 2 * 0.5 + (t["a"] + t["b"]) / 2 / ms + 2 * 0.3
               + t["cache"] / ms + to_db * (2 * 1 + t["db"] / ms))
    utilization = {"lb": 400 * 0.5 * ms, "a": 100 * 6 * ms / 2, "b": 200 * 5 * ms / 3,
                   "cache": 400 * 0.5 * ms, "db": 232 * 3 * ms / 2}
    return latency, utilization


@pytest.mark.slow
def test_jackson_network_matches_the_closed_form():
    # Non-blocking services, exponential times, Poisson traffic, random splitting (a random
    # balancer, Bernoulli cache hits): a Jackson network, whose mean latency is the sum of the
    # stations' M/M/c sojourns weighted by their visit rates (jackson_closed_form).
    # Tolerance: within the interval + 1 %, interval within ±2 %; utilizations within the
    # interval + 2 %. The instant analysis claims this exact figure too.
    design = parse(JACKSON)
    expected, utilization = jackson_closed_form()
    assert expected == pytest.approx(15.9001, abs=1e-4)
    assert analyze(design).latency_mean_ms == pytest.approx(expected, rel=1e-9)
    runs = replicate(design, 6, seed=3, duration_s=20, warmup_s=2)
    check_ci([r["latency_ms"]["mean"] for r in runs], expected,
             allowance_rel=0.01, max_half_rel=0.02, what="Jackson mean latency (ms)")
    for cid, u in utilization.items():
        check_ci([r["components"][cid]["utilization_mean"] for r in runs], u,
                 allowance_rel=0.02, max_half_rel=0.05, what=f"utilization of {cid}")


def test_link_latency_paid_twice_and_transmission_once():
    # Constant 10 ms service behind a 25 ms link: every request takes 10 + 2·25 = 60 ms.
    # With 1000 KB requests over 800 Mbit/s, 1000·8/800 = 10 ms more, one way only: 70 ms.
    # Tolerance: the mean is exact (1e-6 relative); percentiles within a histogram bin (±0.5 %).
    runs = replicate(one_station(20, 10.0, workers=50, dist="constant", latency_ms=25.0), 1,
                     seed=1, duration_s=6, warmup_s=1)
    lat = runs[0]["latency_ms"]
    assert lat["mean"] == pytest.approx(60.0, rel=1e-6)
    assert lat["p50"] == pytest.approx(60.0, rel=0.005)
    assert lat["p99"] == pytest.approx(60.0, rel=0.005)
    d = one_station(20, 10.0, workers=50, dist="constant", latency_ms=25.0)
    d.components[0].params["request_kb"] = 1000
    d.links[0].params["bandwidth_mbps"] = 800
    run = run_replication(d, seed=1, duration_s=6, warmup_s=1)
    assert run["latency_ms"]["mean"] == pytest.approx(70.0, rel=1e-6)


@pytest.mark.parametrize("dist,cv", [("constant", 0.0), ("lognormal", 0.5)])
def test_mg1_pollaczek_khinchine(dist, cv):
    # M/G/1 with λ = 600/s, mean service 1 ms (ρ = 0.6): W = s + λ·E[S²] / (2(1 − ρ)),
    # E[S²] = s²(1 + cv²) — M/D/1 (cv 0) 1.75 ms, lognormal cv 0.5 1.9375 ms.
    # Tolerance: within the interval + 1 %, interval within ± 4 %.
    lam, s = 600.0, 0.001
    expected = (s + lam * s * s * (1 + cv * cv) / (2 * (1 - lam * s))) * 1000.0
    d = one_station(lam, s * 1000.0, dist=dist)
    d.components[1].params["service_cv"] = cv if dist == "lognormal" else 1.0
    runs = replicate(d, 6, seed=13, duration_s=15, warmup_s=1)
    check_ci([r["latency_ms"]["mean"] for r in runs], expected, allowance_rel=0.01,
             max_half_rel=0.04, what=f"M/G/1 {dist} mean sojourn (ms)")


def balanced(algorithm, weights=(1, 1)):
    return parse({
        "schema_version": 1,
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": 400}},
            {"id": "lb", "kind": "load_balancer", "params": {"algorithm": algorithm}},
            {"id": "a", "kind": "service",
             "params": {"instances": 2, "workers": 1, "service_time_ms": 2}},
            {"id": "b", "kind": "service",
             "params": {"instances": 1, "workers": 1, "service_time_ms": 2}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "lb"},
                  {"id": "l2", "source": "lb", "target": "a", "params": {"weight": weights[0]}},
                  {"id": "l3", "source": "lb", "target": "b", "params": {"weight": weights[1]}}],
    })


@pytest.mark.parametrize("algorithm", ["round_robin", "least_connections", "random",
                                       "weighted"])
def test_balancer_algorithms_split_as_stated(algorithm):
    # Equal shares over the two targets (weights 3 : 1 under "weighted"), and within a target
    # its instances load evenly. Round robin is exact; random and weighted binomial (± 3 %
    # absolute on ~7,600 requests); least connections counts requests out per instance, so
    # under load the two-instance target takes more than half (but not more than its 2/3 of
    # the capacity). Round robin and least connections wait less than random splitting.
    weights = (3, 1)
    r = run_replication(balanced(algorithm, weights), seed=1, duration_s=20, warmup_s=1)
    share_a = r["components"]["a"]["served"] / r["components"]["lb"]["served"]
    expected = 0.75 if algorithm == "weighted" else 0.5
    tol = 0.002 if algorithm == "round_robin" else 0.03
    if algorithm == "least_connections":
        assert 0.5 <= share_a <= 2 / 3
    else:
        assert share_a == pytest.approx(expected, abs=tol)
    a = r["components"]["a"]
    assert a["utilization"] == pytest.approx(a["utilization_mean"], rel=0.1)
    if algorithm in ("round_robin", "least_connections"):
        rand = run_replication(balanced("random", weights), seed=1, duration_s=20, warmup_s=1)
        assert r["latency_ms"]["mean"] < rand["latency_ms"]["mean"]


@pytest.mark.parametrize("pattern", ["constant", "poisson", "ramp", "diurnal"])
def test_arrival_patterns(pattern):
    # 100 rps over 40 s: constant and poisson send 100/s; a ramp 0 → 100 averages 50/s and
    # ends near 100/s; a diurnal wave averages 100/s, half at the ends, 1.5× mid-run.
    # Tolerance: totals within 3 % (Poisson: 2σ ≈ 1.6 % of 4,000); per-window rates 15 %.
    d = one_station(100, 1.0, workers=10)
    d.components[0].params["pattern"] = pattern
    r = run_replication(d, seed=2, duration_s=40, warmup_s=0)
    thr = r["timeseries"]["throughput_rps"]
    mean_rate = {"ramp": 50.0}.get(pattern, 100.0)
    assert r["sent"] / 40 == pytest.approx(mean_rate, rel=0.03)
    first, middle, last = (sum(thr[i:i + 4]) / 4 for i in (0, 18, 36))
    if pattern == "constant":
        assert all(x in (99.0, 100.0, 101.0) for x in thr)
    elif pattern == "ramp":
        assert first < 12 and middle == pytest.approx(50, rel=0.2)
        assert last == pytest.approx(95, rel=0.15)
    elif pattern == "diurnal":
        assert first == pytest.approx(52, rel=0.15) and last == pytest.approx(52, rel=0.15)
        assert middle == pytest.approx(150, rel=0.15)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["stage1_single_server", "stage2_separate_database",
                                  "stage3_cache", "spof_example", "parallel_two_servers",
                                  "series_three_nines", "queue_load_levelling",
                                  "active_passive_failover"])
def test_bundled_examples_agree_with_the_instant_analysis(name):
    # The examples mix blocking services, caches, replicas and queues, where the analysis is
    # the usual approximation (a blocking worker's holding time treated as exponential).
    # Tolerance: the mean latency within the 95 % interval of 3 replications of 6 s + 3 %;
    # nothing fails (scenario events removed: they are tested elsewhere).
    from pathlib import Path

    from simcore.io import load

    d = load(Path(__file__).resolve().parents[2] / "resources" / "examples" / f"{name}.json")
    d.scenario = None
    expected = analyze(d).to_json()["latency_ms"]["mean"]
    runs = replicate(d, 3, seed=1, duration_s=6, warmup_s=1)
    assert all(r["error_rate"] == 0.0 and not r["saturated"] for r in runs)
    check_ci([r["latency_ms"]["mean"] for r in runs], expected, allowance_rel=0.03,
             max_half_rel=0.12, what=f"{name} mean latency (ms)")


def test_erlang_b_loss_with_no_queue():
    # queue_limit 0: an M/M/c/c loss system. c = 4, a = λ·s = 3 erlangs: a request is refused
    # (an error) with the Erlang B probability B(4, 3) = (3⁴/4!) / Σₖ₌₀⁴ 3ᵏ/k! = 0.2061.
    # Tolerance: within the interval + 0.005 absolute, interval within ± 0.015.
    from simcore.analysis.queueing import erlang_b

    c, a = 4, 3.0
    b = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
    assert erlang_b(c, a) == pytest.approx(b, rel=1e-12)
    d = one_station(300, 10.0, workers=c)
    d.components[1].params["queue_limit"] = 0
    runs = replicate(d, 5, seed=17, duration_s=12, warmup_s=1)
    m, ci = mean_ci([r["error_rate"] for r in runs])
    half = (ci[1] - ci[0]) / 2
    assert half <= 0.015 and abs(m - b) <= half + 0.005, (m, ci, b)
    assert all(r["components"]["api"]["mean_queue"] == 0.0 for r in runs)
    assert all(r["components"]["api"]["dropped"] == r["failed"] for r in runs)
