"""Autoscaling (SPEC §7.8): the analysis' instance count ⌈λ · H / (c · target)⌉ within the
bounds, the maximum for saturation, and the simulation settling at that count and reaching
the maximum on a spike, its time series and its time-averaged cost."""

import math

import pytest

from simcore import SCHEMA_VERSION
from simcore.analysis import analyze
from simcore.engine.replication import run_replication
from simcore.engine.study import simulate
from simcore.io import parse
from simcore.problems import DesignError
from simcore.validate import validate


def design(app_params, rps=100.0, events=(), db=False):
    comps = [{"id": "users", "kind": "client", "params": {"rps": rps}},
             {"id": "lb", "kind": "load_balancer", "params": {"health_check_interval_s": 5}},
             {"id": "app", "kind": "service", "params": app_params}]
    links = [{"id": "l1", "source": "users", "target": "lb"},
             {"id": "l2", "source": "lb", "target": "app"}]
    if db:
        comps.append({"id": "db", "kind": "database",
                      "params": {"workers": 100, "service_time_ms": 100}})
        links.append({"id": "l3", "source": "app", "target": "db",
                      "params": {"latency_ms": 5}})
    return parse({"schema_version": SCHEMA_VERSION, "components": comps, "links": links,
                  "scenario": {"duration_s": 400, "warmup_s": 100, "events": list(events)}})


AUTO = {"workers": 10, "service_time_ms": 200, "cost_per_hour": 0.2,
        "autoscale": {"min_instances": 1, "max_instances": 12, "target_utilization": 0.6,
                      "interval_s": 10, "startup_s": 5}}


def test_analysis_uses_the_instances_the_load_needs_and_the_maximum_for_saturation():
    # λ = 100, H = 200 ms, c = 10, target 0.6: ⌈100 · 0.2 / 6⌉ = ⌈3.33⌉ = 4 instances, which
    # the cost counts (4 × 0.2 $/h × 730 h) and the utilization shows (100 · 0.2 / 40);
    # saturation with 12 instances: 12 · 10 / 0.2 = 600 req/s.
    res = analyze(design(AUTO))
    app = res.components["app"]
    assert app.autoscale_instances == 4
    assert app.monthly_cost == pytest.approx(4 * 0.2 * 730)
    assert app.utilization == pytest.approx(100 * 0.2 / 40)
    assert res.saturation_rps == pytest.approx(600, rel=1e-6)
    assert res.to_json()["components"]["app"]["autoscale_instances"] == 4
    assert res.to_json()["components"]["lb"]["autoscale_instances"] is None


def test_a_blocking_service_counts_its_downstream_time_and_the_bounds_hold():
    # Blocking: H = 200 ms + 2 × 5 ms + R(db), R(db) = 100 ms (100 workers at 10 %: no wait
    # to speak of) → ⌈100 · 0.310 / 6⌉ = ⌈5.17⌉ = 6.
    res = analyze(design(AUTO, db=True))
    hold = res.components["app"].holding_ms / 1000
    assert hold == pytest.approx(0.310, rel=1e-6)
    assert res.components["app"].autoscale_instances == math.ceil(100 * hold / 6 - 1e-9) == 6
    low = dict(AUTO, autoscale=dict(AUTO["autoscale"], max_instances=3))
    assert analyze(design(low)).components["app"].autoscale_instances == 3
    high = dict(AUTO, autoscale=dict(AUTO["autoscale"], min_instances=7))
    assert analyze(design(high)).components["app"].autoscale_instances == 7


def test_autoscale_replaces_instances():
    both = dict(AUTO, instances=2)
    problems = validate(parse({"schema_version": SCHEMA_VERSION, "components": [
        {"id": "users", "kind": "client", "params": {"rps": 1}},
        {"id": "app", "kind": "service", "params": both}],
        "links": [{"id": "l1", "source": "users", "target": "app"}]}))
    assert any("either instances or autoscale" in p.message and p.where == "app"
               for p in problems)
    bad = dict(AUTO, autoscale={"min_instances": 5, "max_instances": 2})
    with pytest.raises(DesignError, match="min_instances must not exceed max_instances"):
        analyze(design(bad))


def test_simulation_settles_at_the_formula():
    # Starting at 1 instance (overloaded: 100 req/s against 50), it scales out and settles at
    # 4, the analysis' count: a 10 s average of the busy workers at 4 instances is 20 ± 1.0,
    # far from the 18 and 24 that would change the decision (a scale-in drains the newest
    # instance: its requests are served, not failed).
    r = run_replication(design(AUTO), seed=2, duration_s=400, warmup_s=100)
    series = r["timeseries"]["instances"]["app"]
    assert series[0] == 1
    assert set(series[150:]) == {4}
    assert r["components"]["app"]["instances_mean"] == pytest.approx(4.0)
    assert r["components"]["app"]["monthly_cost"] == pytest.approx(4 * 0.2 * 730)
    assert r["error_rate"] == 0.0


def test_a_spike_drives_it_to_the_maximum_and_the_cost_is_time_averaged():
    # ×2.5 from 200 s to 300 s: 250 req/s need ⌈250 · 0.2 / 6⌉ = 9 instances, more than the
    # maximum of 6 (which carry it at 83 %): it reaches 6 and stays there while the spike
    # lasts, then comes back to 4.
    capped = dict(AUTO, autoscale=dict(AUTO["autoscale"], max_instances=6))
    spike = [{"type": "spike", "target": "users", "at_s": 200, "duration_s": 100,
              "multiplier": 2.5}]
    d = design(capped, events=spike)
    r = run_replication(d, seed=4, duration_s=400, warmup_s=100)
    series = r["timeseries"]["instances"]["app"]
    assert max(series) == 6
    assert set(series[250:300]) == {6}
    assert set(series[370:]) == {4}
    mean = sum(series[100:]) / len(series[100:])  # per-second samples of a step function
    assert r["components"]["app"]["instances_mean"] == pytest.approx(mean, abs=0.1)
    js = simulate(d, replications=2, seed=4).to_json()
    assert js["timeseries"]["instances"]["app"][260] == 6
    cost = js["components"]["app"]["instances_mean"] * 0.2 * 730
    assert js["monthly_cost"] == pytest.approx(cost + 0.025 * 730)  # and the balancer


def test_reliability_fails_the_instances_the_analysis_counts():
    # 4 instances of availability 0.7 (MTTR 1 h): the service is down with 0.3⁴ = 0.0081; the
    # reliability study fails and repairs those 4 and agrees within its interval (× 2 slack).
    from simcore.reliability.study import reliability

    d = design(dict(AUTO, availability=0.7))
    base = analyze(d)
    assert base.components["app"].autoscale_instances == 4
    assert base.unavailability == pytest.approx(0.3 ** 4, rel=1e-9)
    res = reliability(d, years=20, replications=4, seed=3, workers=1)
    lo, hi = res.u_ci95
    assert abs(res.unavailability - 0.3 ** 4) <= 2 * (hi - lo) / 2 + 1e-4
    assert (hi - lo) / 2 <= 0.15 * 0.3 ** 4


def test_the_text_report_names_the_autoscaled_count():
    from simcore.analysis.report import render

    assert "Autoscaled        app 4 instances for this load" in render(analyze(design(AUTO)))
