"""Memory and time of the verbs on designs at the edges (the resource guards of
docs/decisions.md, "Limits on input").

    python benchmarks/guards_bench.py [--analyze-sizes 1000,5000,20000] [--limit-mb 6000]
                                      [--timeout 600] [--skip-simulate] [--skip-analyze]

- ``simulate`` of an overloaded queue design at 10× its saturation load, for 30 s and 300 s of
  simulated time, with 1 and with 40 consumers behind the queue (one replication): the peak
  resident memory should not grow with the duration, and should stay bounded with 40 consumers.
- ``analyze`` of designs of 1,000 / 5,000 / 20,000 components (stacks of load balancer →
  service → cache + database, each stack in its own zone, behind one gateway): seconds and MB.

Each run is its own process under an address-space limit (``--limit-mb``) and a timeout, so a
design that would exhaust the machine reports "over the limit" instead of taking it down. Peak
memory is the child's maximum resident set size (getrusage), in MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def queue_design(consumers: int, load_factor: float = 10.0) -> dict:
    """Client → API → queue → ``consumers`` subscribers of 1 worker × 10 ms (100 msg/s each):
    the queue's consumers saturate at 100 req/s; the client offers ``load_factor`` × that."""
    comps = [
        {"id": "users", "kind": "client", "params": {"rps": 100.0 * load_factor,
                                                     "read_ratio": 0.0}},
        {"id": "api", "kind": "service", "params": {"instances": 4, "workers": 64,
                                                    "service_time_ms": 1}},
        {"id": "queue", "kind": "message_queue", "params": {}},
    ]
    links = [{"id": "l-users", "source": "users", "target": "api"},
             {"id": "l-api", "source": "api", "target": "queue", "params": {"mode": "async"}}]
    for i in range(consumers):
        comps.append({"id": f"worker{i}", "kind": "service",
                      "params": {"workers": 1, "service_time_ms": 10}})
        links.append({"id": f"l-w{i}", "source": "queue", "target": f"worker{i}"})
    return {"schema_version": 1, "name": f"queue with {consumers} consumers",
            "components": comps, "links": links}


def stacks_design(components: int) -> dict:
    """A client, a gateway and (components − 2) / 4 zoned stacks: load balancer → service →
    cache → database."""
    stacks = max(1, (components - 2) // 4)
    comps = [{"id": "users", "kind": "client", "params": {"rps": 50.0 * stacks}},
             {"id": "gw", "kind": "api_gateway", "params": {"instances": 50}}]
    links = [{"id": "l-users", "source": "users", "target": "gw"}]
    groups = []
    for s in range(stacks):
        ids = [f"lb{s}", f"app{s}", f"cache{s}", f"db{s}"]
        comps += [
            {"id": ids[0], "kind": "load_balancer", "params": {"availability": 0.9999}},
            {"id": ids[1], "kind": "service", "params": {"instances": 2, "workers": 8,
                                                         "service_time_ms": 20,
                                                         "availability": 0.999}},
            {"id": ids[2], "kind": "cache", "params": {"availability": 0.999}},
            {"id": ids[3], "kind": "database", "params": {"replicas": 1, "mtbf_hours": 2000,
                                                          "mttr_hours": 2}},
        ]
        links += [{"id": f"g{s}", "source": "gw", "target": ids[0]},
                  {"id": f"a{s}", "source": ids[0], "target": ids[1]},
                  {"id": f"b{s}", "source": ids[1], "target": ids[2]},
                  {"id": f"c{s}", "source": ids[2], "target": ids[3]}]
        groups.append({"id": f"zone{s}", "kind": "zone", "members": ids[1:],
                       "params": {"availability": 0.9999}})
    return {"schema_version": 1, "name": f"{len(comps)} components",
            "components": comps, "links": links, "groups": groups}


_CHILD = """
import resource, subprocess, sys, time
limit = int(sys.argv[1]) * 1024 * 1024
timeout = float(sys.argv[2])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
t0 = time.perf_counter()
try:
    r = subprocess.run(sys.argv[3:], preexec_fn=cap, capture_output=True, text=True,
                       timeout=timeout)
    status, err = r.returncode, r.stderr.strip().splitlines()[-1:] or [""]
except subprocess.TimeoutExpired:
    status, err = "timeout", [""]
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(status, f"{wall:.2f}", f"{peak:.0f}", err[0][:120], sep="\\t")
"""


def measure(args: list[str], limit_mb: int, timeout: float) -> tuple[str, float, float, str]:
    """(exit status, wall seconds, peak MB, last stderr line) of ``skyline ARGS`` run alone."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-c", _CHILD, str(limit_mb), str(timeout),
           sys.executable, "-m", "simcore.cli", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                         check=False).stdout.strip()
    status, wall, peak, err = (out.split("\t") + ["", "", "", ""])[:4]
    return status, float(wall or "nan"), float(peak or "nan"), err


def _row(label: str, result: tuple[str, float, float, str]) -> str:
    status, wall, peak, err = result
    verdict = {"0": "ok", "2": "refused", "timeout": "timed out"}.get(status, f"exit {status}")
    if status.startswith("-"):  # a signal: an allocation failed under the limit and aborted
        verdict, err = f"aborted by signal {status[1:]}", "over the address-space limit"
    note = f"  ({err})" if status not in ("0",) and err else ""
    return f"{label:<44} {wall:>9.1f} s {peak:>9.0f} MB  {verdict}{note}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--analyze-sizes", default="1000,5000,20000")
    ap.add_argument("--limit-mb", type=int, default=6000,
                    help="address-space limit of each run (MB)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--skip-simulate", action="store_true")
    ap.add_argument("--skip-analyze", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="skyline-guards-") as tmp:
        if not a.skip_simulate:
            print(f"{'simulate at 10x saturation (1 replication)':<44} {'wall':>11} "
                  f"{'peak RSS':>12}")
            for consumers in (1, 40):
                path = Path(tmp, f"queue{consumers}.json")
                path.write_text(json.dumps(queue_design(consumers)))
                for duration in (30, 300):
                    res = measure(["simulate", str(path), "--duration", str(duration),
                                   "--replications", "1", "--quiet"], a.limit_mb, a.timeout)
                    print(_row(f"  {consumers} consumer(s), {duration} s", res), flush=True)
        if not a.skip_analyze:
            print(f"{'analyze':<44} {'wall':>11} {'peak RSS':>12}")
            for n in (int(x) for x in a.analyze_sizes.split(",") if x):
                path = Path(tmp, f"stacks{n}.json")
                design = stacks_design(n)
                path.write_text(json.dumps(design))
                res = measure(["analyze", str(path)], a.limit_mb, a.timeout)
                print(_row(f"  {len(design['components']):,} components", res), flush=True)
    print(f"(limit {a.limit_mb:,} MB of address space and {a.timeout:.0f} s per run; "
          f"measured {time.strftime('%Y-%m-%d %H:%M')})")


if __name__ == "__main__":
    main()
