"""Latency percentiles of the instant analysis (SPEC §7.1): an approximation, the simulation stays
the reference.

For each client the end-to-end response time is approximated by a gamma distribution with the
mean and the variance of its path; the design's p50, p95 and p99 are those of the rps-weighted
mixture of the clients' gammas.

The variance of a path, built from the leaves up like the mean (latency.py):
- a station adds Var(Wq) (latency.Times: Wq² (2 − C) / C, scaled by ((1 + v²) / 2)²) and its
  service's (v · s)²; stations in series add their variances (taken as independent);
- a service calls each link independently with its probability p (a Bernoulli number of calls);
- every other component sends a request down one branch (a split share, a cache's miss share; the
  rest of the probability takes no time): the law of total variance;
- a database's wait is a branch over its nodes (latency.Times already holds it), and a client's
  requests are a branch over reads and writes.
Link round trips and replication lags are constants: they move the mean, not the variance.
Transmission times depend on the client's request size, so the pass runs once per distinct size.

Zero variance gives a point mass at the mean; an infinite mean or variance gives None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simcore.analysis.flow import Plan
from simcore.analysis.latency import Times, client_latency

INF = math.inf
QUANTILES = (0.50, 0.95, 0.99)

_LARGE_SHAPE = 1e5  # above this shape the gamma is normal to well below any shown digit
_BISECTIONS = 200


@dataclass(frozen=True)
class PathMoments:
    """Mean and variance of one client's end-to-end response time, in seconds (and s²)."""

    mean: float
    variance: float


def client_moments(plan: Plan, times: Times) -> dict[int, PathMoments]:
    """Mean and variance of each client's response time (reads and writes mixed by its
    read ratio), keyed by the client's node index."""
    by_kb: dict[float, list[int]] = {}
    for i in plan.clients:
        by_kb.setdefault(plan.nodes[i].request_kb, []).append(i)
    out: dict[int, PathMoments] = {}
    for kb, clients in by_kb.items():
        var_r, var_w = _path_variances(plan, times, kb)
        for i in clients:
            lr, lw = client_latency(plan, times, i)
            vr, vw = _downstream_variance(plan, times, i, kb, var_r, True), \
                _downstream_variance(plan, times, i, kb, var_w, False)
            rr = plan.nodes[i].read_ratio
            out[i] = _mix([(rr, lr, vr), (1.0 - rr, lw, vw)])
    return out


def _response_mean(times: Times, t: int, kb: float, read: bool) -> float:
    if read:
        return times.r0_read[t] + kb * times.r1_read[t]
    return times.r0_write[t] + kb * times.r1_write[t]


def _downstream_variance(plan: Plan, times: Times, i: int, kb: float, var: list[float],
                         read: bool) -> float:
    """Var(D(i, r)) from the targets' response variances ``var`` (one type)."""
    node = plan.nodes[i]
    branches = []
    for o in node.outs:
        w = o.cost_read if read else o.cost_write
        if w == 0.0:
            continue
        m = o.round_trip_s + kb * o.tx_s_per_kb + _response_mean(times, o.target, kb, read)
        branches.append((w, m, var[o.target]))
    if node.kind == "service":
        return _independent_calls(branches)
    return _mix(branches).variance


def _path_variances(plan: Plan, times: Times, kb: float) -> tuple[list[float], list[float]]:
    """Var(R(x, read)) and Var(R(x, write)) of every node, for requests of ``kb`` KB."""
    n = len(plan.nodes)
    var_r = [0.0] * n
    var_w = [0.0] * n
    for i in range(n - 1, -1, -1):
        if plan.nodes[i].is_client:
            continue
        own = times.service_var[i]
        var_r[i] = times.wait_var_read[i] + own + _downstream_variance(plan, times, i, kb,
                                                                       var_r, True)
        var_w[i] = times.wait_var_write[i] + own + _downstream_variance(plan, times, i, kb,
                                                                        var_w, False)
    return var_r, var_w


def _independent_calls(calls: list[tuple[float, float, float]]) -> float:
    """Variance of Σ B_t · X_t with B_t ~ Bernoulli(p_t) and X_t of mean m_t, variance v_t, all
    independent: Σ p v + p (1 − p) m²."""
    total = 0.0
    for p, m, v in calls:
        if math.isinf(m) or math.isinf(v):
            return INF
        total += p * v + p * (1.0 - p) * m * m
    return total


def _mix(branches: list[tuple[float, float, float]]) -> PathMoments:
    """Moments of a mixture: branch (weight, mean, variance); weights summing to less than 1
    leave the rest at 0 (a cache hit). Branches of weight 0 add nothing (0 · ∞ = 0)."""
    mean = second = 0.0
    for w, m, v in branches:
        if w == 0.0:
            continue
        if math.isinf(m) or math.isinf(v):
            return PathMoments(INF, INF)
        mean += w * m
        second += w * (v + m * m)
    # E[X²] − E[X]² loses digits when the spread is tiny against the mean; floor at 0.
    return PathMoments(mean, max(second - mean * mean, 0.0))


def design_percentiles(plan: Plan, times: Times,
                       quantiles: tuple[float, ...] = QUANTILES) -> list[float | None]:
    """The quantiles (in seconds) of the rps-weighted mixture of the clients' gammas (clients
    weigh equally when every rps is 0); None where some client's moments are infinite."""
    moments = client_moments(plan, times)
    total = sum(plan.nodes[i].rps for i in plan.clients)
    weights: dict[tuple[float, float], float] = {}
    for i, mo in moments.items():
        w = plan.nodes[i].rps / total if total > 0 else 1.0 / len(plan.clients)
        if w == 0.0:
            continue
        if math.isinf(mo.mean) or math.isinf(mo.variance):
            return [None] * len(quantiles)
        key = (mo.mean, mo.variance)  # identical clients share one term
        weights[key] = weights.get(key, 0.0) + w
    if not weights:
        return [None] * len(quantiles)
    parts = [(w, m, v) for (m, v), w in weights.items()]
    return [mixture_quantile(parts, q) for q in quantiles]


def mixture_quantile(parts: list[tuple[float, float, float]], q: float) -> float:
    """The q-quantile of a mixture of gammas given as (weight, mean, variance); a part of
    variance 0 is a point mass at its mean. Bisection on the mixture's distribution function:
    the smallest x with F(x) ≥ q, to the last few digits."""
    total = sum(w for w, _, _ in parts)
    if all(v == 0.0 for _, _, v in parts) and len(parts) == 1:
        return parts[0][1]
    # Chebyshev: each part has at most 1/400 of its mass beyond mean + 20 sd, so F(hi) > 0.99.
    lo, hi = 0.0, max(m + 20.0 * math.sqrt(v) for _, m, v in parts)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        f = sum(w * gamma_cdf(mid, m, v) for w, m, v in parts) / total
        if f >= q:
            hi = mid
        else:
            lo = mid
    return hi


def gamma_cdf(x: float, mean: float, variance: float) -> float:
    """P(X ≤ x) for X gamma with this mean and variance (shape mean² / variance, scale
    variance / mean); a point mass at the mean when the variance is 0."""
    if variance == 0.0 or mean == 0.0:
        return 1.0 if x >= mean else 0.0
    if x <= 0.0:
        return 0.0
    shape = mean * mean / variance
    z = x * mean / variance  # x / scale
    if shape > _LARGE_SHAPE:
        # Wilson–Hilferty: (X / (k θ))^(1/3) is nearly normal.
        t = ((z / shape) ** (1.0 / 3.0) - (1.0 - 1.0 / (9.0 * shape))) \
            / math.sqrt(1.0 / (9.0 * shape))
        return 0.5 * math.erfc(-t / math.sqrt(2.0))
    return regularized_lower_gamma(shape, z)


def regularized_lower_gamma(a: float, x: float) -> float:
    """P(a, x) = γ(a, x) / Γ(a): the series below x < a + 1, Lentz's continued fraction for the
    upper part above (the classical pair; both converge to double precision)."""
    if x <= 0.0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        n = a
        for _ in range(100_000):
            n += 1.0
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return min(1.0, total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for k in range(1, 100_000):
        an = -k * (k - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)
