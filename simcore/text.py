"""Numbers for people, shared by the text reports of ``analyze``, ``simulate`` and the like, and
the strict-JSON rule for a number (``finite_or_none``)."""

from __future__ import annotations

import math


def finite_or_none(x: float | None) -> float | None:
    """``x`` as a float, or None when it is None, infinite or NaN (strict JSON has neither)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


DASH = "—"
"""What a report shows for an undefined value."""


def number(x: float | None, digits: int = 4) -> str:
    """``—`` for undefined, ``∞`` for infinite, else ``digits`` significant figures (thousands
    separated; scientific only outside 1e-3 … 1e9)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if math.isinf(x):
        return "∞"
    if x != 0 and (abs(x) >= 1e9 or abs(x) < 1e-3):
        return f"{x:.{digits - 1}e}"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:,.{digits}g}"
