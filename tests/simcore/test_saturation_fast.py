"""The fast saturation search (many scales per vectorised pass, SPEC §3) against a plain bisection
written here on the scalar model, on random designs: blocking service chains, caches, sharded
and replicated databases, queues with pooled consumers, rate limits. The vectorised model itself
is checked against the scalar one, node by node, at random scales."""

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcore.analysis.flow import compile_plan, run_flow
from simcore.analysis.latency import run_times
from simcore.analysis.saturation import find_saturation, utilizations
from simcore.analysis.sweep import LoadSweep
from simcore.io import loads
from simcore.topology import compile_design

TOL = 1e-6


def random_design(seed: int, limits: bool) -> str:
    """A layered random design: clients → (gateway / limiter / balancer) → layers of services
    (mostly blocking, some chained three deep) → caches, databases, queues with consumers."""
    rng = np.random.default_rng(seed)
    comps, links = [], []

    def add(cid, kind, **params):
        comps.append({"id": cid, "kind": kind, "params": params})

    def link(s, t, **params):
        links.append({"id": f"{s}>{t}", "source": s, "target": t, "params": params})

    for c in range(int(rng.integers(1, 3))):
        add(f"c{c}", "client", rps=float(rng.uniform(10, 400)),
            read_ratio=float(rng.choice([0.5, 0.8, 1.0])),
            request_kb=float(rng.choice([0.0, 2.0, 50.0])))
    add("edge", "rate_limiter" if limits and rng.random() < 0.5 else "load_balancer",
        **({"limit_rps": float(rng.uniform(50, 2000))} if limits else {}))
    if comps[-1]["kind"] == "load_balancer":
        comps[-1]["params"] = {}
    for c in [x["id"] for x in comps if x["kind"] == "client"]:
        link(c, "edge")
    # Leaves: databases and caches in front of some of them.
    leaves = []
    for d in range(int(rng.integers(1, 4))):
        add(f"db{d}", "database", workers=int(rng.integers(1, 40)),
            service_time_ms=float(rng.uniform(0.5, 8)), replicas=int(rng.integers(0, 3)),
            shards=int(rng.integers(1, 4)), shard_skew=float(rng.choice([0.0, 0.0, 1.2])),
            replication=str(rng.choice(["async", "sync"])),
            replication_lag_ms=float(rng.choice([0.0, 3.0])))
        leaves.append(f"db{d}")
        if rng.random() < 0.5:
            add(f"cache{d}", "cache", workers=int(rng.integers(1, 16)),
                service_time_ms=float(rng.uniform(0.05, 1)), hit_ratio=float(rng.uniform(0, 1)))
            link(f"cache{d}", f"db{d}", latency_ms=float(rng.uniform(0, 2)))
            leaves.append(f"cache{d}")
    if rng.random() < 0.5:
        add("mq", "message_queue", workers=int(rng.integers(4, 64)))
        add("consumer", "service", workers=int(rng.integers(1, 8)),
            instances=int(rng.integers(1, 4)), service_time_ms=float(rng.uniform(1, 20)))
        link("mq", "consumer")
        link("consumer", str(rng.choice(leaves)))
        leaves.append("mq")
    # Services, each calling lower ones (a chain of blocking services) or leaves.
    below = list(leaves)
    entry = []
    for j in range(int(rng.integers(2, 7))):
        sid = f"s{j}"
        add(sid, "service", workers=int(rng.integers(1, 60)),
            instances=int(rng.integers(1, 3)), service_time_ms=float(rng.uniform(0.5, 15)),
            blocking=bool(rng.random() < 0.8))
        for t in rng.choice(below, size=min(len(below), int(rng.integers(1, 3))), replace=False):
            params = {"probability": float(rng.choice([1.0, 0.5, 0.2])),
                      "latency_ms": float(rng.uniform(0, 3))}
            if rng.random() < 0.2:
                params["bandwidth_mbps"] = 100.0
            if t == "mq":
                params["mode"] = "async"
            link(sid, str(t), **params)
        below.append(sid)
        entry.append(sid)
    for sid in entry[-2:]:
        link("edge", sid)
    if limits and rng.random() < 0.5:
        add("gw", "api_gateway", rate_limit_rps=float(rng.uniform(20, 500)))
        link("c0", "gw")
        link("gw", entry[-1])
    return json.dumps({"schema_version": 1, "components": comps, "links": links})


def reference(plan):
    """Plain bisection on the scalar model: the smallest k ≤ 1e6 with max ρ(k) ≥ 1, to 1e-9
    relative, and the highest ρ at k · (1 − 1e-6), ties (1e-9 relative) to the smallest id."""
    def rho(k):
        return utilizations(plan, k)

    def top(util):
        rows = [(u, plan.nodes[i].id) for i, u in enumerate(util) if not plan.nodes[i].is_client]
        best = max(u for u, _ in rows)
        if not best > 0:
            return None
        floor = best if math.isinf(best) else best * (1 - 1e-9)
        return min(cid for u, cid in rows if u >= floor)

    if max(rho(1e6)) < 1.0:
        return None, top(rho(1.0))
    hi = 1e6
    lo = hi / 2
    while max(rho(lo)) >= 1.0:
        hi, lo = lo, lo / 2
    while hi - lo > 1e-9 * lo:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if max(rho(mid)) >= 1.0 else (mid, hi)
    k = 0.5 * (lo + hi)
    return k, top(rho(k * (1 - 1e-6)))


def check_against_reference(text: str) -> None:
    plan = compile_plan(compile_design(loads(text)))
    now = run_times(plan, run_flow(plan, 1.0)).utilization
    want_k, want_b = reference(plan)
    for method in ("vector", "auto", "bisect"):
        got = find_saturation(plan, now, method=method)
        if want_k is None:
            assert got.factor is None, method
        else:
            assert got.factor == pytest.approx(want_k, rel=TOL), method
            assert got.rps == pytest.approx(want_k * plan.offered_rps, rel=TOL)
        if got.bottleneck != want_b:
            # Only a near tie at the reading point may differ (the two factors differ < 1e-6).
            k = (want_k or 1.0) * (1 - 1e-6) if want_k else 1.0
            util = utilizations(plan, k)
            a, b = util[plan.index[got.bottleneck]], util[plan.index[want_b]]
            assert a == pytest.approx(b, rel=1e-5), (method, got.bottleneck, want_b)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_fast_search_matches_plain_bisection_with_blocking_chains(seed):
    check_against_reference(random_design(seed, limits=False))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_fast_search_matches_plain_bisection_with_rate_limits(seed):
    check_against_reference(random_design(seed, limits=True))


def assert_sweep_equals_scalar(plan, ks) -> None:
    """The vectorised utilizations at every scale of ``ks`` equal the scalar model's, node by
    node, to 1e-9 (an infinite one infinite too)."""
    got = LoadSweep(plan).utilization(ks)
    for j, k in enumerate(ks):
        want = utilizations(plan, float(k))
        for i, w in enumerate(want):
            if math.isinf(w):
                assert math.isinf(got[i, j])
            else:
                assert got[i, j] == pytest.approx(w, rel=1e-9, abs=1e-300)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_vectorised_model_equals_scalar_model_node_by_node(seed, limits):
    plan = compile_plan(compile_design(loads(random_design(seed, limits))))
    ks = np.geomspace(1e-3, 1e4, 23)
    assert_sweep_equals_scalar(plan, ks)


def generated(n: int) -> str:
    """The benchmark's shape: shared databases and caches, chains of blocking services."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from analysis_bench import generate

    return generate(n)


def test_vectorised_model_equals_scalar_model_on_a_large_design():
    # Many stations per level: the Erlang recursion is stepped rather than unrolled here.
    plan = compile_plan(compile_design(loads(generated(200))))
    ks = np.array([1.0, 100.0, 227.0, 227.3, 300.0])
    assert_sweep_equals_scalar(plan, ks)


def test_large_generated_design_agrees_with_plain_bisection():
    plan = compile_plan(compile_design(loads(generated(200))))
    now = run_times(plan, run_flow(plan, 1.0)).utilization
    fast = find_saturation(plan, now)
    slow = find_saturation(plan, now, method="bisect")
    assert fast.factor == pytest.approx(slow.factor, rel=TOL)
    assert fast.bottleneck == slow.bottleneck
    # The factor brackets the crossing in the scalar model itself.
    assert max(utilizations(plan, fast.factor * (1 - 1e-7))) < 1.0
    assert max(utilizations(plan, fast.factor * (1 + 1e-7))) >= 1.0


def test_unknown_method_is_refused():
    plan = compile_plan(compile_design(loads(random_design(1, False))))
    with pytest.raises(ValueError, match="unknown saturation search method"):
        find_saturation(plan, [0.0] * len(plan.nodes), method="newton")


def test_bottleneck_outside_the_narrowed_search_is_still_found():
    # A blocking app whose database nears saturation crosses ρ = 1 steeply at k*; an unrelated
    # non-blocking service, fed by a second client, saturates linearly just after (k* · 1.000001).
    # The search narrows to the app's side, yet at k* · (1 − 1e-6) the other service is busier:
    # it is the bottleneck (SPEC §3), as the plain bisection says too.
    def text(y_ms=None):
        comps = [{"id": "c1", "kind": "client", "params": {"rps": 100}},
                 {"id": "app", "kind": "service", "params": {"workers": 40, "service_time_ms": 1}},
                 {"id": "db", "kind": "database", "params": {"workers": 2, "service_time_ms": 4}}]
        links = [{"id": "l1", "source": "c1", "target": "app"},
                 {"id": "l2", "source": "app", "target": "db"}]
        if y_ms is not None:
            comps += [{"id": "c2", "kind": "client", "params": {"rps": 100}},
                      {"id": "y", "kind": "service",
                       "params": {"workers": 10, "service_time_ms": y_ms, "blocking": False}}]
            links.append({"id": "l3", "source": "c2", "target": "y"})
        return json.dumps({"schema_version": 1, "components": comps, "links": links})

    k_app, b_app = reference(compile_plan(compile_design(loads(text()))))
    assert b_app == "app"
    y_ms = 10 / (100 * k_app * (1 + 1e-6)) * 1000  # y saturates at k_app · (1 + 1e-6)
    plan = compile_plan(compile_design(loads(text(y_ms))))
    want_k, want_b = reference(plan)
    assert want_b == "y" and want_k == pytest.approx(k_app, rel=1e-9)
    now = run_times(plan, run_flow(plan, 1.0)).utilization
    got = find_saturation(plan, now, method="vector")
    assert got.factor == pytest.approx(want_k, rel=TOL)
    assert got.bottleneck == "y"
