"""Every kind of bad input (SPEC §6) gets a clear message naming the problem, never a traceback."""

import json
from pathlib import Path

import pytest

from simcore.io import MAX_FILE_BYTES, load, loads
from simcore.problems import DesignError

DATA = Path(__file__).resolve().parents[1] / "data"
SHOP = json.loads((DATA / "v1_sample_shop.json").read_text())


def _with(**changes):
    d = json.loads(json.dumps(SHOP))
    d.update(changes)
    return d


def _problems(data) -> str:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(DesignError) as info:
        loads(text)
    return str(info.value)


def test_malformed_json_names_line_and_column():
    msg = _problems('{"schema_version": 1,\n  "components": [,]}')
    assert "not valid JSON" in msg and "line 2" in msg


def test_truncated_file():
    text = (DATA / "v1_sample_shop.json").read_text()
    msg = _problems(text[: len(text) // 2])
    assert "not valid JSON" in msg


def test_not_an_object():
    assert "one JSON object" in _problems([1, 2])


def test_wrong_types_name_the_component():
    d = _with()
    d["components"][2]["x"] = "left"
    assert "app" in _problems(d) and "x" in _problems(d)
    d = _with(components={"a": 1})
    assert "components" in _problems(d)


def test_unknown_top_level_key():
    assert "unknown top-level key 'colour'" in _problems(_with(colour="red"))


def test_unknown_key_in_a_component():
    d = _with()
    d["components"][1]["colour"] = "red"
    msg = _problems(d)
    assert "lb" in msg and "unknown key 'colour'" in msg


def test_unknown_kind():
    d = _with()
    d["components"][1]["kind"] = "teleporter"
    msg = _problems(d)
    assert "lb" in msg and "unknown kind 'teleporter'" in msg


def test_newer_version_is_refused_clearly():
    msg = _problems(_with(schema_version=99))
    assert "newer" in msg and "99" in msg


def test_missing_version():
    d = _with()
    del d["schema_version"]
    assert "schema_version" in _problems(d)


def test_dangling_link():
    d = _with()
    d["links"][2]["target"] = "nowhere"
    msg = _problems(d)
    assert "l3" in msg and "nowhere" in msg


def test_cycle():
    d = _with()
    d["components"].append({"id": "s2", "kind": "service"})
    d["links"] += [{"id": "x1", "source": "app", "target": "s2"},
                   {"id": "x2", "source": "s2", "target": "app"}]
    assert "cycle" in _problems(d)


def test_enormous_text_is_refused_before_parsing():
    msg = _problems(" " * (MAX_FILE_BYTES + 1))
    assert "too large" in msg


def test_too_many_components():
    d = _with(components=[{"id": f"c{i}", "kind": "service"} for i in range(50_001)])
    assert "too many components" in _problems(d)


def test_deeply_nested_json_does_not_crash():
    assert "not valid JSON" in _problems("[" * 100_000 + "]" * 100_000)


def test_unreadable_and_missing_files(tmp_path):
    with pytest.raises(DesignError, match="cannot read"):
        load(tmp_path / "missing.json")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(DesignError):
        load(binary)


def test_every_problem_is_reported_at_once():
    d = _with()
    d["components"][1]["params"]["workers"] = 0
    d["components"][2]["params"]["availability"] = 1.5
    d["links"][0]["target"] = "ghost"
    with pytest.raises(DesignError) as info:
        loads(json.dumps(d))
    wheres = {p.where for p in info.value.problems}
    assert {"lb", "app", "l1"} <= wheres
