"""Every bundled example against figures worked out by hand here: availability from the series /
parallel formulas (SPEC §3), arrival rates, utilizations, SPOFs and monthly cost; and
``skyline analyze`` on every example, as text and as strict JSON with SPEC §4's keys.

Hand formulas: a component with n instances is down with uⁿ, with a standby uⁿ · [u + a ·
(1 − e^(−F / MTTR))] (MTTR 1 h when only an availability is given); a database read is served
when the primary or a replica is up, a write when the primary is. Waiting times come from the
textbook Erlang C formula evaluated here in log space. Tolerances: 1e-12 absolute on
availabilities, 1e-9 relative on rates, utilizations and costs.
"""

from __future__ import annotations

import json
import math

import pytest

from simcore.analysis import analyze
from simcore.cli import main
from simcore.components import KINDS
from simcore.io import load
from simcore.paths import example_files, examples_dir
from tests.simcore.closed_forms import ANALYZE_COMPONENT_KEYS, ANALYZE_TOP_KEYS

REL = 1e-9
A_ABS = 1e-12
HOURS_PER_MONTH = 730.0


# --- hand formulas ----------------------------------------------------------------------------
def down(u: float, n: int = 1, standby: str | None = None, failover_s: float | None = None,
         mttr_h: float = 1.0) -> float:
    """Probability that a component is not serving (SPEC §3)."""
    q = u ** n
    if standby:
        f = failover_s if failover_s is not None else {"cold": 600, "warm": 60, "hot": 5}[standby]
        q *= u + (1 - u) * (1 - math.exp(-(f / 3600) / mttr_h))
    return q


def wq(lam: float, s: float, c: int) -> float:
    """M/M/c mean wait (Erlang C), seconds, from the Poisson form in log space."""
    if lam == 0:
        return 0.0
    a = lam * s
    assert a < c
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    top = c * math.log(a) - math.lgamma(c + 1) - math.log(1 - a / c)
    m = max(max(logs), top)
    p_wait = math.exp(top - m) / (sum(math.exp(x - m) for x in logs) + math.exp(top - m))
    return p_wait * s / (c - a)


def default(kind: str, name: str):
    return KINDS[kind].params.model_fields[name].default


def cost(per_hour: float, nodes: int) -> float:
    return per_hour * HOURS_PER_MONTH * nodes


def run(name: str):
    return analyze(load(examples_dir() / name))


def check(res, *, availability, spofs, arrivals=None, utils=None, costs=None):
    assert res.availability_method == "exact"
    assert res.availability == pytest.approx(availability, abs=A_ABS)
    assert res.unavailability == pytest.approx(1 - availability, rel=1e-6, abs=1e-15)
    assert res.spofs == sorted(spofs)
    for cid, lam in (arrivals or {}).items():
        assert res.components[cid].arrival_rps == pytest.approx(lam, rel=REL), cid
    for cid, rho in (utils or {}).items():
        assert res.components[cid].utilization == pytest.approx(rho, rel=REL), cid
    if costs is not None:
        for cid, c in costs.items():
            assert res.components[cid].monthly_cost == pytest.approx(c, rel=REL), cid
        assert res.monthly_cost == pytest.approx(sum(costs.values()), rel=REL)


# --- the examples, one by one ---------------------------------------------------------------------
def test_series_three_nines():
    res = run("series_three_nines.json")
    s = default("service", "cost_per_hour")
    # Blocking web and app hold a worker for their own time plus what they wait for below.
    r_db = wq(100, 0.005, 16) + 0.005
    r_app = wq(100, 0.010 + r_db, 50) + 0.010 + r_db
    check(res, availability=0.999 ** 3, spofs=["web", "app", "db"],
          arrivals={"web": 100, "app": 100, "db": 100},
          utils={"db": 100 * 0.005 / 16, "app": 100 * (0.010 + r_db) / 50,
                 "web": 100 * (0.005 + r_app) / 50},
          costs={"web": cost(s, 1), "app": cost(s, 1),
                 "db": cost(default("database", "cost_per_hour"), 1)})
    assert res.bottleneck == "web"  # it holds its workers longest


def test_parallel_two_servers():
    res = run("parallel_two_servers.json")
    lb_cost = default("load_balancer", "cost_per_hour")
    check(res, availability=1 - 0.001 ** 2, spofs=["lb"],
          arrivals={"lb": 100, "s1": 50, "s2": 50},
          utils={"lb": 100 * 0.0003 / 1000, "s1": 50 * 0.010 / 50, "s2": 50 * 0.010 / 50},
          costs={"lb": cost(lb_cost, 1), "s1": cost(0.1, 1), "s2": cost(0.1, 1)})
    # The balancer is perfect (availability 1), so it costs no nines, but it is still the one
    # part whose failure would stop everything: a SPOF by structure.
    assert res.components["lb"].failure_impact == 1.0
    assert res.components["s1"].failure_impact == 0.0


def test_spof_example():
    res = run("spof_example.json")
    a = 0.999
    u = 1 - a
    k_read = a * (0.8 + 0.2 * a) + u * a  # cache up: hit or db; cache down: db
    k_write = a
    avail = a * (1 - u ** 2) * (0.9 * k_read + 0.1 * k_write)
    db_rate = 540 * 0.2 + 60
    check(res, availability=avail, spofs=["lb", "db"],
          arrivals={"lb": 600, "app1": 300, "app2": 300, "cache": 600, "db": db_rate},
          utils={"lb": 600 * 0.0003 / 1000, "cache": 600 * 0.00001 / 1,
                 "db": db_rate * 0.005 / 16},
          costs={"lb": cost(0.025, 1), "app1": cost(0.1, 1), "app2": cost(0.1, 1),
                 "cache": cost(0.2, 1), "db": cost(0.5, 1)})
    c = res.components
    assert c["db"].failure_impact == pytest.approx(0.9 * 0.2 + 0.1, rel=1e-12)
    assert c["cache"].failure_impact == 0.0 and c["app1"].failure_impact == 0.0
    assert c["lb"].failure_impact == 1.0


def test_stage1_single_server():
    res = run("stage1_single_server.json")
    check(res, availability=2000 / 2002, spofs=["server"], arrivals={"server": 100},
          utils={"server": 100 * 0.030 / 50}, costs={"server": cost(0.2, 1)})
    assert res.latency_mean_ms == pytest.approx((0.040 + wq(100, 0.030, 50) + 0.030) * 1000,
                                                rel=REL)


def test_stage2_separate_database():
    res = run("stage2_separate_database.json")
    r_db = wq(400, 0.005, 10) + 0.005
    check(res, availability=0.999 * 2000 / 2002, spofs=["app", "db"],
          arrivals={"app": 400, "db": 400},
          utils={"db": 400 * 0.005 / 10, "app": 400 * (0.010 + 0.001 + r_db) / 50},
          costs={"app": cost(0.1, 1), "db": cost(0.5, 1)})


def test_stage3_cache():
    res = run("stage3_cache.json")
    a_db = 2000 / 2002
    k_read = 0.999 * (0.8 + 0.2 * a_db) + 0.001 * a_db
    avail = 0.999 * (0.9 * k_read + 0.1 * a_db)
    db_rate = 810 * 0.2 + 90
    check(res, availability=avail, spofs=["app", "db"],
          arrivals={"app": 900, "cache": 900, "db": db_rate},
          utils={"cache": 900 * 0.00001, "db": db_rate * 0.005 / 10},
          costs={"app": cost(0.1, 1), "cache": cost(0.2, 1), "db": cost(0.5, 1)})
    assert res.components["cache"].failure_impact == 0.0


def test_stage4_load_balancer():
    res = run("stage4_load_balancer.json")
    a_db = 2000 / 2002
    k_read = 0.999 * (0.8 + 0.2 * a_db) + 0.001 * a_db
    avail = 0.9995 * (1 - 0.001 ** 2) * (0.9 * k_read + 0.1 * a_db)
    db_rate = 1350 * 0.2 + 150
    # Each app instance is its own M/M/50 with half the traffic.
    r_cache_read = wq(1500, 0.00001, 1) + 0.00001 + 0.2 * (0.001 + wq(db_rate, 0.005, 10) + 0.005)
    r_cache_write = wq(1500, 0.00001, 1) + 0.00001 + (0.001 + wq(db_rate, 0.005, 10) + 0.005)
    hold = 0.010 + 0.001 + 0.9 * r_cache_read + 0.1 * r_cache_write
    check(res, availability=avail, spofs=["lb", "db"],
          arrivals={"lb": 1500, "app": 1500, "cache": 1500, "db": db_rate},
          utils={"lb": 1500 * 0.0003 / 1000, "app": 750 * hold / 50,
                 "cache": 1500 * 0.00001, "db": db_rate * 0.005 / 10},
          costs={"lb": cost(0.025, 1), "app": cost(0.1, 2), "cache": cost(0.2, 1),
                 "db": cost(0.5, 1)})


def test_stage5_read_replicas():
    res = run("stage5_read_replicas.json")
    u = 2 / 2002
    a_read, a_write = 1 - u ** 3, 1 - u  # primary or either replica / the primary
    k_read = 0.999 * (0.8 + 0.2 * a_read) + 0.001 * a_read
    avail = 0.9995 * (1 - 0.001 ** 6) * (0.9 * k_read + 0.1 * a_write)
    reads, writes = 3600 * 0.2, 400.0
    check(res, availability=avail, spofs=["lb", "db"],
          arrivals={"lb": 4000, "app": 4000, "cache": 4000, "db": reads + writes},
          utils={"db": max(reads / 2, writes) * 0.005 / 10, "cache": 4000 * 0.00001},
          costs={"lb": cost(0.025, 1), "app": cost(0.1, 6), "cache": cost(0.2, 1),
                 "db": cost(0.5, 3)})
    rows = {n.role: n for n in res.components["db"].db_nodes}
    assert rows["replica"].read_rps == pytest.approx(reads / 2, rel=REL)
    assert rows["primary"].write_rps == pytest.approx(writes, rel=REL)


def test_stage6_sharding():
    res = run("stage6_sharding.json")
    u = 2 / 2002
    z = [k ** -0.5 for k in (1, 2, 3)]
    z = [x / sum(z) for x in z]
    a_read, a_write = 1 - u ** 2, 1 - u  # every shard alike; the shares sum to 1
    a_cache = 1 - 0.001 ** 2
    k_read = a_cache * (0.8 + 0.2 * a_read) + (1 - a_cache) * a_read
    a_lb = 1 - down(0.0005, standby="hot")
    avail = a_lb * (1 - 0.001 ** 8) * (0.8 * k_read + 0.2 * a_write)
    reads, writes = 6400 * 0.2, 1600.0
    check(res, availability=avail, spofs=["db"],
          arrivals={"lb": 8000, "app": 8000, "cache": 8000, "db": reads + writes},
          utils={"db": max(reads * z[0], writes * z[0]) * 0.005 / 10,
                 "cache": 4000 * 0.00001, "lb": 8000 * 0.0003 / 2000},
          costs={"lb": cost(0.025, 2), "app": cost(0.1, 8), "cache": cost(0.2, 2),
                 "db": cost(0.5, 6)})
    shard1 = [n for n in res.components["db"].db_nodes if n.shard == 1]
    assert {n.role for n in shard1} == {"primary", "replica"}
    assert sum(n.write_rps for n in shard1) == pytest.approx(writes * z[0], rel=REL)


def test_active_passive_failover():
    res = run("active_passive_failover.json")
    u_db = 4 / 2004
    q_primary = down(u_db, standby="hot", failover_s=30, mttr_h=4)
    # sync replication: a write needs the primary (or its standby) and the replica up
    a_read, a_write = 1 - q_primary * u_db, (1 - q_primary) * (1 - u_db)
    a_lb = 1 - down(0.0005, standby="hot")
    avail = a_lb * (1 - 0.001 ** 3) * (0.8 * a_read + 0.2 * a_write)
    r_read = wq(640, 0.004, 32) + 0.004
    r_write = wq(160, 0.004, 32) + 0.004 + 0.002  # sync replication waits for the lag
    hold = 0.010 + 0.001 + 0.8 * r_read + 0.2 * r_write
    check(res, availability=avail, spofs=[],
          arrivals={"lb": 800, "app": 800, "db": 800},
          utils={"db": 640 * 0.004 / 32, "app": 800 / 3 * hold / 50},
          costs={"lb": cost(0.025, 2), "app": cost(0.1, 3), "db": cost(0.5, 3)})
    assert res.components["db"].availability == pytest.approx(1 - q_primary, abs=A_ABS)


def test_cdn_media_site():
    res = run("cdn_media_site.json")
    a_lb = 1 - down(0.0005, standby="hot")
    a_media = 1 - 0.001 ** 3

    def origin(a_meta):
        return a_lb * a_media * a_meta * 0.9999

    x_read, x_write = origin(1 - 0.0005 ** 2), origin(0.9995)
    read = 0.99999 * (0.9999 * (0.9 + 0.1 * x_read) + 0.0001 * x_read)
    write = 0.99999 * x_write  # a write goes to the origin whether the CDN is up or not
    to_origin = 4900 * 0.1 + 100
    r_meta = 0.98 * (wq(490, 0.004, 16) + 0.004) + 0.02 * (wq(100, 0.004, 16) + 0.004)
    r_blobs = wq(to_origin, 0.030, 1000) + 0.030
    hold = 0.015 + (0.001 + r_meta) + (0.004 + r_blobs)
    check(res, availability=0.98 * read + 0.02 * write, spofs=["dns", "meta", "blobs"],
          arrivals={"dns": 5000, "cdn": 5000, "lb": to_origin, "media": to_origin,
                    "meta": to_origin, "blobs": to_origin},
          utils={"dns": 5000 * 0.002 / 10000, "cdn": 5000 * 0.005 / 10000,
                 "meta": 490 * 0.004 / 16, "blobs": to_origin * 0.030 / 1000,
                 "media": to_origin / 3 * hold / 50},
          costs={"dns": cost(0.01, 1), "cdn": cost(0.5, 1), "lb": cost(0.025, 2),
                 "media": cost(0.1, 3), "meta": cost(0.5, 2), "blobs": cost(0.05, 1)})
    assert res.components["cdn"].failure_impact == 0.0


def test_microservices_gateway():
    res = run("microservices_gateway.json")
    a_gw = 1 - 0.0005 ** 2

    def classes(a_cat_db, a_db):
        return a_gw * (0.6 * (1 - 0.001 ** 3) * a_cat_db + 0.3 * (1 - 0.001 ** 2) * a_db
                       + 0.1 * (1 - 0.001 ** 2) * a_db * (0.7 + 0.3 * 0.9995))

    read, write = classes(1 - 0.0005 ** 2, 0.9995), classes(0.9995, 0.9995)
    ext_cost = default("external_service", "cost_per_hour")
    check(res, availability=0.85 * read + 0.15 * write,
          spofs=["catalog_db", "users_db", "orders_db", "payments"],
          arrivals={"gw": 2000, "catalog": 1200, "users_svc": 600, "orders_svc": 200,
                    "catalog_db": 1200, "users_db": 600, "orders_db": 200, "payments": 60},
          utils={"gw": 1000 * default("api_gateway", "service_time_ms") / 1000
                 / default("api_gateway", "workers"),
                 "catalog_db": 1020 * 0.004 / 16, "users_db": 600 * 0.004 / 16,
                 "orders_db": 200 * 0.005 / 16, "payments": 60 * 0.250 / 100},
          costs={"gw": cost(0.1, 2), "catalog": cost(0.1, 3), "users_svc": cost(0.1, 2),
                 "orders_svc": cost(0.1, 2), "catalog_db": cost(0.5, 2),
                 "users_db": cost(0.5, 1), "orders_db": cost(0.5, 1),
                 "payments": cost(ext_cost, 1)})
    c = res.components
    # No failover between request classes: a failing service loses exactly its share.
    assert c["catalog_db"].failure_impact == pytest.approx(0.6, rel=1e-12)
    assert c["users_svc"].failure_impact == pytest.approx(0.3, rel=1e-12)
    assert c["payments"].failure_impact == pytest.approx(0.1 * 0.3, rel=1e-12)


def test_multi_region():
    res = run("multi_region.json")
    g = 0.9995

    def region(a_db):
        return g * 0.9995 * (1 - 0.001 ** 2) * a_db

    # DNS fails over: a request fails only when both regions fail to serve it.
    def both(x):
        return 0.99999 * (1 - (1 - x) ** 2)

    read, write = both(region(1 - 0.0005 ** 2)), both(region(0.9995))
    d = default
    check(res, availability=0.9 * read + 0.1 * write, spofs=["dns"],
          arrivals={"dns": 1000, "lb_e": 500, "lb_w": 500, "app_e": 500, "db_w": 500},
          utils={"db_e": 450 * 0.005 / 16, "lb_w": 500 * 0.0003 / 1000},
          costs={"dns": cost(d("dns", "cost_per_hour"), 1),
                 "lb_e": cost(d("load_balancer", "cost_per_hour"), 1),
                 "lb_w": cost(d("load_balancer", "cost_per_hour"), 1),
                 "app_e": cost(d("service", "cost_per_hour"), 2),
                 "app_w": cost(d("service", "cost_per_hour"), 2),
                 "db_e": cost(d("database", "cost_per_hour"), 2),
                 "db_w": cost(d("database", "cost_per_hour"), 2)})
    assert res.groups["east"].availability == pytest.approx(0.9995, abs=A_ABS)
    assert res.groups["east"].failure_impact == 0.0  # the other region takes over
    assert res.components["lb_e"].failure_impact == 0.0


def test_queue_load_levelling():
    res = run("queue_load_levelling.json")
    # The api returns once the order is enqueued: only the api and the queue must be up.
    r_db = wq(200, 0.005, 16) + 0.005
    worker_hold = 0.020 + 0.001 + r_db
    api_hold = 0.005 + 0.001 + wq(200, 0.0005, 64) + 0.0005
    check(res, availability=(1 - 0.001 ** 2) * 0.9999, spofs=["orders"],
          arrivals={x: 200 for x in ("api", "orders", "workers", "email", "inventory", "db")},
          utils={"orders": 200 * 0.0005 / 64, "email": 200 * 0.100 / 150,
                 "inventory": 200 * 0.008 / 20, "db": 200 * 0.005 / 16,
                 "workers": 200 * worker_hold / 16,  # one pool of 4 × 4 pulling from the queue
                 "api": 100 * api_hold / 50},
          costs={"api": cost(0.1, 2), "orders": cost(0.2, 1), "workers": cost(0.1, 4),
                 "email": cost(default("external_service", "cost_per_hour"), 1),
                 "inventory": cost(0.1, 1), "db": cost(0.5, 1)})
    for consumer in ("workers", "email", "inventory", "db"):
        assert res.components[consumer].failure_impact == 0.0
    assert res.latency_mean_ms == pytest.approx((0.040 + wq(100, api_hold, 50) + api_hold) * 1000,
                                                rel=REL)


def test_cp_vs_ap_partition():
    res = run("cp_vs_ap_partition.json")
    u = 0.001
    a_read, a_write = 1 - u ** 3, 1 - u  # any of three nodes / the primary (async)
    avail = (1 - u ** 2) * (0.9 * a_read + 0.1 * a_write)
    reads, writes = 180.0, 20.0
    hold = 0.005 + 0.001 + 0.9 * (wq(reads / 2, 0.004, 20) + 0.004) \
        + 0.1 * (wq(writes, 0.004, 20) + 0.004)
    check(res, availability=avail, spofs=["db"],
          arrivals={"app": 200, "db": 200},
          utils={"db": reads / 2 * 0.004 / 20, "app": 100 * hold / 50},
          costs={"app": cost(0.1, 2), "db": cost(0.5, 3)})


def test_async_failover_lost_writes():
    res = run("async_failover_lost_writes.json")
    u = 2 / 2002
    q_primary = down(u, standby="hot", mttr_h=2)
    a_read, a_write = 1 - q_primary * u, 1 - q_primary  # async: a write needs the primary
    avail = (1 - 0.001 ** 2) * (0.5 * a_read + 0.5 * a_write)
    check(res, availability=avail, spofs=[],
          arrivals={"app": 300, "db": 300},
          utils={"db": 150 * 0.004 / 50},
          costs={"app": cost(0.1, 2), "db": cost(0.5, 3)})


def test_resharding_consistent_vs_modulo():
    res = run("resharding_consistent_vs_modulo.json")
    u = 0.001
    a_read, a_write = 1 - u ** 2, 1 - u  # every shard alike: primary or replica / primary
    avail = (1 - u ** 2) * (0.8 * a_read + 0.2 * a_write)
    reads, writes = 800 / 4, 200 / 4  # hash sharding: even shares over the 4 shards
    check(res, availability=avail, spofs=["db"],
          arrivals={"app": 1000, "db": 1000},
          utils={"db": reads * 0.005 / 4},
          costs={"app": cost(0.1, 2), "db": cost(0.5, 8)})
    rows = {(n.shard, n.role): n for n in res.components["db"].db_nodes}
    assert rows[(1, "primary")].write_rps == pytest.approx(writes, rel=REL)


def test_retry_storm():
    # Two identical stacks (their clients differ only in jitter and budget, which the
    # analysis does not see): each database at 600 × 5 ms / 8 = 37.5 %, the only SPOFs
    # (everything at availability 1, so A = 1); saturation when a database reaches 1,600 req/s,
    # i.e. 3,200 req/s offered over both.
    res = run("retry_storm.json")
    check(res, availability=1.0, spofs=["db_plain", "db_tamed"],
          arrivals={"app_plain": 600, "db_tamed": 600},
          utils={"db_plain": 600 * 0.005 / 8, "db_tamed": 600 * 0.005 / 8},
          costs={"app_plain": cost(0.1, 2), "db_plain": cost(0.5, 1),
                 "app_tamed": cost(0.1, 2), "db_tamed": cost(0.5, 1)})
    assert res.saturation_rps == pytest.approx(3200, rel=1e-6)


def test_payments_idempotency():
    # Blocking orders service: H = 5 ms + 2 × 30 ms + 400 ms = 465 ms; 10 req/s per instance
    # over 50 workers. Payment API 20 × 0.4 / 200 = 4 %.
    res = run("payments_idempotency.json")
    hold = 0.005 + 2 * 0.030 + 0.400
    check(res, availability=1.0, spofs=["pay_keyed", "pay_plain"],
          arrivals={"orders_plain": 20, "pay_keyed": 20},
          utils={"orders_plain": 10 * hold / 50, "pay_plain": 20 * 0.4 / 200})
    assert res.full_service_availability == res.availability


def test_optional_recommendations():
    # The optional call to 'recs' is left out of A: A = a_lb · (1 − u_page³) · [0.95 (1 − u_db²)
    # + 0.05 a_db] (reads need the primary or its replica, writes the primary); the full-service
    # availability multiplies in a_recs = 0.99. 'recs' is no SPOF.
    res = run("optional_recommendations.json")
    u_db = 1 - 0.9995
    a = 0.9999 * (1 - 0.001 ** 3) * (0.95 * (1 - u_db ** 2) + 0.05 * (1 - u_db))
    check(res, availability=a, spofs=["catalog", "lb"],
          arrivals={"page": 300, "catalog": 300, "recs": 300},
          utils={"recs": 300 * 0.020 / 50})
    assert res.full_service_availability == pytest.approx(a * 0.99, abs=A_ABS)


def test_autoscaling_spike():
    # The API needs ⌈200 × 0.1 / (10 × 0.6)⌉ = ⌈3.33⌉ = 4 instances: utilization 200 × 0.1 / 40,
    # cost 4 × 0.1 $/h; saturation with its maximum of 10: 10 × 10 / 0.1 = 1,000 req/s.
    res = run("autoscaling_spike.json")
    check(res, availability=1.0, spofs=["db", "lb"], arrivals={"api": 200, "db": 200},
          utils={"api": 200 * 0.1 / 40},
          costs={"lb": cost(0.025, 1), "api": cost(0.1, 4), "db": cost(0.5, 2)})
    assert res.components["api"].autoscale_instances == 4
    assert res.saturation_rps == pytest.approx(1000, rel=1e-6)


def test_cache_write_behind():
    res = run("cache_write_behind.json")
    # 200 reads/s (80 % hit) and 200 writes/s reach the cache; every write still reaches the
    # database (forwarded at the flushes) but nobody waits for it there: a write's latency is
    # the app's and the cache's own time, a read's adds the database's for the 20 % misses.
    db = res.components["db"]
    assert (db.read_rps, db.write_rps) == (pytest.approx(40.0), pytest.approx(200.0))
    assert res.components["cache"].hit_ratio == 0.8
    app_r = wq(400, 0.005, 50) + 0.005
    cache_r = wq(400, 0.00001, 1) + 0.00001
    db_r = wq(240, 0.005, 20) + 0.005
    read = app_r + cache_r + 0.2 * db_r
    write = app_r + cache_r
    assert res.latency_mean_ms == pytest.approx((0.5 * read + 0.5 * write) * 1000, rel=REL)


def test_cache_stampede():
    from simcore.analysis.che import hit_ratio

    res = run("cache_stampede.json")
    law = (1_000_000, 1.0)
    h = hit_ratio(2850.0, 150.0, [(2850.0, *law)], [(150.0, *law)], 100_000, "around")
    cache = res.components["cache"]
    assert cache.hit_ratio == pytest.approx(h, rel=1e-12) and cache.hit_ratio_computed
    assert 0.7 < h < 0.8  # what the description says
    assert res.components["db"].read_rps == pytest.approx(2850 * (1 - h), rel=REL)
    assert res.components["db"].utilization == pytest.approx((2850 * (1 - h) + 150) * 0.002 / 3,
                                                             rel=REL)


def test_cache_instances_n_plus_one():
    from simcore.analysis.che import hit_ratio

    res = run("cache_instances_n_plus_one.json")
    law = (100_000, 1.0)
    h = [0.0] + [hit_ratio(1900.0, 100.0, [(1900.0, *law)], [(100.0, *law)], 25_000 * k)
                 for k in (1, 2)]
    assert res.components["cache"].hit_ratio == pytest.approx(h[2], rel=1e-12)
    db_load = [(1900 * (1 - hk) + 100) * 0.005 / 2 for hk in h]
    assert res.components["db"].utilization == pytest.approx(db_load[2], rel=REL)
    # what the description says: about 88 % and 80 % hits, the database at 83 % and 120 %
    assert (round(h[2], 2), round(h[1], 2)) == (0.88, 0.80)
    assert (round(db_load[2], 2), round(db_load[1], 2)) == (0.83, 1.20)
    # A = lb · app (2 instances) · [reads: the cache up with h̄ over its instances up, or
    # passing through; writes: the database]
    a_lb, a_app, a_c, a_db = 0.9995, 0.999, 0.999, 0.9995
    p = [(1 - a_c) ** 2, 2 * a_c * (1 - a_c), a_c ** 2]
    reads = sum(p[k] * (h[k] + (1 - h[k]) * a_db) for k in (1, 2)) + p[0] * a_db
    a = a_lb * (1 - (1 - a_app) ** 2) * (0.95 * reads + 0.05 * a_db)
    check(res, availability=a, spofs=["db", "lb"])
    # One cache instance down: the database runs at ρ₁ and serves 1/ρ₁ of what reaches it.
    reach = 0.95 * (1 - h[1]) + 0.05
    lost = reach * (1 - 1 / db_load[1])
    assert res.components["cache"].one_down_impact == pytest.approx(lost, rel=1e-9)
    assert res.capacity_risks == ["cache"]
    assert res.availability_under_load < res.availability


HAND_CHECKED = {
    "cp_vs_ap_partition.json", "async_failover_lost_writes.json",
    "resharding_consistent_vs_modulo.json",
    "series_three_nines.json", "parallel_two_servers.json", "spof_example.json",
    "stage1_single_server.json", "stage2_separate_database.json", "stage3_cache.json",
    "stage4_load_balancer.json", "stage5_read_replicas.json", "stage6_sharding.json",
    "active_passive_failover.json", "cdn_media_site.json", "microservices_gateway.json",
    "multi_region.json", "queue_load_levelling.json", "cache_write_behind.json",
    "cache_stampede.json", "retry_storm.json", "payments_idempotency.json",
    "optional_recommendations.json", "autoscaling_spike.json", "sticky_sessions_failover.json",
    "cache_instances_n_plus_one.json",
}


def test_every_example_is_checked_by_hand():
    assert {p.name for p in example_files()} == HAND_CHECKED


# --- the command line on every example --------------------------------------------------------------
def _strict(text: str):
    def refuse(token):
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_skyline_analyze_every_example(path, capsys):
    assert main(["analyze", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    js = _strict(out)
    assert set(js) == ANALYZE_TOP_KEYS
    design = json.loads(path.read_text())
    assert set(js["components"]) == {c["id"] for c in design["components"]}
    assert set(js["groups"]) == {g["id"] for g in design.get("groups", [])}
    for row in js["components"].values():
        assert set(row) == ANALYZE_COMPONENT_KEYS
    for row in js["groups"].values():
        assert set(row) == {"availability", "failure_impact"}
    assert set(js["latency_ms"]) == {"mean", "p50", "p95", "p99"}
    assert js["availability_method"] == "exact" and js["availability_ci95"] is None
    assert js["spofs"] == sorted(js["spofs"])
    res = analyze(load(path))
    assert js["availability"] == res.availability  # never rounded
    assert js["monthly_cost"] == res.monthly_cost

    assert main(["analyze", str(path)]) == 0
    text, err = capsys.readouterr()
    assert err == ""
    assert "Availability" in text and "SPOFs" in text
    for cid in js["components"]:
        assert cid in text


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_saturation_search_shortcut_keeps_every_utilization(path):
    # The saturation search skips the waits that no holding time contains; every
    # utilization must stay what the full evaluation gives, below and above saturation.
    from simcore.analysis.flow import compile_plan
    from simcore.analysis.latency import waits_that_matter
    from simcore.analysis.saturation import utilizations
    from simcore.topology import compile_design

    plan = compile_plan(compile_design(load(path)))
    waits = waits_that_matter(plan)
    for k in (0.5, 1.0, 3.0, 10.0, 100.0):
        assert utilizations(plan, k, waits) == utilizations(plan, k)


def test_sticky_sessions_failover():
    # Two web servers behind a sticky balancer, nothing can fail in the analysis: A = 1, the
    # balancer is the only SPOF, round robin gives each server 100 req/s × 20 ms / 50 workers.
    res = run("sticky_sessions_failover.json")
    check(res, availability=1.0, spofs=["lb"], arrivals={"web_a": 100, "web_b": 100},
          utils={"web_a": 100 * 0.020 / 50, "web_b": 100 * 0.020 / 50})


def test_sticky_sessions_failover_loses_what_its_description_says():
    # Round robin pins every other new session to A: by 61 s all 1,000 sessions have been seen
    # (P(unseen) = e^(−0.2 × 61)), so 500 live on A. The check at 62 s takes A out; a session of A
    # is lost at its first request in [62 s, 91 s): 500 · (1 − e^(−0.2 × 29)) = 498.5, binomial
    # sd ≈ 1.2 plus the split's own spread: allowance 15. The requests A gets in [61 s, 62 s),
    # about 100, fail. With an external session store nothing is lost.
    from simcore.engine.replication import run_replication

    design = load(examples_dir() / "sticky_sessions_failover.json")
    r = run_replication(design, seed=2)
    expected = 500 * (1 - math.exp(-0.2 * 29))
    assert r["components"]["lb"]["lost_sessions"] == pytest.approx(expected, abs=15)
    assert r["failed"] == pytest.approx(100, abs=40)  # Poisson: sd 10
    data = json.loads((examples_dir() / "sticky_sessions_failover.json").read_text())
    data["components"][1]["params"]["session_store"] = "external"
    from simcore.io import parse

    kept = run_replication(parse(data), seed=2)
    assert kept["components"]["lb"]["lost_sessions"] == 0
