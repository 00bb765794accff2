"""Statistics across replications: mean and a Student-t 95 % confidence interval.

No scipy: the two-sided 97.5 % t quantile comes from a table for 1–30 degrees of freedom and
from the Cornish–Fisher expansion beyond (error < 1e-4 there).
"""

from __future__ import annotations

import math

_T975 = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
    2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
    2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
    2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
]
_Z975 = 1.959963985


def t975(df: int) -> float:
    """Two-sided 95 % Student-t quantile (the 0.975 quantile) for ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


def mean_ci(values) -> tuple[float | None, list[float] | None]:
    """(mean, [lo, hi]) of the finite values given; the interval is None with fewer than two
    values and the mean None with none."""
    xs = [float(v) for v in values if v is not None and math.isfinite(v)]
    n = len(xs)
    if n == 0:
        return None, None
    m = math.fsum(xs) / n
    if n < 2:
        return m, None
    var = math.fsum((x - m) ** 2 for x in xs) / (n - 1)
    half = t975(n - 1) * math.sqrt(var / n)
    return m, [m - half, m + half]


def mean_or_none(values) -> float | None:
    xs = [float(v) for v in values if v is not None and math.isfinite(v)]
    return math.fsum(xs) / len(xs) if xs else None
