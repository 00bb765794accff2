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

    .venv/bin/python benchmarks/sim_bench.py              # ~1 minute
    .venv/bin/python benchmarks/sim_bench.py --duration 60 --reps 5
    .venv/bin/python benchmarks/sim_bench.py --engine-only --duration 60   # for profiling

Both models are also compared on their mean and p99 latency: the two must agree within their
noise, otherwise they would not be simulating the same network.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import simpy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simcore import SCHEMA_VERSION  # noqa: E402
from simcore.design import Component, Design, Link, Scenario  # noqa: E402
from simcore.engine.replication import run_replication  # noqa: E402

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
    rng = np.random.default_rng(seed)
    exp = rng.exponential
    rand = rng.random
    env = simpy.Environment()
    lb = simpy.Resource(env, capacity=LB_WORKERS)
    apps = [simpy.Resource(env, capacity=APP_WORKERS) for _ in range(APP_INSTANCES)]
    cache = simpy.Resource(env, capacity=CACHE_WORKERS)
    db = simpy.Resource(env, capacity=DB_WORKERS)
    lat_s = latency_ms / 1000.0
    lb_s, app_s, cache_s, db_s = LB_MS / 1e3, APP_MS / 1e3, CACHE_MS / 1e3, DB_MS / 1e3
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
            yield env.timeout(exp(lb_s))
        app = apps[rr[0] % APP_INSTANCES]
        rr[0] += 1
        if lat_s:
            yield hop()
        with app.request() as r:  # a blocking server: the worker waits for its calls
            yield r
            yield env.timeout(exp(app_s))
            if lat_s:
                yield hop()
            with cache.request() as c:
                yield c
                yield env.timeout(exp(cache_s))
            hit = rand() < HIT_RATIO
            if not hit:
                if lat_s:
                    yield hop()
                with db.request() as d:
                    yield d
                    yield env.timeout(exp(db_s))
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
            yield env.timeout(exp(1.0 / RPS))
            env.process(request(env))

    env.process(source(env))
    t0 = time.perf_counter()
    env.run(until=duration_s)
    lat = np.asarray(latencies) * 1000.0
    wall = time.perf_counter() - t0
    total = len(latencies) * duration_s / (duration_s - warmup_s)
    return {"wall_s": wall, "requests": total, "rps_wall": total / wall,
            "mean_ms": float(lat.mean()), "p99_ms": float(np.percentile(lat, 99))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=20.0, help="simulated seconds per run")
    ap.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds (discarded)")
    ap.add_argument("--reps", type=int, default=3, help="runs of each model (median reported)")
    ap.add_argument("--latency-ms", type=float, default=0.0,
                    help="one-way latency on every link (0: a pure queueing network)")
    ap.add_argument("--engine-only", action="store_true", help="skip the SimPy model")
    a = ap.parse_args(argv)

    print(f"reference web tier at {RPS:.0f} rps, {a.duration:g} s simulated per run, "
          f"link latency {a.latency_ms:g} ms, {a.reps} runs each")
    eng, ref = [], []
    for i in range(a.reps):
        e = run_engine(a.duration, a.warmup, 1 + i, a.latency_ms)
        eng.append(e)
        print(f"  engine  run {i + 1}: {e['requests']:8.0f} requests in {e['wall_s']:6.2f} s "
              f"= {e['rps_wall']:8.0f} req/s   mean {e['mean_ms']:.2f} ms  "
              f"p99 {e['p99_ms']:.2f} ms", flush=True)
        if not a.engine_only:
            r = run_simpy(a.duration, a.warmup, 1 + i, a.latency_ms)
            ref.append(r)
            print(f"  simpy   run {i + 1}: {r['requests']:8.0f} requests in {r['wall_s']:6.2f} s "
                  f"= {r['rps_wall']:8.0f} req/s   mean {r['mean_ms']:.2f} ms  "
                  f"p99 {r['p99_ms']:.2f} ms", flush=True)
    e_med = statistics.median(x["rps_wall"] for x in eng)
    print(f"engine (percentiles + time series): {e_med:10.0f} simulated requests / wall s")
    if ref:
        r_med = statistics.median(x["rps_wall"] for x in ref)
        print(f"idiomatic SimPy                   : {r_med:10.0f} simulated requests / wall s")
        print(f"ratio engine / idiomatic SimPy    : {e_med / r_med:10.2f}x")
        em = statistics.mean(x["mean_ms"] for x in eng)
        rm = statistics.mean(x["mean_ms"] for x in ref)
        print(f"mean latency (check): engine {em:.3f} ms, SimPy {rm:.3f} ms "
              f"({100 * (em - rm) / rm:+.1f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
