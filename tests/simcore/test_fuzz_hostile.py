"""Fuzzing every field of a valid design with hostile values (issue 14, SPEC §6).

A hostile value (a non-finite or huge number, a lone surrogate, control characters, the wrong
JSON type, a duplicate key, deep nesting) goes into one field of a valid design, or a parameter
the kind knows but the design does not set; then every verb runs on the file in this process.
Each must end with exit status 0 or 2 (never 1, the internal error), print no traceback, and
leave the file's bytes as they were.

The offered load of a fuzzed design that loads is kept small for ``simulate`` (every request is
simulated; bounding that work is the engine's event budget, tested with the engine).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcore import cli
from simcore import io as design_io
from simcore.components import KINDS
from simcore.design import Event, Scenario
from simcore.link_params import GroupParams, LinkParams
from simcore.problems import DesignError

BASE = json.loads((Path(__file__).resolve().parents[1] / "data" / "bad" /
                   "valid_base.json").read_text())
BASE["groups"] = [{"id": "az", "kind": "zone", "members": ["app", "db"], "params": {}}]
SIMULATE_MAX_RPS = 2_000.0
"""The fuzzed designs that load are simulated only at up to this offered load (a second)."""


def _slots() -> list[tuple]:
    """Every place a value can go: each field that is set, each parameter the part's kind
    accepts, and the scenario's and its events' fields."""
    out: list[tuple] = [("name",), ("description",), ("schema_version",)]
    for i, c in enumerate(BASE["components"]):
        out += [("components", i, k) for k in ("id", "kind", "name", "x", "y", "params")]
        out += [("components", i, "params", k) for k in KINDS[c["kind"]].params.model_fields]
    for i, _ in enumerate(BASE["links"]):
        out += [("links", i, k) for k in ("id", "source", "target", "params")]
        out += [("links", i, "params", k) for k in LinkParams.model_fields]
        out += [("links", i, "params", "circuit_breaker", k)
                for k in ("failure_threshold", "window_s", "open_s")]
    out += [("groups", 0, k) for k in ("id", "kind", "name", "members", "params")]
    out += [("groups", 0, "params", k) for k in GroupParams.model_fields]
    out += [("scenario", k) for k in Scenario.model_fields]
    out += [("scenario", "events", 0, k) for k in Event.model_fields]
    return out


SLOTS = _slots()

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**400, 1e308, 5e-324, -0.0, 1e-300]),
)
hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\udfffb", "\x1b[2J", "\u202eevil", "\x00", "x" * 20_000,
                     "", " ", "app", "users"]),
)


def _nested(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


hostile = st.one_of(
    numbers, hostile_text, st.booleans(), st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.integers(min_value=20, max_value=900).map(_nested),
)


def _set(data: dict, path: tuple, value) -> None:
    node = data
    for key in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(key, {})
        else:
            node = node[key]
    node[path[-1]] = value


def _text(data: dict, duplicate: tuple | None, value) -> str:
    """The file's text; with ``duplicate`` (a path whose key exists), that key given twice,
    first with the hostile value."""
    text = json.dumps(data, indent=1, allow_nan=True)
    if duplicate is not None:
        key = json.dumps(duplicate[-1])
        text = text.replace(f"{key}: ", f"{key}: {json.dumps(value, allow_nan=True)}, {key}: ",
                            1)
    return text


def _run(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(args)
    return status, err.getvalue()


def _offered_rps(path: Path) -> float:
    try:
        design = design_io.load(path)
    except DesignError:
        return 0.0
    from simcore.analysis import analyze

    rps = analyze(design, availability=False).offered_rps or 0.0
    spikes = [e.multiplier or 1.0 for e in (design.scenario.events if design.scenario else [])]
    return rps * max([1.0, *spikes])


def _check_every_verb(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzzed.json"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    before = path.read_bytes()
    verbs = [["validate"], ["analyze"], ["analyze", "--json"],
             ["reliability", "--years", "1", "--replications", "1", "--quiet"]]
    rps = _offered_rps(path)
    if math.isfinite(rps) and rps <= SIMULATE_MAX_RPS:
        verbs.append(["simulate", "--duration", "2", "--replications", "1", "--quiet"])
    for verb in verbs:
        status, err = _run([verb[0], str(path), *verb[1:]])
        assert status in (0, 2), (verb, err[-2000:])
        assert "Traceback" not in err and "internal error" not in err, (verb, err[-2000:])
        assert path.read_bytes() == before


fuzz_case = st.tuples(st.sampled_from(SLOTS), hostile, st.booleans())


def case_text(case) -> str:
    """The file of a fuzz case: (field path, hostile value, given as a duplicate key?)."""
    path, value, as_duplicate = case
    data = json.loads(json.dumps(BASE))
    if not as_duplicate:
        _set(data, path, value)
        return _text(data, None, value)
    _set(data, path, _good_value(path))  # the key given twice: the hostile value, then a good one
    return _text(data, path, value)


def _case(tmp_path, case) -> None:
    _check_every_verb(tmp_path, case_text(case))


def _good_value(path: tuple):
    node = BASE
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return 1
    return node


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(case=fuzz_case)
def test_hostile_values_in_any_field_give_exit_0_or_2_and_leave_the_file(tmp_path, case):
    _case(tmp_path, case)


@pytest.mark.slow
@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(case=fuzz_case)
def test_hostile_values_many_more(tmp_path, case):
    _case(tmp_path, case)


@pytest.mark.parametrize("depth", [100, 990, 5_000, 100_000])
def test_deep_nesting_anywhere(tmp_path, depth):
    text = json.dumps(BASE).replace('"params": {}', '"params": {"a": ' + "[" * depth + "]" * depth
                                    + "}", 1)
    _check_every_verb(tmp_path, text)
