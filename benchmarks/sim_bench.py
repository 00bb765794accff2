"""Speed of the traffic simulation: simulated requests per wall-clock second.

The reference network is a small web tier, built in code as a design::

    Poisson clients → load balancer → app (4 instances × 4 workers, blocking)
                    → cache (80 % hits) → database (2 workers)

with exponential service times everywhere. The same network is also written as idiomatic SimPy
(a process per request, one ``simpy.Resource`` per station, the response times kept in a list)
and both are run in the same process, alternately, several times; the figure reported is the
median of each, and their ratio. Our engine collects its usual results on top (latency
histogram and percentiles, per-component counters, one row of time series per simulated
second); the SimPy model only keeps the response times.

Run from the repository root::

    .venv/bin/python benchmarks/sim_bench.py              # about 20 s
    .venv/bin/python benchmarks/sim_bench.py --lean       # and a hand-written lean model
    .venv/bin/python benchmarks/sim_bench.py --duration 60 --reps 5
    .venv/bin/python benchmarks/sim_bench.py --engine-only --duration 60   # for profiling

Both models are also compared on their mean and p99 latency: the two must agree within their
noise (``agreement``: 3 standard errors of the difference between the runs' means, plus 1 %),
otherwise they would not be simulating the same network and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import deque

import numpy as np
import simpy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simcore import SCHEMA_VERSION
from simcore.design import Component, Design, Link, Scenario
from simcore.engine.replication import run_replication

# The reference network (times in ms, rates per s).
RPS = 2000.0
LB_WORKERS, LB_MS = 2, 0.2
APP_INSTANCES, APP_WORKERS, APP_MS = 4, 4, 4.0
CACHE_WORKERS, CACHE_MS, HIT_RATIO = 2, 0.5, 0.8
DB_WORKERS, DB_MS = 2, 3.0


def reference_design(duration_s: float, warmup_s: float, latency_ms: float = 0.0) -> Design:
    """The reference web tier as a design (what a user would draw)."""
    def comp(cid, kind, **params):
        return Component(id=cid, kind=kind, params=params)

    def link(lid, src, dst):
        return Link(id=lid, source=src, target=dst,
                    params={"latency_ms": latency_ms} if latency_ms else {})

    return Design(
        schema_version=SCHEMA_VERSION,
        name="Benchmark web tier",
        components=[
            comp("users", "client", rps=RPS, read_ratio=1.0),
            comp("lb", "load_balancer", workers=LB_WORKERS, service_time_ms=LB_MS),
            comp("app", "service", instances=APP_INSTANCES, workers=APP_WORKERS,
                 service_time_ms=APP_MS),
            comp("cache", "cache", workers=CACHE_WORKERS, service_time_ms=CACHE_MS,
                 hit_ratio=HIT_RATIO),
            comp("db", "database", workers=DB_WORKERS, service_time_ms=DB_MS),
        ],
        links=[link("l1", "users", "lb"), link("l2", "lb", "app"),
               link("l3", "app", "cache"), link("l4", "cache", "db")],
        scenario=Scenario(duration_s=duration_s, warmup_s=warmup_s, seed=1, replications=1),
    )


def run_engine(duration_s: float, warmup_s: float, seed: int, latency_ms: float) -> dict:
    design = reference_design(duration_s, warmup_s, latency_ms)
    rows = []
    t0 = time.perf_counter()
    res = run_replication(design, seed=seed, on_second=rows.append)
    wall = time.perf_counter() - t0
    done = res["succeeded"] + res["failed"] + res["rejected"]
    total = done * duration_s / max(1e-9, res["measured_s"])  # warm-up requests included
    return {"wall_s": wall, "requests": total, "rps_wall": total / wall,
            "mean_ms": res["latency_ms"]["mean"], "p99_ms": res["latency_ms"]["p99"],
            "rows": len(rows)}


def run_simpy(duration_s: float, warmup_s: float, seed: int, latency_ms: float) -> dict:
    """Idiomatic SimPy: one process per request, one Resource per station."""
    rng = random.Random(seed)  # the standard library's, as SimPy's own examples use
    exp = rng.expovariate  # takes a rate (1 / mean)
    rand = rng.random
    env = simpy.Environment()
    lb = simpy.Resource(env, capacity=LB_WORKERS)
    apps = [simpy.Resource(env, capacity=APP_WORKERS) for _ in range(APP_INSTANCES)]
    cache = simpy.Resource(env, capacity=CACHE_WORKERS)
    db = simpy.Resource(env, capacity=DB_WORKERS)
    lat_s = latency_ms / 1000.0
    lb_r, app_r, cache_r, db_r = 1e3 / LB_MS, 1e3 / APP_MS, 1e3 / CACHE_MS, 1e3 / DB_MS
    latencies: list[float] = []
    rr = [0]

    def hop():
        return env.timeout(lat_s)

    def request(env):
        t0 = env.now
        if lat_s:
            yield hop()
        with lb.request() as r:
            yield r
            yield env.timeout(exp(lb_r))
        app = apps[rr[0] % APP_INSTANCES]
        rr[0] += 1
        if lat_s:
            yield hop()
        with app.request() as r:  # a blocking server: the worker waits for its calls
            yield r
            yield env.timeout(exp(app_r))
            if lat_s:
                yield hop()
            with cache.request() as c:
                yield c
                yield env.timeout(exp(cache_r))
            hit = rand() < HIT_RATIO
            if not hit:
                if lat_s:
                    yield hop()
                with db.request() as d:
                    yield d
                    yield env.timeout(exp(db_r))
                if lat_s:
                    yield hop()
            if lat_s:
                yield hop()
        if lat_s:
            yield hop()
            yield hop()
        if t0 >= warmup_s:
            latencies.append(env.now - t0)

    def source(env):
        while True:
            yield env.timeout(exp(RPS))
            env.process(request(env))

    env.process(source(env))
    t0 = time.perf_counter()
    env.run(until=duration_s)
    lat = np.asarray(latencies) * 1000.0
    wall = time.perf_counter() - t0
    total = len(latencies) * duration_s / (duration_s - warmup_s)
    return {"wall_s": wall, "requests": total, "rps_wall": total / wall,
            "mean_ms": float(lat.mean()), "p99_ms": float(np.percentile(lat, 99))}


class _Ev:
    """A bare SimPy event for the lean model (what ``Environment.step`` reads)."""

    __slots__ = ("_ok", "callbacks", "v")


def run_lean(duration_s: float, warmup_s: float, seed: int, latency_ms: float) -> dict:
    """The same network hand-written in the lean SimPy style, for reference: no process per
    request, bare events with one callback each, a request as a small list, stations as
    [busy, workers, queue], random numbers drawn in batches; it keeps only response times.
    This is a bound for what a general engine can reach on SimPy, not a competitor."""
    from heapq import heappush

    from simpy.events import NORMAL

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    heap, eid = env._queue, env._eid
    lat_s = latency_ms / 1000.0

    def after(d, fn, v):
        ev = _Ev()
        ev.callbacks = (fn,)
        ev._ok = True
        ev.v = v
        heappush(heap, (env._now + d, NORMAL, next(eid), ev))

    def exps(scale):
        buf = []

        def draw():
            nonlocal buf
            if not buf:
                buf = rng.exponential(scale, 4096).tolist()
            return buf.pop()
        return draw

    gap = exps(1.0 / RPS)
    s_lb, s_app = exps(LB_MS / 1e3), exps(APP_MS / 1e3)
    s_cache, s_db = exps(CACHE_MS / 1e3), exps(DB_MS / 1e3)
    ubuf: list[float] = []

    def uniform():
        nonlocal ubuf
        if not ubuf:
            ubuf = rng.random(4096).tolist()
        return ubuf.pop()

    lb = [0, LB_WORKERS, deque()]
    apps = [[0, APP_WORKERS, deque()] for _ in range(APP_INSTANCES)]
    cache = [0, CACHE_WORKERS, deque()]
    db = [0, DB_WORKERS, deque()]
    latencies: list[float] = []
    rr = [0]

    def enter(st, req, fn, svc):
        if st[0] < st[1]:
            st[0] += 1
            after(svc(), fn, req)
        else:
            st[2].append(req)

    def leave(st, fn, svc):
        if st[2]:
            after(svc(), fn, st[2].popleft())
        else:
            st[0] -= 1

    def hop(fn, req):  # a link crossing (none when the latency is 0)
        if lat_s:
            after(lat_s, fn, req)
        else:
            fn(_Hop(req))

    def arrival(ev):
        after(gap(), arrival, None)
        hop(at_lb, [env._now, None])

    def at_lb(ev):
        enter(lb, ev.v, lb_done, s_lb)

    def lb_done(ev):
        leave(lb, lb_done, s_lb)
        req = ev.v
        req[1] = apps[rr[0] % APP_INSTANCES]
        rr[0] += 1
        hop(at_app, req)

    def at_app(ev):
        enter(ev.v[1], ev.v, app_done, s_app)

    def app_done(ev):  # blocking: the worker is held until the answer is back
        hop(at_cache, ev.v)

    def at_cache(ev):
        enter(cache, ev.v, cache_done, s_cache)

    def cache_done(ev):
        leave(cache, cache_done, s_cache)
        if uniform() < HIT_RATIO:
            hop(back_at_app, ev.v)
        else:
            hop(at_db, ev.v)

    def at_db(ev):
        enter(db, ev.v, db_done, s_db)

    def db_done(ev):
        leave(db, db_done, s_db)
        hop(back_at_cache, ev.v)

    def back_at_cache(ev):
        hop(back_at_app, ev.v)

    def back_at_app(ev):
        leave(ev.v[1], app_done, s_app)
        hop(back_at_lb, ev.v)

    def back_at_lb(ev):
        hop(back_at_client, ev.v)

    def back_at_client(ev):
        t0 = ev.v[0]
        if t0 >= warmup_s:
            latencies.append(env._now - t0)

    after(gap(), arrival, None)
    t0 = time.perf_counter()
    env.run(until=duration_s)
    lat = np.asarray(latencies) * 1000.0
    wall = time.perf_counter() - t0
    total = len(latencies) * duration_s / (duration_s - warmup_s)
    return {"wall_s": wall, "requests": total, "rps_wall": total / wall,
            "mean_ms": float(lat.mean()), "p99_ms": float(np.percentile(lat, 99))}


class _Hop:
    """Stands for the event of a zero-latency crossing (the callback reads only ``v``)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=20.0, help="simulated seconds per run")
    ap.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds (discarded)")
    ap.add_argument("--reps", type=int, default=5, help="runs of each model (median reported)")
    ap.add_argument("--latency-ms", type=float, default=0.0,
                    help="one-way latency on every link (0: a pure queueing network)")
    ap.add_argument("--lean", action="store_true",
                    help="also run the same network hand-written in the lean SimPy style")
    ap.add_argument("--engine-only", action="store_true", help="run only our engine")
    a = ap.parse_args(argv)

    models = [("engine", run_engine)]
    if not a.engine_only:
        models.append(("simpy", run_simpy))
        if a.lean:
            models.append(("lean", run_lean))
    print(f"reference web tier at {RPS:.0f} rps, {a.duration:g} s simulated per run, "
          f"link latency {a.latency_ms:g} ms, {a.reps} runs of each model, alternating")
    res: dict[str, list[dict]] = {name: [] for name, _f in models}
    for i in range(a.reps):
        for name, fn in models:  # alternate, so that a busy spell hits every model alike
            c0 = time.process_time()
            r = fn(a.duration, a.warmup, 1 + i, a.latency_ms)
            r["cpu_s"] = time.process_time() - c0
            res[name].append(r)
            print(f"  {name:6s} run {i + 1}: {r['requests']:8.0f} requests in {r['wall_s']:6.2f} s "
                  f"= {r['rps_wall']:8.0f} req/s   mean {r['mean_ms']:6.2f} ms  "
                  f"p99 {r['p99_ms']:6.2f} ms", flush=True)
    med = {name: statistics.median(x["rps_wall"] for x in rs) for name, rs in res.items()}
    labels = {"engine": "engine (percentiles + time series)", "simpy": "idiomatic SimPy",
              "lean": "lean SimPy, hand-written"}
    for name in res:
        print(f"{labels[name]:36s}: {med[name]:9.0f} simulated requests / wall s")
    if "simpy" in res:
        pairs = [e["rps_wall"] / s["rps_wall"] for e, s in zip(res["engine"], res["simpy"])]
        cpu = [(e["requests"] / e["cpu_s"]) / (s["requests"] / s["cpu_s"])
               for e, s in zip(res["engine"], res["simpy"])]
        print(f"ratio engine / idiomatic SimPy       : {med['engine'] / med['simpy']:9.2f}x  "
              f"(median of run pairs {statistics.median(pairs):.2f}x, "
              f"CPU time {statistics.median(cpu):.2f}x)")
        if "lean" in res:
            print(f"ratio lean / idiomatic SimPy         : {med['lean'] / med['simpy']:9.2f}x")
        agree = True
        for key, what in (("mean_ms", "mean latency"), ("p99_ms", "p99 latency")):
            ok, text = agreement(res["engine"], res["simpy"], key)
            agree = agree and ok
            print(f"{what + ' (same network?)':37s}: {text}")
        if not agree:
            print("the engine and idiomatic SimPy disagree: they do not simulate the same "
                  "network", file=sys.stderr)
            return 1
    return 0


AGREE_SE = 3.0
"""Standard errors of the difference within which two models' figures agree."""
AGREE_REL = 0.01
"""Allowance on top, as a share of the figure: the engine's percentiles come from histogram
bins ±0.5 % wide, and both models start empty."""


def agreement(a_runs: list[dict], b_runs: list[dict], key: str) -> tuple[bool, str]:
    """Whether the mean of ``key`` over ``a_runs`` agrees with that over ``b_runs``: their
    difference within AGREE_SE standard errors of it (from the spread between runs, each run
    an independent seed) plus AGREE_REL of the figure. Needs two runs of each."""
    a = [r[key] for r in a_runs]
    b = [r[key] for r in b_runs]
    ma, mb = statistics.mean(a), statistics.mean(b)
    text = f"engine {ma:.3f} ms, SimPy {mb:.3f} ms ({100 * (ma - mb) / mb:+.1f} %)"
    if min(len(a), len(b)) < 2:
        return True, text + ", not judged (one run of each: no estimate of the noise)"
    se = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
    allowed = AGREE_SE * se + AGREE_REL * mb
    ok = abs(ma - mb) <= allowed
    return ok, text + f", {'agree' if ok else 'DISAGREE'} (allowed ±{allowed:.3f} ms)"


if __name__ == "__main__":
    raise SystemExit(main())
