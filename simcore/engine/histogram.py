"""Streaming latency histogram: log-spaced bins, so percentiles cost O(bins), not O(requests).

Resolution: bin edges grow by a factor of 1.001, from 1 µs up to about 3 hours (23,100 bins). A
percentile is reported as the geometric middle of its bin, so its relative error is at most
0.05 % (±½ of the 0.1 % bin width); values below 1 µs fall in the first bin, values above the
last edge in the last. The mean is exact (a running sum). Memory is fixed whatever the run
length. Bins this fine keep replications' percentiles apart: with 1 % bins, the p95 of three
replications of 20,000 requests often fell in one bin, and its confidence interval showed as
a single value (the true spread, about 0.3 %, is below a 1 % bin).
"""

from __future__ import annotations

import math

LOW_MS = 1e-3
"""Lower edge of the first bin, ms (1 µs)."""
RATIO = 1.001
"""Each bin's upper edge is RATIO times its lower edge."""
NBINS = 23_100
"""Bins: LOW_MS · RATIO**NBINS ≈ 1.07e7 ms (3.0 h)."""

_INV_LOG = 1.0 / math.log(RATIO)
_LOG_LOW = math.log(LOW_MS)


def bin_of(ms: float) -> int:
    """Index of the bin holding a latency of ``ms`` milliseconds."""
    if ms <= LOW_MS:
        return 0
    i = int((math.log(ms) - _LOG_LOW) * _INV_LOG)
    return i if i < NBINS else NBINS - 1


def bin_value(i: int) -> float:
    """Representative value (ms) of bin ``i``: the geometric middle of its edges."""
    return LOW_MS * RATIO ** (i + 0.5)


def percentiles(counts, qs) -> list[float | None]:
    """The ``q``-quantiles (0 < q ≤ 1) of a histogram given as a list of counts per bin or a
    dict {bin: count}, by the nearest-rank definition; None for each when it is empty."""
    if isinstance(counts, dict):
        items = sorted(counts.items())
    else:
        items = [(i, c) for i, c in enumerate(counts) if c]
    total = sum(c for _, c in items)
    if total == 0:
        return [None for _ in qs]
    out = []
    for q in qs:
        rank = max(1, math.ceil(q * total))
        seen = 0
        value = bin_value(items[-1][0])
        for i, c in items:
            seen += c
            if seen >= rank:
                value = bin_value(i)
                break
        out.append(value)
    return out
