"""The traffic study: replications through the runner, aggregated across replications (SPEC §3,
§4 ``simulate --json``)."""

import itertools
import json
import math
import time

import pytest

from simcore.engine import SimulationResult, run_replication, simulate
from simcore.engine.stats import mean_ci, t975
from simcore.io import parse

SPEC_KEYS = {"seed", "duration_s", "warmup_s", "replications", "throughput_rps", "latency_ms",
             "error_rate", "rejected_rate", "availability", "components", "timeseries"}
TS_KEYS = {"t_s", "throughput_rps", "p50_ms", "p95_ms", "p99_ms", "error_rate"}


def mm1(rps=50.0, service_ms=10.0, workers=1, **scenario):
    """One Poisson client in front of one exponential server: M/M/c."""
    return parse({
        "schema_version": 1, "name": "M/M/c",
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": rps}},
            {"id": "api", "kind": "service",
             "params": {"workers": workers, "service_time_ms": service_ms}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "api", "params": {"latency_ms": 0}}],
        "scenario": {"duration_s": 6, "warmup_s": 1, "seed": 3, "replications": 3, **scenario},
    })


def dumps(j):
    return json.dumps(j, sort_keys=True, allow_nan=False)


@pytest.fixture(scope="module")
def small():
    return mm1()


@pytest.fixture(scope="module")
def study(small):
    return simulate(small, workers=1)


def test_json_has_every_spec_key_with_the_spec_shape(study):
    j = study.to_json()
    assert SPEC_KEYS <= set(j)
    assert set(j["throughput_rps"]) >= {"mean", "ci95"}
    assert set(j["latency_ms"]) >= {"mean", "p50", "p95", "p99", "p999", "ci95_mean"}
    assert set(j["availability"]) >= {"mean", "ci95"}
    assert isinstance(j["error_rate"], float) and isinstance(j["rejected_rate"], float)
    assert set(j["components"]) == {"api"}
    assert set(j["components"]["api"]) >= {"utilization", "mean_queue", "served", "dropped"}
    assert TS_KEYS <= set(j["timeseries"])
    assert isinstance(j["saturated"], bool)
    for key in ("ci95",):
        lo, hi = j["throughput_rps"][key]
        assert lo <= j["throughput_rps"]["mean"] <= hi
    lo, hi = j["latency_ms"]["ci95_mean"]
    assert lo <= j["latency_ms"]["mean"] <= hi
    dumps(j)  # strict JSON


def test_defaults_come_from_the_scenario(study):
    j = study.to_json()
    assert (j["seed"], j["duration_s"], j["warmup_s"], j["replications"]) == (3, 6.0, 1.0, 3)
    assert j["replications_requested"] == 3 and j["stopped"] is False


def test_same_seed_gives_identical_json(small, study):
    again = simulate(small, workers=1)
    assert dumps(again.to_json()) == dumps(study.to_json())


def test_different_seeds_differ(small, study):
    other = simulate(small, seed=4, workers=1).to_json()
    assert other["seed"] == 4
    assert other["throughput_rps"]["mean"] != study.to_json()["throughput_rps"]["mean"]
    assert other["latency_ms"]["mean"] != study.to_json()["latency_ms"]["mean"]


def test_parallel_processes_give_the_numbers_of_one_process(small, study):
    par = simulate(small, workers=2)
    assert dumps(par.to_json()) == dumps(study.to_json())


def test_figures_are_per_replication_means_with_a_t_interval(small, study):
    reps = [run_replication(small, seed=3, rep_index=i, duration_s=6, warmup_s=1)
            for i in range(3)]
    j = study.to_json()
    tp = [r["throughput_rps"] for r in reps]
    assert j["throughput_rps"]["mean"] == pytest.approx(sum(tp) / 3, rel=1e-12)
    m = sum(tp) / 3
    sd = math.sqrt(sum((x - m) ** 2 for x in tp) / 2)
    half = t975(2) * sd / math.sqrt(3)
    assert j["throughput_rps"]["ci95"] == pytest.approx([m - half, m + half], rel=1e-12)
    for k in ("mean", "p50", "p95", "p99", "p999"):
        assert j["latency_ms"][k] == pytest.approx(sum(r["latency_ms"][k] for r in reps) / 3)
    assert j["latency_ms"]["ci95_mean"] == pytest.approx(
        mean_ci([r["latency_ms"]["mean"] for r in reps])[1])
    assert j["components"]["api"]["served"] == pytest.approx(
        sum(r["components"]["api"]["served"] for r in reps) / 3)
    # the replications are independent: no two share their numbers
    assert len({r["latency_ms"]["mean"] for r in reps}) == 3


def test_timeseries_is_the_per_second_mean_across_replications(small, study):
    reps = [run_replication(small, seed=3, rep_index=i, duration_s=6, warmup_s=1)
            for i in range(3)]
    ts = study.to_json()["timeseries"]
    assert ts["t_s"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    for k in ("throughput_rps", "p50_ms", "p95_ms", "p99_ms", "error_rate"):
        assert len(ts[k]) == 6
        for i in range(6):
            vals = [r["timeseries"][k][i] for r in reps if r["timeseries"][k][i] is not None]
            assert ts[k][i] == pytest.approx(sum(vals) / len(vals))


def test_one_replication_has_null_intervals_and_strict_json(small):
    j = simulate(small, replications=1).to_json()
    assert j["replications"] == 1
    assert j["throughput_rps"]["ci95"] is None
    assert j["latency_ms"]["ci95_mean"] is None
    assert j["availability"]["ci95"] is None
    assert j["throughput_rps"]["mean"] > 0
    text = json.dumps(j, allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text


def test_rate_intervals_stay_inside_zero_one():
    r = SimulationResult(seed=1, duration_s=10, warmup_s=1, requested=2, replications=[
        _fake(error_rate=0.0, availability=1.0), _fake(error_rate=0.2, availability=0.8)])
    j = r.to_json()
    assert j["error_rate"] == pytest.approx(0.1)
    lo, hi = j["error_rate_ci95"]
    assert lo == 0.0 and 0.1 < hi <= 1.0
    lo, hi = j["availability"]["ci95"]
    assert 0.0 <= lo < 0.9 and hi == 1.0


def _fake(error_rate, availability):
    return {"seed": 1, "rep_index": 0, "measured_s": 9.0, "sent": 90, "offered": 90,
            "succeeded": 80, "failed": 10, "rejected": 0, "throughput_rps": 8.0,
            "latency_ms": {"mean": 1.0, "p50": 1.0, "p95": 2.0, "p99": 3.0, "p999": 4.0},
            "error_rate": error_rate, "rejected_rate": 0.0, "availability": availability,
            "components": {}, "saturation": [], "timeseries": {"t_s": []}}


def test_should_stop_keeps_the_finished_replications(small):
    calls = []

    def stop_after_first(done, total):
        calls.append(done)

    r = simulate(small, workers=1, progress=stop_after_first, should_stop=lambda: bool(calls))
    j = r.to_json()
    assert r.stopped and j["stopped"] is True
    assert j["replications"] == 1 and j["replications_requested"] == 3
    assert j["partial"] is False
    first = run_replication(small, seed=3, rep_index=0, duration_s=6, warmup_s=1)
    assert j["throughput_rps"]["mean"] == pytest.approx(first["throughput_rps"])


def test_a_stop_inside_the_only_replication_reports_it_as_partial(small):
    seen = []
    r = simulate(small, replications=1, duration_s=50,
                 seconds_progress=lambda done, total: seen.append(done),
                 should_stop=lambda: len(seen) >= 3)
    j = r.to_json()
    assert r.stopped and j["partial"] is True and j["replications"] == 1
    assert j["measured_s"] == pytest.approx(2.0)  # 3 s run, 1 s warm-up
    assert j["throughput_rps"]["mean"] > 0


def test_seconds_progress_reaches_the_total_in_parallel(small):
    seen = []
    simulate(small, workers=2, duration_s=4, replications=2,
             seconds_progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (8.0, 8.0)
    assert all(t == 8.0 for _d, t in seen)
    assert all(a <= b for (a, _), (b, _) in itertools.pairwise(seen))


def test_an_overloaded_design_ends_in_bounded_time_and_says_where_and_at_what_load():
    over = mm1(rps=300.0, service_ms=10.0, workers=2)  # capacity 200 req/s: ρ = 1.5
    t0 = time.monotonic()
    j = simulate(over, duration_s=8, replications=2, workers=1).to_json()
    assert time.monotonic() - t0 < 60
    assert j["saturated"] is True
    where = [w["component"] for w in j["saturation"]["where"]]
    assert where == ["api"]
    assert j["saturation"]["saturation_rps"] == pytest.approx(200.0, rel=0.02)
    assert j["saturation"]["bottleneck"] == "api"
    assert j["components"]["api"]["utilization"] > 0.98
    assert j["components"]["api"]["saturated"] is True
    dumps(j)


def test_a_comfortable_design_is_not_saturated(study):
    j = study.to_json()
    assert j["saturated"] is False and j["saturation"]["where"] == []
    assert j["saturation"]["saturation_rps"] == pytest.approx(100.0, rel=0.02)


@pytest.mark.slow
def test_mm1_mean_latency_interval_covers_the_closed_form():
    # M/M/1 with λ = 50/s, s = 10 ms: W = s / (1 − ρ) = 20 ms, ρ = 0.5. Ten replications of
    # 60 s; the t interval across replications should hold W (a 95 % interval: a miss is rare,
    # and the seed is fixed, so the outcome is reproducible).
    d = mm1(rps=50.0, service_ms=10.0, duration_s=60, warmup_s=5, replications=10)
    j = simulate(d).to_json()
    lo, hi = j["latency_ms"]["ci95_mean"]
    assert lo <= 20.0 <= hi, (lo, hi)
    assert j["components"]["api"]["utilization"] == pytest.approx(0.5, abs=0.02)
    lo, hi = j["throughput_rps"]["ci95"]
    assert lo <= 50.0 <= hi


def test_a_failure_event_shows_in_the_per_second_series_and_the_report():
    from simcore.engine.report import render

    d = mm1(rps=100.0, duration_s=8, warmup_s=1,
            events=[{"type": "fail", "target": "api", "at_s": 3.0, "duration_s": 2.0}])
    j = simulate(d, replications=2, workers=1).to_json()
    ts = j["timeseries"]
    err = dict(zip(ts["t_s"], ts["error_rate"]))
    # api is down over (3, 5]; requests already in service at 3 s still finish
    assert err[4.0] > 0.95 and err[5.0] == 1.0
    assert err[2.0] == 0.0 and err[7.0] == 0.0
    assert ts["throughput_rps"][4] == 0.0 and ts["throughput_rps"][6] > 50
    # 2 of the 7 measured seconds fail: the run's error rate says so
    assert j["error_rate"] == pytest.approx(2 / 7, abs=0.05)
    assert j["availability"]["mean"] == pytest.approx(5 / 7, abs=0.05)
    text = render(j)
    assert "Over time" in text and "100.00%" in text


def test_saturation_the_instant_analysis_sees_but_a_short_run_does_not_is_still_reported():
    from simcore.engine.report import render

    r = SimulationResult(seed=1, duration_s=10, warmup_s=1, requested=1,
                         replications=[_fake(error_rate=0.0, availability=1.0)],
                         saturation_rps=180.0, bottleneck="api", instant_saturated=True,
                         instant_max_utilization=1.1)
    j = r.to_json()
    assert j["saturated"] is True and j["saturation"]["where"] == []
    assert j["saturation"]["in_instant_analysis"] is True
    assert j["saturation"]["in_simulation"] is False
    text = render(j)
    assert "SATURATED" in text and "110.0% utilization at api" in text and "180 req/s" in text


def test_a_failing_analysis_is_not_swallowed(monkeypatch):
    """The study asks the instant analysis for its estimates; a bug there must surface, not
    silently drop the saturation figures."""
    import simcore.analysis

    def broken(*_args, **_kwargs):
        raise RuntimeError("analysis bug")

    monkeypatch.setattr(simcore.analysis, "analyze", broken)
    with pytest.raises(RuntimeError, match="analysis bug"):
        simulate(mm1(duration_s=2, warmup_s=1), replications=1, workers=1)
