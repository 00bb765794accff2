"""The per-second hit ratio of caches and CDNs (a component time series): what the run's
observed ``hit_ratio`` counts, second by second, so that a flush or an outage shows over time."""

from __future__ import annotations

import pytest

from simcore.design import SCHEMA_VERSION
from simcore.engine.replication import run_replication
from simcore.io import parse


def cached(events: list[dict]) -> dict:
    return {"schema_version": SCHEMA_VERSION,
            "components": [
                {"id": "users", "kind": "client", "params": {"rps": 500, "read_ratio": 1.0,
                                                             "key_space": 10_000}},
                {"id": "cache", "kind": "cache", "params": {"capacity_keys": 2_000}},
                {"id": "db", "kind": "database", "params": {"workers": 64}}],
            "links": [{"id": "l1", "source": "users", "target": "cache"},
                      {"id": "l2", "source": "cache", "target": "db"}],
            "scenario": {"duration_s": 40, "warmup_s": 5, "seed": 3, "events": events}}


def test_the_series_counts_what_the_observed_hit_ratio_counts():
    r = run_replication(parse(cached([])), seed=3)
    series = r["timeseries"]["hit_ratio"]
    assert list(series) == ["cache"]  # caches and CDNs only
    per_second = series["cache"][5:]  # the measured seconds
    c = r["components"]["cache"]
    # every second has the same number of reads within Poisson noise (500 ± 2 %), so the mean of
    # the per-second ratios is the run's hits / lookups within a fraction of a percent
    assert sum(per_second) / len(per_second) == pytest.approx(
        c["hits"] / (c["hits"] + c["misses"]), abs=0.005)


def test_a_flush_shows_as_a_fall_and_a_recovery_and_an_outage_as_a_gap():
    r = run_replication(parse(cached([{"type": "flush", "target": "cache", "at_s": 20},
                                      {"type": "fail", "target": "cache", "at_s": 30,
                                       "duration_s": 3}])), seed=3)
    h = r["timeseries"]["hit_ratio"]["cache"]
    before = sum(h[10:20]) / 10  # seconds 11–20
    # the second after the flush starts from an empty cache (0.41 against 0.77 before), and
    # climbs back as keys are read again
    assert h[20] < before - 0.25
    assert h[20] < h[21] < h[23]
    # a fail keeps the contents: the second after the outage hits as before it
    # while the cache is down no read reaches it: no value, not a 0 % that did not happen
    assert h[30:33] == [None, None, None]
    assert h[33] == pytest.approx(before, abs=0.1)
