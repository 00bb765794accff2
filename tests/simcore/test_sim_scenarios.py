"""Scenario events and failure handling in the traffic simulation: scheduled outages, spikes,
the circuit breaker, health checks, standby failover, groups, latency and partition events, and
events injected while a run is going (the designer's "fail now").

Per-second rows (``on_second``) show what happens when; totals are checked against the share
of requests the outage should cost, with stated tolerances.
"""

import pytest

from simcore.engine.replication import run_replication
from simcore.engine.stats import mean_ci
from simcore.io import parse


def design(components, links, groups=(), **scenario):
    d = {"schema_version": 1, "components": components, "links": links,
         "groups": list(groups)}
    if scenario:
        d["scenario"] = scenario
    return parse(d)


def client(rps, **params):
    return {"id": "users", "kind": "client", "params": {"rps": rps, **params}}


def svc(cid, **params):
    p = {"workers": 8, "service_time_ms": 2}
    p.update(params)
    return {"id": cid, "kind": "service", "params": p}


def db(cid="db", **params):
    p = {"workers": 8, "service_time_ms": 2}
    p.update(params)
    return {"id": cid, "kind": "database", "params": p}


def link(lid, source, target, **params):
    return {"id": lid, "source": source, "target": target, "params": params}


def fail(target, at_s, duration_s):
    return {"type": "fail", "target": target, "at_s": at_s, "duration_s": duration_s}


def rows_of(d, *, seed=1, duration_s, warmup_s=1, **kw):
    rows = []
    r = run_replication(d, seed=seed, duration_s=duration_s, warmup_s=warmup_s,
                        on_second=rows.append, **kw)
    return r, {row["t_s"]: row for row in rows}


def err(rows, t):
    return rows[float(t)]["error_rate"]


# --- scheduled outage --------------------------------------------------------------------------

def test_scheduled_outage_loses_the_expected_share():
    # Reads through a cache (hit ratio 0.8) to a database that is down 30 s of the 60 s
    # measured: the misses in that time fail, 0.2 · 30/60 = 10 % of requests.
    # Tolerance: the 95 % interval over 3 replications + 0.01 absolute.
    d = design([client(100),
                {"id": "cache", "kind": "cache", "params": {"hit_ratio": 0.8}},
                db(workers=20)],
               [link("l1", "users", "cache"), link("l2", "cache", "db")],
               events=[fail("db", 25, 30)])
    runs = []
    for k in range(3):
        rows = []
        runs.append(run_replication(d, seed=5, rep_index=k, duration_s=70, warmup_s=10,
                                    on_second=rows.append))
        by_t = {row["t_s"]: row for row in rows}
        assert all(by_t[float(t)]["error_rate"] == 0 for t in range(11, 25))
        during = [by_t[float(t)]["error_rate"] for t in range(27, 55)]
        assert sum(during) / len(during) == pytest.approx(0.2, abs=0.04)
        assert all(by_t[float(t)]["error_rate"] == 0 for t in range(57, 71))
        assert by_t[30.0]["up"]["db"] is False and by_t[60.0]["up"]["db"] is True
    m, ci = mean_ci([r["error_rate"] for r in runs])
    assert abs(m - 0.1) <= (ci[1] - ci[0]) / 2 + 0.01, (m, ci)
    for r in runs:
        assert r["availability"] == pytest.approx(1 - r["error_rate"])
        assert r["components"]["db"]["dropped"] == r["failed"]


# --- spikes ------------------------------------------------------------------------------------

def test_spike_is_rate_limited_then_recovers():
    # 50 rps, ×4 for 10 s (200 rps) through an 80 rps token bucket: during the spike ≈ 80/s
    # pass and 60 % are rejected (429s, not errors); before and after nothing is rejected.
    d = design([client(50),
                {"id": "rl", "kind": "rate_limiter", "params": {"limit_rps": 80}},
                {"id": "api", "kind": "external_service",
                 "params": {"workers": 20, "service_time_ms": 2}}],
               [link("l1", "users", "rl"), link("l2", "rl", "api")],
               events=[{"type": "spike", "target": "users", "at_s": 10, "duration_s": 10,
                        "multiplier": 4}])
    r, rows = rows_of(d, duration_s=30, warmup_s=2)
    assert all(rows[float(t)]["rejected_rate"] == 0 for t in range(2, 11))
    during = range(13, 21)  # the bucket's 80-token burst is spent in the first seconds
    assert sum(rows[float(t)]["throughput_rps"] for t in during) / len(during) == \
        pytest.approx(80, rel=0.05)
    assert sum(rows[float(t)]["rejected_rate"] for t in during) / len(during) == \
        pytest.approx(0.6, abs=0.05)
    assert all(rows[float(t)]["rejected_rate"] == 0 for t in range(23, 31))
    assert all(rows[float(t)]["error_rate"] == 0 for t in rows)
    assert r["rejected"] > 0 and r["failed"] == 0
    assert r["timeseries"]["rejected_rate"][12] == rows[13.0]["rejected_rate"]


def test_spike_fills_a_queue_limit_then_recovers():
    # 2 workers × 10 ms = 200/s; 100 rps ×3 for 10 s overflows a queue limit of 10: requests
    # are refused (errors, the queue is full) during the spike and not after.
    d = design([client(100), svc("app", workers=2, service_time_ms=10, queue_limit=10)],
               [link("l1", "users", "app")],
               events=[{"type": "spike", "target": "users", "at_s": 10, "duration_s": 10,
                        "multiplier": 3}])
    r, rows = rows_of(d, duration_s=30, warmup_s=2)
    during = [err(rows, t) for t in range(12, 21)]
    assert sum(during) / len(during) > 0.2
    assert max(err(rows, t) for t in range(24, 31)) <= 0.02
    assert r["components"]["app"]["dropped"] > 300
    assert r["rejected"] == 0  # a full queue is an error, not a 429
    assert max(row["queue_depth"]["app"] for row in rows.values()) <= 10


# --- circuit breaker ---------------------------------------------------------------------------

def test_circuit_breaker_opens_half_opens_and_closes():
    # Defaults (the seed's): open after 5 failures within 30 s, half-open after 30 s. The
    # database is down from 10 s to 50 s: the breaker opens just after 10 s, its first trial
    # at ≈ 40 s fails (open again), the second at ≈ 70 s succeeds (closed).
    d = design([client(20), svc("app"), db()],
               [link("l1", "users", "app"), link("l2", "app", "db", circuit_breaker={})],
               events=[fail("db", 10, 40)])
    r, rows = rows_of(d, duration_s=80, warmup_s=1)
    br = r["links"]["l2"]["breaker"]
    states = [s for _t, s in br["transitions"]]
    times = [t for t, _s in br["transitions"]]
    assert states == ["open", "half_open", "open", "half_open", "closed"]
    assert 10 < times[0] < 11.5                        # 5 failures at 20 rps: ≈ 0.25 s
    assert 30 <= times[1] - times[0] < 31              # half-open on the first call after 30 s
    assert times[2] - times[1] < 0.01                  # the trial fails at once (db down)
    assert 30 <= times[3] - times[2] < 31
    assert times[4] - times[3] < 0.1                   # the trial succeeds (db back at 50 s)
    assert br["state"] == "closed"
    # open: calls fail fast without reaching the database, even after it is back (50–70 s)
    assert br["short_circuited"] > 0.9 * 20 * 55
    assert all(err(rows, t) == 1.0 for t in range(52, 70))
    assert all(err(rows, t) == 0.0 for t in range(72, 81))
    assert rows[60.0]["up"]["db"] is True


def test_circuit_breaker_custom_threshold_and_no_open_below_it():
    # 3 failures within 5 s open it for 10 s. A 0.1 s outage at 2 rps (poisson) rarely gives 3
    # failures; a constant 2 rps client sees at most one: the breaker stays closed.
    d = design([client(2, pattern="constant"), svc("app"), db()],
               [link("l1", "users", "app"),
                link("l2", "app", "db",
                     circuit_breaker={"failure_threshold": 3, "window_s": 5, "open_s": 10})],
               events=[fail("db", 5, 0.1)])
    r = run_replication(d, seed=1, duration_s=20, warmup_s=1)
    assert r["links"]["l2"]["breaker"]["transitions"] == []
    d = design([client(20), svc("app"), db()],
               [link("l1", "users", "app"),
                link("l2", "app", "db",
                     circuit_breaker={"failure_threshold": 3, "window_s": 5, "open_s": 10})],
               events=[fail("db", 5, 3)])
    r = run_replication(d, seed=1, duration_s=25, warmup_s=1)
    tr = r["links"]["l2"]["breaker"]["transitions"]
    assert [s for _t, s in tr] == ["open", "half_open", "closed"]
    assert 10 <= tr[1][0] - tr[0][0] < 10.5


# --- health checks and failover ----------------------------------------------------------------

def balanced(interval_s, events):
    return design([client(100),
                   {"id": "lb", "kind": "load_balancer",
                    "params": {"health_check_interval_s": interval_s}},
                   svc("a"), svc("b")],
                  [link("l1", "users", "lb"), link("l2", "lb", "a"), link("l3", "lb", "b")],
                  events=events)


def test_dead_target_receives_traffic_until_the_next_health_check():
    # checks every 10 s (at 10, 20, 30…); a dies at 22 s: half the requests fail until the
    # check at 30 s, none after; back at 42 s, it gets traffic again from the check at 50 s.
    r, rows = rows_of(balanced(10, [fail("a", 22, 20)]), duration_s=60)
    assert all(err(rows, t) == 0 for t in range(2, 23))
    during = [err(rows, t) for t in range(23, 31)]
    assert sum(during) / len(during) == pytest.approx(0.5, abs=0.08)
    assert all(err(rows, t) == 0 for t in range(31, 61))
    served = r["components"]["a"]["served"]
    assert served == pytest.approx(r["offered"] * (22 - 1 + 10) / 59 / 2, rel=0.1)
    # with checks at every change (interval 0) nothing is lost but what was in flight
    r = run_replication(balanced(0, [fail("a", 22, 20)]), seed=1, duration_s=40, warmup_s=1)
    assert r["failed"] <= 3


def test_standby_takes_over_after_failover_s():
    # a warm standby with failover_s = 7: the outage at 10 s costs 7 s, not 20
    d = design([client(100), svc("app", standby="warm", failover_s=7)],
               [link("l1", "users", "app")], events=[fail("app", 10, 20)])
    r, rows = rows_of(d, duration_s=40)
    assert all(err(rows, t) == 0 for t in range(2, 11))
    # (requests that were in service at 10 s may still finish within the second ending at 11)
    assert err(rows, 11) > 0.9 and all(err(rows, t) == 1.0 for t in range(12, 17))
    assert all(err(rows, t) == 0 for t in range(18, 41))
    assert r["standby_takeovers"] == 1
    assert r["error_rate"] == pytest.approx(7 / 39, abs=0.03)
    # without the standby the whole 20 s is lost
    d = design([client(100), svc("app")], [link("l1", "users", "app")],
               events=[fail("app", 10, 20)])
    r = run_replication(d, seed=1, duration_s=40, warmup_s=1)
    assert r["standby_takeovers"] == 0
    assert r["error_rate"] == pytest.approx(20 / 39, abs=0.03)


def test_database_standby_per_shard_primary():
    # a hot standby (failover_s 5 by default) per shard primary: writes fail for 5 s only
    d = design([client(100, read_ratio=0.0), db(shards=2, standby="hot")],
               [link("l1", "users", "db")], events=[fail("db", 10, 30)])
    r, rows = rows_of(d, duration_s=30)
    assert all(err(rows, t) == 1.0 for t in range(11, 15))
    assert all(err(rows, t) == 0 for t in range(16, 31))
    assert r["standby_takeovers"] == 2


def test_group_fails_as_a_whole_and_standby_does_not_help():
    # app and db share a zone; the zone fails 10–20 s: every request fails for 10 s even
    # though app has a hot standby (a common cause takes the standby too); back after.
    d = design([client(50), svc("app", standby="hot", failover_s=1), db()],
               [link("l1", "users", "app"), link("l2", "app", "db")],
               groups=[{"id": "az1", "kind": "zone", "members": ["app", "db"]}],
               events=[fail("az1", 10, 10)])
    r, rows = rows_of(d, duration_s=30)
    assert all(err(rows, t) == 1.0 for t in range(11, 21))
    assert all(err(rows, t) == 0 for t in range(22, 31))
    assert rows[15.0]["up"]["app"] is False and rows[15.0]["up"]["db"] is False
    assert r["standby_takeovers"] == 0
    # a balancer fails over to the other zone's copy
    d = design([client(100), {"id": "lb", "kind": "load_balancer",
                              "params": {"health_check_interval_s": 0}},
                svc("a"), svc("b")],
               [link("l1", "users", "lb"), link("l2", "lb", "a"), link("l3", "lb", "b")],
               groups=[{"id": "z1", "kind": "zone", "members": ["a"]},
                       {"id": "z2", "kind": "zone", "members": ["b"]}],
               events=[fail("z1", 5, 10)])
    r = run_replication(d, seed=1, duration_s=20, warmup_s=1)
    assert r["failed"] <= 3 and r["components"]["b"]["served"] > 0.6 * r["offered"]


# --- latency and partition events -------------------------------------------------------------

def test_latency_event_is_paid_both_ways_and_partition_loses_requests():
    base = [client(50), {"id": "api", "kind": "external_service",
                         "params": {"workers": 50, "service_time_ms": 10,
                                    "service_distribution": "constant"}}]
    d = design(base, [link("l1", "users", "api", latency_ms=5)],
               events=[{"type": "latency", "target": "l1", "at_s": 10, "duration_s": 10,
                        "extra_ms": 100}])
    r, rows = rows_of(d, duration_s=30)
    assert rows[5.0]["p50_ms"] == pytest.approx(20, rel=0.01)
    assert rows[15.0]["p50_ms"] == pytest.approx(220, rel=0.01)
    assert rows[25.0]["p50_ms"] == pytest.approx(20, rel=0.01)
    # partition: requests over the link fail (at once without a timeout, after it with one)
    d = design(base, [link("l1", "users", "api", latency_ms=5)],
               events=[{"type": "partition", "target": "l1", "at_s": 10, "duration_s": 5}])
    r, rows = rows_of(d, duration_s=20)
    assert all(err(rows, t) == 1.0 for t in range(11, 16))
    assert all(err(rows, t) == 0 for t in range(17, 21))
    assert r["error_rate"] == pytest.approx(5 / 19, abs=0.05)
    assert r["links"]["l1"]["failed"] == r["failed"]


# --- events injected during a run --------------------------------------------------------------

def test_inject_fails_a_component_now():
    d = design([client(100), svc("app")], [link("l1", "users", "app")])
    polls = []

    def inject():
        now = float(len(polls) + 1)  # polled after each simulated second
        polls.append(now)
        if now == 10.0:
            return [fail("app", now, 5),
                    {"type": "fail", "target": "users", "at_s": now, "duration_s": 5},
                    {"type": "explode", "target": "app"},
                    {"type": "spike", "target": "users", "duration_s": 3, "multiplier": 2}]
        if now == 12.0:  # a future event waits for its time
            return [{"type": "latency", "target": "l1", "at_s": 20, "duration_s": 2,
                     "extra_ms": 50}]
        return []

    r, rows = rows_of(d, duration_s=25, inject=inject)
    assert polls == [float(t) for t in range(1, 26)]
    assert all(err(rows, t) == 0 for t in range(2, 11))
    assert err(rows, 11) > 0.9 and all(err(rows, t) == 1.0 for t in range(12, 15))
    assert all(err(rows, t) == 0 for t in range(16, 26))
    assert rows[21.0]["p50_ms"] > 100 and rows[19.0]["p50_ms"] < 10
    inj = r["injected"]
    assert [x["problem"] is None for x in inj] == [True, False, False, True, True]
    assert "client cannot fail" in inj[1]["problem"]
    assert inj[0]["at_s"] == 10.0 and inj[3]["at_s"] == 10.0 and inj[4]["at_s"] == 20.0
    # without inject the same seed gives the undisturbed run
    clean = run_replication(d, seed=1, duration_s=25, warmup_s=1)
    assert clean["failed"] == 0 and r["failed"] > 300
    # the spike without at_s started at once: twice the traffic for 3 s, ≈ 300 more requests
    # (Poisson: ± 2σ ≈ 50)
    assert 230 < r["sent"] - clean["sent"] < 370


# --- random failures ---------------------------------------------------------------------------

H = 1 / 3600  # one second in hours: MTBF / MTTR of seconds give many outages in a short run


def random_failure_design(kind="service", read_ratio=1.0, groups=(), **params):
    p = {"workers": 10, "service_time_ms": 1, **params}
    comp = {"id": "x", "kind": kind, "params": p}
    return design([client(10, read_ratio=read_ratio), comp], [link("l1", "users", "x")],
                  groups=groups, random_failures=True)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["one", "two_instances", "replica", "group", "standby"])
def test_random_failures_give_the_analysis_availability(case):
    # MTBF 2 s, MTTR 1 s (a = 2/3) over 300 s runs (≈ 100 outages each): the share of requests
    # that succeed is the steady-state availability of §3 — one instance 2/3; two instances
    # 1 − (1/3)² = 8/9; a database with one replica, half reads, ½·8/9 + ½·2/3 = 7/9; a zone
    # 2/3. A hot standby (failover 0.5 s): the analysis's u·[u + a·(1 − e^(−F/MTTR))] assumes
    # the standby has been up longer than F; the simulation also loses F after a standby's own
    # repair, u·[u + a·(1 − e^(−F·(1/MTTR + 1/MTBF)))] = 0.2276 (exact for exponential times),
    # so it is checked against that, and against the analysis within 0.04.
    # Tolerance: within the 95 % interval of 8 replications + 0.02; interval within ± 0.05.
    from simcore.analysis import analyze

    rel = {"mtbf_hours": 2 * H, "mttr_hours": 1 * H}
    d = {
        "one": lambda: random_failure_design(**rel),
        "two_instances": lambda: random_failure_design(instances=2, **rel),
        "replica": lambda: random_failure_design("database", read_ratio=0.5, replicas=1, **rel),
        "group": lambda: random_failure_design(
            groups=[{"id": "z", "kind": "zone", "members": ["x"], "params": rel}]),
        "standby": lambda: random_failure_design(standby="hot", failover_s=0.5, **rel),
    }[case]()
    expected = analyze(d).to_json()["availability"]
    target = {"one": 2 / 3, "two_instances": 8 / 9, "replica": 7 / 9, "group": 2 / 3,
              "standby": None}[case]
    if target is None:
        import math
        u, a = 1 / 3, 2 / 3
        target = 1 - u * (u + a * (1 - math.exp(-0.5 * (1 / 1 + 1 / 2))))
        assert abs(expected - target) < 0.04
    else:
        assert expected == pytest.approx(target, rel=1e-9)
    runs = [run_replication(d, seed=3, rep_index=k, duration_s=300, warmup_s=1)
            for k in range(8)]
    assert all(r["random_failures"] > 50 for r in runs)
    m, ci = mean_ci([r["availability"] for r in runs])
    assert abs(m - target) <= (ci[1] - ci[0]) / 2 + 0.02, (m, ci, target)
    assert (ci[1] - ci[0]) / 2 < 0.05


def test_dns_fails_over_between_regions_on_a_deep_health_check():
    # The bundled two-region design: DNS over two regions, each LB → app → database. When
    # the east database dies, east's LB and app are still up, but east cannot serve: the DNS
    # health check (every 5 s, at 5, 10, 15…) sees that, as the analysis's balancer does, and
    # sends everything west from the next check on.
    from pathlib import Path

    from simcore.io import load

    path = Path(__file__).resolve().parents[2] / "resources" / "examples" / "multi_region.json"
    d = load(path)
    d.component("users").params["rps"] = 100

    def run(events):
        return rows_of(parse({**d.to_dict(), "scenario": {"events": events}}), duration_s=30)

    r, rows = run([fail("db_e", 11, 10)])
    early = [err(rows, t) for t in (12, 13, 14, 15)]
    assert 0.3 < sum(early) / 4 < 0.7            # east's half fails until the check at 15 s
    assert err(rows, 16) < 0.1                    # requests already on their way east
    assert all(err(rows, t) == 0 for t in range(17, 31))
    assert r["components"]["app_w"]["served"] > 0.6 * r["offered"]
    assert r["components"]["lb_e"]["up_at_end"] is True


def test_balancer_routes_around_a_partitioned_link():
    # a partition of one balancer → target link: a health check every change sees the target
    # unreachable and sends everything to the other; with 10 s checks, half the requests fail
    # until the next check
    for interval, max_failed in ((0, 3), (10, None)):
        d = balanced(interval, [{"type": "partition", "target": "l2", "at_s": 12,
                                 "duration_s": 10}])
        r, rows = rows_of(d, duration_s=30)
        if max_failed is not None:
            assert r["failed"] <= max_failed
        else:
            assert sum(err(rows, t) for t in range(13, 21)) / 8 == pytest.approx(0.5, abs=0.1)
            assert all(err(rows, t) == 0 for t in range(21, 31))
