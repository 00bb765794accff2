"""The chaos catalogue (simcore.scenarios_catalog): every scenario this version's events can
express applies to a matching example, validates, and runs in a short simulation."""

import pytest

from simcore.analysis import analyze
from simcore.design import Event, Scenario
from simcore.engine.replication import run_replication
from simcore.explain import CONCEPTS
from simcore.io import load
from simcore.paths import example_files
from simcore.scenarios_catalog import CATALOGUE, by_key, fitting, timing
from simcore.validate import validate

SHORT = {"duration_s": 4.0, "warmup_s": 0.5, "replications": 1}


def short(design):
    d = design.model_copy(deep=True)
    d.scenario = Scenario(**SHORT)
    return d


def matching_example(sc):
    """The example with the least traffic where ``sc`` fits (short runs stay short)."""
    found = []
    for p in example_files():
        d = short(load(p))
        if sc.events(d):
            found.append((analyze(d, availability=False).offered_rps, p.name, d))
    return min(found, key=lambda f: f[:2])[2] if found else None


def expressible(sc) -> bool:
    """Whether this version has the event types the scenario is made of."""
    probe = {"cache_stampede": {"type": "flush", "target": "x", "at_s": 1},
             "replica_lag_spike": None}.get(sc.key, {})
    if probe is None:  # a partition of a database: the validator decides
        return any(by_key("replica_lag_spike").events(short(load(p))) for p in example_files())
    if not probe:
        return True
    try:
        Event.model_validate(probe)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("sc", CATALOGUE, ids=lambda s: s.key)
def test_scenario_applies_to_an_example_and_runs(sc):
    assert sc.name and sc.watch and sc.concept in CONCEPTS
    design = matching_example(sc)
    if design is None:
        # only a scenario whose events this version cannot express may fit nowhere
        assert not expressible(sc), f"{sc.key} fits no example"
        return
    events = sc.events(design)
    t = timing(design)
    design.scenario.events.extend(Event.model_validate(e) for e in events)
    assert validate(design) == []
    for e in events:  # inside the run, after the warm-up
        assert t.start_s >= SHORT["warmup_s"] and e["at_s"] < SHORT["duration_s"]
    out = run_replication(design, seed=1)
    assert out["throughput_rps"] > 0


def test_fitting_follows_the_design():
    by_name = {p.name: load(p) for p in example_files()}
    keys = {name: {sc.key for sc, _ in fitting(d)} for name, d in by_name.items()}
    assert "region_outage" in keys["multi_region.json"]
    assert "region_outage" not in keys["stage4_load_balancer.json"]
    assert "hot_shard" in keys["stage6_sharding.json"]
    assert "hot_shard" not in keys["stage5_read_replicas.json"]
    assert "retry_storm" in keys["microservices_gateway.json"]
    assert "retry_storm" not in keys["stage2_separate_database.json"]
    assert "network_partition" not in keys["stage1_single_server.json"]  # no inner link
    assert "cache_stampede" in keys["stage3_cache.json"]  # the flush event validates
    assert "cache_stampede" not in keys["stage2_separate_database.json"]  # no cache


def test_flash_sale_goes_past_the_saturation_point():
    d = load(next(p for p in example_files() if p.name == "stage2_separate_database.json"))
    events = by_key("flash_sale").events(d)
    factor = analyze(d, availability=False).saturation_factor
    assert events and events[0]["multiplier"] > factor
