"""``skyline compare A.json B.json [--duration S] [--replications N] [--seed N]
[--scheduler ADDRESS] [--json OUT] [--quiet]`` (SPEC §7.10): both designs on the same random
numbers, each figure for A, for B, and the paired difference B − A with its 95 % interval."""

from __future__ import annotations

import os
import sys

from simcore.commands.study_run import (
    EXIT_USAGE,
    StudyUsageError,
    check_output,
    finish,
    run_study,
    scheduler_of,
)
from simcore.io import load
from simcore.study_report import render_compare


def run(args) -> int:
    try:
        scheduler = scheduler_of(args)
        check_output("compare", args.json)
    except StudyUsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    a, b = load(args.a), load(args.b)
    from simcore.compare import compare

    def study(progress, should_stop):
        return compare(a, b, duration_s=args.duration, seed=args.seed,
                       replications=args.replications, scheduler=scheduler,
                       progress=progress, should_stop=should_stop)

    result, status = run_study("compare", "comparing", study, args)
    if result is None:
        return status
    j = result.to_json()
    names = [d.name or os.path.basename(f) for d, f in ((a, args.a), (b, args.b))]
    return finish("compare", render_compare(j, *names), j, args)
