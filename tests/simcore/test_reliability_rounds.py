"""The reliability study's default length: without --years it simulates until enough outages are
seen, within a budget of simulated years; and the report says plainly what a miss of the 95%
interval means."""

import json

from simcore.io import load, loads
from simcore.paths import examples_dir
from simcore.reliability import reliability
from simcore.reliability.report import render
from simcore.reliability.study import DEFAULT_YEARS, TARGET_OUTAGES, YEAR_BUDGET


def pair(a: float):
    return loads(json.dumps({"schema_version": 1, "components": [
        {"id": "u", "kind": "client", "params": {"rps": 1}},
        {"id": "lb", "kind": "load_balancer", "params": {}},
        {"id": "s1", "kind": "service", "params": {"availability": a}},
        {"id": "s2", "kind": "service", "params": {"availability": a}}],
        "links": [{"id": "l1", "source": "u", "target": "lb"},
                  {"id": "l2", "source": "lb", "target": "s1"},
                  {"id": "l3", "source": "lb", "target": "s2"}]}))


def test_rare_outages_get_more_years_until_enough_are_seen():
    # Two servers at 99.9%: about one outage in 50 years, so 4 × 1000 years see ~80; the study
    # goes on until 200.
    res = reliability(load(examples_dir() / "parallel_two_servers.json"), seed=1)
    assert res.outages >= TARGET_OUTAGES
    assert res.years > DEFAULT_YEARS
    assert res.simulated_years == res.years * res.replications
    assert res.blocks_finished == res.blocks and not res.stopped
    assert "until" in res.notes[0] and "outages were seen" in res.notes[0]
    js = res.to_json()
    assert js["years"] == res.years and js["outages_seen"] == res.outages
    lo, hi = res.u_ci95
    assert lo <= 1e-6 <= hi  # the analysis' 0.001², for this seed


def test_the_same_seed_gives_the_same_rounds():
    a = reliability(load(examples_dir() / "parallel_two_servers.json"), seed=4).to_json()
    b = reliability(load(examples_dir() / "parallel_two_servers.json"), seed=4).to_json()
    assert a == b


def test_an_explicit_length_is_kept():
    res = reliability(load(examples_dir() / "parallel_two_servers.json"), years=500, seed=1)
    assert res.years == 500 and res.simulated_years == 2000
    assert not any("until" in n for n in res.notes)


def test_outages_too_rare_stop_at_the_budget_and_say_so():
    # Two servers at 99.9999%: an outage in ~57,000 years. The budget ends the study first.
    res = reliability(pair(0.999999), seed=2)
    assert res.simulated_years <= YEAR_BUDGET + 1e-6
    assert res.simulated_years > YEAR_BUDGET / 2
    assert res.outages < TARGET_OUTAGES
    assert any("the budget" in n for n in res.notes)


def test_a_design_that_cannot_fail_runs_once():
    res = reliability(pair(1.0), seed=2)
    assert res.years == DEFAULT_YEARS and res.outages == 0


def test_a_miss_is_explained_not_alarmed():
    res = reliability(load(examples_dir() / "series_three_nines.json"), years=50, seed=3)
    res.analysis_unavailability = 2 * res.u_ci95[1]  # as if the analysis said twice the upper bound
    text = render(res)
    assert "OUTSIDE" not in text
    line = next(ln for ln in text.splitlines() if "instant analysis" in ln)
    assert "outside the simulated 95% interval" in line
    assert "one run in twenty" in text and "--seed" in text
    res.analysis_unavailability = res.unavailability
    assert "inside the simulated 95% interval: they agree" in render(res)
