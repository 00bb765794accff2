"""Schema version 2 (SPEC §7): the lowest version that expresses a design, version 2 keys
refused in a file that declares 1 (version 1 files saving unchanged: test_io)."""

import json
from pathlib import Path

import pytest

from simcore import SCHEMA_VERSION
from simcore.components import KINDS
from simcore.design import Event, Scenario
from simcore.io import dumps, load, loads
from simcore.link_params import GroupParams, LinkParams
from simcore.problems import DesignError
from simcore.schema_version import since

DATA = Path(__file__).resolve().parents[1] / "data"


def test_version_2_golden_file_opens_and_saves_as_version_2():
    raw = json.loads((DATA / "v2_queue_and_keys.json").read_text(encoding="utf-8"))
    design = load(DATA / "v2_queue_and_keys.json")
    out = json.loads(dumps(design))
    assert out["schema_version"] == 2
    assert out["components"] == raw["components"] and out["links"] == raw["links"]


def test_a_design_using_nothing_new_is_saved_as_version_1():
    raw = json.loads((DATA / "v2_queue_and_keys.json").read_text(encoding="utf-8"))
    for c in raw["components"]:
        for key in ("key_space", "key_skew", "max_deliveries", "durable"):
            c.get("params", {}).pop(key, None)
    design = loads(json.dumps(raw))
    assert json.loads(dumps(design))["schema_version"] == 1


@pytest.mark.parametrize(("component", "key", "value"), [
    ("orders", "max_deliveries", 3), ("orders", "durable", True), ("users", "key_space", 10)])
def test_version_1_file_with_a_version_2_key_is_an_error_naming_it(component, key, value):
    raw = json.loads((DATA / "v1_sample_shop.json").read_text(encoding="utf-8"))
    raw["components"].append({"id": "orders", "kind": "message_queue"})
    target = next(c for c in raw["components"] if c["id"] == component)
    target.setdefault("params", {})[key] = value
    with pytest.raises(DesignError) as exc:
        loads(json.dumps(raw))
    text = str(exc.value)
    assert f"params.{key}" in text and component in text and "schema_version 2" in text
    raw["schema_version"] = 2
    assert json.loads(dumps(loads(json.dumps(raw))))["schema_version"] == 2


def test_every_later_key_is_optional_and_not_newer_than_this_program():
    models = [spec.params for spec in KINDS.values()] + [LinkParams, GroupParams, Scenario,
                                                         Event]
    marked = 0
    for model in models:
        for name, field in model.model_fields.items():
            v = since(model, name)
            assert 1 <= v <= SCHEMA_VERSION, (model.__name__, name)
            if v > 1:
                marked += 1
                assert not field.is_required(), (model.__name__, name)
    assert marked >= 4  # key_space, key_skew, max_deliveries, durable at least
