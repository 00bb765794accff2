"""``skyline sweep FILE --param ID.PARAM[.SUB] --values V1,V2,... [--duration S]
[--replications N] [--seed N] [--scheduler ADDRESS] [--json OUT] [--quiet]`` (SPEC §7.10):
the design simulated at each value of one parameter, on the same random numbers."""

from __future__ import annotations

from simcore.commands.study_run import StudyUsageError, run_command
from simcore.io import load
from simcore.param_path import ParamPathError, parse_values, resolve
from simcore.study_report import render_sweep


def run(args) -> int:
    def prepare():
        design = load(args.file)
        try:
            return design, resolve(design, args.param), parse_values(args.values)
        except ParamPathError as exc:
            raise StudyUsageError(f"skyline sweep: {exc}") from None

    def study(inputs, scheduler, progress, should_stop):
        from simcore.sweep import sweep

        design, path, values = inputs
        return sweep(design, path, values, duration_s=args.duration, seed=args.seed,
                     replications=args.replications, scheduler=scheduler, progress=progress,
                     should_stop=should_stop)

    return run_command("sweep", "sweeping", args, prepare, study,
                       lambda j, _inputs: render_sweep(j))
