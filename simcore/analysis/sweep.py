"""Utilization of every component at many traffic scales at once (numpy), for the saturation
search (saturation.py): the same model as latency.run_times, evaluated for a vector of scales k
in one pass instead of one pass per scale.

What makes it cheap:
- Without a rate limit the flow is linear in k, so it is the flow at k = 1 scaled; with one, the
  flow is propagated once for the whole vector.
- Only the nodes whose response time enters a blocking service's holding time (their waits
  matter, latency.waits_that_matter) and the blocking services themselves are evaluated level by
  level from the leaves up; every other utilization is λ · s / c, one vector operation.
- The nodes of one level (same longest distance to a leaf) are evaluated together: the downstream
  sums D as a segmented sum over their links, the Erlang recursion 1/B(n) = 1 + (n / a) · 1/B(n−1)
  over all their M/M/c stations and all scales at once (a station with fewer workers starts its
  recursion later, with factor 0, which leaves 1/B = 1 until its own n = 1).
- The transmission part of every response time (seconds per KB) does not depend on the load: it
  is computed once.

Conventions as in latency.py: 0 · ∞ = 0, a wait is ∞ when ρ ≥ 1, a node's utilization is its
busiest station's. Clients have utilization 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcore.analysis.flow import Plan, run_flow
from simcore.analysis.latency import waits_that_matter
from simcore.analysis.queueing import mmc_wait, variability_factor

# Stations with more workers than this are computed one scale at a time with the scalar
# Erlang C (its recursion starts near the offered load), not by a vector recursion of c steps.
_VECTOR_MAX_WORKERS = 512
# Below this many (step × station × scale) elements the Erlang recursion is unrolled into one
# cumulative product (fewer operations); above it, stepping is cheaper (less memory traffic).
_UNROLL_MAX_ELEMENTS = 8000


@dataclass
class _Level:
    """The evaluated nodes of one height, and their links and M/M/c stations, as index arrays."""

    nodes: np.ndarray  # node indices
    blocking: np.ndarray  # bool per node
    service: np.ndarray  # s per node, seconds
    # Links with a positive weight in D, grouped by source (a weight-0 link to the zero row n
    # stands in for a node without any), for the read and the write type.
    targets_r: np.ndarray
    weights_r: np.ndarray
    starts_r: np.ndarray
    const_r: np.ndarray  # Σ w · round trip, plus nothing else
    targets_w: np.ndarray
    weights_w: np.ndarray
    starts_w: np.ndarray
    const_w: np.ndarray  # Σ w · round trip, plus a database's replication wait on writes
    d1_r: np.ndarray  # D per KB of request, constant in the load
    d1_w: np.ndarray
    # Stations, grouped by node (local node index ``st_node``).
    st_node: np.ndarray
    st_starts: np.ndarray
    st_cr: np.ndarray  # station arrival = cr · node reads + cw · node writes
    st_cw: np.ndarray
    st_c: np.ndarray  # servers
    st_wr: np.ndarray  # weight of the station's wait in the node's read wait
    st_ww: np.ndarray
    st_waits: np.ndarray  # bool: the wait is needed (else left 0, as the scalar shortcut does)
    wait_factor: np.ndarray  # Allen–Cunneen (1 + v²) / 2 per node, where H = s (else 1)


def _stations(plan: Plan, i: int) -> list[tuple[float, float, int, float, float]]:
    """(cr, cw, servers, read-wait weight, write-wait weight) of node i's M/M/c stations, as
    latency.run_times and flow.database_loads define them."""
    node = plan.nodes[i]
    if node.db is None:
        if node.pooled:
            return [(1.0, 1.0, node.workers * node.instances, 1.0, 1.0)]
        inv = 1.0 / node.instances
        return [(inv, inv, node.workers, 1.0, 1.0)]
    db = node.db
    out = []
    shares = db.shares[:1] if db.uniform else db.shares
    for q in shares:
        wt = 1.0 if db.uniform else q
        if db.replicas > 0:
            out.append((0.0, q, node.workers, 0.0, wt))
            out.append((q / db.replicas, 0.0, node.workers, wt, 0.0))
        else:
            out.append((q, q, node.workers, wt, wt))
    return out


def _gather(ptr: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows ``idx`` of a table in compressed form (row i is entries ptr[i]:ptr[i+1]): the
    entries' positions, each row's first position in that list, and each row's length."""
    counts = ptr[idx + 1] - ptr[idx]
    starts = np.cumsum(counts) - counts
    flat = np.repeat(ptr[idx] - starts, counts) + np.arange(int(counts.sum()))
    return flat, starts, counts


class _Tables:
    """What every sweep of a plan shares, as arrays indexed by node: which nodes are evaluated
    level by level (blocking, or their wait matters), their height (longest chain of such
    callees below), the links with a weight in D and the M/M/c stations, in compressed rows,
    the transmission part of the response times (per KB, load-independent) and, without rate
    limits, the flow at k = 1."""

    def __init__(self, plan: Plan):
        n = len(plan.nodes)
        need = waits_that_matter(plan)
        inner = [not nd.is_client and (nd.blocking or need[i]) for i, nd in enumerate(plan.nodes)]
        r1r = [0.0] * n
        r1w = [0.0] * n
        height = [0] * n
        deps: list[list[int]] = [[] for _ in range(n)]
        r_ptr, r_tg, r_w, const_r = [0], [], [], [0.0] * n
        w_ptr, w_tg, w_w, const_w = [0], [], [], [0.0] * n
        s_ptr, st = [0], []
        for i, nd in enumerate(plan.nodes):
            for read, ptr, tg, wg, const in ((True, r_ptr, r_tg, r_w, const_r),
                                             (False, w_ptr, w_tg, w_w, const_w)):
                c0 = 0.0
                start = len(tg)
                for o in nd.outs:
                    w = o.cost_read if read else o.cost_write
                    if w == 0.0:
                        continue
                    tg.append(o.target)
                    wg.append(w)
                    c0 += w * o.round_trip_s
                if len(tg) == start:
                    tg.append(n)  # the zero row
                    wg.append(0.0)
                if not read and nd.db is not None:
                    c0 += nd.db.write_extra_s
                const[i] = c0
                ptr.append(len(tg))
            if not nd.is_client:
                st.extend(_stations(plan, i))
            s_ptr.append(len(st))
            if inner[i]:
                deps[i] = [o.target for o in nd.outs if o.cost_read or o.cost_write]
        for i in range(n - 1, -1, -1):
            nd = plan.nodes[i]
            if nd.is_client:
                continue
            d1r = d1w = 0.0
            for o in nd.outs:
                if o.cost_read:
                    d1r += o.cost_read * (o.tx_s_per_kb + r1r[o.target])
                if o.cost_write:
                    d1w += o.cost_write * (o.tx_s_per_kb + r1w[o.target])
            r1r[i], r1w[i] = d1r, d1w
            for j in deps[i]:
                height[i] = max(height[i], height[j] + 1)
        arr = np.array
        self.deps = deps
        self.need = arr(need, dtype=bool)
        self.inner = arr(inner, dtype=bool)
        self.client = arr([nd.is_client for nd in plan.nodes], dtype=bool)
        self.blocking = arr([nd.blocking for nd in plan.nodes], dtype=bool)
        self.service = arr([nd.service_s for nd in plan.nodes], dtype=float)
        self.wait_factor = arr([variability_factor(nd.service_cv) for nd in plan.nodes],
                               dtype=float)
        self.height = arr(height, dtype=np.intp)
        self.d1r, self.d1w = arr(r1r, dtype=float), arr(r1w, dtype=float)
        self.r_ptr, self.r_tg, self.r_w = (arr(r_ptr, dtype=np.intp), arr(r_tg, dtype=np.intp),
                                           arr(r_w, dtype=float))
        self.w_ptr, self.w_tg, self.w_w = (arr(w_ptr, dtype=np.intp), arr(w_tg, dtype=np.intp),
                                           arr(w_w, dtype=float))
        self.const_r, self.const_w = arr(const_r, dtype=float), arr(const_w, dtype=float)
        self.s_ptr = arr(s_ptr, dtype=np.intp)
        cols = list(zip(*st)) if st else [(), (), (), (), ()]
        self.s_cr, self.s_cw, self.s_c, self.s_wr, self.s_ww = (arr(c, dtype=float)
                                                                 for c in cols)
        if not plan.has_limiters:
            f1 = run_flow(plan, 1.0)
            self.flow1 = tuple(arr(x) for x in (f1.read, f1.write, f1.kb_read, f1.kb_write))


class LoadSweep:
    """The utilization model of ``plan`` (SPEC §3) at many traffic scales at once."""

    def __init__(self, plan: Plan, only: list[int] | None = None,
                 like: LoadSweep | None = None):
        """With ``only`` (node indices), just those nodes' utilizations are computed (with
        what they depend on: the parts below a blocking service); the others are left 0.
        ``like``, a sweep of the same plan, lends the tables that do not depend on ``only``."""
        self.plan = plan
        n = len(plan.nodes)
        self.n = n
        self.t = _Tables(plan) if like is None else like.t
        t = self.t
        if only is None:
            keep = [True] * n
        else:
            keep = [False] * n
            stack = list(only)
            while stack:
                i = stack.pop()
                if keep[i]:
                    continue
                keep[i] = True
                stack.extend(t.deps[i])
        self.kept = keep
        keep_a = np.array(keep)
        evaluated = keep_a & t.inner
        heights = t.height[evaluated]
        nodes = np.flatnonzero(evaluated)
        self.levels = [self._level(nodes[heights == h]) for h in np.unique(heights)]
        # Every other non-client node: ρ = max over its stations of arrival · s / c.
        rest = np.flatnonzero(keep_a & ~t.inner & ~t.client)
        flat, _, counts = _gather(t.s_ptr, rest)
        self.rest_node = np.repeat(rest, counts)
        self.rest_cr = t.s_cr[flat]
        self.rest_cw = t.s_cw[flat]
        self.rest_s_over_c = t.service[self.rest_node] / t.s_c[flat]

    def _level(self, idx: np.ndarray) -> _Level:
        t = self.t
        fr, starts_r, _ = _gather(t.r_ptr, idx)
        fw, starts_w, _ = _gather(t.w_ptr, idx)
        fs, st_starts, counts = _gather(t.s_ptr, idx)
        st_node = np.repeat(np.arange(len(idx)), counts)
        return _Level(
            nodes=idx, blocking=t.blocking[idx], service=t.service[idx],
            targets_r=t.r_tg[fr], weights_r=t.r_w[fr], starts_r=starts_r,
            const_r=t.const_r[idx],
            targets_w=t.w_tg[fw], weights_w=t.w_w[fw], starts_w=starts_w,
            const_w=t.const_w[idx],
            d1_r=t.d1r[idx], d1_w=t.d1w[idx],
            st_node=st_node, st_starts=st_starts,
            st_cr=t.s_cr[fs], st_cw=t.s_cw[fs], st_c=t.s_c[fs],
            st_wr=t.s_wr[fs], st_ww=t.s_ww[fs], st_waits=t.need[idx][st_node],
            wait_factor=t.wait_factor[idx],
        )

    def flows(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(reads, writes, Σ λ·kb of reads, of writes) per node (rows) and scale (columns)."""
        if not self.plan.has_limiters:
            return tuple(np.outer(x, k) for x in self.t.flow1)
        # A rate limit makes the flow non-linear in the scale: propagate it at each scale with
        # the scalar flow itself (same arithmetic, so the same figures bit for bit).
        states = [run_flow(self.plan, float(x)) for x in k]
        shape = (self.n, len(states))
        return tuple(np.array([getattr(f, name) for f in states], dtype=float).T.reshape(shape)
                     for name in ("read", "write", "kb_read", "kb_write"))

    def utilization(self, k) -> np.ndarray:
        """ρ of every node (rows, in Plan order; clients 0) at each scale of ``k`` (columns)."""
        k = np.asarray(k, dtype=float)
        m = len(k)
        rd, wr, kr, kw = self.flows(k)
        util = np.zeros((self.n, m))
        with np.errstate(all="ignore"):
            if len(self.rest_node):
                arr = (self.rest_cr[:, None] * rd[self.rest_node]
                       + self.rest_cw[:, None] * wr[self.rest_node])
                np.maximum.at(util, self.rest_node, arr * self.rest_s_over_c[:, None])
            r0r = np.zeros((self.n + 1, m))  # row n stays 0: the target of the padding links
            r0w = np.zeros((self.n + 1, m))
            for lv in self.levels:
                self._eval_level(lv, rd, wr, kr, kw, r0r, r0w, util)
        return util

    def _eval_level(self, lv: _Level, rd, wr, kr, kw, r0r, r0w, util) -> None:
        d0r = np.add.reduceat(lv.weights_r[:, None] * r0r[lv.targets_r], lv.starts_r, axis=0)
        d0r += lv.const_r[:, None]
        d0w = np.add.reduceat(lv.weights_w[:, None] * r0w[lv.targets_w], lv.starts_w, axis=0)
        d0w += lv.const_w[:, None]
        lam_r, lam_w = rd[lv.nodes], wr[lv.nodes]
        s = lv.service[:, None]
        hold = np.broadcast_to(s, lam_r.shape)
        if lv.blocking.any():
            lam = lam_r + lam_w
            num = (np.where(lam_r > 0.0, lam_r * d0r, 0.0) + kr[lv.nodes] * lv.d1_r[:, None]
                   + np.where(lam_w > 0.0, lam_w * d0w, 0.0) + kw[lv.nodes] * lv.d1_w[:, None])
            dbar = np.where(lam > 0.0, num / lam, 0.5 * (d0r + d0w))
            hold = np.where(lv.blocking[:, None], s + dbar, s)
        # Stations.
        sn = lv.st_node
        lam_st = lv.st_cr[:, None] * lam_r[sn] + lv.st_cw[:, None] * lam_w[sn]
        h_st = hold[sn]
        busy = (lam_st > 0.0) & (h_st > 0.0)
        a = np.where(busy, lam_st * h_st, 0.0)
        c = lv.st_c[:, None]
        rho = a / c
        util[lv.nodes] = np.maximum.reduceat(rho, lv.st_starts, axis=0)
        wq = np.zeros_like(a)
        if lv.st_waits.any():
            wq = _mmc_wait(a, h_st, lv.st_c, busy & lv.st_waits[:, None])
            # Allen–Cunneen, as latency.run_times: v = 1 where the holding time is not s.
            wq = wq * np.where(h_st == s[sn], lv.wait_factor[sn][:, None], 1.0)
        w_r = np.add.reduceat(np.where(lv.st_wr[:, None] > 0.0, lv.st_wr[:, None] * wq, 0.0),
                              lv.st_starts, axis=0)
        w_w = np.add.reduceat(np.where(lv.st_ww[:, None] > 0.0, lv.st_ww[:, None] * wq, 0.0),
                              lv.st_starts, axis=0)
        r0r[lv.nodes] = w_r + s + d0r
        r0w[lv.nodes] = w_w + s + d0w


def _mmc_wait(a: np.ndarray, hold: np.ndarray, c: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """M/M/c mean wait (queueing.mmc_wait) per station (rows, ``c`` servers) and scale
    (columns), where ``mask``; 0 elsewhere. ``a`` = λ · hold, the offered load."""
    cc = c[:, None]
    wq = np.where(mask & (a >= cc), np.inf, 0.0)
    live = mask & (a < cc)
    if not live.any():
        return wq
    small = c <= _VECTOR_MAX_WORKERS
    rows = np.flatnonzero(small & live.any(axis=1))
    if len(rows):
        cs = c[rows]
        cmax = int(cs.max())
        shift = cmax - cs  # a station with c servers starts at step shift + 1
        aa = np.where(live[rows], a[rows], 1.0)
        if cmax * aa.size <= _UNROLL_MAX_ELEMENTS:
            # Few elements: the recursion g_n = 1 + (n / a) g_(n−1), g_0 = 1, unrolled. With
            # P_n = Π_(i ≤ n) i / a, g_c = P_c · Σ_(j ≤ c) 1 / P_j: one cumulative product for
            # all steps. A station with fewer servers than cmax gets factor 1 for its first
            # `shift` steps (P stays 1), whose `shift` extra terms of 1 are taken off the sum.
            # No P_j underflows (a < c ≤ _VECTOR_MAX_WORKERS); a P_c that overflows is 1/B = ∞.
            steps = np.arange(1, cmax + 1)[:, None] - shift[None, :]
            coef = np.where(steps[:, :, None] > 0, steps[:, :, None] / aa[None, :, :], 1.0)
            prods = np.cumprod(coef, axis=0)
            g = prods[-1] * (1.0 + (1.0 / prods).sum(axis=0) - shift[:, None])
        else:
            # Many: step by step, two in-place operations per step over all of them.
            steps = np.maximum(np.arange(1, cmax + 1)[:, None] - shift[None, :], 0.0)
            coef = steps[:, :, None] / aa[None, :, :]  # n / a per step, station and scale
            g = np.ones_like(aa)
            for cn in coef:
                np.multiply(cn, g, out=g)
                np.add(g, 1.0, out=g)
        rho = aa / cs[:, None]
        erl_c = np.where(np.isinf(g), 0.0, 1.0 / (g * (1.0 - rho) + rho))
        hh = hold[rows]
        w = erl_c * hh / (cs[:, None] - aa)
        wq[rows] = np.where(live[rows], w, wq[rows])
    for r in np.flatnonzero(~small & live.any(axis=1)):
        for j in np.flatnonzero(live[r]):
            h = float(hold[r, j])
            wq[r, j] = mmc_wait(float(a[r, j]) / h, h, int(c[r]))
    return wq
