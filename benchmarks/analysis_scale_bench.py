"""Scale of ``analyze`` on designs of many independent zoned stacks (issue: 5,000 components in
1,000 stacks within 5 s and 1 GB; 20,000 within 30 s and 4 GB).

    python benchmarks/analysis_scale_bench.py [--stacks 200 1000 4000] [--rps 100]

Each stack is a client → load balancer → two app instances → cache → database with a replica,
all but the client in the stack's own zone. Each size runs in a fresh process (so the peak
resident memory is that run's) and prints its wall-clock seconds, its peak RSS in MB and the
methods the availability and the availability under load used. ``--rps 700`` loads each stack so
that one app instance down overloads the other: every part then has states that shed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from simcore.analysis import analyze
from simcore.io import loads
n, rps = int(sys.argv[1]), float(sys.argv[2])
comps, links, groups = [], [], []
for k in range(n):
    ids = [f"u{k}", f"lb{k}", f"app{k}", f"cache{k}", f"db{k}"]
    comps += [
        {"id": ids[0], "kind": "client", "params": {"rps": rps}},
        {"id": ids[1], "kind": "load_balancer",
         "params": {"availability": 0.9995, "workers": 1000, "service_time_ms": 0.3}},
        {"id": ids[2], "kind": "service",
         "params": {"instances": 2, "availability": 0.999, "workers": 8, "service_time_ms": 20}},
        {"id": ids[3], "kind": "cache",
         "params": {"availability": 0.999, "workers": 4, "service_time_ms": 1}},
        {"id": ids[4], "kind": "database",
         "params": {"availability": 0.9995, "workers": 16, "service_time_ms": 5, "replicas": 1}}]
    links += [{"id": f"l{k}-{j}", "source": ids[j], "target": ids[j + 1]} for j in range(4)]
    groups.append({"id": f"z{k}", "kind": "zone", "members": ids[1:],
                   "params": {"availability": 0.9999}})
design = loads(json.dumps({"schema_version": 1, "components": comps, "links": links,
                           "groups": groups}))
t = time.perf_counter()
r = analyze(design)
s = time.perf_counter() - t
mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"components": 5 * n, "seconds": s, "peak_mb": mb,
                  "availability": r.availability_method,
                  "under_load": r.availability_under_load_method}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stacks", type=int, nargs="+", default=[200, 1000, 4000])
    ap.add_argument("--rps", type=float, default=100.0)
    args = ap.parse_args()
    print(f"{'components':>10} {'seconds':>8} {'peak MB':>8}  availability / under load")
    for n in args.stacks:
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(args.rps), str(ROOT)],
                             check=True, capture_output=True, text=True).stdout
        row = json.loads(out)
        print(f"{row['components']:>10,} {row['seconds']:>8.2f} {row['peak_mb']:>8.0f}  "
              f"{row['availability']} / {row['under_load']}")


if __name__ == "__main__":
    main()
