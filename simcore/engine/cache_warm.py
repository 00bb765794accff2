"""What a keyed cache holds when a run starts (SPEC §7.4: caches start warm): what an LRU
holds in its steady state, so that a short run measures the steady hit ratio.

An LRU of C keys holds the C most recently requested keys, except, under ``around``, those
whose last request was a write (it removed them). Holding the most popular keys instead would
hold the ideal set, and a short run would show a hit ratio above what LRU gives.

Requests are Poisson per key, so the time since key k's last request is exponential with its
rate λ_k = r_k + w_k, independently of the other keys, and that request was a read with chance
r_k / λ_k. For key spaces up to EXACT_KEYS this is drawn key by key (exact, and cheaper than a
request stream); beyond, requests are drawn as a stream (at most WARM_DRAWS) and the keys the
draw leaves undecided are filled with the most popular ones.

``laws`` are (rate, key_space, key_skew) as everywhere (``simcore.engine.keys``); keys 0 …
space − 1, instance k of n holding the keys k mod n.
"""

from __future__ import annotations

import numpy as np

from simcore.engine.keys import KeyStream
from simcore.engine.streams import BATCH

EXACT_KEYS = 1 << 21
"""Key spaces up to this many keys are drawn key by key (some 80 MB of arrays at most)."""
WARM_DRAWS = 1 << 24
"""Beyond EXACT_KEYS, the most requests drawn (memory: 8 bytes a key)."""


def instance_keys(space: int, n: int, k: int) -> int:
    """How many of the keys 0 … space − 1 have instance k (of n) as their home."""
    return max(0, (space - k + n - 1) // n)


def warm_keys(rng: np.random.Generator, reads: list, writes: list, caps: list[int],
              space: int, removes: bool) -> list[np.ndarray]:
    """Per instance k (of ``len(caps)``), the keys it holds, at most ``caps[k]``, the most
    recently requested first. ``removes``: a write removes its key (``around``)."""
    n = len(caps)
    read_rps = sum(w for w, _n, _s in reads)
    write_rps = sum(w for w, _n, _s in writes)
    keep = read_rps / (read_rps + write_rps) if removes and write_rps > 0 else 1.0
    if all(cap >= instance_keys(space, n, k) for k, cap in enumerate(caps)):
        # nothing is evicted: each key is held when its last request was a read
        held = np.arange(space, dtype=np.int64)
        if keep < 1.0:
            held = held[rng.random(space) < keep]
        return [held[held % n == k] for k in range(n)]
    if space <= EXACT_KEYS:
        held = _recent_exact(rng, reads, writes, space, removes)
        return [held[held % n == k][:cap] for k, cap in enumerate(caps)]
    held, seen = _recent_drawn(rng, reads, writes, caps, keep)
    out = []
    for k, cap in enumerate(caps):
        mine = held[held % n == k][:cap]
        if len(mine) < cap:  # short: the most popular keys of this instance not drawn
            mine = np.concatenate([mine, _popular(rng, k, n, space, cap - len(mine),
                                                  seen[seen % n == k], keep)])
        out.append(mine)
    return out


def _rates(laws: list, space: int) -> np.ndarray:
    """Each key's request rate under the mixture ``laws`` (each law's rate spread over its
    keys by its Zipf weights)."""
    out = np.zeros(space)
    for rate, n, skew in laws:
        if rate > 0:
            m = min(int(n), space)
            weights = np.arange(1, m + 1, dtype=float) ** -float(skew)
            out[:m] += rate * weights / weights.sum()
    return out


def _recent_exact(rng, reads: list, writes: list, space: int, removes: bool) -> np.ndarray:
    """The keys held by an LRU as large as the key space, the most recent first: every key
    requested, ordered by the time since its last request; under ``removes`` only those whose
    last request was a read."""
    r, w = _rates(reads, space), _rates(writes, space)
    lam = r + w
    with np.errstate(divide="ignore"):
        age = rng.exponential(1.0, space) / lam  # inf for a key never requested
    last_read = rng.random(space) * lam < r
    order = np.argsort(age)
    order = order[np.isfinite(age[order])]
    return order[last_read[order]] if removes else order


def _recent_drawn(rng, reads: list, writes: list, caps: list[int], keep: float):
    """(the keys held, the most recent first; every distinct key drawn) after a draw of the
    cache's requests (reads with chance ``keep``), drawn until every instance k holds
    ``caps[k]`` of its own, or a doubling of the draws adds less than 1 % to the keys held
    (the rest are too rare to be drawn soon), or WARM_DRAWS requests are drawn."""
    n, need = len(caps), np.array(caps)
    read_keys = KeyStream(rng, reads)
    write_keys = KeyStream(rng, writes)
    keys, is_read = [], []
    drawn, before = 0, 0
    goal = 2 * int(need.sum())  # draws before the first look; doubled while short
    while True:
        while drawn < goal:
            r = rng.random(BATCH) < keep
            read_keys.refill()
            k = np.asarray(read_keys.buf, dtype=np.int64)
            if not r.all():
                write_keys.refill()
                k = np.where(r, k, np.asarray(write_keys.buf, dtype=np.int64))
            keys.append(k)
            is_read.append(r)
            drawn += BATCH
        seq = np.concatenate(keys)[::-1]  # the most recent draw first
        uniq, first = np.unique(seq, return_index=True)
        by_recency = np.argsort(first)
        seen = uniq[by_recency]
        held = seen[np.concatenate(is_read)[::-1][first[by_recency]]]
        if ((np.bincount(held % n, minlength=n) >= need).all() or goal >= WARM_DRAWS
                or len(held) < 1.01 * before):
            return held, seen
        before = len(held)
        goal = min(2 * goal, WARM_DRAWS)


def _popular(rng, k: int, n: int, space: int, count: int, seen: np.ndarray,
             keep: float) -> np.ndarray:
    """Up to ``count`` of instance k's keys not in ``seen`` (each kept with chance
    ``keep``), the most popular first."""
    out, start = [], k
    while count > 0 and start < space:
        chunk = np.arange(start, min(space, start + n * (2 * count + len(seen))), n,
                          dtype=np.int64)
        start = int(chunk[-1]) + n
        chunk = chunk[~np.isin(chunk, seen)]
        if keep < 1.0:
            chunk = chunk[rng.random(len(chunk)) < keep]
        out.append(chunk[:count])
        count -= len(out[-1])
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)
