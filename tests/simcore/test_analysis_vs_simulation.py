"""The instant analysis against the traffic simulation (the reference), on designs the closed
forms do not cover exactly: non-exponential services, blocking services, capacity risks and every
bundled example. docs/model.md keeps the table of where the two agree and differ, and why.

Each simulated figure is a mean over independent replications with its Student-t 95% interval.
A figure agrees when the analysis lies within that interval widened by the stated tolerance
(relative to the analysis' value):

- mean latency: 2% (exact for Jackson networks; the residue is the start-up transient), 5% with
  blocking services (holding time treated as exponential), 10% for M/G/c with c > 1 (Allen–Cunneen
  is an approximation there);
- utilization: 3% + 0.002 absolute (the busiest instance of a run is a maximum of noisy
  estimates);
- request rates (offered, and served per component): 2% + 1 req/s (requests in flight at the ends
  of the measured window);
- p50, p95, p99: 20% (one gamma per client fitted to two moments: it misses a shifted or
  multimodal shape), except where the table in docs/model.md says the shape defeats it;
- the share lost with one part down (capacity risk) against the error rate with that part failed:
  0.02 absolute.

Scenario events are removed before simulating the examples: the analysis is the steady state
without them.
"""

from __future__ import annotations

import json
import math

import pytest

from simcore.analysis import analyze
from simcore.engine.replication import run_replication
from simcore.engine.stats import mean_ci
from simcore.io import parse
from simcore.paths import example_files

MEAN_TOL = 0.02
MEAN_TOL_BLOCKING = 0.05
MEAN_TOL_MGC = 0.10
UTIL_TOL, UTIL_ABS = 0.03, 0.002
RATE_TOL, RATE_ABS = 0.02, 1.0
PERCENTILE_TOL = 0.20
IMPACT_ABS = 0.02

# Where one gamma per client cannot follow the shape (docs/model.md, "Analysis and simulation"):
# the gateway's client mixes routes of 40 ms and 300 ms, a bimodal response time whose p95 the
# two-moment fit puts in the gap between the modes. Checked within a factor of 3 only.
SHAPE_EXCEPTIONS = {
    # bimodal: most requests skip the slow payments call; one gamma cannot show two humps
    ("microservices_gateway.json", "p50"): 3.0,
    ("microservices_gateway.json", "p95"): 3.0,
    # three reads in four hit the cache in 0.01 ms, so the true median is a hit's time; the
    # gamma fitted to the hit/miss mixture's mean and variance puts it near 0.07 ms
    ("cache_stampede.json", "p50"): 8.0,
}
"""Percentiles where one gamma per client cannot follow the shape (docs/model.md): the
analysis must still be within this factor of the simulation."""


def runs_of(design, reps, *, duration_s, warmup_s, seed=7):
    return [run_replication(design, seed=seed, rep_index=r, duration_s=duration_s,
                            warmup_s=warmup_s) for r in range(reps)]


def agrees(values, expected, tol, what, abs_tol=0.0):
    m, ci = mean_ci(values)
    lo, hi = ci if ci is not None else (m, m)
    slack = tol * abs(expected) + abs_tol
    assert lo - slack <= expected <= hi + slack, (
        f"{what}: analysis {expected:.5g}, simulation {m:.5g} [{lo:.5g}, {hi:.5g}], "
        f"tolerance {slack:.3g}")


def station(rps, workers, ms, dist="exponential", cv=1.0):
    return parse({"schema_version": 1, "components": [
        {"id": "users", "kind": "client", "params": {"rps": rps}},
        {"id": "api", "kind": "external_service",
         "params": {"workers": workers, "service_time_ms": ms, "service_distribution": dist,
                    "service_cv": cv}}],
        "links": [{"id": "l1", "source": "users", "target": "api"}]})


# --- fast: one station, and the N+1 lesson ------------------------------------------------------

def test_md1_mean_and_mm1_percentiles_agree():
    # M/D/1 at 50%: the analysis says 1.5 × s (version 1 said 2 × s).
    d = station(500, 1, 1.0, "constant")
    an = analyze(d, availability=False)
    assert an.latency_mean_ms == pytest.approx(1.5, rel=1e-9)
    agrees([r["latency_ms"]["mean"] for r in runs_of(d, 4, duration_s=10, warmup_s=1)],
           an.latency_mean_ms, MEAN_TOL, "M/D/1 mean (ms)")
    # M/M/1 at 60%: the gamma is exact (an exponential), so only the histogram's ±0.5% and the
    # transient are left; held to 5%.
    d = station(600, 1, 1.0)
    an = analyze(d, availability=False)
    runs = runs_of(d, 4, duration_s=10, warmup_s=1)
    for q, want in (("p50", an.latency_p50_ms), ("p95", an.latency_p95_ms),
                    ("p99", an.latency_p99_ms)):
        assert want == pytest.approx(-2.5 * math.log(1 - int(q[1:]) / 100), rel=1e-9)
        agrees([r["latency_ms"][q] for r in runs], want, 0.05, f"M/M/1 {q} (ms)")


def capacity_pair(fail: bool) -> dict:
    lb = {"workers": 1000, "service_time_ms": 0.01, "health_check_interval_s": 0.1}
    app = {"workers": 10, "service_time_ms": 10, "availability": 0.99, "queue_limit": 50}
    d = {"schema_version": 1, "components": [
        {"id": "users", "kind": "client", "params": {"rps": 1600}},
        {"id": "lb", "kind": "load_balancer", "params": lb},
        {"id": "app1", "kind": "service", "params": dict(app)},
        {"id": "app2", "kind": "service", "params": dict(app)}],
        "links": [{"id": "l1", "source": "users", "target": "lb"},
                  {"id": "l2", "source": "lb", "target": "app1"},
                  {"id": "l3", "source": "lb", "target": "app2"}]}
    if fail:
        d["scenario"] = {"events": [{"type": "fail", "target": "app1", "at_s": 0,
                                     "duration_s": 10_000}]}
    return d


def test_one_down_impact_is_what_the_simulation_loses():
    # Two servers at 80%: with app1 failed, app2 gets 160%; with a queue limit the overflow is
    # rejected, and the loss of M/M/10/60 at ρ = 1.6 is 37.5% to 10 digits.
    an = analyze(parse(capacity_pair(False)))
    assert an.capacity_risks == ["app1", "app2"]
    impact = an.component("app1").one_down_impact
    runs = runs_of(parse(capacity_pair(True)), 4, duration_s=12, warmup_s=2, seed=3)
    agrees([r["error_rate"] for r in runs], impact, 0.0, "loss with app1 down",
           abs_tol=IMPACT_ABS)


# --- slow: service variability, blocking, every example -----------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("dist,cv,rho", [("lognormal", 1.5, 0.8), ("constant", 0.0, 0.8),
                                         ("lognormal", 0.5, 0.7)])
def test_mgc_allen_cunneen(dist, cv, rho):
    d = station(400 * rho, 4, 10.0, dist, cv)
    an = analyze(d, availability=False)
    runs = runs_of(d, 6, duration_s=60, warmup_s=5, seed=3)
    agrees([r["latency_ms"]["mean"] for r in runs], an.latency_mean_ms, MEAN_TOL_MGC,
           f"M/G/4 {dist} cv {cv} mean (ms)")
    agrees([r["latency_ms"]["p99"] for r in runs], an.latency_p99_ms, PERCENTILE_TOL,
           f"M/G/4 {dist} cv {cv} p99 (ms)")


@pytest.mark.slow
def test_blocking_app_over_a_constant_time_database():
    d = parse({"schema_version": 1, "components": [
        {"id": "users", "kind": "client", "params": {"rps": 300, "read_ratio": 0.8}},
        {"id": "app", "kind": "service",
         "params": {"instances": 2, "workers": 4, "service_time_ms": 5,
                    "service_distribution": "lognormal", "service_cv": 0.5}},
        {"id": "db", "kind": "database",
         "params": {"workers": 2, "service_time_ms": 4, "service_distribution": "constant"}}],
        "links": [{"id": "l1", "source": "users", "target": "app"},
                  {"id": "l2", "source": "app", "target": "db", "params": {"latency_ms": 1}}]})
    an = analyze(d, availability=False)
    runs = runs_of(d, 5, duration_s=30, warmup_s=3)
    agrees([r["latency_ms"]["mean"] for r in runs], an.latency_mean_ms, MEAN_TOL_BLOCKING,
           "blocking mean (ms)")
    for cid in ("app", "db"):
        agrees([r["components"][cid]["utilization"] for r in runs],
               an.component(cid).utilization, UTIL_TOL, f"utilization of {cid}", UTIL_ABS)


def steady(path):
    """The example without its scenario events, and with each autoscaled service fixed at the
    analysis' count: a run starts at min_instances and reaches that count only after an
    interval and a start-up (test_autoscale checks the settling), longer than these runs."""
    raw = json.loads(path.read_text())
    if raw.get("scenario"):
        raw["scenario"]["events"] = []
    counts = analyze(parse(raw)).components
    for c in raw["components"]:
        if "autoscale" in c.get("params", {}):
            del c["params"]["autoscale"]
            c["params"]["instances"] = counts[c["id"]].autoscale_instances
    return parse(raw)


@pytest.mark.slow
@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_agrees_with_the_simulation(path):
    d = steady(path)
    an = analyze(d).to_json()
    runs = runs_of(d, 3, duration_s=20, warmup_s=3)
    agrees([r["latency_ms"]["mean"] for r in runs], an["latency_ms"]["mean"],
           MEAN_TOL_BLOCKING, f"{path.name}: mean latency (ms)")
    for q in ("p50", "p95", "p99"):
        want = an["latency_ms"][q]
        if (path.name, q) in SHAPE_EXCEPTIONS:
            got = mean_ci([r["latency_ms"][q] for r in runs])[0]
            factor = SHAPE_EXCEPTIONS[path.name, q]
            assert want / factor <= got <= want * factor, (path.name, q, want, got)
            continue
        agrees([r["latency_ms"][q] for r in runs], want, PERCENTILE_TOL,
               f"{path.name}: latency {q} (ms)")
    agrees([r["offered"] / r["measured_s"] for r in runs], an["offered_rps"], RATE_TOL,
           f"{path.name}: offered rps")
    for cid, row in an["components"].items():
        if row["utilization"] is None or cid not in runs[0]["components"]:
            continue
        agrees([r["components"][cid]["utilization"] for r in runs], row["utilization"],
               UTIL_TOL, f"{path.name}: utilization of {cid}", UTIL_ABS)
        agrees([r["components"][cid]["served"] / r["measured_s"] for r in runs],
               row["arrival_rps"], RATE_TOL, f"{path.name}: arrivals at {cid} (req/s)",
               RATE_ABS)
    # With no failure in the run almost nothing fails: only timeouts, which the analysis leaves
    # to the simulation (the gateway's payments call times out after 2 s: e^(−8) of its calls).
    assert all(r["error_rate"] < 1e-3 for r in runs)
