"""Retries, idempotency and graceful degradation (SPEC §7.7), each against the number it should
produce: duplicate writes without idempotency keys and none with them, an optional call's
failure that is no error, the retry budget's cap on amplification, full jitter's waits, and
the analysis' availability with and without the optional calls.

Statistical checks use several replications and a Student-t 95 % interval; the stated
allowance is added to the interval's half-width.
"""

import math

import pytest

from simcore import SCHEMA_VERSION
from simcore.analysis import analyze
from simcore.engine.replication import run_replication
from simcore.engine.retry import BUDGET_WINDOW_S, RetryPolicy
from simcore.engine.stats import mean_ci
from simcore.engine.streams import replication_seed
from simcore.engine.study import simulate
from simcore.io import parse


def design(components, links, **scenario):
    d = {"schema_version": SCHEMA_VERSION, "components": components, "links": links}
    if scenario:
        d["scenario"] = scenario
    return parse(d)


def comp(cid, kind, **params):
    return {"id": cid, "kind": kind, "params": params}


def link(lid, source, target, **params):
    return {"id": lid, "source": source, "target": target, "params": params}


def runs(d, reps, *, duration_s, warmup_s, seed=3):
    return [run_replication(d, seed=seed, rep_index=r, duration_s=duration_s,
                            warmup_s=warmup_s) for r in range(reps)]


# --- duplicates and idempotency keys ---------------------------------------------------------

def _payments(idempotency_keys: bool):
    # Writes only; the payment API takes a constant 30 ms with workers to spare (no waiting),
    # the client gives up after 20 ms and retries twice at once. Every attempt reaches the API
    # and runs there, and every one times out (20 < 30): a request is executed three times,
    # its first execution and two repeats.
    return design(
        [comp("shop", "client", rps=50, read_ratio=0, timeout_ms=20, retries=2,
              retry_backoff_ms=0, idempotency_keys=idempotency_keys),
         comp("app", "service", workers=200, service_time_ms=0),
         comp("pay", "external_service", workers=500, service_time_ms=30,
              service_distribution="constant")],
        [link("l1", "shop", "app"), link("l2", "app", "pay")])


def test_retried_writes_run_twice_without_idempotency_keys():
    # Each request: 1 + 2 executions at 'pay', the 2 repeats counted as duplicates, so
    # duplicates = 2 × requests (only the requests around the warm-up's end blur it: the
    # allowance 0.01 per request covers them) and every request fails.
    rs = runs(_payments(False), 3, duration_s=40, warmup_s=2)
    ratios = [r["components"]["pay"]["duplicate_executions"] / r["offered"] for r in rs]
    m, ci = mean_ci(ratios)
    assert abs(m - 2.0) <= (ci[1] - ci[0]) / 2 + 0.01, (m, ci)
    assert all(r["components"]["pay"]["deduplicated"] == 0 for r in rs)
    assert all(r["error_rate"] == 1.0 for r in rs)


def test_idempotency_keys_run_a_retried_write_once():
    # The same traffic with keys: the two repeats are recognised (2 × requests deduplicated)
    # and none runs again; the API still spends its time on them (3 × 30 ms per request).
    rs = runs(_payments(True), 3, duration_s=40, warmup_s=2)
    for r in rs:
        pay = r["components"]["pay"]
        assert pay["duplicate_executions"] == 0
        assert abs(pay["deduplicated"] / r["offered"] - 2.0) <= 0.01
        assert abs(pay["served"] / r["offered"] - 3.0) <= 0.02


def test_two_calls_of_one_request_on_different_paths_are_not_duplicates():
    # 'app' writes to the database and calls 'audit', which writes to it too: two executions
    # of one request over two paths of links. Retries are on (so calls are tracked) but
    # nothing fails: no duplicate, and the database serves 2 writes per request.
    d = design(
        [comp("users", "client", rps=100, read_ratio=0, retries=2),
         comp("app", "service", workers=50, service_time_ms=1),
         comp("audit", "service", workers=50, service_time_ms=1),
         comp("db", "database", workers=50, service_time_ms=1)],
        [link("l1", "users", "app"), link("l2", "app", "db"), link("l3", "app", "audit"),
         link("l4", "audit", "db")])
    r = runs(d, 1, duration_s=20, warmup_s=2)[0]
    db = r["components"]["db"]
    assert db["duplicate_executions"] == 0 and db["deduplicated"] == 0
    assert abs(db["served"] / r["offered"] - 2.0) <= 0.01
    assert r["error_rate"] == 0.0


def test_link_retries_after_a_lost_answer_duplicate_the_write():
    # The link app → db times out after 5 ms while the database takes a constant 8 ms: every
    # attempt runs and times out, and the link retries once: 1 duplicate per request.
    d = design(
        [comp("users", "client", rps=50, read_ratio=0),
         comp("app", "service", workers=100, service_time_ms=0),
         comp("db", "database", workers=100, service_time_ms=8,
              service_distribution="constant")],
        [link("l1", "users", "app"), link("l2", "app", "db", timeout_ms=5, retries=1)])
    r = runs(d, 1, duration_s=30, warmup_s=2)[0]
    assert abs(r["components"]["db"]["duplicate_executions"] / r["offered"] - 1.0) <= 0.01


# --- optional calls --------------------------------------------------------------------------

def _rec_down(at_s, duration_s):
    return [{"type": "fail", "target": "rec", "at_s": at_s, "duration_s": duration_s}]


def _shop(optional: bool, events=()):
    return design(
        [comp("users", "client", rps=100),
         comp("page", "service", workers=50, service_time_ms=2),
         comp("catalog", "database", workers=50, service_time_ms=2),
         comp("rec", "service", workers=50, service_time_ms=2, availability=0.9)],
        [link("l1", "users", "page"), link("l2", "page", "catalog"),
         link("l3", "page", "rec", optional=optional)],
        duration_s=30, warmup_s=2, events=list(events))


def test_an_optional_call_that_fails_is_no_error():
    # 'rec' is down the whole run. As an optional call, every request succeeds degraded:
    # error rate 0, degraded rate 1 (of offered). As a required call every request fails.
    r = runs(_shop(True, _rec_down(0, 100)), 1, duration_s=30, warmup_s=2)[0]
    assert r["error_rate"] == 0.0
    assert r["degraded"] == r["offered"] > 2000
    required = runs(_shop(False, _rec_down(0, 100)), 1, duration_s=30, warmup_s=2)[0]
    assert required["error_rate"] == 1.0


def test_degraded_rate_in_the_study_json_is_the_share_of_time_the_option_is_down():
    # 'rec' down from 10 s to 20 s of a 30 s run measured from 2 s: 10 / 28 of the offered
    # requests are degraded (Poisson arrivals; allowance 0.03 on the mean of 3 replications).
    js = simulate(_shop(True, _rec_down(10, 10)), replications=3, seed=5).to_json()
    assert abs(js["degraded_rate"] - 10 / 28) <= 0.03
    assert js["error_rate"] == 0.0
    assert set(js["ci95"]) >= {"degraded_rate", "duplicate_executions", "deduplicated"}
    assert js["components"]["catalog"]["degraded_rate"] is None
    assert js["components"]["page"]["duplicate_executions"] is None
    assert js["components"]["page"]["degraded_rate"] == pytest.approx(10 / 28, abs=0.03)


def test_analysis_ignores_optional_calls_and_full_service_counts_them():
    # page → catalog (required), page → rec (optional, a = 0.9), everything else a = 1: the
    # availability is 1 and the full-service availability 0.9; as a required call both are 0.9,
    # and 'rec' is then a SPOF, which it is not as an optional call.
    opt = analyze(_shop(True))
    assert opt.availability == 1.0
    assert opt.full_service_availability == pytest.approx(0.9, abs=1e-12)
    assert "rec" not in opt.spofs
    req = analyze(_shop(False))
    assert req.availability == pytest.approx(0.9, abs=1e-12)
    assert req.full_service_availability == req.availability
    assert "rec" in req.spofs
    assert opt.to_json()["full_service_availability"] == pytest.approx(0.9, abs=1e-12)


# --- the retry budget and jitter -------------------------------------------------------------

def _storm(**client_params):
    # The database is down the whole run and every attempt fails at once: each request takes
    # all its retries unless the budget stops them.
    return design(
        [comp("users", "client", rps=200, retries=3, retry_backoff_ms=0, **client_params),
         comp("db", "database", workers=50, service_time_ms=1)],
        [link("l1", "users", "db")],
        events=[{"type": "fail", "target": "db", "at_s": 0, "duration_s": 1000}])


def _amplification(r):
    return r["links"]["l1"]["attempts"] / r["offered"]


@pytest.mark.parametrize("budget", [0.1, 0.5])
def test_retry_budget_caps_the_amplification(budget):
    # Bound: a retry is sent only while retries + 1 ≤ b × first tries over the last 10 s, so
    # once the budget binds, the retries of every trailing window stay at b × its first tries:
    # attempts per request → 1 + b (here it binds at once: every attempt fails). Without a
    # budget every request makes 1 + 3 attempts. Allowance 0.02 over 100 measured seconds
    # (the first window's edge and Poisson noise).
    rs = runs(_storm(retry_budget=budget), 3, duration_s=110, warmup_s=BUDGET_WINDOW_S)
    m, ci = mean_ci([_amplification(r) for r in rs])
    assert abs(m - (1 + budget)) <= (ci[1] - ci[0]) / 2 + 0.02, (m, ci)
    free = runs(_storm(), 1, duration_s=20, warmup_s=2)[0]
    assert _amplification(free) == pytest.approx(4.0, abs=0.01)


def test_link_retry_budget_caps_the_link_attempts():
    d = design(
        [comp("users", "client", rps=200),
         comp("app", "service", workers=50, service_time_ms=0),
         comp("db", "database", workers=50, service_time_ms=1)],
        [link("l1", "users", "app"), link("l2", "app", "db", retries=4, retry_budget=0.2)],
        events=[{"type": "fail", "target": "db", "at_s": 0, "duration_s": 1000}])
    rs = runs(d, 3, duration_s=110, warmup_s=BUDGET_WINDOW_S)
    m, ci = mean_ci([r["links"]["l2"]["attempts"] / r["offered"] for r in rs])
    assert abs(m - 1.2) <= (ci[1] - ci[0]) / 2 + 0.02, (m, ci)


def test_full_jitter_waits_are_uniform_up_to_the_backoff():
    # Wait m is uniform on [0, backoff · 2^m]: mean backoff · 2^(m−1), variance
    # (backoff · 2^m)² / 12. 20,000 draws: the mean within 4 standard errors.
    pol = RetryPolicy(0.1, "full", None, replication_seed(1, 0), "c")
    for m in (0, 2):
        cap = 0.1 * 2 ** m
        xs = [pol.wait(m) for _ in range(20_000)]
        assert 0.0 <= min(xs) and max(xs) <= cap
        se = cap / math.sqrt(12 * len(xs))
        assert abs(sum(xs) / len(xs) - cap / 2) <= 4 * se
    plain = RetryPolicy(0.1, "none", None, replication_seed(1, 0), "c")
    assert [plain.wait(m) for m in range(3)] == [0.1, 0.2, 0.4]


def test_the_text_report_gives_the_full_service_availability_when_it_differs():
    from simcore.analysis.report import render

    assert "Full service      90% (requests served with every optional call" in render(
        analyze(_shop(True)))
    assert "Full service" not in render(analyze(_shop(False)))


def _orders(idempotency_keys: bool):
    # The consumer writes each message to the database (a constant 8 ms), but its link gives
    # up after 5 ms: every delivery writes and then fails, so the queue delivers each copy
    # max_deliveries = 3 times before dead-lettering it: 2 repeats per message.
    return design(
        [comp("shop", "client", rps=20, read_ratio=0, idempotency_keys=idempotency_keys),
         comp("orders", "message_queue", workers=100, service_time_ms=0, max_deliveries=3),
         comp("worker", "service", workers=50, service_time_ms=0),
         comp("db", "database", workers=100, service_time_ms=8,
              service_distribution="constant")],
        [link("l1", "shop", "orders"), link("l2", "orders", "worker"),
         link("l3", "worker", "db", timeout_ms=5)])


def test_a_redelivered_message_writes_again_unless_it_carries_a_key():
    plain = runs(_orders(False), 1, duration_s=30, warmup_s=2)[0]
    db = plain["components"]["db"]
    assert abs(db["duplicate_executions"] / plain["offered"] - 2.0) <= 0.03
    assert plain["components"]["orders"]["dead_lettered"] > 0
    keyed = runs(_orders(True), 1, duration_s=30, warmup_s=2)[0]
    db = keyed["components"]["db"]
    assert db["duplicate_executions"] == 0
    assert abs(db["deduplicated"] / keyed["offered"] - 2.0) <= 0.03
