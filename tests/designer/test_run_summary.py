"""The run summary line says loudly when messages or writes were lost, even with no request
error, and counts stale reads."""

from designer.simulation.summary import run_summary


def result(lost, dead=0):
    return {"throughput_rps": 100.0, "latency_ms": {"p50": 10.0, "p99": 30.0},
            "availability": 1.0, "error_rate": 0.0, "rejected_rate": 0.0,
            "lost_messages": lost, "dead_lettered": dead, "saturated": False}


def test_lost_messages_are_in_the_summary_with_zero_errors():
    text = run_summary([result(120), result(80, dead=4)])
    assert "errors 0.00" in text
    assert "MESSAGES LOST 100 ±" in text
    assert "dead-lettered 2" in text


def test_nothing_lost_says_nothing_about_messages():
    text = run_summary([result(0), result(0)])
    assert "LOST" not in text and "dead-lettered" not in text


def test_writes_lost_by_a_write_behind_cache_are_in_the_summary():
    runs = [{**result(0), "lost_writes": 90}, {**result(0), "lost_writes": 110}]
    text = run_summary(runs)
    assert "errors 0.00" in text and "WRITES LOST 100 ±" in text


def test_stale_reads_show_their_mean_over_replications():
    runs = [{**result(0), "stale_reads": 100}, {**result(0), "stale_reads": 120}]
    assert "stale reads 110 ±" in run_summary(runs)
    assert "stale reads" not in run_summary([{**result(0), "stale_reads": 0}])


def test_the_runs_warnings_follow_the_figures_once():
    said = "c's hit ratio 0.95 is more than a cache-aside cache can reach (0.80)"
    runs = [{**result(0), "warnings": [said]}, {**result(0), "warnings": [said]}]
    first, *rest = run_summary(runs).splitlines()
    assert "errors 0.00" in first and rest == [f"Warning: {said}"]
    assert "\n" not in run_summary([result(0)])
