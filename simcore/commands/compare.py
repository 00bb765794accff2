"""``skyline compare A.json B.json [--duration S] [--replications N] [--seed N]
[--scheduler ADDRESS] [--json OUT] [--quiet]`` (SPEC §7.10): both designs on the same random
numbers, each figure for A, for B, and the paired difference B − A with its 95 % interval."""

from __future__ import annotations

import os

from simcore.commands.study_run import run_command
from simcore.io import load
from simcore.study_report import render_compare


def run(args) -> int:
    def study(inputs, scheduler, progress, should_stop):
        from simcore.compare import compare

        a, b = inputs
        return compare(a, b, duration_s=args.duration, seed=args.seed,
                       replications=args.replications, scheduler=scheduler,
                       progress=progress, should_stop=should_stop)

    def render(j, inputs):
        names = [d.name or os.path.basename(f) for d, f in zip(inputs, (args.a, args.b))]
        return render_compare(j, *names)

    return run_command("compare", "comparing", args, lambda: (load(args.a), load(args.b)),
                       study, render)
