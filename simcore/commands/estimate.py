"""``skyline estimate``: the back-of-the-envelope estimate of SPEC §7.10.

Prints every figure with its formula (or, with ``--json``, the figures and ``formulas``);
``--design OUT.json`` also writes a starter design of the matching stage (simcore.starter).
"""

from __future__ import annotations

import json
import sys
from dataclasses import MISSING, fields

from simcore.estimate import EstimateInputs, estimate, render
from simcore.io import save
from simcore.starter import starter_design

# (option, its EstimateInputs field, number check, metavar, help); required when the field
# has no default
OPTIONS = (
    ("--users", "users", "positive", "N", "daily active users"),
    ("--requests-per-user", "requests_per_user", "positive", "N",
     "requests one user makes a day"),
    ("--peak-factor", "peak_factor", "number", "F", "peak / average load"),
    ("--read-ratio", "read_ratio", "number", "R", "share of requests that are reads"),
    ("--object-kb", "object_kb", "positive", "S", "size of one stored object, KB of 1,000 bytes"),
    ("--retention-years", "retention_years", "number", "Y", "years of data kept"),
    ("--server-workers", "server_workers", "whole", "N", "requests one server serves at once"),
    ("--server-ms", "server_ms", "positive", "MS", "a request's time on a server, ms"),
)


def add_arguments(p, positive_float, positive_int) -> None:
    """The options of ``skyline estimate`` (the parser's number checks passed in); defaults
    are EstimateInputs' own."""
    checks = {"positive": positive_float, "whole": positive_int, "number": float}
    defaults = {f.name: f.default for f in fields(EstimateInputs)}
    for option, name, check, metavar, text in OPTIONS:
        default = defaults[name]
        if default is MISSING:
            p.add_argument(option, type=checks[check], required=True, metavar=metavar,
                           help=text)
        else:
            p.add_argument(option, type=checks[check], default=default, metavar=metavar,
                           help=f"{text} (default {default:g})")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--design", metavar="OUT.json",
                   help="also write a starter design of the matching stage")


def _usage_error(text: str) -> int:
    print(f"skyline estimate: {text}", file=sys.stderr)
    return 2


def run(args) -> int:
    inputs = EstimateInputs(**{name: getattr(args, name) for _, name, *_ in OPTIONS})
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
