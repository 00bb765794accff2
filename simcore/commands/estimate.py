"""``skyline estimate``: the back-of-the-envelope estimate of SPEC §7.10.

Prints every figure with its formula (or, with ``--json``, the figures and ``formulas``);
``--design OUT.json`` also writes a starter design of the matching stage (simcore.starter).
"""

from __future__ import annotations

import json
import sys

from simcore.estimate import EstimateInputs, estimate, render
from simcore.io import save
from simcore.starter import starter_design


def add_arguments(p, positive_float, positive_int) -> None:
    """The options of ``skyline estimate`` (the parser's number checks passed in)."""
    p.add_argument("--users", type=positive_float, required=True, metavar="N",
                   help="daily active users")
    p.add_argument("--requests-per-user", type=positive_float, required=True, metavar="N",
                   help="requests one user makes a day")
    p.add_argument("--peak-factor", type=float, default=3.0, metavar="F",
                   help="peak / average load (default 3)")
    p.add_argument("--read-ratio", type=float, default=0.9, metavar="R",
                   help="share of requests that are reads (default 0.9)")
    p.add_argument("--object-kb", type=positive_float, default=1.0, metavar="S",
                   help="size of one stored object in KB of 1,000 bytes (default 1)")
    p.add_argument("--retention-years", type=float, default=5.0, metavar="Y",
                   help="years of data kept (default 5)")
    p.add_argument("--server-workers", type=positive_int, default=50, metavar="N",
                   help="requests one server serves at once (default 50)")
    p.add_argument("--server-ms", type=positive_float, default=10.0, metavar="MS",
                   help="a request's time on a server, ms (default 10)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--design", metavar="OUT.json",
                   help="also write a starter design of the matching stage")


def _usage_error(text: str) -> int:
    print(f"skyline estimate: {text}", file=sys.stderr)
    return 2


def run(args) -> int:
    inputs = EstimateInputs(
        users=args.users, requests_per_user=args.requests_per_user,
        peak_factor=args.peak_factor, read_ratio=args.read_ratio, object_kb=args.object_kb,
        retention_years=args.retention_years, server_workers=args.server_workers,
        server_ms=args.server_ms)
    problems = inputs.problems()
    if problems:
        return _usage_error("; ".join(problems))
    est = estimate(inputs)
    if args.json:
        sys.stdout.write(json.dumps(est.to_json(), indent=2, allow_nan=False) + "\n")
    else:
        sys.stdout.write(render(est))
    if args.design:
        design = starter_design(est)
        try:
            save(design, args.design)
        except OSError as exc:
            return _usage_error(f"cannot write {args.design}: {exc}")
        print(f"wrote the starter design {args.design} ({design.name})", file=sys.stderr)
    return 0
