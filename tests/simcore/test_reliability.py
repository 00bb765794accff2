"""The reliability simulation against closed forms written out here and against the instant
analysis.

Tolerances: a simulated unavailability U is compared with an exact value through its 95%
interval. With fixed seeds each check is deterministic; to keep a 1-in-20 miss from deciding
a test, agreement is asserted within 1.7 half-widths of the 95% interval (3.3 standard errors,
a 1-in-1000 miss rate), and every such test also asserts that the interval is narrow, so that
the agreement means something.
"""

import json
import math

import numpy as np
import pytest

from simcore.analysis import analyze
from simcore.design import Design
from simcore.io import load
from simcore.paths import example_files
from simcore.reliability import StudyTooBig, reliability
from simcore.reliability.plan import build_plan, rates_of
from simcore.reliability.process import simulate_block
from simcore.reliability.study import HOURS_PER_YEAR, t975
from simcore.topology import compile_design

EXAMPLES = {p.stem: p for p in example_files()}
SLACK = 1.7  # half-widths of the 95% interval: 3.3 standard errors


def example(name):
    return load(EXAMPLES[name])


def one_component(params, groups=None, member_kind="service"):
    d = {"schema_version": 1,
         "components": [{"id": "u", "kind": "client", "params": {"rps": 10}},
                        {"id": "s", "kind": member_kind, "params": params}],
         "links": [{"id": "l", "source": "u", "target": "s"}]}
    if groups:
        d["groups"] = groups
    return Design.model_validate(d)


def assert_agrees(res, exact_u, max_rel_half):
    lo, hi = res.u_ci95
    half = (hi - lo) / 2
    assert half <= max_rel_half * exact_u, (res.u_ci95, exact_u)
    assert abs(res.unavailability - exact_u) <= SLACK * half, (res.unavailability, res.u_ci95,
                                                               exact_u)


def test_series_of_three_nines_gives_the_seeds_99_7_percent():
    res = reliability(example("series_three_nines"), years=1000, replications=4, seed=11,
                      workers=1)
    exact_u = 1 - 0.999 ** 3  # 0.2997 %
    assert_agrees(res, exact_u, max_rel_half=0.03)
    assert res.analysis_unavailability == pytest.approx(exact_u, rel=1e-9)
    assert res.availability == pytest.approx(0.997003, abs=1e-4)
    # every part fails 8.76 times a year for an hour on average; almost every failure is an outage
    assert res.outages_per_year == pytest.approx(3 * HOURS_PER_YEAR / 1000, rel=0.03)
    assert res.mean_outage_s == pytest.approx(3600 * (1 - 0.0015), rel=0.03)


def test_two_servers_in_parallel_give_the_seeds_six_nines():
    res = reliability(example("parallel_two_servers"), years=20000, replications=4, seed=5,
                      workers=1)
    exact_u = 0.001 ** 2  # 99.9999 %
    assert_agrees(res, exact_u, max_rel_half=0.12)
    assert res.nines == pytest.approx(6.0, abs=0.06)
    # both down: begins at rate P(both down) · 2 / MTTR; lasts MTTR / 2 on average
    assert res.outages > 1000
    assert res.outages_per_year == pytest.approx(exact_u * 2 * HOURS_PER_YEAR, rel=0.1)
    assert res.mean_outage_s == pytest.approx(1800, rel=0.1)


@pytest.mark.parametrize("name", ["active_passive_failover", "multi_region", "spof_example",
                                  "stage5_read_replicas", "stage6_sharding", "stage3_cache",
                                  "cdn_media_site", "microservices_gateway",
                                  "queue_load_levelling"])
def test_agrees_with_the_instant_analysis(name):
    design = example(name)
    base = analyze(design)
    assert base.availability_method == "exact"
    res = reliability(design, years=1000, replications=4, seed=2, workers=1)
    assert res.analysis_unavailability == base.unavailability
    assert_agrees(res, base.unavailability, max_rel_half=0.3)


MIXED = {"schema_version": 1, "components": [
    {"id": "web", "kind": "client", "params": {"rps": 300, "read_ratio": 0.7}},
    {"id": "api", "kind": "client", "params": {"rps": 100, "read_ratio": 0.2}},
    {"id": "lb", "kind": "load_balancer", "params": {"instances": 2, "availability": 0.995}},
    {"id": "app", "kind": "service", "params": {"instances": 2, "availability": 0.99,
                                               "workers": 50, "service_time_ms": 5}},
    {"id": "cache", "kind": "cache", "params": {"availability": 0.99, "hit_ratio": 0.6}},
    {"id": "db", "kind": "database", "params": {
        "shards": 2, "replicas": 1, "shard_skew": 1, "standby": "warm", "failover_s": 600,
        "mtbf_hours": 300, "mttr_hours": 3, "workers": 64, "service_time_ms": 2}}],
    "links": [{"id": "l1", "source": "web", "target": "lb"},
              {"id": "l2", "source": "api", "target": "app"},
              {"id": "l3", "source": "lb", "target": "app"},
              {"id": "l4", "source": "app", "target": "cache"},
              {"id": "l5", "source": "cache", "target": "db"}],
    "groups": [{"id": "z", "kind": "zone", "members": ["app", "db"],
                "params": {"mtbf_hours": 4000, "mttr_hours": 2}}]}


def test_agrees_with_the_analysis_on_shared_parts_shards_replicas_standbys_and_a_zone():
    # two clients with different read ratios share the app; the database has two Zipf shards,
    # each a primary with a warm standby and a replica; app and database share a zone
    design = Design.model_validate(MIXED)
    res = reliability(design, years=1000, replications=4, seed=2, workers=1)
    assert res.analysis_method == "exact"
    assert_agrees(res, res.analysis_unavailability, max_rel_half=0.05)
    assert res.outage_time_per_year_s > res.downtime_per_year_s  # partial outages (writes)


def test_series_parallel_and_a_zone_against_the_availability_written_out():
    # An independent check (the tests above compare with the analysis, which shares the
    # success model with the simulation): users → lb → app (2 instances in parallel) → db,
    # app and db in one zone. A request succeeds when the balancer, at least one app
    # instance, the database and the zone are up:
    #   A = 0.999 · (1 − 0.01²) · 1000 / (1000 + 10) · 0.9995
    design = Design.model_validate({
        "schema_version": 1,
        "components": [
            {"id": "u", "kind": "client", "params": {"rps": 10}},
            {"id": "lb", "kind": "load_balancer", "params": {"availability": 0.999}},
            {"id": "app", "kind": "service", "params": {"instances": 2, "availability": 0.99}},
            {"id": "db", "kind": "database", "params": {"mtbf_hours": 1000, "mttr_hours": 10}}],
        "links": [{"id": "l1", "source": "u", "target": "lb"},
                  {"id": "l2", "source": "lb", "target": "app"},
                  {"id": "l3", "source": "app", "target": "db"}],
        "groups": [{"id": "z", "kind": "zone", "members": ["app", "db"],
                    "params": {"availability": 0.9995}}]})
    exact_u = 1 - 0.999 * (1 - 0.01 ** 2) * (1000 / 1010) * 0.9995
    res = reliability(design, years=400, replications=2, seed=4, workers=1)
    assert_agrees(res, exact_u, max_rel_half=0.05)
    assert res.analysis_unavailability == pytest.approx(exact_u, rel=1e-9)


def test_one_component_outages_follow_mtbf_and_mttr():
    mtbf, mttr = 100.0, 2.0
    res = reliability(one_component({"mtbf_hours": mtbf, "mttr_hours": mttr}), years=2000,
                      replications=2, seed=3, workers=1)
    rate = HOURS_PER_YEAR / (mtbf + mttr)  # one failure per cycle of MTBF + MTTR
    n = res.outages
    assert n == pytest.approx(rate * res.simulated_years, rel=4 / math.sqrt(rate * 4000))
    assert res.mean_outage_s == pytest.approx(mttr * 3600, rel=4 / math.sqrt(n))
    assert_agrees(res, mttr / (mtbf + mttr), max_rel_half=0.02)
    assert res.components["s"]["availability"] == pytest.approx(mtbf / (mtbf + mttr), abs=1e-3)
    assert res.downtime_per_year_s == pytest.approx(res.unavailability * 365 * 86400)
    # a whole component down loses every request: outage time and downtime coincide
    assert res.outage_time_per_year_s == pytest.approx(res.downtime_per_year_s, rel=1e-9)


def test_an_availability_alone_means_a_one_hour_repair():
    r = rates_of(compile_design(one_component({"availability": 0.999})).nodes["s"].params)
    assert r.mttr_h == 1.0 and r.mtbf_h == pytest.approx(999.0)
    res = reliability(one_component({"availability": 0.99}), years=300, replications=2,
                      seed=4, workers=1)
    assert res.mean_outage_s == pytest.approx(3600, rel=0.05)
    assert res.outages_per_year == pytest.approx(HOURS_PER_YEAR / 100, rel=0.05)


def test_a_standby_takes_over_after_the_failover_time():
    # one active, hot standby, F = 30 min: down with u · [u + a · (1 − e^(−F/MTTR))]
    mtbf, mttr, f_s = 100.0, 2.0, 1800.0
    design = one_component({"mtbf_hours": mtbf, "mttr_hours": mttr, "standby": "hot",
                            "failover_s": f_s})
    res = reliability(design, years=2000, replications=2, seed=6, workers=1)
    u = mttr / (mtbf + mttr)
    exact = u * (u + (1 - u) * -math.expm1(-(f_s / 3600) / mttr))
    assert res.analysis_unavailability == pytest.approx(exact, rel=1e-12)
    assert_agrees(res, exact, max_rel_half=0.02)
    # almost every failure of the active costs F (or a repair when the standby is down)
    assert res.mean_outage_s < 0.5 * mttr * 3600


def test_an_instant_failover_leaves_only_both_copies_down():
    # failover_s 0: down only when the active and the standby are both down, u²
    mtbf, mttr = 50.0, 2.0
    design = one_component({"mtbf_hours": mtbf, "mttr_hours": mttr, "standby": "hot",
                            "failover_s": 0})
    res = reliability(design, years=1000, replications=2, seed=12, workers=1)
    u = mttr / (mtbf + mttr)
    assert_agrees(res, u * u, max_rel_half=0.05)
    assert res.mean_outage_s == pytest.approx(mttr / 2 * 3600, rel=0.05)  # first of two repairs


def test_a_standby_behind_several_instances_starts_when_the_last_one_fails():
    # n actives all down last Exp(MTTR / n): the take-over is still running with 1 − e^(−nF/MTTR)
    # (the analysis' formula uses 1 − e^(−F/MTTR), exact for n = 1; see docs/reliability.md)
    mtbf, mttr, f_s, n = 100.0, 2.0, 1800.0, 2
    design = one_component({"instances": n, "mtbf_hours": mtbf, "mttr_hours": mttr,
                            "standby": "warm", "failover_s": f_s})
    res = reliability(design, years=3000, replications=2, seed=7, workers=1)
    u = mttr / (mtbf + mttr)
    process = u ** n * (u + (1 - u) * -math.expm1(-n * (f_s / 3600) / mttr))
    assert_agrees(res, process, max_rel_half=0.06)


def test_a_group_fails_its_members_together():
    design = one_component({"availability": 0.99},
                           groups=[{"id": "z", "kind": "zone", "members": ["s"],
                                    "params": {"mtbf_hours": 50, "mttr_hours": 1}}])
    res = reliability(design, years=400, replications=2, seed=8, workers=1)
    exact = 1 - 0.99 * (50 / 51)
    assert_agrees(res, exact, max_rel_half=0.03)
    assert res.groups["z"]["availability"] == pytest.approx(50 / 51, abs=1e-3)
    assert res.groups["z"]["analysis_availability"] == pytest.approx(50 / 51)


def test_a_design_that_cannot_fail_has_no_outages_and_no_nines():
    res = reliability(one_component({}), years=100, replications=2, seed=1, workers=1)
    assert res.availability == 1.0 and res.unavailability == 0.0
    assert res.ci95 == [1.0, 1.0]
    assert res.outages == 0 and res.outages_per_year == 0.0
    assert res.mean_outage_s is None and res.nines is None
    assert res.downtime_per_year_s == 0.0
    assert res.to_json()["nines"] is None


def test_no_outage_seen_gives_an_upper_bound_not_a_zero_interval():
    # 2 × 99.99 % in parallel: both down about once in 4,400 years; 20 years see none
    d = json.loads(EXAMPLES["parallel_two_servers"].read_text())
    for c in d["components"][2:]:
        c["params"]["availability"] = 0.9999
    res = reliability(Design.model_validate(d), years=20, replications=1, seed=1, workers=1)
    assert res.outages == 0 and res.unavailability == 0.0
    lo, hi = res.u_ci95
    assert lo == 0.0 and hi > 0.0
    assert res.ci95[0] < 1.0
    assert any("outage" in n for n in res.notes)


def test_the_same_seed_gives_the_same_result_and_another_seed_another():
    design = example("spof_example")
    a = reliability(design, years=200, replications=2, seed=42, workers=1).to_json()
    b = reliability(design, years=200, replications=2, seed=42, workers=1).to_json()
    c = reliability(design, years=200, replications=2, seed=43, workers=1).to_json()
    assert a == b
    assert a["availability"] != c["availability"]


def test_worker_processes_do_not_change_the_result():
    design = example("active_passive_failover")
    one = reliability(design, years=50, replications=2, seed=9, workers=1).to_json()
    two = reliability(design, years=50, replications=2, seed=9, workers=2).to_json()
    assert one == two


def test_the_seed_defaults_to_the_scenarios():
    design = example("active_passive_failover")
    assert design.scenario.seed == 1
    a = reliability(design, years=20, replications=1, workers=1)
    b = reliability(design, years=20, replications=1, seed=1, workers=1)
    assert a.seed == 1 and a.to_json() == b.to_json()


JSON_KEYS = {"name", "seed", "years", "replications", "blocks", "blocks_finished", "stopped",
             "simulated_years", "availability", "unavailability", "nines", "outages_seen",
             "outages_per_year", "mean_outage_s", "outage_time_per_year_s",
             "downtime_per_year_s", "analysis", "components", "groups", "notes"}


def test_json_keys_are_exactly_the_documented_ones():
    res = reliability(example("multi_region"), years=30, replications=2, seed=1, workers=1)
    j = res.to_json()
    assert set(j) == JSON_KEYS
    assert set(j["availability"]) == {"mean", "ci95"}
    assert set(j["unavailability"]) == {"mean", "ci95"}
    assert set(j["analysis"]) == {"availability", "unavailability", "method", "inside_ci95"}
    assert set(j["components"]) == {"dns", "lb_e", "app_e", "db_e", "lb_w", "app_w", "db_w"}
    assert set(j["groups"]) == {"east", "west"}
    for row in list(j["components"].values()) + list(j["groups"].values()):
        assert set(row) == {"availability", "analysis_availability"}
    lo, hi = j["availability"]["ci95"]
    assert 0 <= lo <= j["availability"]["mean"] <= hi <= 1
    json.dumps(j, allow_nan=False)  # strict JSON
    assert j["blocks"] == 2 * 10 and j["simulated_years"] == pytest.approx(60)


def test_stopping_early_keeps_the_finished_blocks():
    seen = []
    res = reliability(example("series_three_nines"), years=100, replications=3, seed=1,
                      workers=1, progress=lambda d, t: seen.append((d, t)),
                      should_stop=lambda: len(seen) >= 4)
    assert res.stopped
    assert res.blocks == 30 and res.blocks_finished == 4
    assert res.simulated_years == pytest.approx(40)
    assert seen == [(1, 30), (2, 30), (3, 30), (4, 30)]
    assert 0.99 < res.availability < 1.0 and res.u_ci95 is not None
    assert "stopped early" in res.notes[0]


def test_instances_that_cannot_all_fail_together_are_simulated_as_always_up():
    res = reliability(one_component({"instances": 500, "availability": 0.99}), years=10,
                      replications=1, seed=1, workers=1)
    assert res.unavailability == 0.0 and res.events == 0
    assert any("500 instances" in n for n in res.notes)


def test_a_study_too_big_to_simulate_is_refused_with_a_message():
    with pytest.raises(StudyTooBig, match="'s'"):
        # a failure and a repair every 0.36 s for 4,000 years
        reliability(one_component({"mtbf_hours": 1e-4, "mttr_hours": 1e-4}), years=1000,
                    replications=4, workers=1)


def test_long_blocks_are_cut_into_segments_without_changing_the_process():
    # a fast-failing part: one block of many segments carries states across segment ends
    design = one_component({"instances": 2, "mtbf_hours": 3, "mttr_hours": 1,
                            "standby": "cold", "failover_s": 900})
    topo = compile_design(design)
    plan = build_plan(topo, {"u": 10.0}, 400 * HOURS_PER_YEAR)
    assert plan.events_per_hour() * 400 * HOURS_PER_YEAR > 10 * 400_000
    b = simulate_block(plan, 400 * HOURS_PER_YEAR, 1, 0, 0)
    u = 0.25
    process = u ** 2 * (u + (1 - u) * -math.expm1(-2 * 0.25 / 1))
    assert b.unavailability == pytest.approx(process, rel=0.01)  # ~470,000 outages
    assert b.column_up_hours[0] / b.hours == pytest.approx(1 - process, rel=0.01)


def test_t_quantiles():
    assert t975(1) == pytest.approx(12.706, abs=1e-3)
    assert t975(30) == pytest.approx(2.042, abs=1e-3)
    assert t975(40) == pytest.approx(2.021, abs=1e-3)
    assert t975(120) == pytest.approx(1.980, abs=1e-3)
    assert np.isclose(t975(10**6), 1.95996, atol=1e-4)
