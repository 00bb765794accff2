"""Speed of the reliability simulation (``skyline reliability``).

    python benchmarks/reliability_bench.py [--years Y] [--replications N]

For a few example designs, simulates N replications × Y years (default 4 × 1000) in this process
and with one worker process per core, and prints the wall time, the state changes processed
(a part going down or coming back, after its instances, standby and take-over are combined) and
the state changes per second. The baseline, measured in the same run, is the time
numpy takes to draw as many exponential variates and sort them (the least any event-driven
simulation of these processes has to do), so the figures read as multiples of it on any machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simcore.io import load
from simcore.paths import example_files
from simcore.reliability import reliability

DESIGNS = ["series_three_nines", "active_passive_failover", "multi_region", "stage6_sharding"]


def baseline_s(events: int) -> float:
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    x = np.cumsum(rng.exponential(1.0, events))
    np.argsort(x, kind="stable")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--years", type=float, default=1000.0)
    ap.add_argument("--replications", type=int, default=4)
    args = ap.parse_args()
    paths = {p.stem: p for p in example_files()}
    print(f"reliability simulation: {args.replications} replications x {args.years:g} years")
    print(f"{'design':<26}{'parts':>6}{'workers':>8}{'wall s':>9}{'events':>11}"
          f"{'events/s':>11}{'x baseline':>11}  U sim / U analysis")
    for name in DESIGNS:
        design = load(paths[name])
        parts = len(design.components) - 1 + len(design.groups)
        for workers in (1, None):
            t0 = time.perf_counter()
            res = reliability(design, years=args.years, replications=args.replications,
                              seed=1, workers=workers)
            wall = time.perf_counter() - t0
            base = baseline_s(max(res.events, 1))
            ratio = res.unavailability / res.analysis_unavailability
            print(f"{name:<26}{parts:>6}{workers or 'all':>8}{wall:>9.2f}{res.events:>11,}"
                  f"{res.events / wall:>11,.0f}{wall / base:>11.1f}  {ratio:.3f}")


if __name__ == "__main__":
    main()
