"""Component behaviour in the traffic simulation (SPEC §2 semantics), each against the number it
should produce: retries and their amplification, replication lag and stale reads, hot shards,
rate limit policies, a cache that is down, message queue fan-out and backlog, blocking workers,
determinism, common random numbers, and an overloaded design.

Statistical checks use several replications and a Student-t 95 % interval (``mean_ci``): the
expected value must lie within the interval widened by the stated allowance, and the interval
must be narrower than the stated precision.
"""

import math

import numpy as np
import pytest

from simcore.engine.nodes import implicit_queue_cap
from simcore.engine.replication import run_replication
from simcore.engine.simulation import MAX_WAITING_WORK
from simcore.engine.stats import mean_ci
from simcore.io import parse


def design(components, links, **scenario):
    d = {"schema_version": 1, "components": components, "links": links}
    if scenario:
        d["scenario"] = scenario
    return parse(d)


def client(rps, **params):
    return {"id": "users", "kind": "client", "params": {"rps": rps, **params}}


def link(lid, source, target, **params):
    return {"id": lid, "source": source, "target": target, "params": params}


def replicate(d, reps, *, seed, duration_s, warmup_s):
    return [run_replication(d, seed=seed, rep_index=r, duration_s=duration_s,
                            warmup_s=warmup_s) for r in range(reps)]


def check_ci(values, expected, *, allowance, max_half, what):
    """``expected`` within the 95 % interval of ``values`` ± ``allowance`` (absolute), and the
    interval's half-width at most ``max_half`` (absolute)."""
    m, ci = mean_ci(values)
    half = (ci[1] - ci[0]) / 2.0
    assert half <= max_half, f"{what}: interval too wide to judge: {m:.4g} ± {half:.3g}"
    assert abs(m - expected) <= half + allowance, (
        f"{what}: simulated {m:.5g} [{ci[0]:.5g}, {ci[1]:.5g}], expected {expected:.5g}")
    return m, ci


# --- retries -----------------------------------------------------------------------------------

def test_client_retries_amplify_load_at_the_callee():
    # An exponential 10 ms service with 200 workers (no waiting) and a 10 ms client timeout: an
    # attempt times out with p = e^−1. With 2 retries the callee serves 1 + p + p² = 1.503
    # attempts per offered request (timed-out attempts are still served) and a request fails
    # with p³ = e^−3 = 0.0498. Tolerance: interval + 0.01 (ratio) / + 0.005 (error rate).
    d = design([client(200, timeout_ms=10, retries=2, retry_backoff_ms=5),
                {"id": "api", "kind": "external_service",
                 "params": {"workers": 200, "service_time_ms": 10}}],
               [link("l1", "users", "api")])
    runs = replicate(d, 6, seed=21, duration_s=12, warmup_s=1)
    p = math.exp(-1.0)
    check_ci([r["components"]["api"]["served"] / r["offered"] for r in runs], 1 + p + p * p,
             allowance=0.01, max_half=0.03, what="served per offered request")
    check_ci([r["error_rate"] for r in runs], p**3, allowance=0.005, max_half=0.01,
             what="error rate after retries")
    assert all(r["rejected"] == 0 for r in runs)
    # retries are extra load, not extra offered requests
    for r in runs:
        assert r["offered"] == pytest.approx(200 * r["measured_s"], rel=0.05)


def test_link_retries_resend_failed_calls():
    # app → db with a 10 ms link timeout and 1 retry on an exponential 10 ms database: the db
    # serves 1 + e^−1 calls per request, the call fails with e^−2 (then the request fails).
    # Tolerance: interval + 0.01 (ratio), + 0.005 (error rate).
    d = design([client(150),
                {"id": "app", "kind": "service", "params": {"workers": 200, "service_time_ms": 1}},
                {"id": "db", "kind": "database",
                 "params": {"workers": 200, "service_time_ms": 10}}],
               [link("l1", "users", "app"), link("l2", "app", "db", timeout_ms=10, retries=1)])
    runs = replicate(d, 6, seed=22, duration_s=12, warmup_s=1)
    p = math.exp(-1.0)
    check_ci([r["components"]["db"]["served"] / r["offered"] for r in runs], 1 + p,
             allowance=0.01, max_half=0.03, what="db calls per request")
    check_ci([r["error_rate"] for r in runs], p * p, allowance=0.005, max_half=0.02,
             what="error rate")
    for r in runs:
        lk = r["links"]["l2"]
        assert lk["retried"] > 0 and lk["timeouts"] >= lk["failed"] > 0
        assert lk["attempts"] == pytest.approx(r["components"]["db"]["served"], rel=0.02)


# --- replication lag and stale reads -----------------------------------------------------------

def replicated_db(replication, lag_ms, read_ratio, rps=100):
    return design([client(rps, read_ratio=read_ratio),
                   {"id": "db", "kind": "database",
                    "params": {"workers": 50, "service_time_ms": 2, "replicas": 2,
                               "service_distribution": "constant",
                               "replication": replication, "replication_lag_ms": lag_ms}}],
                  [link("l1", "users", "db")])


def test_stale_reads_only_with_async_replication():
    # 100 rps, 20 % writes (Poisson, 20/s), lag 50 ms: a replica read is stale when a write
    # of its key landed in the 50 ms before it. Keys by the default model (100,000 keys, Zipf
    # exponent 1): key k, with share p_k, is written at 20 · p_k per s, so the stale share is
    # Σ p_k (1 − e^(−20 · p_k · 0.05)) (version 1 judged per shard: 1 − e^(−20 · 0.05) = 0.632).
    # Tolerance: interval + 0.005.
    p = np.arange(1, 100_001, dtype=float) ** -1.0
    p /= p.sum()
    expected = float(np.sum(p * (1.0 - np.exp(-20.0 * p * 0.05))))
    runs = replicate(replicated_db("async", 50, 0.8), 5, seed=8, duration_s=25, warmup_s=1)
    for r in runs:
        db = r["components"]["db"]
        assert db["replica_reads"] > 1000
        # reads go to the replicas only (the primary takes reads only when none is up)
        assert db["node_served"][0] == pytest.approx(0.2 * r["offered"], rel=0.15)
    check_ci([r["components"]["db"]["stale_reads"] / r["components"]["db"]["replica_reads"]
              for r in runs], expected, allowance=0.005, max_half=0.01,
             what="stale share of replica reads")
    for mode in ("sync", "semi_sync"):
        r = run_replication(replicated_db(mode, 50, 0.8), seed=8, duration_s=10, warmup_s=1)
        assert r["components"]["db"]["replica_reads"] > 500
        assert r["components"]["db"]["stale_reads"] == 0
    # no replicas: the lag does not apply, nothing is stale
    r = run_replication(design([client(100, read_ratio=0.8),
                                {"id": "db", "kind": "database",
                                 "params": {"replication_lag_ms": 50}}],
                               [link("l1", "users", "db")]), seed=8, duration_s=5, warmup_s=1)
    assert r["components"]["db"]["stale_reads"] == 0


def test_sync_replication_adds_the_lag_to_writes():
    # Writes only, constant 2 ms service: sync and semi_sync answer after 2 + 50 ms, async at
    # 2 ms. The mean is exact (tolerance 1e-6 relative).
    for mode, expected in (("sync", 52.0), ("semi_sync", 52.0), ("async", 2.0)):
        r = run_replication(replicated_db(mode, 50, 0.0, rps=50), seed=3, duration_s=6,
                            warmup_s=1)
        assert r["latency_ms"]["mean"] == pytest.approx(expected, rel=1e-6), mode
    # reads do not wait for replication
    r = run_replication(replicated_db("sync", 50, 1.0, rps=50), seed=3, duration_s=6,
                        warmup_s=1)
    assert r["latency_ms"]["mean"] == pytest.approx(2.0, rel=1e-6)


# --- sharding ----------------------------------------------------------------------------------

def test_hot_shard_under_zipf_skew():
    # 4 shards, skew s = 1: shard k gets k^−1 / H₄ = 0.48, 0.24, 0.16, 0.12 of the requests,
    # and its utilization follows (the hot shard is the database's utilization).
    # Tolerance: each share within its interval + 0.01; utilizations within 10 % of λ·share·s/c.
    rps, s_ms, workers, shards = 400, 2.0, 4, 4
    d = design([client(rps, read_ratio=0.5),
                {"id": "db", "kind": "database",
                 "params": {"workers": workers, "service_time_ms": s_ms, "shards": shards,
                            "shard_skew": 1.0}}],
               [link("l1", "users", "db")])
    runs = replicate(d, 4, seed=4, duration_s=12, warmup_s=1)
    weights = [(k + 1) ** -1.0 for k in range(shards)]
    expected = [w / sum(weights) for w in weights]
    assert runs[0]["components"]["db"]["shard_share"] == pytest.approx(expected, rel=1e-12)
    for k in range(shards):
        check_ci([r["components"]["db"]["node_served"][k] / sum(r["components"]["db"]["node_served"])
                  for r in runs], expected[k], allowance=0.01, max_half=0.02,
                 what=f"share of shard {k + 1}")
        util = mean_ci([r["components"]["db"]["node_utilization"][k] for r in runs])[0]
        assert util == pytest.approx(rps * expected[k] * s_ms / 1000 / workers, rel=0.10)
    hot = mean_ci([r["components"]["db"]["utilization"] for r in runs])[0]
    assert hot == pytest.approx(rps * expected[0] * s_ms / 1000 / workers, rel=0.10)
    # no skew: even shares
    d.components[1].params["shard_skew"] = 0
    r = run_replication(d, seed=4, duration_s=8, warmup_s=1)
    served = r["components"]["db"]["node_served"]
    assert all(abs(x / sum(served) - 0.25) < 0.03 for x in served)


# --- rate limiting -----------------------------------------------------------------------------

@pytest.mark.parametrize("policy", ["token_bucket", "fixed_window", "sliding_window"])
def test_rate_limiter_admits_its_limit(policy):
    # 300 rps offered to a 100 rps limit: ≈ 100/s served, 2/3 rejected as 429s, which are not
    # errors (error rate 0, availability 1). Tolerance: admitted rate within 2 % of the limit
    # (the burst and the window edges admit a little more at most), rejected share ± 0.02.
    d = design([client(300),
                {"id": "rl", "kind": "rate_limiter", "params": {"limit_rps": 100,
                                                                "policy": policy}},
                {"id": "api", "kind": "external_service",
                 "params": {"workers": 20, "service_time_ms": 2}}],
               [link("l1", "users", "rl"), link("l2", "rl", "api")])
    r = run_replication(d, seed=6, duration_s=12, warmup_s=2)
    assert r["throughput_rps"] == pytest.approx(100.0, rel=0.02)
    assert r["components"]["api"]["served"] / r["measured_s"] == pytest.approx(100, rel=0.02)
    assert r["rejected_rate"] == pytest.approx(1 - 100 / 300, abs=0.02)
    assert r["failed"] == 0 and r["error_rate"] == 0.0 and r["availability"] == 1.0
    assert r["components"]["rl"]["rejected"] == r["rejected"]


def test_gateway_rate_limit_and_a_limit_above_the_load():
    # an api_gateway's rate_limit_rps caps what it forwards like a rate limiter does
    d = design([client(200),
                {"id": "gw", "kind": "api_gateway", "params": {"rate_limit_rps": 50}},
                {"id": "api", "kind": "external_service",
                 "params": {"workers": 20, "service_time_ms": 2}}],
               [link("l1", "users", "gw"), link("l2", "gw", "api")])
    r = run_replication(d, seed=6, duration_s=12, warmup_s=2)
    assert r["throughput_rps"] == pytest.approx(50.0, rel=0.03)
    assert r["rejected_rate"] == pytest.approx(0.75, abs=0.02)
    # a limit well above the load rejects nothing
    d.components[1].params["rate_limit_rps"] = 1000
    r = run_replication(d, seed=6, duration_s=6, warmup_s=1)
    assert r["rejected"] == 0 and r["throughput_rps"] == pytest.approx(200, rel=0.1)


# --- caches ------------------------------------------------------------------------------------

def test_cache_hits_and_a_down_cache_passes_requests_through():
    comps = [client(100),
             {"id": "cache", "kind": "cache", "params": {"hit_ratio": 0.8}},
             {"id": "db", "kind": "database", "params": {"workers": 50, "service_time_ms": 2}}]
    links = [link("l1", "users", "cache"), link("l2", "cache", "db")]
    # up: 80 % hits, the database sees the misses (binomial: ± 3 % absolute on 1,400 reads)
    r = run_replication(design(comps, links), seed=2, duration_s=15, warmup_s=1)
    c = r["components"]["cache"]
    assert c["hits"] / (c["hits"] + c["misses"]) == pytest.approx(0.8, abs=0.03)
    assert r["components"]["db"]["served"] == pytest.approx(c["misses"], abs=5)
    # down for the whole run: every request goes to the database, none fails
    down = design(comps, links, events=[{"type": "fail", "target": "cache", "at_s": 0,
                                         "duration_s": 100}])
    r = run_replication(down, seed=2, duration_s=15, warmup_s=1)
    c = r["components"]["cache"]
    assert r["error_rate"] == 0.0 and r["failed"] == 0
    assert c["hits"] == 0 and c["served"] == 0
    assert c["passed_through"] == pytest.approx(r["offered"], abs=5)
    assert r["components"]["db"]["served"] == pytest.approx(r["offered"], abs=5)


def test_balancer_keeps_sending_to_a_down_cache():
    # a load balancer in front of a cache: a down cache still serves (it passes requests on),
    # so the balancer's health check must not take it out of rotation
    d = design([client(50),
                {"id": "lb", "kind": "load_balancer", "params": {"health_check_interval_s": 0}},
                {"id": "cache", "kind": "cache", "params": {"hit_ratio": 0.5}},
                {"id": "db", "kind": "database", "params": {"workers": 20, "service_time_ms": 2}}],
               [link("l1", "users", "lb"), link("l2", "lb", "cache"), link("l3", "cache", "db")],
               events=[{"type": "fail", "target": "cache", "at_s": 0, "duration_s": 100}])
    r = run_replication(d, seed=2, duration_s=6, warmup_s=1)
    assert r["failed"] == 0 and r["succeeded"] > 200


# --- message queues ----------------------------------------------------------------------------

def queue_design(**scenario):
    return design(
        [client(20),
         {"id": "app", "kind": "service",
          "params": {"workers": 8, "service_time_ms": 2, "blocking": False}},
         {"id": "mq", "kind": "message_queue", "params": {"workers": 8}},
         {"id": "fast", "kind": "service", "params": {"workers": 4, "service_time_ms": 5}},
         # one worker, constant 20 ms: 50 messages/s at most
         {"id": "slow", "kind": "service",
          "params": {"workers": 1, "service_time_ms": 20, "service_distribution": "constant"}}],
        [link("l1", "users", "app"), link("l2", "app", "mq", mode="async", latency_ms=1),
         link("s1", "mq", "fast"), link("s2", "mq", "slow")], **scenario)


def test_queue_fans_out_and_backlog_grows_then_drains():
    # 20 msg/s, then 80 msg/s for 10 s (a spike): the slow consumer (50/s) falls behind by
    # about 30/s — a backlog near 300 — then drains at 30/s within about 10 s. Every
    # subscription receives every message. The producer's latency does not wait for consumers.
    rows = []
    d = queue_design(events=[{"type": "spike", "target": "users", "at_s": 10, "duration_s": 10,
                              "multiplier": 4}])
    r = run_replication(d, seed=1, duration_s=45, warmup_s=2, on_second=rows.append)
    depth = {row["t_s"]: row["queue_depth"]["mq"] for row in rows}
    assert max(depth[t] for t in range(2, 11)) <= 5          # keeps up before the spike
    peak = max(depth.values())
    # the Poisson spike brings 800 ± 57 (2σ) messages in 10 s: a backlog of 300 ± 60
    assert 200 <= peak <= 420 and depth[20.0] >= 0.8 * peak
    assert all(depth[t] >= depth[t + 1] - 15 for t in range(21, 30))  # draining
    assert max(depth[t] for t in range(36, 46)) <= 5         # drained
    mq, fast, slow = (r["components"][k] for k in ("mq", "fast", "slow"))
    assert fast["consumed_ok"] == pytest.approx(mq["accepted"], abs=3)
    assert slow["consumed_ok"] == pytest.approx(mq["accepted"], abs=3)
    assert mq["mean_backlog"] > 10
    assert r["error_rate"] == 0.0
    assert r["latency_ms"]["p99"] < 30  # 2 ms + 2 × 1 ms link + the enqueue, never the backlog


def test_queue_capacity_loses_copies_at_a_full_backlog():
    # capacity bounds each subscription's backlog: the slow consumer's fills up and the copies
    # that meet it are lost and counted; the producer's enqueue still succeeds, and the fast
    # consumer, which keeps up, gets every message
    d = queue_design(events=[{"type": "spike", "target": "users", "at_s": 5, "duration_s": 10,
                              "multiplier": 6}])
    d.components[2].params["capacity"] = 50
    r = run_replication(d, seed=1, duration_s=20, warmup_s=1)
    mq, fast, slow = (r["components"][k] for k in ("mq", "fast", "slow"))
    assert mq["lost_messages"] > 100 and r["lost_messages"] == mq["lost_messages"]
    assert r["failed"] == 0
    assert max(r["timeseries"]["backlog"]["mq"]) <= 2 * 50
    assert fast["consumed_ok"] == pytest.approx(mq["accepted"], abs=3)
    # every copy for the slow consumer is processed, lost, or still waiting (±1 in service)
    assert slow["consumed_ok"] + mq["lost_messages"] == pytest.approx(mq["accepted"], abs=50 + 2)


# --- blocking services -------------------------------------------------------------------------

def blocking_design(rps, blocking):
    return design([client(rps),
                   {"id": "app", "kind": "service",
                    "params": {"workers": 4, "service_time_ms": 5, "blocking": blocking}},
                   {"id": "db", "kind": "database", "params": {"workers": 100,
                                                               "service_time_ms": 50}}],
                  [link("l1", "users", "app"), link("l2", "app", "db", latency_ms=1)])


def test_blocking_service_holds_workers_through_its_calls():
    # 40 rps; a blocking worker is held H = 5 + 2·1 + 50 = 57 ms: busy workers = λH = 2.28 of
    # 4 (Little's law), utilization 0.57; non-blocking 40 · 5 ms / 4 = 0.05.
    # Tolerance: interval + 0.01, interval within ± 0.03.
    runs = replicate(blocking_design(40, True), 4, seed=9, duration_s=30, warmup_s=2)
    check_ci([r["components"]["app"]["utilization"] for r in runs], 40 * 0.057 / 4,
             allowance=0.01, max_half=0.03, what="blocking utilization")
    runs = replicate(blocking_design(40, False), 5, seed=9, duration_s=30, warmup_s=2)
    check_ci([r["components"]["app"]["utilization"] for r in runs], 40 * 0.005 / 4,
             allowance=0.005, max_half=0.01, what="non-blocking utilization")
    # 100 rps: blocking needs 5.7 workers of 4 — it saturates and says where; the same load on
    # a non-blocking service is light (ρ = 0.125)
    r = run_replication(blocking_design(100, True), seed=9, duration_s=15, warmup_s=2)
    assert r["saturated"] is True
    assert "app" in [s["component"] for s in r["saturation"]]
    assert r["components"]["app"]["utilization"] > 0.99
    assert r["throughput_rps"] < 4 / 0.057 * 1.05
    r = run_replication(blocking_design(100, False), seed=9, duration_s=15, warmup_s=2)
    assert r["saturated"] is False
    assert r["components"]["app"]["utilization"] == pytest.approx(0.125, abs=0.02)


# --- determinism and common random numbers ----------------------------------------------------

def shop(service_ms=5.0, extra_target=False):
    comps = [client(150, read_ratio=0.7),
             {"id": "lb", "kind": "load_balancer", "params": {"algorithm": "random"}},
             {"id": "app", "kind": "service",
              "params": {"instances": 2, "workers": 4, "service_time_ms": service_ms}},
             {"id": "db", "kind": "database", "params": {"workers": 8, "service_time_ms": 3,
                                                         "replicas": 1}}]
    links = [link("l1", "users", "lb", latency_ms=2), link("l2", "lb", "app"),
             link("l3", "app", "db", latency_ms=0.5)]
    if extra_target:  # a second path to the same database
        comps.append({"id": "app2", "kind": "service",
                      "params": {"workers": 50, "service_time_ms": 5}})
        links += [link("l4", "users", "app2"), link("l5", "app2", "db", latency_ms=0.5)]
    return design(comps, links)


def test_same_seed_same_results_and_replications_differ():
    a = run_replication(shop(), seed=42, rep_index=0, duration_s=8, warmup_s=1)
    b = run_replication(shop(), seed=42, rep_index=0, duration_s=8, warmup_s=1)
    assert a == b  # the whole dict, time series included
    c = run_replication(shop(), seed=42, rep_index=1, duration_s=8, warmup_s=1)
    e = run_replication(shop(), seed=43, rep_index=0, duration_s=8, warmup_s=1)
    assert c["offered"] != a["offered"] or c["latency_ms"] != a["latency_ms"]
    assert e["latency_ms"]["mean"] != a["latency_ms"]["mean"]
    assert c["latency_ms"]["mean"] != a["latency_ms"]["mean"]


def test_common_random_numbers_across_designs():
    # Two designs that differ only downstream, run with the same seeds, see the same arrivals
    # and the same read/write sequence (streams are keyed by seed, replication and component
    # id), so their difference is measured far more precisely than with independent seeds.
    reps = 5
    base = [run_replication(shop(5.0), seed=7, rep_index=k, duration_s=8, warmup_s=1)
            for k in range(reps)]
    slower = [run_replication(shop(6.0), seed=7, rep_index=k, duration_s=8, warmup_s=1)
              for k in range(reps)]
    other_seed = [run_replication(shop(6.0), seed=1000 + k, duration_s=8, warmup_s=1)
                  for k in range(reps)]
    for x, y in zip(base, slower):
        assert x["sent"] == y["sent"]
        # writes go to the primary: the same read/write sequence gives the same primary load
        assert x["components"]["db"]["node_served"][0] == pytest.approx(
            y["components"]["db"]["node_served"][0], abs=3)
    paired = [y["latency_ms"]["mean"] - x["latency_ms"]["mean"] for x, y in zip(base, slower)]
    unpaired = [y["latency_ms"]["mean"] - x["latency_ms"]["mean"]
                for x, y in zip(base, other_seed)]
    m, ci = mean_ci(paired)
    _, ci_u = mean_ci(unpaired)
    assert m > 0 and ci[0] > 0  # 1 ms more service is seen as slower, significantly
    assert (ci[1] - ci[0]) < 0.5 * (ci_u[1] - ci_u[0])
    # a client with an extra target still draws the same read/write sequence: the database
    # primary (which takes every write, whichever path it came by) serves the same writes
    x = run_replication(shop(5.0), seed=7, duration_s=15, warmup_s=1)
    y = run_replication(shop(5.0, extra_target=True), seed=7, duration_s=15, warmup_s=1)
    assert x["sent"] == y["sent"]
    assert x["components"]["db"]["node_served"][0] == pytest.approx(
        y["components"]["db"]["node_served"][0], abs=2)
    share = y["components"]["lb"]["served"] / y["offered"]
    assert share == pytest.approx(0.5, abs=0.05)


# --- overload ----------------------------------------------------------------------------------

def test_overload_ends_bounded_and_reports_where():
    # 2,000 rps into an app that can serve about 330/s: queues hit their bound, requests fail,
    # the run ends, and the result says the design is saturated and where.
    d = design([client(2000),
                {"id": "lb", "kind": "load_balancer", "params": {"workers": 100}},
                {"id": "app", "kind": "service", "params": {"workers": 4,
                                                            "service_time_ms": 10}},
                {"id": "db", "kind": "database", "params": {"workers": 16,
                                                            "service_time_ms": 2}}],
               [link("l1", "users", "lb"), link("l2", "lb", "app"), link("l3", "app", "db")])
    r = run_replication(d, seed=1, duration_s=6, warmup_s=1)
    assert r["saturated"] is True
    where = [s["component"] for s in r["saturation"]]
    assert where[0] == "app"
    assert r["saturation"][0]["offered_rps"] == pytest.approx(2000)
    assert r["components"]["app"]["utilization"] > 0.99
    assert r["error_rate"] > 0.5
    cap = implicit_queue_cap(4)
    assert max(r["timeseries"]["queue_depth"]["app"]) <= cap
    assert r["in_flight_at_end"] <= cap + 100 < MAX_WAITING_WORK
    assert r["components"]["db"]["utilization"] < 0.5


def test_unbounded_queue_is_bounded_by_the_runs_waiting_work(monkeypatch):
    # A queue with no capacity in front of a consumer that cannot keep up: past the run's
    # bound on waiting work (requests plus messages) copies are lost, counted, and the result
    # says the queue is where it saturated. The bound is shared: while the backlog holds it,
    # new requests fail at the client too.
    from simcore.engine import simulation

    monkeypatch.setattr(simulation, "MAX_WAITING_WORK", 300)
    d = design([client(200),
                {"id": "mq", "kind": "message_queue", "params": {"workers": 8}},
                {"id": "slow", "kind": "service",
                 "params": {"workers": 1, "service_time_ms": 10,
                            "service_distribution": "constant"}}],
               [link("l1", "users", "mq"), link("s1", "mq", "slow")])
    r = run_replication(d, seed=1, duration_s=10, warmup_s=1)
    mq, slow = r["components"]["mq"], r["components"]["slow"]
    assert max(r["timeseries"]["backlog"]["mq"]) <= 300
    assert mq["lost_messages"] > 500
    assert 0 < r["failed"] < mq["lost_messages"]
    assert slow["consumed_failed"] == 0
    assert r["saturated"] and r["saturation"][0]["component"] == "mq"


def test_consumer_down_backlog_waits_then_drains():
    # the consumer is down 5–10 s: messages wait in the queue (none lost) and drain after
    d = queue_design(events=[{"type": "fail", "target": "fast", "at_s": 5, "duration_s": 5}])
    rows = []
    r = run_replication(d, seed=2, duration_s=20, warmup_s=1, on_second=rows.append)
    depth = {row["t_s"]: row["queue_depth"]["mq"] for row in rows}
    assert depth[10.0] > 60  # ≈ 20/s × 5 s waiting for "fast" (and "slow" keeps up)
    assert depth[13.0] < 5
    fast = r["components"]["fast"]
    assert fast["consumed_failed"] == 0
    assert fast["consumed_ok"] == pytest.approx(r["components"]["mq"]["accepted"], abs=3)
    assert r["error_rate"] == 0.0  # producers never wait for consumers


def test_health_check_sees_reads_and_writes_apart():
    # a database whose primary is down and replica up serves reads, not writes; a service
    # calling it can serve neither writes (every request calls the database); behind a cache,
    # reads are still served from the cache even with the database wholly down
    from simcore.engine.failures import serving
    from simcore.engine.simulation import Sim

    d = design([client(10),
                {"id": "lb", "kind": "load_balancer"},
                {"id": "app", "kind": "service"},
                {"id": "cache", "kind": "cache"},
                {"id": "db", "kind": "database", "params": {"replicas": 1}}],
               [link("l1", "users", "lb"), link("l2", "lb", "app"), link("l3", "app", "cache"),
                link("l4", "cache", "db")])
    sim = Sim(d, seed=1, rep_index=0, duration_s=1, warmup_s=0)
    assert serving(sim) == {k: (True, True) for k in ("lb", "app", "cache", "db")}
    db = sim.nodes["db"]
    db.node_down[0] += 1
    db.refresh()
    ok = serving(sim)
    assert ok["db"] == (True, False) and ok["lb"] == (True, False)
    db.node_down[1] += 1
    db.refresh()
    ok = serving(sim)
    assert ok["db"] == (False, False) and ok["cache"] == (True, False)
    sim.nodes["cache"].inst_down[0] += 1
    sim.nodes["cache"].refresh()
    assert serving(sim)["lb"] == (False, False)


def test_should_stop_ends_the_run_early():
    d = queue_design()
    seen = []
    r = run_replication(d, seed=1, duration_s=30, warmup_s=2, on_second=seen.append,
                        should_stop=lambda: len(seen) >= 5)
    assert r["stopped"] is True and r["simulated_s"] == 5.0 and len(seen) == 5
    assert r["measured_s"] == 3.0 and len(r["timeseries"]["t_s"]) == 5


@pytest.mark.slow
def test_same_seed_same_results_in_another_process():
    # replications run in worker processes: the results must not depend on the process
    # (string hashing is salted per process unless PYTHONHASHSEED is set)
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_sim_behaviour import shop\n"
        "from simcore.engine.replication import run_replication\n"
        "r = run_replication(shop(), seed=42, rep_index=3, duration_s=4, warmup_s=1)\n"
        "print(json.dumps(r, sort_keys=True))\n"
    )
    here = os.path.dirname(os.path.abspath(__file__))
    outs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        p = subprocess.run([sys.executable, "-c", code, here], capture_output=True, text=True,
                           env=env, timeout=120, check=True)
        outs.append(json.loads(p.stdout))
    assert outs[0] == outs[1]
    local = run_replication(shop(), seed=42, rep_index=3, duration_s=4, warmup_s=1)
    assert json.loads(json.dumps(local, sort_keys=True)) == outs[0]
