"""The designer's load sweep, in simcore: every client's rate scaled, events left out, and the
figures of one load point."""

import pytest

from simcore.sweep import load_point, scaled_load


def design_dict(events) -> dict:
    return {
        "schema_version": 1, "name": "Shop",
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": 200.0}},
            {"id": "app", "kind": "service", "params": {"workers": 8, "service_time_ms": 20}},
            {"id": "db", "kind": "database", "params": {"workers": 16, "service_time_ms": 5}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "app"},
                  {"id": "l2", "source": "app", "target": "db"}],
        "scenario": {"duration_s": 4, "warmup_s": 1, "seed": 7, "events": events},
    }


def test_a_load_point_scales_every_client_and_leaves_events_out():
    data = design_dict(events=[{"type": "fail", "target": "db", "at_s": 1, "duration_s": 1}])
    scaled = scaled_load(data, 0.5)
    assert scaled["components"][0]["params"]["rps"] == pytest.approx(100.0)
    assert "events" not in scaled["scenario"]
    assert data["components"][0]["params"]["rps"] == 200.0  # the original is untouched
    seconds = []
    point = load_point(data, 0.25, 400.0, 200.0, seed=1, duration_s=4.0, warmup_s=1.0,
                       on_second=lambda row: seconds.append(row["t_s"]))
    assert seconds == [1.0, 2.0, 3.0, 4.0]
    assert point["offered_rps"] == 100.0 and point["factor"] == 0.25
    assert point["throughput_rps"] == pytest.approx(100.0, rel=0.2)
    assert point["error_rate"] == 0  # the db outage of the scenario is not in a load point
