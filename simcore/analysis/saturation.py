"""Saturation and bottleneck (SPEC §3).

``saturation_rps`` is the total rps, every client scaled by one factor k, at which the first
utilization reaches 1: the smallest k in 0 < k ≤ 1e6 with ρ_max(k) ≥ 1, to 1e-6 relative (this
search brackets it to 1e-9). ρ(k) never decreases with k, but need not be linear: a blocking
service's holding time grows with the waits below it, and a rate limit caps what passes.

- With neither a blocking service nor a rate limit every ρ is proportional to k, so k =
  1 / ρ_max(1) exactly, with no further evaluation.
- Otherwise the bracket is narrowed by evaluating the model at many factors at once
  (sweep.LoadSweep, one vectorised pass for all of them). Without a rate limit the first bracket
  is known: ρ / k never decreases (the flow is linear and holding times only grow), so k lies
  between 1 and 1 / ρ_max(1); the first round spreads points over it, plus points just below
  the first non-blocking components' saturation points 1 / ρ(1) (a blocking caller's holding
  time explodes there, so the root is often just below). With a rate limit a geometric grid over
  (1e-12, 1e6] finds the bracket. Each later round places a few points evenly and a cluster at
  geometric distances around the interpolated root: per node, the first crossing of ρ = 1 by a
  rational fit of ρ / k (exact for a linear ρ and for a wait ∝ 1 / (1 − ρ) below), else a line.
  Once the bracket is narrow only the nodes already saturated at its top can cross inside it,
  so only they (and what they depend on) are evaluated. About four rounds reach 1e-9.
- The bottleneck is read at k · (1 − 1e-6) from a point evaluated with the last round.
- Small designs use ``bisect_saturation`` instead (one scale per evaluation is cheaper there);
  it is also the fallback when the grid cannot bracket the root (a factor below 1e-12). Both
  agree to well within the 1e-6 of the specification (tests/simcore/test_saturation_fast.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simcore.analysis.flow import Plan, run_flow
from simcore.analysis.latency import run_times, waits_that_matter
from simcore.analysis.sweep import LoadSweep

MAX_FACTOR = 1e6
REL_TOL = 1e-6
TIE_REL = 1e-9
_TIGHT = 1e-9
_EDGE = 4e-10  # the vector search's first round tries (1 ± this) / ρ_max(1): exact when linear
_MIN_FACTOR = 1e-300
_BRACKET_TOL = 1e-9  # the vector search stops when hi − lo ≤ this · lo
_GRID_MIN = 1e-12  # lowest factor of the first grid when the bracket is unknown
_FIRST_POINTS = 16  # the first round: evenly (or geometrically) spread over the bracket
_EVEN_POINTS = 6  # later rounds: evenly spread, plus a cluster around the interpolated root
_CLUSTER_RATIO = 2.5  # spacing factor of the cluster's distances to the interpolated root
_RATIONAL_NODES = 8  # crossings refined by a rational fit per round (the earliest by a line)
_SHADOW_REL = 1e-7  # the bottleneck is read at guess · (1 − 1e-6) if guess is this close
_POLES = 3  # the first round also looks just below the first few linear saturation points
_POLE_OFFSETS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-7, 1e-9, 0.0)
_RESTRICT_SHARE = 0.4  # evaluate only the nodes that can still cross when at most this share
_MAX_RESTRICTS = 2  # ... trying that at most this often (each costs a new sweep)
_MAX_ROUNDS = 60
_SCALAR_BELOW = 40  # designs with fewer nodes are searched one scale at a time (cheaper)


@dataclass
class Saturation:
    """``factor`` the scale of every client's rps at saturation (None: no traffic, or no factor
    up to 1e6 saturates); ``rps`` = factor · offered; ``bottleneck`` the component id that breaks
    first (None with no traffic); ``evaluations`` how many scales the model was evaluated at."""

    factor: float | None
    rps: float | None
    bottleneck: str | None
    evaluations: int


def utilizations(plan: Plan, scale: float, waits: list[bool] | None = None) -> list[float]:
    """Every node's utilization (busiest instance or database node) at ``scale`` × the rps.
    ``waits`` (latency.waits_that_matter(plan)) skips the waits no utilization depends on."""
    return run_times(plan, run_flow(plan, scale), waits=waits).utilization


def pick_bottleneck(plan: Plan, util) -> str | None:
    """The non-client component with the highest ρ; ties within 1e-9 relative go to the smallest
    id; None when nothing carries load (every ρ is 0)."""
    best = max((u for i, u in enumerate(util) if not plan.nodes[i].is_client), default=0.0)
    if not best > 0.0:
        return None
    floor = best if math.isinf(best) else best * (1.0 - TIE_REL)
    tied = [plan.nodes[i].id for i, u in enumerate(util)
            if not plan.nodes[i].is_client and u >= floor]
    return min(tied)


def find_saturation(plan: Plan, util_now: list[float], method: str = "auto") -> Saturation:
    """Saturation point and bottleneck of ``plan``; ``util_now`` are the utilizations at k = 1.
    ``method``: "auto" (the cheaper search for this design), "vector" (many scales per pass)
    or "bisect" (one scale per evaluation); all agree to well within 1e-6 relative."""
    if method not in ("auto", "vector", "bisect"):
        raise ValueError(f"unknown saturation search method {method!r}")
    offered = plan.offered_rps
    if offered <= 0.0:
        return Saturation(None, None, None, 0)
    if method == "bisect":
        return bisect_saturation(plan, util_now)
    now = max(util_now, default=0.0)
    if not plan.has_blocking and not plan.has_limiters:
        if not now * MAX_FACTOR >= 1.0:
            return Saturation(None, None, pick_bottleneck(plan, util_now), 0)
        factor = 1.0 / now
        at = [u * factor * (1.0 - REL_TOL) for u in util_now]  # ρ ∝ k
        return Saturation(factor, factor * offered, pick_bottleneck(plan, at), 0)
    if method == "auto" and len(plan.nodes) < _SCALAR_BELOW:
        return bisect_saturation(plan, util_now)
    sweep = LoadSweep(plan)
    if method == "auto" and _scalar_is_cheaper(plan, sweep):
        return bisect_saturation(plan, util_now)
    return _vector_search(plan, sweep, util_now, now, offered)


def _scalar_is_cheaper(plan: Plan, sweep: LoadSweep) -> bool:
    """Whether ~24 scalar evaluations are expected to cost less than ~4 vector rounds: a rough,
    deterministic cost model in µs (per vector operation 1 + E / 700 for E array elements; per
    scalar node a few µs plus its Erlang recursion). Small designs are faster one scale at a
    time; either way the result is the same to within the tolerances."""
    waits = waits_that_matter(plan)
    scalar = sum(5.0 + (0.06 * nd.workers * (len(nd.db.shares) if nd.db else 1) if waits[i]
                        else 0.0)
                 for i, nd in enumerate(plan.nodes) if not nd.is_client)
    vector = 0.0
    for lv in sweep.levels:
        cmax = float(lv.st_c.max()) if lv.st_waits.any() else 0.0
        vector += (2.0 * min(cmax, 512.0) + 45.0) * (1.0 + 40.0 * len(lv.st_c) / 700.0)
    return 24.0 * scalar < 4.0 * vector


def _vector_search(plan: Plan, sweep: LoadSweep, util_now: list[float], now: float,
                   offered: float) -> Saturation:
    evals = 0
    n_live = len(plan.nodes)  # nodes the current sweep evaluates
    is_client = np.array([nd.is_client for nd in plan.nodes])
    restricts = 0
    outside = 0.0  # the highest ρ, at the bracket's top, of the nodes a restriction left out
    lo_rho = hi_rho = None  # every node's ρ at lo and at hi, once evaluated
    hist_k: list[float] = []  # every factor evaluated, and every node's ρ there (columns)
    hist_u: list[np.ndarray] = []
    shadow: tuple[float, np.ndarray] | None = None  # (guess, ρ at guess · (1 − 1e-6))

    # Bracket: ρ_max(lo) < 1 ≤ ρ_max(hi), with f_lo, f_hi those values (None: not yet known).
    # ρ_max(1) = now is known; without a rate limit ρ / k never decreases, which bounds the other
    # side by 1 / now.
    linear_bound = not plan.has_limiters and 0.0 < now < math.inf
    if now >= 1.0:
        hi, f_hi, f_lo = 1.0, now, None
        lo = 1.0 / now * (1.0 - _EDGE) if linear_bound else _GRID_MIN
    else:
        lo, f_lo, f_hi = 1.0, now, None
        hi = min(1.0 / now * (1.0 + _EDGE), MAX_FACTOR) if linear_bound else MAX_FACTOR
    if now < 1.0:
        lo_rho = np.asarray(util_now, dtype=float)
    else:
        hi_rho = np.asarray(util_now, dtype=float)
    hist_k.append(1.0)
    hist_u.append(np.asarray(util_now, dtype=float))
    # Endpoints not yet known are checked in the first round, with an even or geometric grid.
    first = [x for x, f in ((lo, f_lo), (hi, f_hi)) if f is None]
    if lo == _GRID_MIN or hi == MAX_FACTOR and f_hi is None:
        grid = np.geomspace(lo, hi, 64)
    else:
        grid = np.linspace(lo, hi, _FIRST_POINTS + 2)
    # The other side of 1 / now too: with ρ close to linear the bracket closes in one round.
    near = [1.0 / now * (1.0 + _EDGE) if now >= 1.0 else 1.0 / now * (1.0 - _EDGE)
            ] if linear_bound else []
    # A callee without blocking saturates at exactly 1 / ρ(1); a blocking caller's holding time
    # grows without bound as it nears that point, so the root is often just below it.
    poles = []
    if linear_bound:
        lin = sorted({1.0 / u for i, u in enumerate(util_now) if u > 0.0
                      and not plan.nodes[i].is_client and not plan.nodes[i].blocking})
        poles = [p * (1.0 - d) for p in lin[:_POLES] for d in _POLE_OFFSETS]
    ks = np.unique(np.concatenate([grid[1:-1], first, near, poles]))
    ks = ks[(ks >= lo) & (ks <= hi)]
    guess = None
    rounds = 0
    while True:
        rounds += 1
        cols = ks if guess is None else np.append(ks, guess * (1.0 - REL_TOL))
        evals += len(cols)
        util = sweep.utilization(cols)
        f = util[:, :len(ks)].max(axis=0, initial=0.0)
        if guess is not None:
            shadow = (guess, util[:, -1])
        if hi in first and f[-1] < 1.0:  # hi is the largest point: nothing up to it saturates
            if hi >= MAX_FACTOR:
                return Saturation(None, None, pick_bottleneck(plan, util_now), evals)
            return bisect_saturation(plan, util_now, evals)  # pragma: no cover - bounds proven
        if lo in first and f[0] >= 1.0:  # lo is the smallest point: saturated below the grid
            return bisect_saturation(plan, util_now, evals)
        first = []
        hist_k.extend(ks.tolist())
        hist_u.extend(util[:, :len(ks)].T)
        hit = f >= 1.0
        j = int(np.argmax(hit)) if hit.any() else len(ks)
        if j < len(ks):
            hi, f_hi, hi_rho = float(ks[j]), float(f[j]), util[:, j]
        if j > 0:
            lo, f_lo, lo_rho = float(ks[j - 1]), float(f[j - 1]), util[:, j - 1]
        if hi - lo <= _BRACKET_TOL * lo or rounds >= _MAX_ROUNDS:
            break
        if hi / lo < 4.0 and hi_rho is not None and restricts < _MAX_RESTRICTS:
            # Only the nodes saturated at hi can cross inside the bracket (ρ never decreases):
            # evaluate just them (and what they depend on) when that is a much smaller part.
            crossing = np.flatnonzero(hi_rho >= 1.0)
            if 0 < len(crossing) <= _RESTRICT_SHARE * n_live:
                sub = LoadSweep(plan, only=crossing.tolist(), like=sweep)
                kept = np.array(sub.kept)
                restricts += 1
                if kept.sum() <= _RESTRICT_SHARE * n_live:
                    sweep, n_live = sub, int(kept.sum())
                    others = ~kept & ~is_client
                    outside = max(outside, float(hi_rho[others].max(initial=0.0)))
        guess = _root_guess(lo, hi, lo_rho, hi_rho, hist_k, hist_u)
        ks = _candidates(lo, hi, guess)
    factor = 0.5 * (lo + hi)
    at = None
    if shadow is not None and abs(shadow[0] - factor) <= _SHADOW_REL * factor:
        at = shadow[1]
    # The nodes a restriction left out are below `outside` up to the bracket's top; they cannot
    # be the bottleneck (nor tie with it) when the best node evaluated is clearly above that.
    if (at is not None and outside > 0.0
            and not outside < float(at.max(initial=0.0)) * (1.0 - 4.0 * TIE_REL)):
        at = None
        sweep = LoadSweep(plan, like=sweep)
    if at is None:
        evals += 1
        at = sweep.utilization([factor * (1.0 - REL_TOL)])[:, 0]
    return Saturation(factor, factor * offered, pick_bottleneck(plan, at.tolist()), evals)


def _root_guess(lo: float, hi: float, lo_rho: np.ndarray | None,
                hi_rho: np.ndarray | None, hist_k: list[float],
                hist_u: list[np.ndarray]) -> float:
    """Where ρ_max = 1 inside (lo, hi): the first of the nodes' own crossings. A node crosses
    where ψ(k) = k / ρ(k) − k = 0; ψ is smooth and decreasing (k / ρ = c / (λ H) at unit
    traffic falls as the holding time grows, to 0 where a wait below becomes infinite), so
    the straight line through ψ(lo) and ψ(hi) places each crossing well, even next to the load
    at which a callee saturates; the middle when the ends are unknown."""
    if lo_rho is None or hi_rho is None:
        return 0.5 * (lo + hi)
    cross = (hi_rho >= 1.0) & (lo_rho < 1.0) & (lo_rho > 0.0)
    if not cross.any():
        return 0.5 * (lo + hi)
    with np.errstate(all="ignore"):
        p_lo = lo / lo_rho[cross] - lo
        p_hi = hi / hi_rho[cross] - hi
        roots = lo + p_lo / (p_lo - p_hi) * (hi - lo)
    g = float(np.min(roots))
    if not lo < g < hi:
        g = 0.5 * (lo + hi)
    # Refine each crossing that could come first with a rational fit of ρ / k.
    order = np.argsort(roots)[:_RATIONAL_NODES]
    nodes = np.flatnonzero(cross)[order]
    kk = np.array(hist_k)
    near = np.argsort(np.abs(kk - 0.5 * (lo + hi)))[:6]
    best = math.inf
    for i in nodes:
        pts = [(kk[c], hist_u[c][i]) for c in near if 0.0 < hist_u[c][i] < math.inf]
        r = _rational_root(pts[:3], lo, hi) if len(pts) >= 3 else None
        if r is None:
            return g
        best = min(best, r)
    return best if lo < best < hi else g


def _rational_root(pts: list[tuple[float, float]], lo: float, hi: float) -> float | None:
    """The k in (lo, hi) with k · u(k) = 1, u = (A + B k) / (1 + C k) through three (k, ρ)
    points, u = ρ / k: exact for a linear ρ and for a wait ∝ 1 / (1 − ρ) below; None if the fit
    or the root is not usable."""
    m = np.array([[1.0, k, -(r / k) * k] for k, r in pts])
    rhs = np.array([r / k for k, r in pts])
    try:
        a, b, c = np.linalg.solve(m, rhs)
    except np.linalg.LinAlgError:
        return None
    # k (A + B k) = 1 + C k  →  B k² + (A − C) k − 1 = 0
    if abs(b) < 1e-300:
        roots = [1.0 / (a - c)] if a != c else []
    else:
        disc = (a - c) ** 2 + 4.0 * b
        if disc < 0.0:
            return None
        sq = math.sqrt(disc)
        roots = [(-(a - c) + sq) / (2.0 * b), (-(a - c) - sq) / (2.0 * b)]
    inside = [r for r in roots if lo < r < hi]
    return min(inside) if inside else None


def _candidates(lo: float, hi: float, guess: float) -> np.ndarray:
    """Factors strictly inside (lo, hi) for the next round: a few evenly spread (progress when
    the guess is poor) and a cluster at geometric distances around the guess, from half the
    width down to the final tolerance (the bracket closes to the pair that straddles the root)."""
    width = hi - lo
    if hi / lo > 4.0:
        return np.geomspace(lo, hi, _FIRST_POINTS + 2)[1:-1]
    even = np.linspace(lo, hi, _EVEN_POINTS + 2)[1:-1]
    smallest = 0.25 * _BRACKET_TOL * lo
    n_off = max(1, math.ceil(math.log(0.5 * width / smallest) / math.log(_CLUSTER_RATIO)))
    off = 0.5 * width / _CLUSTER_RATIO ** np.arange(n_off)
    ks = np.unique(np.concatenate([even, guess - off, guess + off, [guess]]))
    return ks[(ks > lo) & (ks < hi)]


def bisect_saturation(plan: Plan, util_now: list[float], evals: int = 0) -> Saturation:
    """The saturation search by plain bisection on the scalar model (one evaluation per step):
    1 / ρ_max(1) is tried first (exact when ρ is linear), then the bracket is doubled or halved
    and bisected to 1e-6 relative. ``evals`` counts evaluations already spent."""
    offered = plan.offered_rps
    if offered <= 0.0:
        return Saturation(None, None, None, evals)
    seen: dict[float, float] = {}
    waits = waits_that_matter(plan)

    def rho_max(k: float) -> float:
        nonlocal evals
        if k not in seen:
            evals += 1
            seen[k] = max(utilizations(plan, k, waits), default=0.0)
        return seen[k]

    def saturates(k: float) -> bool:
        return rho_max(k) >= 1.0

    now = max(util_now, default=0.0)
    guess = min(1.0 / now, MAX_FACTOR) if now > 0.0 and math.isfinite(now) else 1.0
    lo_t, hi_t = guess * (1.0 - _TIGHT), min(guess * (1.0 + _TIGHT), MAX_FACTOR)
    # Saturating at hi_t (≤ 1e6) already proves a factor exists; else ask at the limit.
    if not saturates(hi_t) and not saturates(MAX_FACTOR):
        return Saturation(None, None, pick_bottleneck(plan, util_now), evals)
    factor = None
    if saturates(hi_t):
        if not saturates(lo_t):
            factor = guess
        else:
            hi = lo_t
            lo = hi / 2.0
            while lo > _MIN_FACTOR and saturates(lo):
                hi, lo = lo, lo / 2.0
    else:
        lo = hi_t
        hi = min(2.0 * lo, MAX_FACTOR)
        while not saturates(hi):
            lo, hi = hi, min(2.0 * hi, MAX_FACTOR)
    if factor is None:
        # Invariant: ρ_max(lo) < 1 ≤ ρ_max(hi).
        while hi - lo > REL_TOL * 0.5 * lo and lo > _MIN_FACTOR:
            mid = 0.5 * (lo + hi)
            if saturates(mid):
                hi = mid
            else:
                lo = mid
        factor = 0.5 * (lo + hi)
    evals += 1
    at = utilizations(plan, factor * (1.0 - REL_TOL), waits)
    return Saturation(factor, factor * offered, pick_bottleneck(plan, at), evals)
