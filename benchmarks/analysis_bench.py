"""Speed of the instant analysis on generated designs (it reruns on every edit in the designer).

    python benchmarks/analysis_bench.py [--runs N]

Prints the median CPU time of N runs for designs of 200 components (10 of them shared by many
paths: databases and caches that several services call, plus two zones) and of 1,000 components,
split into validation + compilation, the traffic part (flow, response times, saturation) and the
availability part. The target for 200 components is under 50 ms in total. The baseline figure is
the flow + response-time pass alone, measured in the same run, so the other parts can be read as
multiples of it on any machine. The saturation search is also timed as a plain bisection (one
scalar evaluation per step, what the vectorised search replaces), for comparison.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simcore.analysis import analyze
from simcore.analysis.availability import analyze_availability
from simcore.analysis.flow import admitted_client_rps, compile_plan, run_flow
from simcore.analysis.latency import run_times
from simcore.analysis.saturation import find_saturation
from simcore.io import loads
from simcore.topology import compile_design


def generate(n_components: int, n_shared: int = 10, seed: int = 7) -> str:
    """A layered design of about ``n_components`` parts: 2 clients → DNS → 2 load balancers →
    services in chains of three (the last calls one of the shared databases or caches, cycling),
    with the shared parts (caches in front of databases, every cache with its own database)
    called by many chains. Two zones each hold half of the load balancers' targets."""
    comps = [{"id": "web", "kind": "client", "params": {"rps": 2000, "read_ratio": 0.9}},
             {"id": "api", "kind": "client", "params": {"rps": 500, "read_ratio": 0.6}},
             {"id": "dns", "kind": "dns", "params": {"availability": 0.99999}},
             {"id": "lb1", "kind": "load_balancer", "params": {"availability": 0.9995}},
             {"id": "lb2", "kind": "load_balancer", "params": {"availability": 0.9995}}]
    links = [{"id": "lw", "source": "web", "target": "dns"},
             {"id": "la", "source": "api", "target": "dns"},
             {"id": "ld1", "source": "dns", "target": "lb1"},
             {"id": "ld2", "source": "dns", "target": "lb2"}]
    shared = []
    for k in range(n_shared // 2):
        comps.append({"id": f"cache{k}", "kind": "cache",
                      "params": {"availability": 0.999, "hit_ratio": 0.8, "workers": 64,
                                 "service_time_ms": 0.2}})
        comps.append({"id": f"db{k}", "kind": "database",
                      "params": {"availability": 0.9995, "replicas": 1, "workers": 64,
                                 "service_time_ms": 2}})
        links.append({"id": f"lc{k}", "source": f"cache{k}", "target": f"db{k}"})
        shared += [f"cache{k}", f"db{k}"]
    n_chains = max(1, (n_components - len(comps)) // 3)
    zones = {"z1": [], "z2": []}
    for i in range(n_chains):
        ids = [f"s{i}_{j}" for j in range(3)]
        for j, sid in enumerate(ids):
            comps.append({"id": sid, "kind": "service",
                          "params": {"instances": 2 if j == 0 else 1, "workers": 50,
                                     "service_time_ms": 2, "availability": 0.999}})
        lb = "lb1" if i % 2 == 0 else "lb2"
        links.append({"id": f"lb_{i}", "source": lb, "target": ids[0]})
        links.append({"id": f"c{i}a", "source": ids[0], "target": ids[1]})
        links.append({"id": f"c{i}b", "source": ids[1], "target": ids[2],
                      "params": {"probability": 0.5}})
        target = shared[(i * 7 + seed) % len(shared)]
        links.append({"id": f"c{i}s", "source": ids[2], "target": target})
        zones["z1" if i % 2 == 0 else "z2"].append(ids[0])
    groups = [{"id": z, "kind": "zone", "members": m, "params": {"availability": 0.9999}}
              for z, m in zones.items() if m]
    return json.dumps({"schema_version": 1, "name": f"generated {len(comps)}",
                       "components": comps, "links": links, "groups": groups})


def median_ms(fn, runs: int) -> float:
    """Median CPU time of ``runs`` calls, in ms: process time, so that other programs sharing
    the machine do not inflate it (the analysis is single-threaded)."""
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1000.0)
    return statistics.median(times)


def bench(n: int, runs: int) -> None:
    text = generate(n)
    design = loads(text)
    topo = compile_design(design, check=True)
    plan = compile_plan(topo)
    flow = run_flow(plan, 1.0)
    times = run_times(plan, flow)
    weights = admitted_client_rps(plan, flow)
    res = analyze(topo)
    parts = {
        "validate + compile": median_ms(lambda: compile_plan(compile_design(design, check=True)),
                                        runs),
        "flow + times (baseline)": median_ms(lambda: run_times(plan, run_flow(plan, 1.0)), runs),
        "saturation": median_ms(lambda: find_saturation(plan, times.utilization), runs),
        "saturation, plain bisection (reference)": median_ms(
            lambda: find_saturation(plan, times.utilization, method="bisect"), runs),
        "availability": median_ms(lambda: analyze_availability(topo, weights), runs),
        "analyze(design), total": median_ms(lambda: analyze(design), runs),
        "analyze(design, availability=False)": median_ms(
            lambda: analyze(design, availability=False), runs),
    }
    base = parts["flow + times (baseline)"]
    print(f"\n{len(design.components)} components, {len(design.links)} links, "
          f"{len(design.groups)} groups; availability {res.availability_method}, "
          f"{res.nines:.2f} nines; saturation evaluations {res.saturation_evaluations}")
    for name, ms in parts.items():
        print(f"  {name:<40} {ms:9.2f} ms  ({ms / base:6.1f} × baseline)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    print(f"median of {args.runs} runs each (Python {sys.version.split()[0]})")
    for n in (200, 1000):
        bench(n, args.runs)


if __name__ == "__main__":
    main()
