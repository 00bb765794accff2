"""``skyline validate FILE``: exit 0 when valid; otherwise every problem, one a line."""

from __future__ import annotations

import sys

from simcore.io import load
from simcore.lint import warnings
from simcore.problems import DesignError
from simcore.text import safe


def run(args) -> int:
    try:
        design = load(args.file)
    except DesignError as exc:
        for p in exc.problems:
            print(f"{safe(args.file)}: {p}", file=sys.stderr)
        return 2
    print(f"{safe(args.file)}: valid")
    for w in warnings(design):  # valid all the same: they never change the exit status
        print(f"{safe(args.file)}: warning: {w}", file=sys.stderr)
    return 0
