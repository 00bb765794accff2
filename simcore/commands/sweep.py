"""``skyline sweep FILE --param ID.PARAM[.SUB] --values V1,V2,... [--duration S]
[--replications N] [--seed N] [--scheduler ADDRESS] [--json OUT] [--quiet]`` (SPEC §7.10):
the design simulated at each value of one parameter, on the same random numbers."""

from __future__ import annotations

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
from simcore.param_path import ParamPathError, parse_values, resolve
from simcore.study_report import render_sweep


def run(args) -> int:
    try:
        scheduler = scheduler_of(args)
        check_output("sweep", args.json)
        design = load(args.file)
        path = resolve(design, args.param)
        values = parse_values(args.values)
    except (StudyUsageError, ParamPathError) as exc:
        print(f"skyline sweep: {exc}" if isinstance(exc, ParamPathError) else str(exc),
              file=sys.stderr)
        return EXIT_USAGE
    from simcore.sweep import sweep

    def study(progress, should_stop):
        return sweep(design, path, values, duration_s=args.duration, seed=args.seed,
                     replications=args.replications, scheduler=scheduler, progress=progress,
                     should_stop=should_stop)

    result, status = run_study("sweep", "sweeping", study, args)
    if result is None:
        return status
    j = result.to_json()
    return finish("sweep", render_sweep(j), j, args)
