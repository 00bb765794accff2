"""The scaling journey (simcore.journey): every stage's example, grown until it saturates,
shows a bottleneck; the next stage carries more; and the limits follow the typical story."""

import pytest

from simcore.analysis import analyze
from simcore.estimate import stage_for_users
from simcore.io import load
from simcore.journey import STEPS, describe, grow_traffic, scaled, standalone_limits
from simcore.params import component_params
from simcore.paths import examples_dir


def stage_design(step):
    return load(examples_dir() / step.example)


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.example)
def test_grow_traffic_finds_a_bottleneck(step):
    design = stage_design(step)
    g = grow_traffic(design)
    assert g is not None
    # at the factor found, the bottleneck is full and the clients are scaled by it
    assert g.utilization[g.bottleneck] == pytest.approx(1.0, rel=1e-4)
    assert max(g.utilization.values()) == pytest.approx(1.0, rel=1e-4)
    offered = analyze(design, availability=False).offered_rps
    # the grown design is just past the saturation point: saturated, by no more than 1e-5
    assert analyze(g.design, availability=False).offered_rps == pytest.approx(
        offered * g.factor, rel=2e-5)
    assert analyze(g.design, availability=False).saturated
    assert g.saturation_rps <= g.limit_rps * (1 + 1e-9)  # blocking only brings it earlier
    assert describe(design, g)


def test_each_stage_carries_more_than_the_one_before():
    sats = [grow_traffic(stage_design(s)).saturation_rps for s in STEPS]
    assert sats == sorted(sats) and len(set(sats)) == len(sats), sats


def test_the_limit_moves_as_the_notes_tell():
    # single server -> database -> app tier -> database (then the database's write primary,
    # then its hot shard): found by the analysis, in kind, not named by the journey
    kinds = []
    for s in STEPS:
        design = stage_design(s)
        g = grow_traffic(design)
        kinds.append(design.component(g.limit).kind)
    assert kinds[:4] == ["service", "database", "service", "database"]
    assert kinds[4:] == ["database", "database"]
    one = stage_design(STEPS[0])
    assert len([c for c in one.components if c.kind != "client"]) == 1  # the single server
    for s in STEPS[2:4]:
        app = stage_design(s).component("app")
        assert app.kind == "service"


def test_the_limit_is_the_part_with_the_least_capacity_of_its_own():
    design = stage_design(STEPS[1])  # app server in front of MySQL
    limits = standalone_limits(design)
    app, db = component_params(design.component("app")), component_params(design.component("db"))
    assert limits["db"] == pytest.approx(db.workers / (db.service_time_ms / 1000), rel=1e-9)
    # the app's own capacity: workers / (its work + the link both ways + MySQL's service)
    hold = (app.service_time_ms + 2 * 0.5 + db.service_time_ms) / 1000
    assert limits["app"] == pytest.approx(app.workers / hold, rel=1e-4)
    g = grow_traffic(design)
    assert g.bottleneck == "app" and g.limit == "db"  # the app fills first, waiting on MySQL


def test_each_step_has_users_load_and_next_change():
    loads = [s.load() for s in STEPS]
    for s, load_ in zip(STEPS, loads, strict=True):
        # estimated at the top of the stage's range, the most it is built for
        assert stage_for_users(load_.inputs.users * 0.999) == s.stage
        assert load_.peak_rps > 0 and s.users_text and s.next_change
    peaks = [e.peak_rps for e in loads]
    assert peaks == sorted(peaks)


def test_no_traffic_grows_to_nothing():
    design = scaled(stage_design(STEPS[0]), 0.0)
    assert grow_traffic(design) is None
