"""Response times (SPEC §3): a Jackson network against the visit-weighted sum of M/M/c sojourn
times worked out in the test, blocking services' holding times, transmission, caches, replication
lag, queues and the 0 · ∞ = 0 convention."""

import math

import pytest

from tests.simcore.closed_forms import analyse, mmc_sojourn

REL = 1e-9


def test_jackson_network_mean_latency():
    # users (100 rps) → lb → {a, b} round robin; a calls db with p = 0.5, b with p = 1.
    # Non-blocking services, exponential times, Poisson arrivals, random routing: a Jackson
    # network, so the mean is exactly the visit-weighted sum of the stations' sojourn times plus
    # the link round trips.
    r = analyse([("users", "client", {"rps": 100}),
             ("lb", "load_balancer", {"workers": 1, "service_time_ms": 1}),
             ("a", "service", {"workers": 2, "service_time_ms": 8, "blocking": False}),
             ("b", "service", {"workers": 1, "service_time_ms": 5, "blocking": False}),
             ("db", "database", {"workers": 4, "service_time_ms": 20})],
            [("users", "lb", {"latency_ms": 2}), ("lb", "a", {"latency_ms": 1}),
             ("lb", "b", {"latency_ms": 3}), ("a", "db", {"latency_ms": 0.5, "probability": 0.5}),
             ("b", "db", {"latency_ms": 0.5})])
    t_lb = mmc_sojourn(100, 0.001, 1)
    t_a = mmc_sojourn(50, 0.008, 2)
    t_b = mmc_sojourn(50, 0.005, 1)
    t_db = mmc_sojourn(75, 0.020, 4)
    visits = {"lb": 1.0, "a": 0.5, "b": 0.5, "db": 0.5 * 0.5 + 0.5}
    links = 2 * (0.002 + 0.5 * 0.001 + 0.5 * 0.003 + 0.75 * 0.0005)
    expect = links + visits["lb"] * t_lb + visits["a"] * t_a + visits["b"] * t_b \
        + visits["db"] * t_db
    assert r.latency_mean_ms == pytest.approx(expect * 1000, rel=REL)
    assert r.components["users"].latency_ms == pytest.approx(expect * 1000, rel=REL)
    # Little's law per station: own latency is the sojourn time.
    assert r.components["db"].latency_ms == pytest.approx(t_db * 1000, rel=REL)
    assert r.components["a"].utilization == pytest.approx(50 * 0.008 / 2, rel=REL)


def test_blocking_service_holds_worker_for_downstream_time():
    # app (blocking) waits for a slow db: H = s + 2 · latency + R(db) = 10 + 2 + (Wq + 50) ms.
    comps = [("users", "client", {"rps": 100}),
             ("app", "service", {"workers": 20, "service_time_ms": 10}),
             ("db", "database", {"workers": 8, "service_time_ms": 50})]
    links = [("users", "app"), ("app", "db", {"latency_ms": 1})]
    r = analyse(comps, links)
    r_db = mmc_sojourn(100, 0.050, 8)
    hold = 0.010 + 0.002 + r_db
    assert r.components["app"].holding_ms == pytest.approx(hold * 1000, rel=REL)
    assert r.components["app"].utilization == pytest.approx(100 * hold / 20, rel=REL)
    nb = analyse([comps[0], ("app", "service", {"workers": 20, "service_time_ms": 10,
                                            "blocking": False}), comps[2]], links)
    assert nb.components["app"].utilization == pytest.approx(100 * 0.010 / 20, rel=REL)
    assert r.components["app"].utilization > 5 * nb.components["app"].utilization
    # Non-blocking: saturation at the db's 8 / 0.05 = 160 rps; blocking: the app's pool
    # runs out first.
    assert nb.saturation_rps == pytest.approx(160, rel=1e-6)
    assert r.saturation_rps < nb.saturation_rps
    assert r.bottleneck == "app" and nb.bottleneck == "db"


def test_blocking_mixes_read_and_write_downstream_times():
    # Reads hit the cache 90% of the time; writes always go to the db: D̄ mixes by rates.
    r = analyse([("users", "client", {"rps": 100, "read_ratio": 0.8}),
             ("app", "service", {"workers": 50, "service_time_ms": 10}),
             ("cache", "cache", {"workers": 4, "service_time_ms": 1, "hit_ratio": 0.9}),
             ("db", "database", {"workers": 8, "service_time_ms": 20})],
            [("users", "app"), ("app", "cache", {"latency_ms": 0.5}),
             ("cache", "db", {"latency_ms": 1})])
    r_cache_own = mmc_sojourn(100, 0.001, 4)
    r_db = mmc_sojourn(80 * 0.1 + 20, 0.020, 8)
    d_read = 0.001 + r_cache_own + 0.1 * (0.002 + r_db)
    d_write = 0.001 + r_cache_own + (0.002 + r_db)
    assert r.components["cache"].response_read_ms == pytest.approx(
        (r_cache_own + 0.1 * (0.002 + r_db)) * 1000, rel=REL)
    assert r.components["cache"].response_write_ms == pytest.approx(
        (r_cache_own + 0.002 + r_db) * 1000, rel=REL)
    assert r.components["app"].holding_ms == pytest.approx(
        (0.010 + 0.8 * d_read + 0.2 * d_write) * 1000, rel=REL)


def test_transmission_uses_each_clients_request_size():
    # One link of 8 Mbit/s: a request of k KB crosses it in k · 8 / 8 = k ms.
    r = analyse([("small", "client", {"rps": 30, "request_kb": 2}),
             ("big", "client", {"rps": 10, "request_kb": 50}),
             ("app", "service", {"workers": 100, "service_time_ms": 5}),
             ("store", "blob_storage", {"workers": 100, "service_time_ms": 10})],
            [("small", "app"), ("big", "app"), ("app", "store", {"bandwidth_mbps": 8})])
    # Light load: waits are negligible but computed; compare the transmission difference only.
    small = r.components["small"].latency_ms
    big = r.components["big"].latency_ms
    assert big - small == pytest.approx(50 - 2, rel=1e-9)
    # The blocking app holds a worker for s + D̄ with D̄ mixing the sizes by rate: 2 and 50 KB
    # at 30 and 10 rps → mean transmission (30 · 2 + 10 · 50) / 40 = 14 ms.
    store_own = r.components["store"].latency_ms
    assert r.components["app"].holding_ms == pytest.approx(5 + 14 + store_own, rel=REL)
    assert r.latency_mean_ms == pytest.approx(0.75 * small + 0.25 * big, rel=REL)


def test_replication_lag_and_queue_time():
    comps = [("users", "client", {"rps": 10, "read_ratio": 0.5}),
             ("app", "service", {"workers": 50, "service_time_ms": 10}),
             ("q", "message_queue", {"workers": 10, "service_time_ms": 1}),
             ("slow", "service", {"workers": 50, "service_time_ms": 1000}),
             ("db", "database", {"workers": 16, "service_time_ms": 5, "replicas": 1,
                                 "replication": "sync", "replication_lag_ms": 40})]
    links = [("users", "app"), ("app", "q", {"mode": "async", "latency_ms": 2}),
             ("q", "slow"), ("app", "db")]
    r = analyse(comps, links)
    db = r.components["db"]
    assert db.response_write_ms - db.response_read_ms == pytest.approx(40, rel=1e-6)
    app = r.components["app"]
    # The enqueue pays the link both ways and the queue's own time; the consumer is not waited.
    q_own = r.components["q"].latency_ms
    assert app.response_read_ms == pytest.approx(
        app.latency_ms + 4 + q_own + db.response_read_ms, rel=REL)
    comps[-1] = ("db", "database", {"workers": 16, "service_time_ms": 5, "replicas": 1,
                                    "replication": "async", "replication_lag_ms": 40})
    r2 = analyse(comps, links)
    db2 = r2.components["db"]
    assert db2.response_write_ms == pytest.approx(db2.response_read_ms, rel=1e-6)


def test_zero_times_infinity_is_zero_and_infinite_mean_is_null():
    # writer saturates the db (100 rps × 20 ms on one worker); reader's reads all hit the cache,
    # so the saturated db costs the reader nothing (0 · ∞ = 0).
    r = analyse([("reader", "client", {"rps": 50, "read_ratio": 1.0}),
             ("writer", "client", {"rps": 100, "read_ratio": 0.0}),
             ("cache", "cache", {"hit_ratio": 1.0, "workers": 4, "service_time_ms": 1}),
             ("db", "database", {"workers": 1, "service_time_ms": 20})],
            [("reader", "cache"), ("writer", "db"), ("cache", "db")])
    assert r.saturated
    assert r.components["db"].utilization == pytest.approx(2.0)  # raw, above 1
    assert math.isfinite(r.components["reader"].latency_ms)
    assert math.isinf(r.components["writer"].latency_ms)
    assert math.isinf(r.latency_mean_ms)
    js = r.to_json()
    assert js["latency_ms"]["mean"] is None
    assert js["components"]["writer"]["latency_ms"] is None
    assert js["components"]["db"]["latency_ms"] is None
    assert js["components"]["db"]["utilization"] == pytest.approx(2.0)
    assert js["saturated"] is True
    # A client with no traffic does not make the mean infinite.
    r0 = analyse([("reader", "client", {"rps": 50, "read_ratio": 1.0}),
              ("writer", "client", {"rps": 0, "read_ratio": 0.0}),
              ("cache", "cache", {"hit_ratio": 1.0, "workers": 4, "service_time_ms": 1}),
              ("db", "database", {"workers": 1, "service_time_ms": 20})],
             [("reader", "cache"), ("writer", "db"), ("cache", "db")])
    assert not r0.saturated
    assert r0.latency_mean_ms == pytest.approx(r0.components["reader"].latency_ms)


def test_equal_client_weights_when_no_traffic():
    r = analyse([("a", "client", {"rps": 0}), ("b", "client", {"rps": 0}),
             ("x", "service", {"workers": 1, "service_time_ms": 10}),
             ("y", "service", {"workers": 1, "service_time_ms": 30})],
            [("a", "x"), ("b", "y")])
    assert r.latency_mean_ms == pytest.approx(20.0, rel=REL)
    assert r.saturation_rps is None and r.bottleneck is None and not r.saturated
