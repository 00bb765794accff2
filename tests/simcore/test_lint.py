"""Warnings for valid designs that are likely not what was meant: cache-aside drawn as two
arrows from the app; a hit ratio beyond what the cache's write policy lets it reach (its
figures: tests/simcore/test_cache_sizing.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simcore.analysis import analyze
from simcore.io import load, parse, save
from simcore.lint import cache_bypasses, warnings
from simcore.paths import examples_dir
from simcore.validate import validate


def _design(direct: bool):
    links = [{"id": "l1", "source": "users", "target": "app"},
             {"id": "l2", "source": "app", "target": "cache"},
             {"id": "l3", "source": "cache", "target": "db"}]
    if direct:
        links.append({"id": "l4", "source": "app", "target": "db"})
    return parse({
        "schema_version": 1,
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": 1000, "read_ratio": 1.0}},
            {"id": "app", "kind": "service", "name": "App", "params": {"workers": 64}},
            {"id": "cache", "kind": "cache", "name": "Redis", "params": {"hit_ratio": 0.8}},
            {"id": "db", "kind": "database", "name": "MySQL", "params": {"workers": 64}},
        ],
        "links": links})


def test_a_service_calling_a_cache_and_its_store_is_warned_about_not_refused():
    design = _design(direct=True)
    assert validate(design) == []  # valid (SPEC §2): only a warning
    (b,) = cache_bypasses(design)
    assert (b.source, b.cache, b.store, b.direct_link) == ("app", "cache", "db", "l4")
    (w,) = warnings(design)
    assert w.where == "l4"
    assert w.message == ("MySQL gets the direct calls of App and the misses of Redis; for "
                         "cache-aside, remove App → MySQL")
    # what the warning says, in figures: the store gets the misses plus every call again
    a = analyze(design).to_json()
    assert a["components"]["db"]["arrival_rps"] == pytest.approx(1000 * 0.2 + 1000)
    assert warnings(_design(direct=False)) == []


def test_the_bundled_examples_have_no_warnings():
    for path in sorted(examples_dir().glob("*.json")):
        assert warnings(load(path)) == [], path.name


def test_skyline_validate_prints_the_warning_and_succeeds(tmp_path):
    path = tmp_path / "two_arrows.json"
    save(_design(direct=True), path)
    r = subprocess.run([sys.executable, "-m", "simcore.cli", "validate", str(path)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert f"{path}: valid" in r.stdout
    assert "warning: l4: MySQL gets the direct calls of App" in r.stderr


@pytest.mark.parametrize("command", ["validate", "analyze"])
def test_a_capped_hit_ratio_is_a_warning_on_the_cache_in_validate_and_analyze(tmp_path, command):
    # 1,000 rps with 10 % writes through cache-aside: at most 90 % of the reads can hit
    raw = _design(direct=False).model_dump(mode="json", exclude_none=True)
    raw["components"][0]["params"]["read_ratio"] = 0.9
    raw["components"][2]["params"]["hit_ratio"] = 0.99
    path = tmp_path / "capped.json"
    save(parse(raw), path)
    r = subprocess.run([sys.executable, "-m", "simcore.cli", command, str(path)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert (f"{path}: warning: cache: Redis's hit ratio 0.99 is more than a cache-aside cache "
            "can reach when 10% of the requests reaching it are writes (0.90): the simulation "
            "caps it there") in r.stderr
