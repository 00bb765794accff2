"""``skyline analyze FILE [--json] [--explain]``: the instant analysis of a design (SPEC §4).

``--explain`` adds, for every summary figure and every component's and group's figures, the
formula with this design's numbers, its meaning and its concept (simcore.explain); with
``--json`` they come under ``explanations``. A bad file raises DesignError, which the command
line reports on stderr with exit status 2. The design's warnings (``simcore.lint``) go to stderr,
as ``skyline validate`` prints them.
"""

from __future__ import annotations

import json
import sys

from simcore.analysis import analyze
from simcore.analysis.report import render
from simcore.io import load
from simcore.lint import warnings
from simcore.text import safe


def run(args) -> int:
    design = load(args.file)
    result = analyze(design)
    for w in warnings(design):
        print(f"{safe(args.file)}: warning: {w}", file=sys.stderr)
    explain = getattr(args, "explain", False)
    if args.json:
        out = result.to_json()
        if explain:
            out["explanations"] = _explanations_json(design, result)
        sys.stdout.write(json.dumps(out, indent=2, allow_nan=False) + "\n")
    else:
        sys.stdout.write(render(result))
        if explain:
            sys.stdout.write(_explanations_text(design, result))
    return 0


def _explanations_json(design, result) -> dict:
    from simcore.explain import explain_summary
    from simcore.explain_rows import explain_item

    return {"summary": [e.to_json() for e in explain_summary(design, result)],
            "items": {ident: [e.to_json() for e in explain_item(design, result, ident)]
                      for ident in [*result.components, *result.groups]}}


def _explanations_text(design, result) -> str:
    from simcore.explain import explain_summary
    from simcore.explain_rows import explain_item

    lines = ["", "Why these figures", "-----------------"]
    lines += [e.text() for e in explain_summary(design, result)]
    for ident in [*result.components, *result.groups]:
        lines += ["", f"{ident}:"]
        lines += ["  " + e.text().replace("\n", "\n  ") for e in explain_item(design, result,
                                                                          ident)]
    return "\n".join(lines) + "\n"
