"""The clients' keys (SPEC §7.4): which item a request touches, drawn where it matters.

Each client draws its requests' keys from a Zipf law over ``key_space`` keys with exponent
``key_skew`` (key i, counted from 0, has weight (i + 1)^−skew; skew 0 makes every key alike);
key i is the same item for every client. A component sees the mixture of the clients that reach
it, weighted by their rate of that request type (reads apart from writes). Keys are drawn only
by the parts that use them (a database judging stale reads), so a design that does not pay
nothing for them.
"""

from __future__ import annotations

import numpy as np

from simcore.engine.streams import BATCH

EXACT_KEYS = 1 << 20
"""The first this many keys are sampled exactly (inverse of the cumulative weights); the keys
beyond, in larger key spaces, by the inverse of the weights' integral (x^−skew over
[i − ½, i + ½) stands for key i's weight: a relative error far below one in a thousand there)."""


def zipf_keys(rng: np.random.Generator, n: int, skew: float, size: int) -> np.ndarray:
    """``size`` keys in [0, n) with P(i) ∝ (i + 1)^−skew."""
    u = rng.random(size)
    if skew == 0.0:
        return np.minimum((u * n).astype(np.int64), n - 1)
    m = min(n, EXACT_KEYS)
    cdf, head = _head(m, skew)
    tail = _integral(m + 0.5, n + 0.5, skew) if n > m else 0.0
    p_head = head / (head + tail)
    keys = np.minimum(np.searchsorted(cdf, u / p_head, side="right"), m - 1)
    far = u >= p_head
    if far.any():
        v = (u[far] - p_head) / (1.0 - p_head)
        a, b = m + 0.5, n + 0.5
        if abs(skew - 1.0) < 1e-12:
            x = a * (b / a) ** v
        else:
            e = 1.0 - skew
            x = (a**e + v * (b**e - a**e)) ** (1.0 / e)
        keys[far] = np.clip(np.rint(x).astype(np.int64) - 1, m, n - 1)
    return keys


def _integral(a: float, b: float, skew: float) -> float:
    """∫ x^−skew dx over [a, b]."""
    if abs(skew - 1.0) < 1e-12:
        return float(np.log(b / a))
    e = 1.0 - skew
    return float((b**e - a**e) / e)


_HEADS: dict[tuple[int, float], tuple[np.ndarray, float]] = {}


def _head(m: int, skew: float) -> tuple[np.ndarray, float]:
    """The normalised cumulative weights of keys 0 … m − 1, and their unnormalised sum."""
    key = (m, skew)
    got = _HEADS.get(key)
    if got is None:
        cdf = np.cumsum(np.arange(1, m + 1, dtype=float) ** -skew)
        total = float(cdf[-1])
        cdf /= total
        _HEADS.clear()  # one law at a time is the common case: keep memory at one table
        _HEADS[key] = got = (cdf, total)
    return got


class KeyStream:
    """Keys of one request type at one component: the mixture of ``laws``, a list of
    (weight, key_space, key_skew), drawn ``BATCH`` at a time; ``next()`` gives one."""

    __slots__ = ("buf", "laws", "rng", "weights")

    def __init__(self, rng: np.random.Generator, laws: list[tuple[float, int, float]]):
        self.rng = rng
        laws = [law for law in laws if law[0] > 0] or [(1.0, 100_000, 1.0)]
        total = sum(w for w, _n, _s in laws)
        self.weights = np.array([w / total for w, _n, _s in laws])
        self.laws = [(int(n), float(s)) for _w, n, s in laws]
        self.buf: list[int] = []

    def refill(self) -> None:
        if len(self.laws) == 1:
            n, s = self.laws[0]
            keys = zipf_keys(self.rng, n, s, BATCH)
        else:
            which = self.rng.choice(len(self.laws), size=BATCH, p=self.weights)
            keys = np.empty(BATCH, dtype=np.int64)
            for j, (n, s) in enumerate(self.laws):
                mask = which == j
                keys[mask] = zipf_keys(self.rng, n, s, int(mask.sum()))
        self.buf = keys.tolist()

    def next(self) -> int:
        if not self.buf:
            self.refill()
        return self.buf.pop()


def clients_reaching(sim, target_id: str) -> list:
    """The clients from which some path of links leads to ``target_id``."""
    found = []
    for c in sim.clients:
        seen, stack = set(), [e.dst for e in c.out]
        while stack:
            n = stack.pop()
            if n.id == target_id:
                found.append(c)
                break
            if n.id not in seen:
                seen.add(n.id)
                stack.extend(e.dst for e in n.out)
    return found
