"""Message queues that keep messages (SPEC §7.3): backlogs per subscription, every consumer kind
pulling, counted losses, redelivery and dead letters, durable queues."""

import pytest

from simcore.engine.replication import run_replication
from simcore.io import parse


def design(components, links, **scenario):
    d = {"schema_version": 2, "components": components, "links": links}
    if scenario:
        d["scenario"] = scenario
    return parse(d)


def producer(rps=50):
    return [{"id": "users", "kind": "client", "params": {"rps": rps}},
            {"id": "app", "kind": "service",
             "params": {"workers": 16, "service_time_ms": 1, "blocking": False}}]


def queue(**params):
    return {"id": "mq", "kind": "message_queue", "params": {"workers": 16, **params}}


def link(lid, source, target, **params):
    return {"id": lid, "source": source, "target": target, "params": params}


PRODUCE = [link("l1", "users", "app"), link("l2", "app", "mq", mode="async")]


def slow_worker_behind(capacity):
    """50 msg/s into a queue of ``capacity`` per backlog, drained by one worker at 20 msg/s."""
    return design(producer(50) + [queue(capacity=capacity),
                                  {"id": "worker", "kind": "service",
                                   "params": {"workers": 1, "service_time_ms": 50,
                                              "service_distribution": "constant"}}],
                  PRODUCE + [link("s1", "mq", "worker")])


def conservation(r, consumer):
    """accepted = processed + lost + dead-lettered + still waiting + in processing."""
    mq, c = r["components"]["mq"], r["components"][consumer]
    return mq["accepted"] - (c["consumed_ok"] + mq["lost_messages"] + mq["dead_lettered"]
                             + mq["backlog_end"])


def test_overload_counts_every_copy():
    # 50 msg/s into a consumer that processes 20/s, backlog capped at 100: the rest is lost,
    # and every accepted copy is accounted for (processed, lost or waiting, but for the ones
    # in processing at the end and those straddling the warm-up's end).
    r = run_replication(slow_worker_behind(100), seed=1, duration_s=60, warmup_s=5)
    mq, worker = r["components"]["mq"], r["components"]["worker"]
    assert r["error_rate"] == 0.0  # the producer never waits for the consumer
    assert mq["max_backlog"] == 100
    # processed at 20/s over 55 s; lost: the rest of the accepted (±1 in processing, and
    # the backlog at the warm-up's end, counted in processed but accepted before)
    assert worker["consumed_ok"] == pytest.approx(20 * 55, abs=2)
    assert mq["lost_messages"] == pytest.approx(mq["accepted"] - 20 * 55, abs=100 + 2)
    assert abs(conservation(r, "worker")) <= 100 + 2
    assert r["lost_messages"] == mq["lost_messages"]
    assert r["dead_lettered"] == 0
    # the oldest copy has waited about a full backlog: 100 copies at 20/s
    assert max(r["timeseries"]["oldest_message_age_s"]["mq"][10:]) == pytest.approx(5.0, abs=0.2)


def test_consumer_down_loses_nothing_and_drains():
    d = design(producer(20) + [queue(),
                               {"id": "worker", "kind": "service",
                                "params": {"workers": 4, "service_time_ms": 10}}],
               PRODUCE + [link("s1", "mq", "worker")],
               events=[{"type": "fail", "target": "worker", "at_s": 10, "duration_s": 10}])
    r = run_replication(d, seed=2, duration_s=40, warmup_s=2)
    mq, worker = r["components"]["mq"], r["components"]["worker"]
    backlog = dict(zip(r["timeseries"]["t_s"], r["timeseries"]["backlog"]["mq"]))
    age = dict(zip(r["timeseries"]["t_s"], r["timeseries"]["oldest_message_age_s"]["mq"]))
    assert backlog[20.0] == pytest.approx(200, rel=0.3)  # 20/s for 10 s
    assert age[20.0] == pytest.approx(10.0, abs=0.5)  # the first copy that could not go
    assert backlog[25.0] <= 2 and backlog[40.0] <= 2  # drained at 400/s
    assert mq["lost_messages"] == 0 and mq["dead_lettered"] == 0
    assert worker["consumed_failed"] == 0
    assert worker["consumed_ok"] == pytest.approx(mq["accepted"], abs=2)
    # the copies that waited out the outage raise the mean delivery delay: about 200 of
    # ~760 waited 5 s on average
    assert mq["mean_delivery_delay_ms"] > 500


def test_slow_external_service_behind_a_queue_loses_nothing():
    # An email API taking 200 ms with 2 connections (10/s) fed 8/s with bursts: in version 1
    # it was pushed messages and dropped them when busy. It now pulls: nothing is lost.
    d = design(producer(8) + [queue(),
                              {"id": "email", "kind": "external_service",
                               "params": {"workers": 2, "service_time_ms": 200,
                                          "queue_limit": 0}}],
               PRODUCE + [link("s1", "mq", "email", latency_ms=20)],
               events=[{"type": "spike", "target": "users", "at_s": 10, "duration_s": 10,
                        "multiplier": 3}])
    r = run_replication(d, seed=3, duration_s=90, warmup_s=2)
    mq, email = r["components"]["mq"], r["components"]["email"]
    assert max(r["timeseries"]["backlog"]["mq"]) > 50  # the spike waits in the queue
    assert mq["lost_messages"] == 0 and mq["dead_lettered"] == 0
    assert email["dropped"] == 0 and email["consumed_failed"] == 0
    # processed or still waiting (2 in processing at most, and the copies straddling the
    # warm-up's end)
    assert email["consumed_ok"] + mq["backlog_end"] == pytest.approx(mq["accepted"], abs=4)
    assert r["lost_messages"] == 0


def failing_consumer(max_deliveries, outage_s=20):
    # the consumer writes to a database that is down from 10 s: each processing attempt
    # fails and the copy goes back to its backlog
    return design(producer(10) + [queue(max_deliveries=max_deliveries),
                                  {"id": "worker", "kind": "service",
                                   "params": {"workers": 2, "service_time_ms": 5}},
                                  {"id": "db", "kind": "database",
                                   "params": {"workers": 4, "service_time_ms": 2}}],
                  PRODUCE + [link("s1", "mq", "worker"), link("w1", "worker", "db")],
                  events=[{"type": "fail", "target": "db", "at_s": 10,
                           "duration_s": outage_s}])


def test_failed_processing_is_redelivered_then_dead_lettered():
    once = run_replication(failing_consumer(1), seed=4, duration_s=40, warmup_s=2)
    mq, worker = once["components"]["mq"], once["components"]["worker"]
    # one delivery each: every failed attempt is a dead letter (about 10/s for 20 s)
    assert worker["consumed_failed"] == mq["dead_lettered"]
    assert mq["dead_lettered"] == pytest.approx(200, rel=0.25)
    assert mq["lost_messages"] == 0
    # five deliveries: a failing copy comes back four times, then is dead-lettered; the
    # failures are five per dead letter, but for the copies still cycling at the end
    five = run_replication(failing_consumer(5, outage_s=100), seed=4, duration_s=40,
                           warmup_s=2)
    mq5, w5 = five["components"]["mq"], five["components"]["worker"]
    assert mq5["dead_lettered"] > 100
    assert w5["consumed_failed"] - 5 * mq5["dead_lettered"] == pytest.approx(0, abs=4 * 60)
    assert w5["consumed_failed"] >= 5 * mq5["dead_lettered"]
    assert five["error_rate"] == 0.0  # the producer's enqueues never fail


@pytest.mark.parametrize("durable", [True, False])
def test_queue_outage_keeps_or_loses_the_backlog(durable):
    # the consumer is down 5–15 s, so a backlog builds; the queue itself fails at 12 s for 3 s
    d = design(producer(20) + [queue(durable=durable),
                               {"id": "worker", "kind": "service",
                                "params": {"workers": 4, "service_time_ms": 10}}],
               PRODUCE + [link("s1", "mq", "worker")],
               events=[{"type": "fail", "target": "worker", "at_s": 5, "duration_s": 10},
                       {"type": "fail", "target": "mq", "at_s": 12, "duration_s": 3}])
    r = run_replication(d, seed=5, duration_s=30, warmup_s=1)
    mq = r["components"]["mq"]
    backlog = dict(zip(r["timeseries"]["t_s"], r["timeseries"]["backlog"]["mq"]))
    assert r["error_rate"] == pytest.approx(3 / 29, abs=0.03)  # enqueues fail while down
    if durable:
        assert mq["lost_messages"] == 0
        assert backlog[14.0] == pytest.approx(140, rel=0.3)  # kept, not delivered
    else:
        assert mq["lost_messages"] == pytest.approx(140, rel=0.3)  # 7 s of 20/s
        assert backlog[14.0] == 0
    assert backlog[20.0] <= 2


@pytest.mark.slow
def test_flash_sale_example_absorbs_the_spike_and_loses_nothing():
    from simcore.io import load
    from simcore.paths import examples_dir

    d = load(examples_dir() / "queue_load_levelling.json")
    r = run_replication(d, seed=1)
    backlog = r["timeseries"]["backlog"]["orders"]
    assert r["lost_messages"] == 0 and r["dead_lettered"] == 0 and r["error_rate"] == 0.0
    assert max(backlog) > 15_000  # the spike (60–120 s) waits in the queue
    peak = backlog.index(max(backlog))
    assert 110 <= peak <= 125
    assert max(backlog[200:]) < 50  # drained well before the run's end
    assert r["components"]["orders"]["max_backlog"] == pytest.approx(max(backlog), rel=0.05)


def test_the_report_says_loudly_when_messages_are_lost_with_no_request_error():
    from simcore.engine import simulate
    from simcore.engine.report import render

    res = simulate(slow_worker_behind(20), duration_s=20, seed=1, replications=2, workers=1)
    j = res.to_json()
    assert j["error_rate"] == 0.0
    assert j["lost_messages"] > 200 and len(j["ci95"]["lost_messages"]) == 2
    assert j["components"]["mq"]["lost_messages"] == j["lost_messages"]
    assert j["components"]["worker"]["lost_messages"] is None  # no queue: the key is null
    text = render(j)
    assert "WARNING: MESSAGES LOST" in text and "mq" in text


def test_a_consumer_failing_mid_way_aborts_its_messages_which_are_redelivered():
    # each message takes a constant 2 s on one of 4 workers; the consumer fails at 10.5 s for
    # 5 s: the 4 messages in processing are aborted and come back; nothing is lost
    d = design(producer(1) + [queue(),
                              {"id": "worker", "kind": "service",
                               "params": {"workers": 4, "service_time_ms": 2000,
                                          "service_distribution": "constant"}}],
               PRODUCE + [link("s1", "mq", "worker")],
               events=[{"type": "fail", "target": "worker", "at_s": 10.5, "duration_s": 5}])
    r = run_replication(d, seed=6, duration_s=60, warmup_s=1)
    mq, worker = r["components"]["mq"], r["components"]["worker"]
    assert 1 <= worker["consumed_failed"] <= 4
    assert mq["lost_messages"] == 0 and mq["dead_lettered"] == 0
    assert abs(conservation(r, "worker")) <= 4 + 1
