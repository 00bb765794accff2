"""Nines and downtime: the seed's table (SPEC §3).

A year is 365 days, a month a twelfth of a year, a week 7 days. Both functions take the
unavailability U = 1 − A (a fraction) rather than A, so that a design with many nines keeps its
digits: 1 − 0.999999999 in floating point has lost most of them already.
"""

from __future__ import annotations

import math

SECONDS_PER_YEAR = 365 * 24 * 3600.0
"""A year of 365 days, in seconds (the seed's nines table)."""
SECONDS_PER_MONTH = SECONDS_PER_YEAR / 12
"""A twelfth of a year, in seconds (30.4 days)."""
SECONDS_PER_WEEK = 7 * 24 * 3600.0
"""Seven days, in seconds."""

PERIODS = (("year", SECONDS_PER_YEAR), ("month", SECONDS_PER_MONTH), ("week", SECONDS_PER_WEEK))


def nines(unavailability: float) -> float | None:
    """−log10(U): 3.0 for 99.9 %. None when U is 0 (a perfect design has no finite nines)."""
    u = float(unavailability)
    if not math.isfinite(u) or u < 0:
        raise ValueError(f"unavailability must be a finite fraction >= 0, got {unavailability!r}")
    if u <= 0.0:
        return None
    return -math.log10(min(u, 1.0))


def downtime_seconds(unavailability: float) -> dict[str, float]:
    """Expected downtime in seconds per ``year``, ``month`` and ``week`` for unavailability U."""
    u = min(max(float(unavailability), 0.0), 1.0)
    return {name: u * seconds for name, seconds in PERIODS}
