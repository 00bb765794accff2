"""Upgrades are one step at a time; newer files are refused; missing steps are reported."""

import pytest

from simcore import SCHEMA_VERSION
from simcore.migrations import UPGRADES, upgrade
from simcore.problems import DesignError


def test_current_version_passes_through_unchanged():
    data = {"schema_version": SCHEMA_VERSION, "components": [], "links": []}
    assert upgrade(dict(data)) == data


def test_every_old_version_has_an_upgrade_step():
    assert set(UPGRADES) == set(range(1, SCHEMA_VERSION))


def test_steps_chain_one_version_at_a_time():
    calls = []

    def v1_to_v2(d):
        calls.append(("1→2", d["schema_version"]))
        d["components"] = [dict(c, kind="service" if c["kind"] == "app" else c["kind"])
                           for c in d["components"]]
        return d

    def v2_to_v3(d):
        calls.append(("2→3", d["schema_version"]))
        d["links"] = d.pop("edges")
        return d

    old = {"schema_version": 1, "components": [{"id": "a", "kind": "app"}], "edges": []}
    out = upgrade(old, {1: v1_to_v2, 2: v2_to_v3}, current=3)
    assert calls == [("1→2", 1), ("2→3", 2)]
    assert out == {"schema_version": 3, "components": [{"id": "a", "kind": "service"}], "links": []}
    assert old["schema_version"] == 1  # the caller's dict is not modified


def test_newer_file_is_refused_with_a_clear_message():
    with pytest.raises(DesignError, match="newer Skyline"):
        upgrade({"schema_version": SCHEMA_VERSION + 1})


@pytest.mark.parametrize("bad", ["1", 1.0, True, None])
def test_version_must_be_a_whole_number(bad):
    with pytest.raises(DesignError, match="whole number"):
        upgrade({"schema_version": bad})


def test_missing_step_is_reported():
    with pytest.raises(DesignError, match="no upgrade from schema_version 1"):
        upgrade({"schema_version": 1}, {}, current=2)


def test_version_zero_does_not_exist():
    with pytest.raises(DesignError, match="does not exist"):
        upgrade({"schema_version": 0})
