"""Closed forms of the M/M/c queue (Erlang C), with M/M/1 as the case c = 1, and the
Allen–Cunneen correction of its wait for general service times (M/G/c, SPEC §7.1).

Symbols: ``lam`` an arrival rate (requests per unit time), ``hold`` the mean time a server
(a worker) is held by one request, in the same time unit, ``c`` the number of servers. The
offered load is a = lam · hold (erlangs) and the utilization ρ = a / c.

The Erlang B blocking probability is computed with the stable recursion on its inverse,
1/B(n) = 1 + (n / a) · 1/B(n − 1), which never overflows on the way up and stops early once
1/B exceeds 1e290 past n = a (the waiting probability is then below any double's resolution).
For a large offered load the recursion starts near a, at n0 = a − 8·√a, from the exact value of
1/B(n0) as a rapidly converging finite sum, so c = 10,000 workers cost a few thousand steps.

Conventions used throughout the analysis: 0 · ∞ = 0 (no traffic waits for nothing), and the
waiting time is infinite when ρ ≥ 1.
"""

from __future__ import annotations

import math

INF = math.inf

_OVERFLOW_GUARD = 1e290
_SUM_TOL = 1e-17
_FAR_START = 64.0  # offered loads above this start the recursion near a


def _inverse_erlang_b(c: int, a: float) -> float:
    """1 / B(c, a): the inverse Erlang B blocking probability (≥ 1; inf when B underflows)."""
    if a <= 0.0:
        return INF
    n0 = 0
    g = 1.0
    if a > _FAR_START and c > 1:
        n0 = min(c, int(a - 8.0 * math.sqrt(a)))
        if n0 > 0:
            # 1/B(n0) = sum_j prod_{i<j} (n0 - i) / a, terms shrink geometrically (n0 < a).
            total, term, j = 1.0, 1.0, 0
            while j < n0:
                term *= (n0 - j) / a
                total += term
                j += 1
                if term < _SUM_TOL * total:
                    break
            g = total
    n = n0
    while n < c:
        n += 1
        g = 1.0 + (n / a) * g
        if g > _OVERFLOW_GUARD and n >= a:
            return INF
    return g


def erlang_b(c: int, a: float) -> float:
    """Erlang B: probability that an arrival finds all ``c`` servers busy in M/M/c/c with
    offered load ``a`` erlangs."""
    if c < 1:
        raise ValueError("c must be at least 1")
    if a <= 0.0:
        return 0.0
    if math.isinf(a):
        return 1.0
    return 1.0 / _inverse_erlang_b(c, a)


def erlang_c(c: int, a: float) -> float:
    """Erlang C: probability that an arrival waits in M/M/c with offered load ``a`` erlangs;
    1 when a ≥ c (the queue grows without bound)."""
    if c < 1:
        raise ValueError("c must be at least 1")
    if a <= 0.0:
        return 0.0
    if a >= c:
        return 1.0
    g = _inverse_erlang_b(c, a)
    if math.isinf(g):
        return 0.0
    rho = a / c
    # C = B / (1 − ρ (1 − B)) with B = 1/g, written to avoid forming B when it is tiny.
    return 1.0 / (g * (1.0 - rho) + rho)


def utilization(lam: float, hold: float, c: int) -> float:
    """ρ = lam · hold / c, with 0 · ∞ = 0 (no traffic keeps no server busy)."""
    if lam == 0.0 or hold == 0.0:
        return 0.0
    return lam * hold / c


def mmc_wait(lam: float, hold: float, c: int) -> float:
    """Mean waiting time in the queue (before service) of M/M/c: Wq = C(c, a) · hold / (c − a),
    in the unit of ``hold``; ∞ when ρ ≥ 1; 0 with no traffic or a zero holding time."""
    if lam == 0.0 or hold == 0.0:
        return 0.0
    a = lam * hold
    if a >= c:
        return INF
    return erlang_c(c, a) * hold / (c - a)


def variability_factor(cv: float) -> float:
    """Allen–Cunneen's correction (1 + v²) / 2 of the M/M/c wait for a service time of
    coefficient of variation ``cv`` (1 for exponential, 0 for constant): exact for one worker
    (Pollaczek–Khinchine), an approximation for more."""
    return 0.5 * (1.0 + cv * cv)


def service_cv(distribution: str, lognormal_cv: float) -> float:
    """Coefficient of variation (standard deviation / mean) of a service time drawn from
    ``distribution`` (a component's ``service_distribution``; ``lognormal_cv`` its
    ``service_cv``)."""
    if distribution == "constant":
        return 0.0
    if distribution == "lognormal":
        return float(lognormal_cv)
    return 1.0


def mgc_wait_moments(lam: float, hold: float, c: int, cv: float = 1.0) -> tuple[float, float]:
    """(mean, variance) of the wait in queue of M/G/c (Allen–Cunneen), in the unit of ``hold``
    (and its square). The M/M/c wait is 0 with probability 1 − C and else exponential, so its
    variance is Wq² (2 − C) / C with C the Erlang C probability; both moments are scaled as the
    mean is, by (1 + v²) / 2 (the variance by its square). (∞, ∞) when ρ ≥ 1; (0, 0) with no
    traffic or no holding time."""
    wq = mmc_wait(lam, hold, c)
    if wq == 0.0:
        return 0.0, 0.0
    if math.isinf(wq):
        return INF, INF
    k = variability_factor(cv)
    p_wait = erlang_c(c, lam * hold)
    wq *= k
    return wq, wq * wq * (2.0 - p_wait) / p_wait


def mm1_wait(lam: float, hold: float) -> float:
    """Mean waiting time of M/M/1: ρ · hold / (1 − ρ); ∞ when ρ ≥ 1."""
    return mmc_wait(lam, hold, 1)


def mmc_sojourn(lam: float, hold: float, c: int) -> float:
    """Mean time in the system (wait + service) of M/M/c."""
    return mmc_wait(lam, hold, c) + hold
