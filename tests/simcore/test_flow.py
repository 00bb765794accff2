"""Flow (SPEC §3): arrival rates of reads and writes at every component and database node,
checked against rates worked out by hand from the designs' parameters."""

import json

import pytest

from simcore.analysis import analyze
from simcore.analysis.flow import zipf_shares
from simcore.analysis.queueing import mmc_wait
from simcore.io import loads

REL = 1e-12


def make(components, links, groups=()):
    comps = [{"id": c[0], "kind": c[1], "params": c[2] if len(c) > 2 else {}} for c in components]
    lks = [{"id": f"{s}-{t}", "source": s, "target": t, "params": p} for s, t, p in
           ((lk + ({},))[:3] for lk in links)]
    data = {"schema_version": 1, "components": comps, "links": lks}
    if groups:
        data["groups"] = list(groups)
    return loads(json.dumps(data))


def run(components, links, groups=()):
    return analyze(make(components, links, groups), availability=False)


SVC = {"workers": 50, "service_time_ms": 10}
DB = {"workers": 16, "service_time_ms": 5}


def test_cache_hit_ratio_08_sends_a_fifth_of_reads_on():
    # The seed: with 80% hits, 20% of reads reach the database; every write does.
    r = run([("users", "client", {"rps": 1000, "read_ratio": 0.9}), ("app", "service", SVC),
             ("cache", "cache", {"hit_ratio": 0.8}), ("db", "database", DB)],
            [("users", "app"), ("app", "cache"), ("cache", "db")])
    db = r.components["db"]
    assert db.read_rps == pytest.approx(900 * 0.2, rel=REL)
    assert db.write_rps == pytest.approx(100, rel=REL)
    assert db.arrival_rps == pytest.approx(280, rel=REL)
    assert r.components["cache"].arrival_rps == pytest.approx(1000, rel=REL)
    # One node: ρ = 280 · 0.005 / 16.
    assert db.utilization == pytest.approx(280 * 0.005 / 16, rel=REL)


def test_seed_read_replicas_take_the_reads_primary_the_writes():
    # The seed's 10:1 read:write ratio with two read replicas: 1,100 rps = 1,000 reads + 100 writes.
    r = run([("users", "client", {"rps": 1100, "read_ratio": 10 / 11}),
             ("db", "database", {**DB, "replicas": 2})], [("users", "db")])
    db = r.components["db"]
    rows = {n.role: n for n in db.db_nodes}
    assert rows["primary"].write_rps == pytest.approx(100, rel=1e-9)
    assert rows["primary"].read_rps == 0.0
    assert rows["replica"].count == 2
    assert rows["replica"].read_rps == pytest.approx(500, rel=1e-9)
    # The busiest node (a replica) gives the component's utilization: 500 · 0.005 / 16.
    assert db.utilization == pytest.approx(500 * 0.005 / 16, rel=1e-9)
    # Without replicas the primary takes everything.
    r0 = run([("users", "client", {"rps": 1100, "read_ratio": 10 / 11}), ("db", "database", DB)],
             [("users", "db")])
    assert r0.components["db"].utilization == pytest.approx(1100 * 0.005 / 16, rel=1e-9)


def test_zipf_hot_shard():
    shares = zipf_shares(3, 1.0)
    assert shares == pytest.approx([6 / 11, 3 / 11, 2 / 11], rel=REL)
    assert zipf_shares(4, 0.0) == [0.25] * 4
    r = run([("users", "client", {"rps": 1100, "read_ratio": 0.0}),
             ("db", "database", {**DB, "shards": 3, "shard_skew": 1.0})], [("users", "db")])
    nodes = r.components["db"].db_nodes
    assert [n.shard for n in nodes] == [1, 2, 3]
    assert [n.write_rps for n in nodes] == pytest.approx([600, 300, 200], rel=REL)
    assert r.components["db"].utilization == pytest.approx(600 * 0.005 / 16, rel=REL)
    # Write wait: mean of the primaries' Wq weighted by their write shares.
    expect = sum(q * mmc_wait(1100 * q, 0.005, 16) for q in (6 / 11, 3 / 11, 2 / 11))
    assert r.components["db"].wait_ms == pytest.approx(expect * 1000, rel=1e-9)


def test_split_shares_weights_and_round_robin():
    r = run([("users", "client", {"rps": 400}), ("lb1", "load_balancer"),
             ("lb2", "load_balancer", {"algorithm": "weighted"}),
             ("a", "service", SVC), ("b", "service", SVC), ("c", "service", SVC),
             ("d", "service", SVC)],
            [("users", "lb1", {"weight": 3}), ("users", "lb2", {"weight": 1}),
             ("lb1", "a", {"weight": 9}), ("lb1", "b"),  # round robin ignores weights
             ("lb2", "c", {"weight": 3}), ("lb2", "d")])
    rate = {k: v.arrival_rps for k, v in r.components.items()}
    assert rate["lb1"] == pytest.approx(300) and rate["lb2"] == pytest.approx(100)
    assert rate["a"] == pytest.approx(150) and rate["b"] == pytest.approx(150)
    assert rate["c"] == pytest.approx(75) and rate["d"] == pytest.approx(25)


def test_service_probability_and_queue_fan_out():
    r = run([("users", "client", {"rps": 200, "read_ratio": 0.25}), ("app", "service", SVC),
             ("q", "message_queue"), ("mail", "service", SVC), ("stats", "service", SVC),
             ("pay", "external_service")],
            [("users", "app"), ("app", "q", {"mode": "async", "probability": 0.5}),
             ("app", "pay", {"probability": 0.1}), ("q", "mail"), ("q", "stats")])
    c = r.components
    assert c["q"].arrival_rps == pytest.approx(100)
    assert c["mail"].arrival_rps == pytest.approx(100)  # every subscription gets every message
    assert c["stats"].arrival_rps == pytest.approx(100)
    assert c["stats"].read_rps == pytest.approx(25) and c["stats"].write_rps == pytest.approx(75)
    assert c["pay"].arrival_rps == pytest.approx(20)


def test_rate_limiter_caps_flow_and_counts_all_offered():
    lim = {"limit_rps": 600, "workers": 10, "service_time_ms": 1}
    r = run([("users", "client", {"rps": 1000, "read_ratio": 0.7}), ("rl", "rate_limiter", lim),
             ("app", "service", SVC)], [("users", "rl"), ("rl", "app")])
    c = r.components
    assert c["rl"].arrival_rps == pytest.approx(1000)
    assert c["rl"].utilization == pytest.approx(1000 * 0.001 / 10)  # all offered
    assert c["rl"].forwarded_rps == pytest.approx(600)
    assert c["rl"].rejected_rps == pytest.approx(400)
    assert c["app"].arrival_rps == pytest.approx(600)
    assert c["app"].read_rps == pytest.approx(420) and c["app"].write_rps == pytest.approx(180)
    assert r.client_weights == {"users": pytest.approx(600)}
    assert c["users"].admitted_rps == pytest.approx(600)
    # Below its limit a limiter forwards everything.
    r2 = run([("users", "client", {"rps": 500}), ("rl", "rate_limiter", lim),
              ("app", "service", SVC)], [("users", "rl"), ("rl", "app")])
    assert r2.components["app"].arrival_rps == pytest.approx(500)
    assert r2.client_weights["users"] == pytest.approx(500)


def test_admitted_rps_per_client_through_shared_and_separate_limits():
    # web (300 rps) and api (100 rps) share a gateway limited to 200 rps: both lose half;
    # batch (50 rps) goes around it and keeps everything.
    r = run([("web", "client", {"rps": 300}), ("api", "client", {"rps": 100}),
             ("batch", "client", {"rps": 50}),
             ("gw", "api_gateway", {"rate_limit_rps": 200}), ("app", "service", SVC)],
            [("web", "gw"), ("api", "gw"), ("gw", "app"), ("batch", "app")])
    assert r.client_weights["web"] == pytest.approx(150)
    assert r.client_weights["api"] == pytest.approx(50)
    assert r.client_weights["batch"] == pytest.approx(50)
    assert r.components["app"].arrival_rps == pytest.approx(250)


def test_instances_share_load_and_queue_consumers_pool():
    r = run([("users", "client", {"rps": 1000}),
             ("app", "service", {**SVC, "instances": 4, "blocking": False}),
             ("q", "message_queue"), ("worker", "service",
                                      {"instances": 2, "workers": 5, "service_time_ms": 9})],
            [("users", "app"), ("app", "q", {"mode": "async"}), ("q", "worker")])
    c = r.components
    assert c["app"].utilization == pytest.approx(250 * 0.010 / 50, rel=REL)
    # Fed only by the queue: one M/M/10 pool with λ = 1000.
    assert c["worker"].utilization == pytest.approx(1000 * 0.009 / 10, rel=REL)
    assert c["worker"].wait_ms == pytest.approx(mmc_wait(1000, 0.009, 10) * 1000, rel=1e-9)
    # Fed by a service too: each instance its own M/M/5 with λ / 2.
    r2 = run([("users", "client", {"rps": 1000}), ("app", "service", SVC),
              ("q", "message_queue"), ("worker", "service",
                                       {"instances": 2, "workers": 5, "service_time_ms": 9})],
             [("users", "app"), ("app", "q", {"mode": "async"}), ("q", "worker"),
              ("users", "worker", {"weight": 0.001})])
    lam = 1000 * (1 / 1.001) + 1000 * (0.001 / 1.001)
    assert r2.components["worker"].arrival_rps == pytest.approx(lam, rel=1e-9)
    assert r2.components["worker"].wait_ms == pytest.approx(
        mmc_wait(lam / 2, 0.009, 5) * 1000, rel=1e-9)


def test_cost_counts_instances_nodes_and_standbys():
    r = run([("users", "client", {"rps": 1}),
             ("app", "service", {**SVC, "instances": 3, "cost_per_hour": 0.1, "standby": "warm"}),
             ("db", "database", {**DB, "shards": 2, "replicas": 2, "cost_per_hour": 0.5,
                                 "standby": "hot"})],
            [("users", "app"), ("app", "db")])
    assert r.components["app"].monthly_cost == pytest.approx(0.1 * 730 * 4)
    assert r.components["db"].monthly_cost == pytest.approx(0.5 * 730 * (2 * 3 + 2))
    assert r.components["users"].monthly_cost is None
    assert r.monthly_cost == pytest.approx(0.1 * 730 * 4 + 0.5 * 730 * 8)


# --- least connections splits by capacity (SPEC §7.1) -------------------------------------------
def test_least_connections_splits_by_capacity():
    # app1: 2 instances × 4 workers at 100 ms = 80 rps; app2: 1 × 4 at 100 ms = 40 rps. Shares
    # 2/3 and 1/3: of 60 rps, 40 and 20, so every instance runs at 20 · 0.1 / 4 = 0.5 (an equal
    # split would put app2 at 30 · 0.1 / 4 = 0.75).
    app = {"workers": 4, "service_time_ms": 100, "blocking": False}
    r = run([("u", "client", {"rps": 60}), ("lb", "load_balancer", {"algorithm": "least_connections"}),
             ("app1", "service", {**app, "instances": 2}), ("app2", "service", app)],
            [("u", "lb"), ("lb", "app1"), ("lb", "app2")])
    assert r.components["app1"].arrival_rps == pytest.approx(40, rel=REL)
    assert r.components["app2"].arrival_rps == pytest.approx(20, rel=REL)
    assert r.components["app1"].utilization == pytest.approx(0.5, rel=REL)
    assert r.components["app2"].utilization == pytest.approx(0.5, rel=REL)
    # Both saturate together at 120 rps: 120 · (1/3) · 0.1 / 4 = 1.
    assert r.saturation_rps == pytest.approx(120, rel=1e-6)


def test_least_connections_capacity_uses_the_holding_time():
    # app1 is blocking: its worker is held for its 50 ms plus the database's 50 ms (the database
    # has 1,000 workers: no wait), H = 100 ms, capacity 4 / 0.1 = 40 rps; app2 (non-blocking,
    # 50 ms) has 4 / 0.05 = 80 rps. Shares 1/3 and 2/3 (by own service time alone they would be
    # equal): 30 rps of 90 to app1, 60 to app2.
    r = run([("u", "client", {"rps": 90}), ("lb", "load_balancer", {"algorithm": "least_connections"}),
             ("app1", "service", {"workers": 4, "service_time_ms": 50, "blocking": True}),
             ("app2", "service", {"workers": 4, "service_time_ms": 50, "blocking": False}),
             ("db", "database", {"workers": 1000, "service_time_ms": 50})],
            [("u", "lb"), ("lb", "app1"), ("lb", "app2"), ("app1", "db")])
    assert r.components["app1"].arrival_rps == pytest.approx(30, rel=1e-9)
    assert r.components["app2"].arrival_rps == pytest.approx(60, rel=1e-9)


def test_least_connections_with_equal_targets_splits_equally():
    app = {"workers": 4, "service_time_ms": 100}
    r = run([("u", "client", {"rps": 30}), ("lb", "load_balancer", {"algorithm": "least_connections"}),
             ("a", "service", app), ("b", "service", app), ("c", "service", app)],
            [("u", "lb"), ("lb", "a"), ("lb", "b"), ("lb", "c")])
    for x in "abc":
        assert r.components[x].arrival_rps == pytest.approx(10, rel=REL)
