"""The anomaly series (stale reads, lost writes, duplicate writes, lost and dead-lettered
messages, lost sessions, degraded requests per second): the same counts as the run's totals,
second by second, and null where the design has nothing that could count them."""

from __future__ import annotations

import json

import pytest

from simcore.engine.replication import run_replication
from simcore.io import parse
from simcore.paths import examples_dir
from simcore.results.series import ANOMALIES, SERIES


def example(name: str) -> dict:
    return json.loads((examples_dir() / f"{name}.json").read_text())


def measured_sum(r: dict, key: str) -> float:
    return sum(r["timeseries"][key][int(r["warmup_s"]):])


def component_total(r: dict, key: str) -> float:
    return sum(c.get(key) or 0 for c in r["components"].values())


@pytest.mark.parametrize(("name", "key", "total"), [
    ("cache_write_behind", "lost_writes_per_s", lambda r: component_total(r, "lost_writes")),
    ("cp_vs_ap_partition", "stale_reads_per_s", lambda r: r["stale_reads"]),
    ("payments_idempotency", "duplicate_executions_per_s",
     lambda r: component_total(r, "duplicate_executions")),
    ("optional_recommendations", "degraded_per_s", lambda r: r["degraded"]),
])
def test_each_series_sums_to_the_runs_total_over_the_measured_seconds(name, key, total):
    r = run_replication(parse(example(name)), seed=1)
    assert total(r) > 0  # the example shows it
    assert measured_sum(r, key) == total(r)
    assert all(v is not None and v >= 0 for v in r["timeseries"][key])


def test_series_that_cannot_count_are_null_and_the_registry_declares_them_all():
    r = run_replication(parse(example("stage1_single_server")), seed=1, duration_s=5,
                        warmup_s=1)
    for key, *_rest in ANOMALIES:
        assert SERIES[key].plot == "anomalies"
        assert r["timeseries"][key] == [None] * 5
    # a queue can lose and dead-letter messages even when this run does not: zeros, not nulls
    r = run_replication(parse(example("queue_load_levelling")), seed=1, duration_s=5,
                        warmup_s=1)
    assert r["timeseries"]["lost_messages_per_s"] == [0.0] * 5
    assert r["timeseries"]["lost_sessions_per_s"] == [None] * 5
