"""Request outcomes, streamed: totals over the requests sent after the warm-up, and counters of
the current simulated second (every outcome, warm-up included, by the time it is known).

A request counts once, when its outcome is final: succeeded, failed (error, timeout, queue
full, down, partition, circuit open — after retries), or rejected (429). ``offered`` is the
requests sent after the warm-up whose outcome is known by the end of the run; those still in
flight at the end are reported apart (``in_flight_at_end``), not as failures.

``throughput_rps`` counts the successes that complete after the warm-up, whenever they were
sent, per measured second: the rate the design delivers, which is what the per-second rows show.
Counting only the requests sent after the warm-up would understate an overloaded design, whose
late requests are still queued when the run ends.
"""

from __future__ import annotations

import math
from math import log as _log

from simcore.engine.histogram import _INV_LOG, _LOG_LOW, LOW_MS, NBINS, bin_value, percentiles
from simcore.engine.kernel import FAIL, OK


class RunMetrics:
    def __init__(self):
        self.hist = [0] * NBINS
        self.lat_sum_ms = 0.0
        self.succeeded = 0
        self.failed = 0
        self.rejected = 0
        self.sent_total = 0
        self.sent_counted = 0
        self.measuring = False  # set when the warm-up ends
        self.completed_ok = 0  # successes completed while measuring
        # the current second; its successes' latency bins as a list, not a histogram: a
        # second holds few requests next to the 23,100 bins a histogram would scan every second
        self.s_bins: list[int] = []
        self.s_ok = 0
        self.s_fail = 0
        self.s_rej = 0
        self.degraded = 0  # counted requests that succeeded degraded (an optional call failed)

    def degraded_ok(self, req) -> None:
        """``req`` is about to finish as a success although an optional call failed."""
        if req.counted:
            self.degraded += 1

    def sent(self, counted: bool) -> None:
        self.sent_total += 1
        if counted:
            self.sent_counted += 1

    def finish(self, req, status: int, now: float) -> None:
        if status == OK:
            ms = (now - req.t0) * 1000.0
            if ms <= LOW_MS:  # histogram.bin_of, inline (once per request)
                i = 0
            else:
                i = int((_log(ms) - _LOG_LOW) * _INV_LOG)
                if i >= NBINS:
                    i = NBINS - 1
            self.s_bins.append(i)
            self.s_ok += 1
            if self.measuring:
                self.completed_ok += 1
            if req.counted:
                self.hist[i] += 1
                self.lat_sum_ms += ms
                self.succeeded += 1
        elif status == FAIL:
            self.s_fail += 1
            if req.counted:
                self.failed += 1
        else:
            self.s_rej += 1
            if req.counted:
                self.rejected += 1

    def second_row(self) -> dict:
        """The run series (simcore.results.series) of the second just ended: throughput,
        percentiles and rates; resets the counters."""
        p50, p95, p99 = _sorted_percentiles(self.s_bins, (0.5, 0.95, 0.99))
        done = self.s_ok + self.s_fail + self.s_rej
        row = {
            "throughput_rps": float(self.s_ok),
            "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
            "error_rate": (self.s_fail / done) if done else None,
            "rejected_rate": (self.s_rej / done) if done else None,
            "availability": (self.s_ok / (self.s_ok + self.s_fail))
            if (self.s_ok + self.s_fail) else None,
        }
        self.s_bins = []
        self.s_ok = self.s_fail = self.s_rej = 0
        return row

    def summary(self, measured_s: float) -> dict:
        """The replication's request figures (SPEC §3 definitions)."""
        offered = self.succeeded + self.failed + self.rejected
        p50, p95, p99, p999 = percentiles(self.hist, (0.5, 0.95, 0.99, 0.999))
        admitted = offered - self.rejected
        return {
            "offered": offered,
            "sent": self.sent_counted,
            "in_flight_at_end": max(0, self.sent_counted - offered),
            "succeeded": self.succeeded,
            "degraded": self.degraded,
            "failed": self.failed,
            "rejected": self.rejected,
            "throughput_rps": self.completed_ok / measured_s if measured_s > 0 else None,
            "latency_ms": {
                "mean": self.lat_sum_ms / self.succeeded if self.succeeded else None,
                "p50": p50, "p95": p95, "p99": p99, "p999": p999,
            },
            "error_rate": self.failed / offered if offered else None,
            "rejected_rate": self.rejected / offered if offered else None,
            "availability": self.succeeded / admitted if admitted else None,
        }


def _sorted_percentiles(bins: list[int], qs) -> list[float | None]:
    """The ``q``-quantiles of latencies given by their histogram bins, by the nearest-rank
    definition (what ``histogram.percentiles`` gives for the same counts)."""
    n = len(bins)
    if not n:
        return [None for _ in qs]
    bins.sort()
    return [bin_value(bins[max(1, math.ceil(q * n)) - 1]) for q in qs]

