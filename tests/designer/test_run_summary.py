"""The run summary line: the data counts (lost writes, stale reads) appear when a run has them."""

from __future__ import annotations

from designer.simulation.summary import run_summary


def _result(lost: int, stale: int) -> dict:
    return {"throughput_rps": 100.0, "availability": 1.0, "error_rate": 0.0,
            "rejected_rate": 0.0, "measured_s": 10.0,
            "latency_ms": {"mean": 20.0, "p50": 18.0, "p95": 30.0, "p99": 40.0, "p999": 50.0},
            "components": {"app": {"utilization": 0.1},
                           "db": {"lost_writes": lost, "stale_reads": stale}}}


def test_counts_show_their_mean_over_replications():
    text = run_summary([_result(30, 100), _result(34, 120)])
    assert "lost writes 32.0 ±" in text
    assert "stale reads 110 ±" in text


def test_counts_that_are_zero_stay_out_of_the_line():
    text = run_summary([_result(0, 0)])
    assert "lost writes" not in text and "stale reads" not in text
