"""Availability under load (SPEC §7.2), against sums worked out by hand: survivors that cannot
carry the load of what failed serve 1/ρ of it."""

import json

import pytest

from simcore.analysis import analyze
from simcore.analysis.parts import independent_parts
from simcore.io import loads
from simcore.topology import compile_design

REL = 1e-12
LB = ("lb", "load_balancer", {"workers": 100_000, "service_time_ms": 0.001})


def make(components, links, groups=()):
    comps = [{"id": c[0], "kind": c[1], "params": c[2] if len(c) > 2 else {}} for c in components]
    lks = [{"id": f"{s}-{t}", "source": s, "target": t, "params": p} for s, t, p in
           ((lk + ({},))[:3] for lk in links)]
    return loads(json.dumps({"schema_version": 1, "components": comps, "links": lks,
                             "groups": list(groups)}))


def pool(rps, instances, workers, ms, a, **extra):
    """users → lb → app with ``instances`` instances at ``rps``."""
    return analyze(make([("u", "client", {"rps": rps}), LB,
                         ("app", "service", {"instances": instances, "workers": workers,
                                             "service_time_ms": ms, "availability": a,
                                             **extra})],
                        [("u", "lb"), ("lb", "app")]))


def test_two_servers_at_80_percent():
    # One down: the survivor gets 160% and serves 1/1.6.
    a, u = 0.99, 0.01
    r = pool(1600, 2, 10, 10, a)
    assert r.availability_under_load == pytest.approx(a * a + 2 * a * u / 1.6, rel=REL)
    assert r.unavailability_under_load == pytest.approx(1 - (a * a + 2 * a * u / 1.6), rel=1e-9)
    assert r.availability_under_load_method == "exact"
    assert r.availability == pytest.approx(1 - u * u, rel=REL)  # structural: unchanged
    assert r.component("app").one_down_impact == pytest.approx(1 - 1 / 1.6, rel=REL)
    assert r.capacity_risks == ["app"]
    assert r.capacity_risk_detail["app"] == (
        "if one of app's 2 instances fails, app runs at 160% and 37.5% of its requests fail")
    js = r.to_json()
    assert js["capacity_risks"] == ["app"]
    assert js["components"]["app"]["one_down_impact"] == pytest.approx(0.375, rel=REL)
    assert js["components"]["u"]["one_down_impact"] is None


def test_k_of_3_instances_at_70_percent():
    # 3 instances at 70%: 2 left run at 105%, 1 at 210%.
    a = 0.9
    u = 1 - a
    r = pool(2100, 3, 10, 10, a)
    expect = a ** 3 + 3 * a * a * u / 1.05 + 3 * a * u * u / 2.1
    assert r.availability_under_load == pytest.approx(expect, rel=1e-12)
    assert r.component("app").one_down_impact == pytest.approx(1 - 1 / 1.05, rel=REL)


def test_a_pair_at_40_percent_has_no_capacity_risk():
    a = 0.99
    r = pool(800, 2, 10, 10, a)
    assert r.capacity_risks == []
    assert r.component("app").one_down_impact == 0.0
    assert r.availability_under_load == pytest.approx(r.availability, rel=REL)


def test_blocking_app_capacity_uses_its_holding_time():
    # app: 5 ms of its own, then a 15 ms call to an external service with so many workers
    # that nobody waits: H = 20 ms. 2 instances × 4 workers at 320 rps: ρ = 160 · 0.020 / 4
    # = 0.8 each (with s alone it would be 0.2 and no risk).
    a = 0.99
    r = analyze(make([("u", "client", {"rps": 320}), LB,
                      ("app", "service", {"instances": 2, "workers": 4, "service_time_ms": 5,
                                          "availability": a}),
                      ("ext", "external_service", {"workers": 100_000, "service_time_ms": 15})],
                     [("u", "lb"), ("lb", "app"), ("app", "ext")]))
    assert r.component("app").holding_ms == pytest.approx(20.0, rel=1e-9)
    assert r.availability_under_load == pytest.approx(a * a + 2 * a * (1 - a) / 1.6, rel=1e-9)
    assert r.capacity_risks == ["app"]


def test_two_separate_servers_explain_which_one_overloads():
    a = 0.99
    r = analyze(make([("u", "client", {"rps": 1600}), LB,
                      ("app1", "service", {"workers": 10, "service_time_ms": 10,
                                           "availability": a}),
                      ("app2", "service", {"workers": 10, "service_time_ms": 10,
                                           "availability": a})],
                     [("u", "lb"), ("lb", "app1"), ("lb", "app2")]))
    assert r.availability_under_load == pytest.approx(a * a + 2 * a * (1 - a) / 1.6, rel=REL)
    assert r.capacity_risks == ["app1", "app2"]
    assert r.capacity_risk_detail["app1"] == (
        "if app1 fails, app2 runs at 160% and 37.5% of its requests fail")


def test_standby_serves_as_one_instance():
    # One instance at 50% with a hot standby: the standby carries it (no loss); the only loss
    # is the time nothing serves: u · (1 − a · e^(−F/MTTR)).
    import math
    a, f_h, mttr = 0.99, 5 / 3600, 1.0
    r = pool(500, 1, 10, 10, a, standby="hot")
    assert r.unavailability_under_load == pytest.approx(
        (1 - a) * (1 - a * math.exp(-f_h / mttr)), rel=1e-9)
    assert r.capacity_risks == [] and r.component("app").one_down_impact == 0.0


def test_spof_impact_is_its_failure_impact_and_is_no_risk():
    r = pool(500, 1, 10, 10, 0.99)
    assert r.component("app").one_down_impact == 1.0
    assert "app" in r.spofs and r.capacity_risks == []


def test_database_sheds_per_node_and_reports_null():
    # Reads of one shard over 2 replicas at 80%: one replica down leaves one at 160%.
    a = 0.9
    r = analyze(make([("u", "client", {"rps": 160, "read_ratio": 1.0}),
                      ("db", "database", {"replicas": 2, "workers": 1, "service_time_ms": 10,
                                          "availability": a})],
                     [("u", "db")]))
    u = 1 - a
    # Primary serves reads only when no replica is up: then at 160% too.
    expect = a * a + 2 * a * u / 1.6 + u * u * a / 1.6
    assert r.availability_under_load == pytest.approx(expect, rel=1e-12)
    assert r.component("db").one_down_impact is None


def test_independent_parts_combine_exactly():
    # Two stacks that share nothing, one at 80% per pair, one at 40%: each part solved apart.
    a = 0.99
    both = analyze(make([("u1", "client", {"rps": 1600}), ("u2", "client", {"rps": 800}),
                         ("a1", "service", {"instances": 2, "workers": 10,
                                            "service_time_ms": 10, "availability": a}),
                         ("a2", "service", {"instances": 2, "workers": 10,
                                            "service_time_ms": 10, "availability": a})],
                        [("u1", "a1"), ("u2", "a2")]))
    assert len(independent_parts(compile_design(both_design()))) == 2
    loss1 = 2 * a * (1 - a) * (1 - 1 / 1.6) + (1 - a) ** 2
    loss2 = (1 - a) ** 2
    assert both.unavailability_under_load == pytest.approx((2 * loss1 + loss2) / 3, rel=1e-9)


def both_design():
    return make([("u1", "client", {"rps": 1}), ("u2", "client", {"rps": 1}),
                 ("a1", "service", {}), ("a2", "service", {}), ("b", "service", {})],
                [("u1", "a1"), ("u2", "a2")],
                groups=[{"id": "z", "kind": "zone", "members": ["a2", "b"]}])


def test_parts_are_joined_by_links_and_groups():
    parts = independent_parts(compile_design(both_design()))
    assert sorted(map(sorted, parts)) == [["a1", "u1"], ["a2", "b", "u2"]]


def test_too_many_states_are_sampled_with_an_interval():
    # 16 single-instance services in series, then a pair at 80%: 2^16 · 3 states > 65,536.
    # The estimate's interval must hold the value worked out by hand.
    a = 0.9
    comps = [("u", "client", {"rps": 1600})]
    links = []
    prev = "u"
    for k in range(16):
        comps.append((f"s{k}", "service", {"availability": a, "blocking": False,
                                           "workers": 100, "service_time_ms": 1}))
        links.append((prev, f"s{k}"))
        prev = f"s{k}"
    comps.append(("pair", "service", {"instances": 2, "workers": 10, "service_time_ms": 10,
                                      "availability": a}))
    links.append((prev, "pair"))
    r = analyze(make(comps, links))
    assert r.availability_under_load_method == "monte_carlo"
    lo, hi = r.availability_under_load_ci95
    assert lo <= a ** 16 * (a * a + 2 * a * (1 - a) / 1.6) <= hi
    assert hi - lo < 0.01
    assert r.to_json()["availability_under_load_ci95"] == [lo, hi]


def test_the_text_report_has_one_line_per_capacity_risk():
    from simcore.analysis.report import render
    text = render(pool(1600, 2, 10, 10, 0.99))
    lines = [ln for ln in text.splitlines() if ln.startswith("Capacity risk")]
    assert lines == [("Capacity risk     app: if one of app's 2 instances fails, app runs at 160% "
                     "and 37.5% of its requests fail")]
    assert any(ln.startswith("Under load        99.2475%") for ln in text.splitlines())
    assert "CAPACITY RISK" in next(ln for ln in text.splitlines() if ln.startswith("app "))
    assert "Percentiles       p50 " in text and "gamma approximation" in text
    assert "Fleet failures    " in text


def test_a_rate_limit_rejects_neither_success_nor_failure():
    # 1,000 rps offered, 500 admitted by the limit; the app behind serves 400 of them (ρ = 1.25):
    # 80% of the admitted requests complete, whatever the limit rejected.
    r = analyze(make([("u", "client", {"rps": 1000}),
                      ("rl", "rate_limiter", {"limit_rps": 500, "workers": 1000,
                                              "service_time_ms": 0.01}),
                      ("app", "service", {"workers": 4, "service_time_ms": 10})],
                     [("u", "rl"), ("rl", "app")]))
    assert r.availability_under_load == pytest.approx(0.8, rel=1e-12)
    assert r.availability == 1.0


BIG = {"workers": 100_000, "service_time_ms": 0.001}


def test_what_lies_behind_a_queue_does_not_shed():
    # The consumer gets 100 messages/s and can do 50: its backlog grows, no request fails.
    r = analyze(make([("u", "client", {"rps": 100}), ("app", "service", BIG),
                      ("q", "message_queue", BIG),
                      ("w", "service", {"workers": 1, "service_time_ms": 20})],
                     [("u", "app"), ("app", "q", {"mode": "async"}), ("q", "w")]))
    assert r.availability_under_load == 1.0
    assert r.capacity_risks == []


def test_a_consumer_fed_by_a_queue_and_a_caller_sheds_the_callers_share():
    # w gets 100/s from the app's sync call and 100/s from the queue; it can do 100/s: ρ = 2,
    # so half the sync calls fail (the queue's messages wait). The app does not block (a
    # blocking app would wait forever on w, whose queue grows: its H is infinite).
    r = analyze(make([("u", "client", {"rps": 100}),
                      ("app", "service", {**BIG, "blocking": False}),
                      ("q", "message_queue", BIG),
                      ("w", "service", {"workers": 1, "service_time_ms": 10})],
                     [("u", "app"), ("app", "w"), ("app", "q", {"mode": "async"}),
                      ("q", "w")]))
    assert r.availability_under_load == pytest.approx(0.5, rel=1e-12)
