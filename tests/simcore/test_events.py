"""Every scenario event type, from its declaration (simcore/events): a short run that applies
it shows its effect while it lasts and none once it ends. A new event type fails
``test_every_event_type_has_an_effect_check`` until its effect is checked here."""

from __future__ import annotations

import statistics

import pytest

from simcore.design import Event
from simcore.engine.replication import run_replication
from simcore.events import EVENTS
from simcore.io import parse
from simcore.validate import validate

RPS = 400.0
EVENT_AT_S, EVENT_FOR_S, RUN_S = 3.0, 3.0, 9.0
TARGET_OF = {"component": "db", "client": "users", "group": "az", "link": "l3"}
"""Where each target class is found in the design below (l3 is app → db)."""


def base_design() -> dict:
    return {
        "schema_version": 2,  # a flush event is of version 2
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": RPS, "pattern": "constant"}},
            {"id": "app", "kind": "service",
             "params": {"workers": 64, "service_time_ms": 2, "service_distribution": "constant"}},
            {"id": "db", "kind": "database",
             "params": {"workers": 64, "service_time_ms": 2, "service_distribution": "constant"}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "app"},
                  {"id": "l3", "source": "app", "target": "db"}],
        "groups": [{"id": "az", "kind": "zone", "members": ["db"]}],
    }


def cached_design() -> dict:
    """The base design with a cache between the app and the database: 90 % of the reads hit,
    over 1,000 keys (small, so that a flushed cache fills again within seconds)."""
    d = base_design()
    d["components"][0]["params"].update(key_space=1000, key_skew=1.0)
    d["components"].append({"id": "cache", "kind": "cache", "params": {"hit_ratio": 0.9}})
    d["links"] = [{"id": "l1", "source": "users", "target": "app"},
                  {"id": "l2", "source": "app", "target": "cache"},
                  {"id": "l3", "source": "cache", "target": "db"}]
    return d


def event_for(spec) -> dict:
    target = "cache" if spec.roles == ("cache",) else TARGET_OF[spec.targets[0]]
    ev = {"type": spec.type, "target": target, "at_s": EVENT_AT_S}
    if not spec.instantaneous:
        ev["duration_s"] = EVENT_FOR_S
    ev.update({k: EFFECT_PARAMS.get(spec.type, {}).get(k) for k in spec.params.model_fields})
    return ev


def run_with(event: dict | None) -> list[dict]:
    d = cached_design() if event and event["target"] == "cache" else base_design()
    d["scenario"] = {"duration_s": RUN_S, "warmup_s": 0, "events": [event] if event else []}
    design = parse(d)
    assert validate(design) == []
    rows: list[dict] = []
    run_replication(design, seed=3, on_second=rows.append)
    return rows


def during(rows, key):
    """Mean of ``key`` over the seconds wholly inside the event."""
    return statistics.mean(r[key] for r in rows if EVENT_AT_S < r["t_s"] <= EVENT_AT_S
                           + EVENT_FOR_S and r[key] is not None)


def before(rows, key):
    return statistics.mean(r[key] for r in rows if 1 <= r["t_s"] <= EVENT_AT_S)


def after(rows, key):
    """The last two seconds: the event ended at least two seconds earlier."""
    return statistics.mean(r[key] for r in rows if r["t_s"] > RUN_S - 2)


EFFECT_PARAMS = {"spike": {"multiplier": 3.0}, "latency": {"extra_ms": 50.0}}


def _all_fail(rows):
    # every request needs the database: all fail while it (or the link to it) is out
    assert before(rows, "error_rate") == 0.0
    assert during(rows, "error_rate") > 0.95
    assert after(rows, "error_rate") == 0.0


def _spike(rows):
    # constant arrivals: exactly RPS a second, three times that during the spike (±2 %)
    assert before(rows, "throughput_rps") == pytest.approx(RPS, rel=0.02)
    assert during(rows, "throughput_rps") == pytest.approx(3 * RPS, rel=0.02)
    assert after(rows, "throughput_rps") == pytest.approx(RPS, rel=0.02)


def _latency(rows):
    # +50 ms one way on app → db: a call pays it there and back, so the median gains 100 ms
    assert during(rows, "p50_ms") - before(rows, "p50_ms") == pytest.approx(100.0, rel=0.1)
    assert after(rows, "p50_ms") == pytest.approx(before(rows, "p50_ms"), rel=0.1)


def _flush(rows):
    # Before: 90 % of the reads hit and the database serves 40 misses a second. In the second
    # after the flush every read misses until its key is read again: the database is more than
    # twice as busy; two seconds after the event's window it is back below half that peak.
    db = {r.t_s: r["utilization"]["db"] for r in rows}
    calm = statistics.mean(db[t] for t in (1.0, 2.0, 3.0))
    assert db[EVENT_AT_S + 1] > 2.0 * calm
    assert statistics.mean(db[t] for t in (RUN_S - 1, RUN_S)) < 0.5 * db[EVENT_AT_S + 1]


EFFECTS = {"fail": _all_fail, "partition": _all_fail, "spike": _spike, "latency": _latency,
           "flush": _flush}


def test_every_event_type_has_an_effect_check():
    assert set(EFFECTS) == set(EVENTS)


@pytest.mark.parametrize("etype", list(EVENTS))
def test_a_run_applies_the_event_and_ends_it(etype):
    spec = EVENTS[etype]
    rows = run_with(event_for(spec))
    EFFECTS[etype](rows)


@pytest.mark.parametrize("etype", list(EVENTS))
def test_every_target_class_the_event_refuses_is_a_validation_problem(etype):
    spec = EVENTS[etype]
    for what, target in TARGET_OF.items():
        d = base_design()
        ev = event_for(spec)
        ev["target"] = target
        d["scenario"] = {"events": [ev]}
        problems = validate(parse(d))
        assert (problems == []) == spec.can_target(what, "database" if what == "component"
                                                   else None), (what, problems)


def test_event_fields_are_checked_against_the_type():
    with pytest.raises(ValueError, match="'multiplier' belongs to spike events, not fail"):
        Event.model_validate({"type": "fail", "target": "db", "at_s": 1, "duration_s": 1,
                              "multiplier": 2})
    with pytest.raises(ValueError, match="a latency event needs 'extra_ms'"):
        Event.model_validate({"type": "latency", "target": "l3", "at_s": 1, "duration_s": 1})
    with pytest.raises(ValueError, match="unknown event type 'flood'"):
        Event.model_validate({"type": "flood", "target": "db", "at_s": 1, "duration_s": 1})
    fail = Event.model_validate({"type": "fail", "target": "db", "at_s": 1, "duration_s": 1,
                                 "multiplier": None})  # null is "not given", as in version 1
    assert fail.model_dump() == {"type": "fail", "target": "db", "at_s": 1.0, "duration_s": 1.0}
    ev = Event.model_validate({"type": "spike", "target": "users", "at_s": 1, "duration_s": 2,
                               "multiplier": "4"})
    assert ev.params.multiplier == 4.0
    assert ev.model_dump(exclude_unset=True) == {"type": "spike", "target": "users",
                                                 "at_s": 1.0, "duration_s": 2.0,
                                                 "multiplier": 4.0}


def test_a_new_event_type_is_one_declaration(monkeypatch):
    """A throwaway instantaneous type, declared once and registered: the file model takes it
    (no duration), validation checks its target, the engine applies it at its time, and the
    catalog lists it."""
    from pydantic import Field

    from simcore.catalog_doc import render
    from simcore.components.base import ParamsBase
    from simcore.events import EventSpec

    class MarkParams(ParamsBase):
        tag: str = Field("x", description="A label.")

    applied = []

    def apply(sim, ev):
        applied.append((sim.env.now, ev.target, ev.params.tag))

    spec = EventSpec(type="mark", label="Mark", description="Notes a time.", params=MarkParams,
                     targets=("component",), apply=apply, colour=(0, 0, 0),
                     phrase=lambda p: f"mark {p.tag}", instantaneous=True)
    monkeypatch.setitem(EVENTS, "mark", spec)
    ev = {"type": "mark", "target": "db", "at_s": 2.5, "tag": "deploy"}
    parsed = Event.model_validate(ev)
    assert parsed.spec.describe(parsed) == "mark deploy at 2.5 s"
    with pytest.raises(ValueError, match="instantaneous"):
        Event.model_validate({**ev, "duration_s": 1})
    d = base_design()
    d["scenario"] = {"duration_s": 4, "warmup_s": 0, "events": [ev, {**ev, "target": "users"}]}
    [problem] = validate(parse(d))
    assert "target 'users' must be a component" in problem.message
    d["scenario"]["events"] = [ev]
    run_replication(parse(d), seed=1)
    assert applied == [(2.5, "db", "deploy")]
    assert "### `mark` — Mark" in render()
