"""Print the bundle's size and how fast the frozen program starts, against the source in the
same run.

    python packaging/measure_bundle.py [--dist DIST] [--runs N]

Needs a built bundle (`make package`). Start-to-paint is the wall time of
`skyline FILE --screenshot OUT.png` (offscreen): process start, Qt, the design loaded and
analysed, the window painted and saved, exit. It is measured for the frozen executable and for
`python -m designer` from the checkout, alternately, and the median of N runs is printed with
the CPU time, so that a busy machine shows as wall time far above CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources" / "examples" / "stage4_load_balancer.json"


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and not p.is_symlink()) / 1e6


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall s, CPU s of the process and its children) of one run; fails loudly."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"measure_bundle: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", default=str(ROOT / "dist"))
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    bundle = Path(args.dist) / "skyline"
    exe = bundle / ("skyline.exe" if sys.platform == "win32" else "skyline")
    if not exe.is_file():
        print(f"measure_bundle: no {exe} (run `make package` first)", file=sys.stderr)
        return 2

    internal = bundle / "_internal"
    print(f"bundle {bundle}: {folder_mb(bundle):.0f} MB")
    parts = sorted(((folder_mb(d) if d.is_dir() else d.stat().st_size / 1e6, d.name)
                    for d in internal.iterdir() if not d.is_symlink()), reverse=True)
    for mb, name in parts[:6]:
        print(f"  {mb:7.1f} MB  {name}")
    for archive in sorted(Path(args.dist).glob("skyline-*.tar.gz")) + sorted(
            Path(args.dist).glob("skyline-*.zip")):
        print(f"archive {archive.name}: {archive.stat().st_size / 1e6:.0f} MB")

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
        source_env = env | {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "")}
        shot = str(home / "shot.png")
        commands = {
            "frozen  --screenshot": ([str(exe), str(EXAMPLE), "--screenshot", shot], env),
            "source  --screenshot": ([sys.executable, "-m", "designer", str(EXAMPLE),
                                      "--screenshot", shot], source_env),
            "frozen  --version": ([str(exe), "--version"], env),
            "source  --version": ([sys.executable, "-m", "designer", "--version"], source_env),
            "frozen  analyze": ([str(exe), "analyze", str(EXAMPLE)], env),
            "source  analyze": ([sys.executable, "-m", "designer", "analyze", str(EXAMPLE)],
                                source_env),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for name, (cmd, e) in commands.items():  # one warm-up each: the page cache
            timed(cmd, e, home)
        for _ in range(args.runs):
            for name, (cmd, e) in commands.items():
                samples[name].append(timed(cmd, e, home))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"start times, median of {args.runs} runs (load average {load:.1f} on "
          f"{os.cpu_count()} cores):")
    medians = {}
    for name, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        medians[name] = wall
        print(f"  {name:<22} wall {wall:6.2f} s   CPU {cpu:6.2f} s")
    for what in ("--screenshot", "--version", "analyze"):
        ratio = medians[f"frozen  {what}"] / medians[f"source  {what}"]
        print(f"  frozen / source {what:<13} {ratio:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
