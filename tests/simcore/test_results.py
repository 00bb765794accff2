"""The result series registry and the typed rows: every registered series is in a
replication's time series, the study aggregates the ones it declares, and the rows rebuilt from
a time series (a cluster's replication) equal the rows streamed live."""

from __future__ import annotations

from simcore.engine import simulate
from simcore.engine.replication import run_replication
from simcore.io import parse
from simcore.results.rows import SecondRow, rows_of
from simcore.results.series import SERIES

DESIGN = {
    "schema_version": 1,
    "components": [{"id": "users", "kind": "client", "params": {"rps": 50}},
                   {"id": "app", "kind": "service", "params": {"workers": 4}}],
    "links": [{"id": "l1", "source": "users", "target": "app"}],
    "scenario": {"duration_s": 4, "warmup_s": 1, "replications": 2},
}


def test_streamed_rows_and_the_time_series_hold_every_series():
    streamed: list[SecondRow] = []
    result = run_replication(parse(DESIGN), seed=2, on_second=streamed.append)
    ts = result["timeseries"]
    assert set(ts) == {"t_s", *SERIES}
    assert [r.t_s for r in streamed] == ts["t_s"] == [1.0, 2.0, 3.0, 4.0]
    assert rows_of(ts) == streamed
    assert streamed[-1]["utilization"] == {"app": streamed[-1].components["utilization"]["app"]}


def test_the_study_aggregates_the_series_that_declare_it():
    ts = simulate(parse(DESIGN), workers=1).timeseries()
    kept = {k for k, s in SERIES.items() if s.aggregate == "mean"}
    assert set(ts) == {"t_s", *kept}
    assert "up" not in ts  # kept per replication only
