"""What keyed caches cost a run: the same cache designs simulated with each cache an LRU over
the clients' keys (what the simulation does) and with each read's hit drawn at the hit ratio
(what it falls back to past its key budget, and what it did before keyed caches), in the same
process, alternately; and the memory one held key takes.

For each design: simulated requests per CPU second of one replication of ``--duration``
simulated seconds (the median of ``--reps`` runs of each kind), the ratio, and the observed
hit ratio of each kind (they must agree: the LRU is sized for the design's hit ratio).

Run from the repository root::

    .venv/bin/python benchmarks/cache_bench.py
    .venv/bin/python benchmarks/cache_bench.py --duration 60 --reps 5 stage3_cache.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections import OrderedDict
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simcore.engine import simulation
from simcore.engine.replication import run_replication
from simcore.io import load

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
DESIGNS = ("stage3_cache.json", "cdn_media_site.json")
BUDGET = simulation.CACHE_KEYS_PER_RUN


def bytes_per_key(n: int = 200_000) -> float:
    """Memory of an LRU entry as the cache holds it: an int key and a float fill time in an
    OrderedDict (the float a fresh object, as a fill's time is)."""
    tracemalloc.start()
    lru = OrderedDict((k * 7, k * 0.5) for k in range(n))
    used, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del lru
    return used / n


def run_once(design, duration_s: float, keyed: bool, seed: int) -> dict:
    """One replication; ``keyed`` False gives the run no key budget: every cache draws."""
    simulation.CACHE_KEYS_PER_RUN = BUDGET if keyed else 0
    try:
        c0 = time.process_time()
        r = run_replication(design, seed=seed, duration_s=duration_s, warmup_s=5.0)
        cpu = time.process_time() - c0
    finally:
        simulation.CACHE_KEYS_PER_RUN = BUDGET
    hits = sum(c.get("hits") or 0 for c in r["components"].values())
    misses = sum(c.get("misses") or 0 for c in r["components"].values())
    requests = (r["succeeded"] + r["failed"] + r["rejected"]) * duration_s / r["measured_s"]
    return {"rps_cpu": requests / cpu, "cpu_s": cpu, "hit": hits / max(1, hits + misses)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("designs", nargs="*", default=list(DESIGNS),
                    help="example file names (resources/examples) or paths")
    ap.add_argument("--duration", type=float, default=120.0, help="simulated s per run")
    ap.add_argument("--reps", type=int, default=3, help="runs of each kind (median reported)")
    a = ap.parse_args(argv)
    print(f"one held key: {bytes_per_key():.0f} bytes; a run holds at most {BUDGET:,} keys "
          f"(about {BUDGET * bytes_per_key() / 1e6:.0f} MB)")
    for name in a.designs:
        path = Path(name) if Path(name).exists() else EXAMPLES / name
        design = load(str(path))
        res: dict[bool, list[dict]] = {True: [], False: []}
        for i in range(a.reps):
            for keyed in (False, True):  # alternate, so that a busy spell hits both alike
                res[keyed].append(run_once(design, a.duration, keyed, 1 + i))
        med = {k: statistics.median(x["rps_cpu"] for x in v) for k, v in res.items()}
        hit = {k: statistics.mean(x["hit"] for x in v) for k, v in res.items()}
        print(f"\n{path.name}: {a.duration:g} s simulated per run, {a.reps} runs of each kind")
        print(f"  hit drawn per read   : {med[False]:9.0f} simulated requests / CPU s, "
              f"hit ratio {hit[False]:.4f}")
        print(f"  keyed LRU            : {med[True]:9.0f} simulated requests / CPU s, "
              f"hit ratio {hit[True]:.4f}")
        print(f"  keyed / drawn        : {med[True] / med[False]:9.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
