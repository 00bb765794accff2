"""Speed of the traffic simulation: simulated requests per wall-clock second.

Two reference networks, each built in code as a design (what a user would draw)::

    Poisson clients → load balancer → app (4 instances × 4 workers)
                    → cache (80 % hits) → database (2 workers)

- ``blocking``: 2,000 rps, a blocking app at 4 ms, no link latency (a pure queueing network);
- ``latency``: 100 rps, a non-blocking app at 100 ms, a database at 20 ms, and latency on every
  link (users→lb 5 ms, lb→app 0.5 ms, app→cache 0.5 ms, cache→db 1 ms),

with exponential service times everywhere. The cache, given only its hit ratio, is what the
engine makes of it: an LRU over the clients' keys (100,000 keys, Zipf exponent 1), sized by
Che's approximation for 80 % hits. Each network is also written as idiomatic SimPy (a
process per request, one ``simpy.Resource`` per station, each link's round trip as one
``timeout(2 × latency)``, the same LRU cache as an OrderedDict, the response times kept in a
list), and both are run in the same
process, alternately, several times; the figure reported is the median of each, and their
ratio. Our engine collects its usual results on top (latency histogram and percentiles,
per-component counters, one row of time series per simulated second); the SimPy model only
keeps the response times.

Run from the repository root::

    .venv/bin/python benchmarks/sim_bench.py              # both networks, about 30 s
    .venv/bin/python benchmarks/sim_bench.py --network latency
    .venv/bin/python benchmarks/sim_bench.py --lean       # and a hand-written lean model
    .venv/bin/python benchmarks/sim_bench.py --requests 200000 --reps 5
    .venv/bin/python benchmarks/sim_bench.py --engine-only --network latency   # for profiling

Both models are also compared on their mean latency: the two must agree within their noise
(the run exits 1 otherwise), or they would not be simulating the same network.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

import numpy as np
import simpy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simcore import SCHEMA_VERSION
from simcore.analysis.che import CacheTraffic
from simcore.design import Component, Design, Link, Scenario
from simcore.engine.keys import zipf_keys
from simcore.engine.replication import run_replication


@dataclass(frozen=True)
class Network:
    """A reference web tier (times in ms, rates per s). ``links_ms`` are the one-way latencies
    of users→lb, lb→app, app→cache and cache→db."""

    rps: float
    app_ms: float
    app_blocking: bool
    db_ms: float
    links_ms: tuple[float, float, float, float]
    lb_workers: int = 2
    lb_ms: float = 0.2
    app_instances: int = 4
    app_workers: int = 4
    cache_workers: int = 2
    cache_ms: float = 0.5
    hit_ratio: float = 0.8
    db_workers: int = 2


NETWORKS = {
    "blocking": Network(rps=2000.0, app_ms=4.0, app_blocking=True, db_ms=3.0,
                        links_ms=(0.0, 0.0, 0.0, 0.0)),
    "latency": Network(rps=100.0, app_ms=100.0, app_blocking=False, db_ms=20.0,
                       links_ms=(5.0, 0.5, 0.5, 1.0)),
}


KEY_SPACE = 100_000
"""The clients' keys (a client's default: 100,000 keys, Zipf exponent 1)."""


class LruCache:
    """The reference cache as the engine runs a cache given only its hit ratio: an LRU over
    the clients' Zipf keys, of the size Che's approximation gives for that hit ratio; a miss
    fills its key at once. It starts in its steady state (after ten times its size of reads)."""

    def __init__(self, hit_ratio: float, seed: int):
        law = [(1.0, KEY_SPACE, 1.0)]
        self.capacity = CacheTraffic(1.0, 0.0, law, [], "around", None).keys_for(hit_ratio)
        self.rng = np.random.default_rng(seed)
        self.keys: list[int] = []
        self.lru: OrderedDict = OrderedDict()
        for _ in range(10 * self.capacity):
            self.hit()

    def hit(self) -> bool:
        """A read: whether its key is held (it is from now on, the least recent one out)."""
        if not self.keys:
            self.keys = zipf_keys(self.rng, KEY_SPACE, 1.0, 4096).tolist()
        key = self.keys.pop()
        lru = self.lru
        if key in lru:
            lru.move_to_end(key)
            return True
        lru[key] = None
        if len(lru) > self.capacity:
            lru.popitem(last=False)
        return False


def reference_design(net: Network, duration_s: float, warmup_s: float) -> Design:
    """The reference web tier as a design (what a user would draw)."""
    def comp(cid, kind, **params):
        return Component(id=cid, kind=kind, params=params)

    def link(lid, src, dst, latency_ms):
        return Link(id=lid, source=src, target=dst,
                    params={"latency_ms": latency_ms} if latency_ms else {})

    l1, l2, l3, l4 = net.links_ms
    return Design(
        schema_version=SCHEMA_VERSION,
        name="Benchmark web tier",
        components=[
            comp("users", "client", rps=net.rps, read_ratio=1.0),
            comp("lb", "load_balancer", workers=net.lb_workers, service_time_ms=net.lb_ms),
            comp("app", "service", instances=net.app_instances, workers=net.app_workers,
                 service_time_ms=net.app_ms, blocking=net.app_blocking),
            comp("cache", "cache", workers=net.cache_workers, service_time_ms=net.cache_ms,
                 hit_ratio=net.hit_ratio),
            comp("db", "database", workers=net.db_workers, service_time_ms=net.db_ms),
        ],
        links=[link("l1", "users", "lb", l1), link("l2", "lb", "app", l2),
               link("l3", "app", "cache", l3), link("l4", "cache", "db", l4)],
        scenario=Scenario(duration_s=duration_s, warmup_s=warmup_s, seed=1, replications=1),
    )


def run_engine(net: Network, duration_s: float, warmup_s: float, seed: int) -> dict:
    design = reference_design(net, duration_s, warmup_s)
    rows = []
    t0 = time.perf_counter()
    res = run_replication(design, seed=seed, on_second=rows.append)
    wall = time.perf_counter() - t0
    done = res["succeeded"] + res["failed"] + res["rejected"]
    total = done * duration_s / max(1e-9, res["measured_s"])  # warm-up requests included
    return {"wall_s": wall, "requests": total, "rps_wall": total / wall,
            "mean_ms": res["latency_ms"]["mean"], "p99_ms": res["latency_ms"]["p99"],
            "rows": len(rows), "sd_ms": None}


def run_simpy(net: Network, duration_s: float, warmup_s: float, seed: int) -> dict:
    """Idiomatic SimPy: one process per request, one Resource per station, each link's round
    trip as one timeout."""
    rng = random.Random(seed)  # the standard library's, as SimPy's own examples use
    exp = rng.expovariate  # takes a rate (1 / mean)
    env = simpy.Environment()
    lb = simpy.Resource(env, capacity=net.lb_workers)
    apps = [simpy.Resource(env, capacity=net.app_workers) for _ in range(net.app_instances)]
    cache = simpy.Resource(env, capacity=net.cache_workers)
    db = simpy.Resource(env, capacity=net.db_workers)
    rt1, rt2, rt3, rt4 = (2.0 * ms / 1000.0 for ms in net.links_ms)
    lb_r, app_r = 1e3 / net.lb_ms, 1e3 / net.app_ms
    cache_r, db_r = 1e3 / net.cache_ms, 1e3 / net.db_ms
    hit, blocking = LruCache(net.hit_ratio, seed).hit, net.app_blocking
    latencies: list[float] = []
    rr = [0]

    def behind_app():
        """The app's calls: cache, and the database on a miss."""
        if rt3:
            yield env.timeout(rt3)
        with cache.request() as c:
            yield c
            yield env.timeout(exp(cache_r))
        if not hit():
            if rt4:
                yield env.timeout(rt4)
            with db.request() as d:
                yield d
                yield env.timeout(exp(db_r))

    def request(env):
        t0 = env.now
        if rt1:
            yield env.timeout(rt1)
        with lb.request() as r:
            yield r
            yield env.timeout(exp(lb_r))
        app = apps[rr[0] % net.app_instances]
        rr[0] += 1
        if rt2:
            yield env.timeout(rt2)
        with app.request() as r:
            yield r
            yield env.timeout(exp(app_r))
            if blocking:  # a blocking server: the worker waits for its calls
                yield from behind_app()
        if not blocking:
            yield from behind_app()
        if t0 >= warmup_s:
            latencies.append(env.now - t0)

    def source(env):
        while True:
            yield env.timeout(exp(net.rps))
            env.process(request(env))

    env.process(source(env))
    t0 = time.perf_counter()
    env.run(until=duration_s)
    lat = np.asarray(latencies) * 1000.0
    wall = time.perf_counter() - t0
    total = len(latencies) * duration_s / (duration_s - warmup_s)
    return {"wall_s": wall, "requests": total, "rps_wall": total / wall,
            "mean_ms": float(lat.mean()), "p99_ms": float(np.percentile(lat, 99)),
            "sd_ms": float(lat.std())}


class _Ev:
    """A bare SimPy event for the lean model (what ``Environment.step`` reads)."""

    __slots__ = ("_ok", "callbacks", "v")


def run_lean(net: Network, duration_s: float, warmup_s: float, seed: int) -> dict:
    """The same network hand-written in the lean SimPy style, for reference: no process per
    request, bare events with one callback each, a request as a small list, stations as
    [busy, workers, queue], random numbers drawn in batches; it keeps only response times.
    This is a bound for what a general engine can reach on SimPy, not a competitor."""
    from heapq import heappush

    from simpy.events import NORMAL

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    heap, eid = env._queue, env._eid
    d1, d2, d3, d4 = (ms / 1000.0 for ms in net.links_ms)
    n_apps, blocking = net.app_instances, net.app_blocking

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

    hit = LruCache(net.hit_ratio, seed).hit
    gap = exps(1.0 / net.rps)
    s_lb, s_app = exps(net.lb_ms / 1e3), exps(net.app_ms / 1e3)
    s_cache, s_db = exps(net.cache_ms / 1e3), exps(net.db_ms / 1e3)
    lb = [0, net.lb_workers, deque()]
    apps = [[0, net.app_workers, deque()] for _ in range(n_apps)]
    cache = [0, net.cache_workers, deque()]
    db = [0, net.db_workers, deque()]
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

    def hop(d, fn, req):  # a link crossing (none when the latency is 0)
        if d:
            after(d, fn, req)
        else:
            fn(_Hop(req))

    def arrival(ev):
        after(gap(), arrival, None)
        hop(d1, at_lb, [env._now, None])

    def at_lb(ev):
        enter(lb, ev.v, lb_done, s_lb)

    def lb_done(ev):
        leave(lb, lb_done, s_lb)
        req = ev.v
        req[1] = apps[rr[0] % n_apps]
        rr[0] += 1
        hop(d2, at_app, req)

    def at_app(ev):
        enter(ev.v[1], ev.v, app_done, s_app)

    def app_done(ev):  # blocking: the worker is held until the answer is back
        if not blocking:
            leave(ev.v[1], app_done, s_app)
        hop(d3, at_cache, ev.v)

    def at_cache(ev):
        enter(cache, ev.v, cache_done, s_cache)

    def cache_done(ev):
        leave(cache, cache_done, s_cache)
        if hit():
            hop(d3, back_at_app, ev.v)
        else:
            hop(d4, at_db, ev.v)

    def at_db(ev):
        enter(db, ev.v, db_done, s_db)

    def db_done(ev):
        leave(db, db_done, s_db)
        hop(d4, back_at_cache, ev.v)

    def back_at_cache(ev):
        hop(d3, back_at_app, ev.v)

    def back_at_app(ev):
        if blocking:
            leave(ev.v[1], app_done, s_app)
        hop(d2, back_at_lb, ev.v)

    def back_at_lb(ev):
        hop(d1, back_at_client, ev.v)

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
            "mean_ms": float(lat.mean()), "p99_ms": float(np.percentile(lat, 99)),
            "sd_ms": float(lat.std())}


class _Hop:
    """Stands for the event of a zero-latency crossing (the callback reads only ``v``)."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v


LABELS = {"engine": "engine (percentiles + time series)", "simpy": "idiomatic SimPy",
          "lean": "lean SimPy, hand-written"}


def bench_network(name: str, net: Network, models, a) -> bool:
    """Run every model on one network; print the figures; True when the models agree."""
    duration = a.requests / net.rps
    warmup = 0.05 * duration
    print(f"\n{name} network: {net.rps:.0f} rps, {duration:g} s simulated per run "
          f"(about {a.requests:,} requests), link latencies {net.links_ms} ms, "
          f"{a.reps} runs of each model, alternating")
    res: dict[str, list[dict]] = {m: [] for m, _f in models}
    for i in range(a.reps):
        for m, fn in models:  # alternate, so that a busy spell hits every model alike
            c0 = time.process_time()
            r = fn(net, duration, warmup, 1 + i)
            r["cpu_s"] = time.process_time() - c0
            res[m].append(r)
            print(f"  {m:6s} run {i + 1}: {r['requests']:8.0f} requests in {r['wall_s']:6.2f} s "
                  f"= {r['rps_wall']:8.0f} req/s   mean {r['mean_ms']:7.2f} ms  "
                  f"p99 {r['p99_ms']:7.2f} ms", flush=True)
    med = {m: statistics.median(x["rps_wall"] for x in rs) for m, rs in res.items()}
    for m in res:
        print(f"  {LABELS[m]:36s}: {med[m]:9.0f} simulated requests / wall s")
    if "simpy" not in res:
        return True
    pairs = [e["rps_wall"] / s["rps_wall"] for e, s in zip(res["engine"], res["simpy"])]
    cpu = [(e["requests"] / e["cpu_s"]) / (s["requests"] / s["cpu_s"])
           for e, s in zip(res["engine"], res["simpy"])]
    print(f"  ratio engine / idiomatic SimPy       : {med['engine'] / med['simpy']:9.2f}x  "
          f"(median of run pairs {statistics.median(pairs):.2f}x, "
          f"CPU time {statistics.median(cpu):.2f}x)")
    if "lean" in res:
        print(f"  ratio lean / idiomatic SimPy         : {med['lean'] / med['simpy']:9.2f}x")
    return _agree(res["engine"], res["simpy"])


def _agree(engine: list[dict], simpy_runs: list[dict]) -> bool:
    """Whether the two models' mean latencies agree: the difference of their means over the
    runs within 4 standard errors (each run's standard error from SimPy's latency spread,
    inflated 3× for the correlation of queued requests' waits)."""
    em = statistics.mean(x["mean_ms"] for x in engine)
    sm = statistics.mean(x["mean_ms"] for x in simpy_runs)
    se_run = statistics.mean(x["sd_ms"] / math.sqrt(x["requests"]) for x in simpy_runs)
    se = 3.0 * se_run * math.sqrt(2.0 / len(simpy_runs))
    ok = abs(em - sm) <= 4.0 * se
    print(f"  mean latency (same network?)         : engine {em:.3f} ms, SimPy {sm:.3f} ms "
          f"({100 * (em - sm) / sm:+.1f} %, tolerance ±{4.0 * se:.3f} ms): "
          f"{'agree' if ok else 'DISAGREE'}")
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--network", choices=[*NETWORKS, "both"], default="both")
    ap.add_argument("--requests", type=int, default=40_000,
                    help="simulated requests per run (the duration follows from the rate)")
    ap.add_argument("--reps", type=int, default=5, help="runs of each model (median reported)")
    ap.add_argument("--lean", action="store_true",
                    help="also run the same network hand-written in the lean SimPy style")
    ap.add_argument("--engine-only", action="store_true", help="run only our engine")
    a = ap.parse_args(argv)

    models = [("engine", run_engine)]
    if not a.engine_only:
        models.append(("simpy", run_simpy))
        if a.lean:
            models.append(("lean", run_lean))
    names = list(NETWORKS) if a.network == "both" else [a.network]
    agreed = [bench_network(n, NETWORKS[n], models, a) for n in names]
    return 0 if all(agreed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
