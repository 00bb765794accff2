"""Event-driven simulation of one block of time: the columns' up/down processes and the request
failure integrated over the states they visit.

A binary signal over a stretch [s, e) of hours is (its state at s, the sorted times where it
toggles). Every instance draws its own alternating exponential up and down times (no time step:
the state only changes at these events); a column's signal combines its instances, its standby
and the take-over clock; all columns' signals are merged into one sorted event list, the states
between consecutive events are packed into integer keys, each distinct state is evaluated once by
the analysis' vectorised success function, and the failure fraction is integrated over the time
each state lasts. Long blocks are cut into segments (to bound memory); the state carried from one
segment to the next is exact because exponential times are memoryless.

A block starts in the steady state: each instance is up with its availability, and when a
column's actives are all down the take-over clock has already run for an Exp(MTTR / n) time (the
age of an all-down period). Blocks are therefore independent and identically distributed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcore.reliability.plan import ColumnSpec, ReliabilityPlan

SEGMENT_EVENTS = 400_000
"""Events simulated at once, at most (memory: a few tens of MB)."""
STATE_BYTES = 64 * 1024 * 1024
"""Packed states of one segment (events × columns / 8 bytes), at most: a design with thousands
of columns simulates shorter segments instead of more memory."""
EVAL_CELLS = 1 << 24
"""Cells (states × success columns) handed to the success function at once."""
CACHE_BYTES = 64 * 1024 * 1024
"""The memo of evaluated states is emptied when its keys reach this size."""
OUTAGE_THRESHOLD = 1e-12
"""A state where more than this share of requests fails is part of an outage (the same line as
the analysis' SPOF threshold: below it is floating-point noise)."""

_EMPTY = np.empty(0)


@dataclass
class BlockResult:
    """One block: ``hours`` simulated; ``failed_hours`` = ∫ (1 − success) dt; ``outages`` begun
    in the block and ``outage_hours`` spent in a state where some request fails; per column the
    hours it was up; ``events`` state changes processed."""

    hours: float
    failed_hours: float
    outages: int
    outage_hours: float
    column_up_hours: np.ndarray
    events: int

    @property
    def unavailability(self) -> float:
        return self.failed_hours / self.hours


def _alternating(rng: np.random.Generator, up: bool, s: float, e: float, mtbf: float,
                 mttr: float) -> np.ndarray:
    """Toggle times in (s, e) of an instance that is ``up`` at s (memoryless: its residual time
    in the current state is a fresh exponential)."""
    span = e - s
    pairs = int(span / (mtbf + mttr) + 4.0 * np.sqrt(span / (mtbf + mttr)) + 4)
    out = []
    t = s
    while True:
        a = rng.exponential(mtbf if up else mttr, pairs)
        b = rng.exponential(mttr if up else mtbf, pairs)
        times = t + np.cumsum(np.column_stack([a, b]).ravel())
        if times[-1] >= e:
            out.append(times[times < e])
            break
        out.append(times)
        t = times[-1]  # an even number of toggles: back in the state ``up``
    return out[0] if len(out) == 1 else np.concatenate(out)


def _toggles_where_changed(t: np.ndarray, state: np.ndarray, state0: bool) -> np.ndarray:
    """Times where ``state`` (the state after each event at ``t``, sorted) differs from the one
    before. Events at the same instant count once, with the state after the last of them."""
    if t.size == 0:
        return _EMPTY
    last = np.empty(t.size, dtype=bool)
    last[:-1] = t[1:] != t[:-1]
    last[-1] = True
    t, state = t[last], state[last]
    prev = np.empty_like(state)
    prev[0] = state0
    prev[1:] = state[:-1]
    return t[state != prev]


def _combine_standby(a0: bool, at: np.ndarray, s0: bool, st: np.ndarray, w0: bool,
                     wt: np.ndarray) -> tuple[bool, np.ndarray]:
    """The column serves when the actives are (signal a) or the standby is (s) after the
    take-over time (w): a | (s & w)."""
    times = np.concatenate([at, st, wt])
    which = np.concatenate([np.full(at.size, 1, np.int8), np.full(st.size, 2, np.int8),
                            np.full(wt.size, 4, np.int8)])
    order = np.argsort(times, kind="stable")
    times = times[order]
    key0 = (1 if a0 else 0) | (2 if s0 else 0) | (4 if w0 else 0)
    keys = np.bitwise_xor.accumulate(which[order]) ^ np.int8(key0)
    out = ((keys & 1) != 0) | (((keys & 2) != 0) & ((keys & 4) != 0))
    out0 = bool(a0 or (s0 and w0))
    return out0, _toggles_where_changed(times, out, out0)


class _Column:
    """A column's process and the state it carries from one segment to the next."""

    def __init__(self, spec: ColumnSpec, rng: np.random.Generator, s: float):
        self.spec = spec
        r = spec.rates
        self.fails = r is not None and not spec.simplified
        self.up = np.ones(spec.instances, dtype=bool)
        self.sb_up = True
        self.t_all_down = None  # when the actives last became all down (while they are)
        if not self.fails:
            return
        a = 1.0 - r.u
        self.up = rng.random(spec.instances) < a
        if spec.standby:
            self.sb_up = bool(rng.random() < a)
        if not self.up.any():
            self.t_all_down = s - rng.exponential(r.mttr_h / spec.instances)

    def state(self, s: float) -> bool:
        """Serving at time s (the state at the start of a segment)."""
        if self.up.any():
            return True
        return self.spec.standby and self.sb_up and s >= self.t_all_down + self.spec.failover_h

    def segment(self, rng: np.random.Generator, s: float, e: float) -> tuple[bool, np.ndarray]:
        """(serving at s, toggle times in (s, e)) and advance the carried state to e."""
        state0 = self.state(s)
        if not self.fails:
            return state0, _EMPTY
        r = self.spec.rates
        n = self.spec.instances
        a0 = bool(self.up.any())
        if n == 1:
            at = _alternating(rng, bool(self.up[0]), s, e, r.mtbf_h, r.mttr_h)
            if at.size % 2:
                self.up[0] = not self.up[0]
        else:
            at = self._actives(rng, s, e)
        if not self.spec.standby:
            self._carry_all_down(at)
            return state0, at
        st = _alternating(rng, self.sb_up, s, e, r.mtbf_h, r.mttr_h)
        s0 = self.sb_up
        if st.size % 2:
            self.sb_up = not self.sb_up
        w0, wt = self._takeover(a0, at, s, e)
        self._carry_all_down(at)
        return _combine_standby(a0, at, s0, st, w0, wt)

    def _actives(self, rng: np.random.Generator, s: float, e: float) -> np.ndarray:
        """Toggle times of "some active instance is up", from the count of instances down."""
        r = self.spec.rates
        n = self.spec.instances
        down0 = n - int(np.count_nonzero(self.up))
        times, deltas = [], []
        for i in range(n):
            t = _alternating(rng, bool(self.up[i]), s, e, r.mtbf_h, r.mttr_h)
            if t.size == 0:
                continue
            d = np.ones(t.size, dtype=np.int64)
            d[1::2] = -1
            times.append(t)
            deltas.append(d if self.up[i] else -d)  # +1: one more instance down
            if t.size % 2:
                self.up[i] = not self.up[i]
        if not times:
            return _EMPTY
        t = np.concatenate(times)
        d = np.concatenate(deltas)
        order = np.argsort(t, kind="stable")
        down = down0 + np.cumsum(d[order])
        return _toggles_where_changed(t[order], down < n, down0 < n)

    def _takeover(self, a0: bool, at: np.ndarray, s: float, e: float) -> tuple[bool, np.ndarray]:
        """The take-over clock as a signal: on from F after the actives became all down until
        they come back."""
        f = self.spec.failover_h
        if a0:
            starts, ends = at[0::2], at[1::2]
            w0 = False
        else:
            starts = np.concatenate([[self.t_all_down], at[1::2]])
            ends = at[0::2]
            w0 = s >= self.t_all_down + f
        ends = np.concatenate([ends, [np.inf]]) if ends.size < starts.size else ends
        on = starts + f
        live = on < ends  # the take-over completes before an active comes back
        on_t = on[live & (on > s) & (on < e)]
        off_t = ends[live & (ends < e)]  # ends are toggles in (s, e), or inf when open
        wt = np.sort(np.concatenate([on_t, off_t]))
        return w0, wt

    def _carry_all_down(self, at: np.ndarray) -> None:
        """Remember when the current all-down period began (if the actives end the segment
        all down)."""
        if self.up.any():
            self.t_all_down = None
        elif at.size:
            self.t_all_down = float(at[-1])
        # else: all down through the whole segment, the start stays what it was

    def up_hours(self, state0: bool, toggles: np.ndarray, s: float, e: float) -> float:
        edges = np.concatenate([[s], toggles, [e]])
        d = np.diff(edges)
        return float(d[0::2].sum() if state0 else d[1::2].sum())


def simulate_block(plan: ReliabilityPlan, hours: float, entropy: int, replication: int,
                   block: int) -> BlockResult:
    """Simulate ``hours`` of the design's failures and repairs from the steady state, with the
    random stream (entropy, replication, block): independent of every other block's."""
    ss = np.random.SeedSequence(entropy, spawn_key=(replication, block))
    rng = np.random.default_rng(ss)
    cols = [_Column(spec, rng, 0.0) for spec in plan.columns]
    ncol = len(cols)
    words = max(1, (ncol + 62) // 63)
    expand = plan.expand
    rate = plan.events_per_hour()
    most = max(1, min(SEGMENT_EVENTS, STATE_BYTES // (8 * words)))
    seg = hours if rate * hours <= most else most / rate
    nseg = max(1, int(np.ceil(hours / seg)))
    col_up = np.zeros(ncol)
    failed = outage_h = 0.0
    outages = events = 0
    in_outage = None
    cache: dict[bytes, float] = {}
    for k in range(nseg):
        s = hours * k / nseg
        e = hours * (k + 1) / nseg
        init = np.zeros(words, dtype=np.int64)
        times, owner = [], []
        for i, c in enumerate(cols):
            st0, tog = c.segment(rng, s, e)
            col_up[i] += c.up_hours(st0, tog, s, e)
            if st0:
                init[i // 63] |= np.int64(1) << np.int64(i % 63)
            if tog.size:
                times.append(tog)
                owner.append(np.full(tog.size, i, dtype=np.int64))
        t = np.concatenate(times) if times else _EMPTY
        who = np.concatenate(owner) if owner else np.empty(0, dtype=np.int64)
        order = np.argsort(t, kind="stable")
        t, who = t[order], who[order]
        keys = np.empty((t.size + 1, words), dtype=np.int64)
        keys[0] = init
        bit = np.left_shift(np.int64(1), (who % 63).astype(np.int64))
        for w in range(words):
            m = np.where(who // 63 == w, bit, np.int64(0))
            keys[1:, w] = np.bitwise_xor.accumulate(m) ^ init[w] if m.size else init[w]
        starts = np.concatenate([[s], t])
        # events at the same instant: only the state after the last of them lasts
        keep = np.ones(starts.size, dtype=bool)
        keep[:-1] = starts[1:] != starts[:-1]
        starts, keys = starts[keep], keys[keep]
        dur = np.diff(np.concatenate([starts, [e]]))
        f = _failures(plan, keys, ncol, expand, cache)
        failed += float(np.dot(f, dur))
        bad = f > OUTAGE_THRESHOLD
        prev = np.empty_like(bad)
        prev[1:] = bad[:-1]
        prev[0] = bad[0] if in_outage is None else in_outage  # already under way at the start
        outages += int(np.count_nonzero(bad & ~prev))
        outage_h += float(dur[bad].sum())
        in_outage = bool(bad[-1])
        events += int(t.size)
    return BlockResult(hours, failed, outages, outage_h, col_up, events)


def _failures(plan: ReliabilityPlan, keys: np.ndarray, ncol: int, expand: np.ndarray,
              cache: dict[bytes, float]) -> np.ndarray:
    """Failure fraction of each state row of ``keys`` (packed bits of the simulated columns),
    evaluating every distinct state once with the analysis' success function (over its own
    columns, ``expand`` mapping each to its simulated column), in slices of ``EVAL_CELLS``."""
    if len(cache) * keys.shape[1] * 8 > CACHE_BYTES:
        cache.clear()
    if keys.shape[1] == 1:
        u1, inv = np.unique(keys[:, 0], return_inverse=True)
        uniq = u1[:, None]
    else:
        uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    fu = np.empty(len(uniq))
    todo = []
    for j, row in enumerate(uniq):
        v = cache.get(row.tobytes())
        if v is None:
            todo.append(j)
        else:
            fu[j] = v
    idx = np.arange(ncol)
    step = max(1, EVAL_CELLS // max(len(expand), ncol))
    for lo in range(0, len(todo), step):
        part = todo[lo:lo + step]
        rows = uniq[part]
        up = ((rows[:, idx // 63] >> (idx % 63)) & 1).astype(bool)
        fv = np.clip(plan.success.failure(up[:, expand]), 0.0, 1.0)
        for j, v in zip(part, fv):
            fu[j] = v
            cache[uniq[j].tobytes()] = float(v)
    return fu[inv]
