"""Replication modes, failover data loss and consistency under a partition (SPEC §7.5): the
analysis' write availability against its closed forms, and the simulation's counts against the
rates that produce them."""

from __future__ import annotations

import json
import math

import pytest

from simcore.analysis import analyze
from simcore.design import SCHEMA_VERSION
from simcore.engine.aggregate import SimulationResult
from simcore.engine.replication import run_replication
from simcore.engine.simulation import Sim
from simcore.engine.stats import mean_ci
from simcore.io import parse
from simcore.paths import examples_dir
from simcore.problems import DesignError
from simcore.reliability import reliability


def one_database(read_ratio: float, events=(), rps: float = 100.0, **db) -> dict:
    d = {"schema_version": SCHEMA_VERSION,
         "components": [{"id": "users", "kind": "client",
                         "params": {"rps": rps, "read_ratio": read_ratio}},
                        {"id": "db", "kind": "database",
                         "params": {"workers": 64, "service_time_ms": 1,
                                    "service_distribution": "constant", **db}}],
         "links": [{"id": "l1", "source": "users", "target": "db"}]}
    if events:
        d["scenario"] = {"events": list(events)}
    return d


# --- the analysis --------------------------------------------------------------------------------

@pytest.mark.parametrize("a", [0.9, 0.99, 0.999])
def test_write_availability_of_the_three_modes(a):
    # Writes only, one primary and two replicas, each up with a: sync needs all three (a³),
    # semi_sync the primary and one replica of two (a(1 − u²)), async the primary (a).
    u = 1.0 - a
    want = {"sync": a**3, "semi_sync": a * (1.0 - u * u), "async": a}
    for mode, expected in want.items():
        res = analyze(parse(one_database(0.0, availability=a, replicas=2, replication=mode)))
        assert res.availability == pytest.approx(expected, rel=1e-12), mode
        assert res.unavailability == pytest.approx(1.0 - expected, rel=1e-9), mode


def test_availability_under_load_follows_the_write_rule():
    # Two app servers at 60 % each (one down: the other sheds) in front of a lightly loaded
    # database: the states are enumerated, and the database's part is independent of the
    # app's, so against async the figure is a² lower under sync and (1 − u²) under semi_sync.
    a, u = 0.99, 0.01
    got = {}
    for mode in ("sync", "semi_sync", "async"):
        d = one_database(0.0, rps=120, availability=a, replicas=2, replication=mode)
        d["components"].append({"id": "app", "kind": "service",
                                "params": {"instances": 2, "workers": 1, "service_time_ms": 10,
                                           "availability": 0.9, "blocking": False}})
        d["links"] = [{"id": "l0", "source": "users", "target": "app"},
                      {"id": "l1", "source": "app", "target": "db"}]
        res = analyze(parse(d))
        assert res.availability_under_load < res.availability  # the app sheds
        got[mode] = res.availability_under_load
    assert got["sync"] / got["async"] == pytest.approx(a * a, rel=1e-9)
    assert got["semi_sync"] / got["async"] == pytest.approx(1 - u * u, rel=1e-9)


def test_reads_need_one_node_whatever_the_mode():
    # A read finds the primary or one of the two replicas: 1 − u³ in every mode.
    a = 0.9
    for mode in ("sync", "semi_sync", "async"):
        res = analyze(parse(one_database(1.0, availability=a, replicas=2, replication=mode)))
        assert res.availability == pytest.approx(1.0 - (1.0 - a) ** 3, rel=1e-12), mode


def test_without_replicas_the_mode_does_not_matter():
    for mode in ("sync", "semi_sync"):
        res = analyze(parse(one_database(0.5, availability=0.95, replication=mode)))
        assert res.availability == pytest.approx(0.95, rel=1e-12)


# --- the simulation: what a write needs ----------------------------------------------------------

def _run_with_replicas_down(d: dict, down: list[int]) -> dict:
    """One replication with the database's nodes ``down`` (indices) failed from the start."""
    sim = Sim(parse(d), seed=5, rep_index=0, duration_s=4.0, warmup_s=1.0)
    db = sim.nodes["db"]
    for i in down:
        db.node_down[i] += 1
    db.refresh()
    return sim.run()


@pytest.mark.parametrize(("mode", "down", "fails"), [
    ("sync", [1], True), ("semi_sync", [1], False), ("semi_sync", [1, 2], True),
    ("async", [1, 2], False)])
def test_writes_in_the_simulation_need_what_the_mode_says(mode, down, fails):
    # Node 0 is the primary, 1 and 2 its replicas. A write fails exactly when the replicas
    # its mode waits for are down; reads keep going to the live nodes.
    r = _run_with_replicas_down(one_database(0.0, replicas=2, replication=mode), down)
    assert r["offered"] > 200
    assert r["error_rate"] == (1.0 if fails else 0.0)
    reads = _run_with_replicas_down(one_database(1.0, replicas=2, replication=mode), down)
    assert reads["error_rate"] == 0.0


# --- the simulation: async failover loses the writes in the lag ----------------------------------

def _failover(mode: str) -> dict:
    # 200 writes/s, lag 100 ms, a hot standby (failover 5 s): the primary fails at 10 s for
    # 20 s. The writes acknowledged in the 100 ms before the failure had reached neither the
    # replica nor the standby.
    return one_database(0.0, rps=200, replicas=1, replication=mode, replication_lag_ms=100,
                        standby="hot",
                        events=[{"type": "fail", "target": "db", "at_s": 10, "duration_s": 20}])


def test_async_failover_loses_the_writes_of_the_last_lag():
    # Poisson writes at 200/s: the lag holds 200 · 0.1 = 20 writes on average. Tolerance: the
    # 95 % interval over 30 replications (half-width ≈ 1.6) plus 1.
    runs = [run_replication(parse(_failover("async")), seed=11, rep_index=k, duration_s=20,
                            warmup_s=2) for k in range(30)]
    assert all(r["standby_takeovers"] == 1 for r in runs)
    m, ci = mean_ci(r["components"]["db"]["lost_writes"] for r in runs)
    assert ci[0] - 1.0 <= 20.0 <= ci[1] + 1.0, (m, ci)
    assert (ci[1] - ci[0]) / 2 < 3.0
    # the JSON: the total and the component's count, each a mean with its interval
    j = SimulationResult(seed=11, duration_s=20, warmup_s=2, requested=30,
                         replications=runs).to_json()
    assert j["lost_writes"] == pytest.approx(m)
    assert j["components"]["db"]["lost_writes"] == pytest.approx(m)
    assert j["ci95"]["lost_writes"] == pytest.approx(ci)


@pytest.mark.parametrize("mode", ["sync", "semi_sync"])
def test_sync_modes_lose_nothing_on_failover(mode):
    r = run_replication(parse(_failover(mode)), seed=11, duration_s=20, warmup_s=2)
    assert r["standby_takeovers"] == 1
    assert r["components"]["db"]["lost_writes"] == 0


# --- consistency under a partition ---------------------------------------------------------------

def _partitioned(consistency: str, mode: str = "async", read_ratio: float = 0.8) -> dict:
    # 100 rps; the database's replicas are cut off from 10 s to 20 s of a 30 s run (warm-up 5).
    return one_database(read_ratio, replicas=2, replication=mode, consistency=consistency,
                        events=[{"type": "partition", "target": "db", "at_s": 10,
                                 "duration_s": 10}])


def test_strong_consistency_fails_replica_reads_during_a_partition():
    # Every read goes to a replica: for 10 of the 25 measured seconds they all fail, so the
    # error rate is 0.8 · 10 / 25 = 0.32 (Poisson arrivals: tolerance 0.03); writes (async)
    # keep succeeding and nothing is stale.
    r = run_replication(parse(_partitioned("strong")), seed=3, duration_s=30, warmup_s=5)
    assert r["error_rate"] == pytest.approx(0.8 * 10 / 25, abs=0.03)
    assert r["components"]["db"]["stale_reads"] == 0
    # the errors are the reads inside the window
    err = [e for t, e in zip(r["timeseries"]["t_s"], r["timeseries"]["error_rate"])
           if 11 <= t <= 20]
    assert min(err) > 0.5
    assert all(e == 0 for t, e in zip(r["timeseries"]["t_s"], r["timeseries"]["error_rate"])
               if t <= 10 or t > 21)


def test_eventual_consistency_serves_stale_reads_during_a_partition():
    # The same partition under eventual: no error; every read in the window is stale (about
    # 80 rps · 10 s = 800; Poisson, tolerance 4 standard deviations) and the stalest is almost
    # 10 s behind.
    r = run_replication(parse(_partitioned("eventual")), seed=3, duration_s=30, warmup_s=5)
    db = r["components"]["db"]
    assert r["error_rate"] == 0.0
    assert db["stale_reads"] == pytest.approx(800, abs=4 * math.sqrt(800))
    assert 9_900 < db["max_staleness_ms"] <= 10_000


@pytest.mark.parametrize(("mode", "write_errors"), [("sync", True), ("semi_sync", True),
                                                    ("async", False)])
def test_writes_that_wait_for_replicas_fail_during_a_partition(mode, write_errors):
    # Writes only: a cut-off replica counts as down for them. 10 of 25 measured seconds.
    r = run_replication(parse(_partitioned("eventual", mode, read_ratio=0.0)), seed=4,
                        duration_s=30, warmup_s=5)
    if write_errors:
        assert r["error_rate"] == pytest.approx(10 / 25, abs=0.03)
    else:
        assert r["error_rate"] == 0.0


def test_a_partition_must_target_a_link_or_a_database():
    d = one_database(1.0)
    d["components"].append({"id": "app", "kind": "service", "params": {}})
    d["links"].append({"id": "l2", "source": "users", "target": "app"})
    d["scenario"] = {"events": [{"type": "partition", "target": "app", "at_s": 1,
                                 "duration_s": 1}]}
    with pytest.raises(DesignError, match="must be a component of role database"):
        run_replication(parse(d), seed=1, duration_s=2, warmup_s=0)


# --- the examples do what their descriptions say -------------------------------------------------

def _example(name: str, **db) -> dict:
    d = json.loads((examples_dir() / name).read_text(encoding="utf-8"))
    for c in d["components"]:
        if c["id"] == "db":
            c["params"].update(db)
    return d


def test_cp_vs_ap_example():
    # Reads are 90 % of the traffic: strong fails them in the 20 s partition (20 of 55 measured
    # seconds), eventual serves them stale, the stalest almost 20 s behind.
    strong = run_replication(parse(_example("cp_vs_ap_partition.json")), seed=1)
    assert strong["error_rate"] == pytest.approx(0.9 * 20 / 55, abs=0.03)
    eventual = run_replication(parse(_example("cp_vs_ap_partition.json",
                                              consistency="eventual")), seed=1)
    assert eventual["error_rate"] == 0.0
    assert eventual["components"]["db"]["stale_reads"] > 0.9 * 180 * 20 * 0.9
    assert 19_000 < eventual["components"]["db"]["max_staleness_ms"] <= 20_020


def test_async_failover_example():
    # 150 writes/s and a 200 ms lag: about 30 writes lost per failover under async; none
    # under semi_sync.
    runs = [run_replication(parse(_example("async_failover_lost_writes.json")), seed=1,
                            rep_index=k) for k in range(5)]
    m, _ci = mean_ci(r["components"]["db"]["lost_writes"] for r in runs)
    assert 20 < m < 40
    semi = run_replication(parse(_example("async_failover_lost_writes.json",
                                          replication="semi_sync")), seed=1)
    assert semi["components"]["db"]["lost_writes"] == 0


@pytest.mark.parametrize("mode", ["sync", "semi_sync"])
def test_the_reliability_simulation_follows_the_write_rule(mode):
    # Years of failures and repairs (MTBF 100 h, MTTR 2 h: a = 100/102 per node) of a
    # writes-only database with two replicas: the time-averaged unavailability converges to
    # the analysis' closed form, 1 − a³ (sync) or 1 − a(1 − u²) (semi_sync). Tolerance: the
    # 95 % interval of 4 replications of 300 years, widened by a third.
    a = 100 / 102
    u = 1 - a
    want = 1 - (a**3 if mode == "sync" else a * (1 - u * u))
    d = parse(one_database(0.0, mtbf_hours=100, mttr_hours=2, replicas=2, replication=mode))
    res = reliability(d, years=300, replications=4, seed=3, workers=1)
    assert res.analysis_unavailability == pytest.approx(want, rel=1e-9)
    lo, hi = res.u_ci95
    assert lo - (hi - lo) / 3 <= want <= hi + (hi - lo) / 3
    assert (hi - lo) / 2 < 0.1 * want
