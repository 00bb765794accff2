"""``skyline simulate``: not available yet."""

from __future__ import annotations

import sys


def run(args) -> int:
    print("skyline simulate: not available yet in this version", file=sys.stderr)
    return 2
