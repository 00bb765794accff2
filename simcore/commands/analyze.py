"""``skyline analyze FILE [--json]``: the instant analysis of a design (SPEC §4).

A bad file raises DesignError, which the command line reports on stderr with exit status 2.
"""

from __future__ import annotations

import json
import sys

from simcore.analysis import analyze
from simcore.analysis.report import render
from simcore.io import load


def run(args) -> int:
    design = load(args.file)
    result = analyze(design)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n")
    else:
        sys.stdout.write(render(result))
    return 0
