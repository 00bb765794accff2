"""Bounded runs on hostile designs: a very long chain, a flood of requests, and how the engine's
short paths (folded link returns) keep the results of the plain ones."""

from pathlib import Path

import pytest

from simcore.engine.replication import run_replication
from simcore.io import load, parse

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def test_a_chain_of_1000_services_simulates():
    # Answers go up a chain of zero-latency links in nested calls: without relays every
    # 100 links, 985 or more services in a row exceeded the interpreter's recursion limit.
    design = load(BAD / "chain_1000_services.json")
    r = run_replication(design, seed=1)
    assert r["offered"] > 0
    assert r["succeeded"] == r["offered"]  # nothing is saturated: every request completes
    assert r["components"]["s999"]["served"] == r["components"]["s0"]["served"]


def test_stop_flag_is_read_inside_a_simulated_second():
    # 200,000 requests a second: one simulated second is over a million events. The stop
    # flag is read every STOP_CHECK_EVENTS events, not only once per simulated second.
    design = load(BAD / "flood_200k_rps.json")
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) >= 2

    r = run_replication(design, seed=1, should_stop=should_stop)
    assert r["stopped"]
    assert len(calls) == 2
    assert r["simulated_s"] < 1.0
    assert len(r["timeseries"]["t_s"]) == 1  # the partial second's row


def web_tier(latency_ms, **events):
    comps = [
        {"id": "users", "kind": "client", "params": {"rps": 300, "read_ratio": 0.9}},
        {"id": "lb", "kind": "load_balancer", "params": {"workers": 4, "service_time_ms": 0.5}},
        {"id": "app", "kind": "service",
         "params": {"instances": 2, "workers": 8, "service_time_ms": 10, "blocking": False}},
        {"id": "cache", "kind": "cache", "params": {"workers": 4, "service_time_ms": 1}},
        {"id": "db", "kind": "database", "params": {"workers": 4, "service_time_ms": 5}},
    ]
    pairs = [("users", "lb"), ("lb", "app"), ("app", "cache"), ("cache", "db")]
    links = [{"id": f"l{i}", "source": s, "target": t,
              "params": {"latency_ms": latency_ms}} for i, (s, t) in enumerate(pairs)]
    scenario = {"duration_s": 30, "warmup_s": 2, "replications": 1, **events}
    return parse({"schema_version": 1, "components": comps, "links": links,
                  "scenario": scenario})


def test_folded_returns_give_the_same_run_as_events_do():
    # A latency event on a link far in the future (after the run) keeps every link on the
    # plain path (one event per crossing each way); without it, the links fold their return
    # trips. Same seeds, same arrivals and service times: the same requests, the same
    # latencies, the same per-second rows.
    plain = web_tier(2.0, events=[{"type": "latency", "target": "l0", "at_s": 1000,
                                   "duration_s": 1, "extra_ms": 1}])
    folded = web_tier(2.0)
    a = run_replication(plain, seed=3)
    b = run_replication(folded, seed=3)
    assert a["sent"] == b["sent"]
    assert a["offered"] == b["offered"]
    assert a["succeeded"] == b["succeeded"]
    for k in ("mean", "p50", "p99"):
        assert b["latency_ms"][k] == pytest.approx(a["latency_ms"][k], rel=1e-9)
    assert b["timeseries"]["throughput_rps"] == a["timeseries"]["throughput_rps"]
    assert b["timeseries"]["p99_ms"] == pytest.approx(a["timeseries"]["p99_ms"], rel=1e-9)


def test_waiting_work_is_bounded_for_the_whole_run_not_per_consumer(monkeypatch):
    # Ten consumers, each falling behind by 350 messages a second: with a bound per consumer
    # the backlog would grow ten times as large. The run's bound covers them all, copies past
    # it are lost and counted, and the queue is named as where the run saturated.
    from simcore.engine import simulation

    monkeypatch.setattr(simulation, "MAX_WAITING_WORK", 3000)
    design = load(BAD / "queue_ten_slow_consumers.json")
    r = run_replication(design, seed=1)
    backlog = r["timeseries"]["backlog"]["mq"]
    assert max(backlog) <= 3000
    assert max(backlog) >= 2900  # it did fill up: 10 × 350/s for 20 s would be 70,000
    assert r["lost_messages"] > 40_000
    assert r["saturation"][0]["component"] == "mq"
