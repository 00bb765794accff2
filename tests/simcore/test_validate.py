"""Semantic validation (SPEC §2): each rule, with the id it must name."""

import json
from pathlib import Path

import pytest

from simcore.io import parse
from simcore.validate import validate

DATA = Path(__file__).resolve().parents[1] / "data"
SHOP = json.loads((DATA / "v1_sample_shop.json").read_text())


def shop():
    return json.loads(json.dumps(SHOP))


def comp(d, cid):
    return next(c for c in d["components"] if c["id"] == cid)


def problems_of(d):
    return validate(parse(d))


def assert_problem(d, where, fragment):
    probs = problems_of(d)
    hits = [p for p in probs if p.where == where and fragment in p.message]
    assert hits, f"expected a problem at {where!r} containing {fragment!r}; got {probs}"


def test_the_sample_is_valid():
    assert problems_of(shop()) == []


@pytest.mark.parametrize("cid,param,value,fragment", [
    ("app", "probability", 0.5, "unknown parameter 'probability'"),
    ("lb", "hit_ratio", 0.5, "unknown parameter 'hit_ratio'"),
    ("app", "availability", 0, "greater than 0"),
    ("app", "availability", 1.01, "less than or equal to 1"),
    ("app", "workers", 0, "greater than or equal to 1"),
    ("app", "workers", 2.5, "workers"),
    ("app", "instances", 0, "instances"),
    ("db", "replicas", -1, "replicas"),
    ("db", "shards", 0, "shards"),
    ("db", "instances", 2, "instances 1"),
    ("app", "service_time_ms", -1, "service_time_ms"),
    ("app", "cost_per_hour", -0.1, "cost_per_hour"),
    ("users", "rps", -5, "rps"),
    ("users", "read_ratio", 1.5, "read_ratio"),
    ("users", "workers", 4, "unknown parameter 'workers'"),
    ("lb", "algorithm", "fastest", "algorithm"),
    ("app", "blocking", "maybe", "blocking"),
])
def test_parameter_problems_name_the_component(cid, param, value, fragment):
    d = shop()
    comp(d, cid).setdefault("params", {})[param] = value
    assert_problem(d, cid, fragment)


def test_availability_together_with_mtbf():
    d = shop()
    comp(d, "db")["params"]["availability"] = 0.99
    assert_problem(d, "db", "either availability or mtbf_hours")


def test_mtbf_without_mttr():
    d = shop()
    del comp(d, "db")["params"]["mttr_hours"]
    assert_problem(d, "db", "go together")


def test_mtbf_not_positive():
    d = shop()
    comp(d, "db")["params"]["mtbf_hours"] = 0
    assert_problem(d, "db", "mtbf_hours")


def test_required_params():
    d = shop()
    del comp(d, "users")["params"]["rps"]
    assert_problem(d, "users", "'rps' is required")
    d = shop()
    d["components"].append({"id": "rl", "kind": "rate_limiter"})
    d["links"].append({"id": "l9", "source": "rl", "target": "app"})
    assert_problem(d, "rl", "'limit_rps' is required")


def test_duplicate_ids_across_components_links_and_groups():
    d = shop()
    d["links"][0]["id"] = "app"
    assert_problem(d, "app", "duplicate id")


@pytest.mark.parametrize("kind", ["load_balancer", "api_gateway", "rate_limiter", "cache", "cdn",
                                  "dns", "reverse_proxy"])
def test_components_that_need_a_target(kind):
    d = shop()
    params = {"limit_rps": 10} if kind == "rate_limiter" else {}
    d["components"].append({"id": "x", "kind": kind, "params": params})
    d["links"].append({"id": "lx", "source": "app", "target": "x"})
    assert_problem(d, "x", "needs a target")


def test_client_needs_a_target():
    d = shop()
    d["links"] = d["links"][1:]
    assert_problem(d, "users", "needs a target")


@pytest.mark.parametrize("kind", ["database", "blob_storage", "external_service"])
def test_terminal_kinds_have_no_outgoing_links(kind):
    d = shop()
    d["components"].append({"id": "t", "kind": kind})
    d["components"].append({"id": "s2", "kind": "service"})
    d["links"] += [{"id": "a", "source": "app", "target": "t"},
                   {"id": "b", "source": "t", "target": "s2"}]
    assert_problem(d, "b", "no outgoing links")


def test_async_link_must_end_at_a_queue():
    d = shop()
    d["links"][2]["params"]["mode"] = "async"
    assert_problem(d, "l3", "must end at a message queue")


def test_weight_only_from_a_splitting_source():
    d = shop()
    d["links"][2]["params"]["weight"] = 2  # app (a service) → db
    assert_problem(d, "l3", "'weight' needs a source that splits")


def test_probability_and_mode_only_from_a_service():
    d = shop()
    d["links"][1]["params"]["probability"] = 0.5  # lb → app
    assert_problem(d, "l2", "only applies to links from a service")


def test_weight_must_be_positive():
    d = shop()
    d["links"][1]["params"]["weight"] = 0
    assert_problem(d, "l2", "weight")


def test_probability_range():
    d = shop()
    d["links"][2]["params"]["probability"] = 1.5
    assert_problem(d, "l3", "probability")


def test_link_into_a_client():
    d = shop()
    d["components"].append({"id": "u2", "kind": "client", "params": {"rps": 1}})
    d["links"] += [{"id": "a", "source": "u2", "target": "lb"},
                   {"id": "b", "source": "app", "target": "u2"}]
    assert_problem(d, "b", "into client")


def test_two_links_with_the_same_ends():
    d = shop()
    d["links"].append({"id": "l3b", "source": "app", "target": "db"})
    assert_problem(d, "l3b", "2 links from 'app' to 'db'")


def test_cycle_is_named():
    d = shop()
    d["components"].append({"id": "s2", "kind": "service"})
    d["links"] += [{"id": "a", "source": "app", "target": "s2"},
                   {"id": "b", "source": "s2", "target": "app"}]
    probs = [p for p in problems_of(d) if "cycle" in p.message]
    assert probs and "app" in probs[0].message and "s2" in probs[0].message


def test_no_client():
    d = shop()
    d["components"] = [c for c in d["components"] if c["kind"] != "client"]
    d["links"] = [lk for lk in d["links"] if lk["source"] != "users"]
    assert_problem(d, None, "no client")


def test_client_in_a_group():
    d = shop()
    d["groups"][0]["members"].append("users")
    assert_problem(d, "az1", "client 'users' cannot be in a zone")


def test_component_in_two_zones():
    d = shop()
    d["groups"].append({"id": "az2", "kind": "zone", "members": ["db"]})
    assert_problem(d, "az2", "at most one zone")


def test_component_in_a_zone_and_a_region_is_fine():
    d = shop()
    d["groups"].append({"id": "r", "kind": "region", "members": ["app", "db", "lb"]})
    assert problems_of(d) == []


def test_groups_do_not_nest_and_members_must_exist():
    d = shop()
    d["groups"].append({"id": "r", "kind": "region", "members": ["az1", "ghost"]})
    assert_problem(d, "r", "groups do not nest")
    assert_problem(d, "r", "'ghost' is not a component")


def test_group_params():
    d = shop()
    d["groups"][0]["params"] = {"availability": 0.99, "mtbf_hours": 10, "mttr_hours": 1}
    assert_problem(d, "az1", "either availability")


def test_scenario_event_targets():
    d = shop()
    d["scenario"]["events"] = [
        {"type": "fail", "target": "ghost", "at_s": 1, "duration_s": 1},
        {"type": "spike", "target": "app", "at_s": 1, "duration_s": 1, "multiplier": 2},
        {"type": "latency", "target": "app", "at_s": 1, "duration_s": 1, "extra_ms": 5},
    ]
    msgs = " | ".join(p.message for p in problems_of(d))
    assert "'ghost' is not a component or group" in msgs
    assert "must be a client" in msgs
    assert "must be a link" in msgs


def test_all_problems_come_back_together():
    d = shop()
    comp(d, "app")["params"]["workers"] = 0
    comp(d, "lb")["kind"] = "teleporter"
    d["links"][2]["target"] = "ghost"
    wheres = {p.where for p in problems_of(d)}
    assert {"app", "lb", "l3"} <= wheres
