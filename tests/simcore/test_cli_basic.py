"""The command line's public contract: validate, examples, --version, usage errors, exit codes."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from simcore.paths import example_files

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def skyline(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "simcore.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or ROOT, timeout=120,
                          check=False)


def test_version():
    r = skyline("--version")
    assert r.returncode == 0 and r.stdout.startswith("skyline ")


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_validates(path):
    r = skyline("validate", path)
    assert r.returncode == 0, r.stderr


def test_examples_lists_at_least_ten_designs():
    r = skyline("examples")
    assert r.returncode == 0
    names = [line.split()[0] for line in r.stdout.splitlines() if line[:1] not in (" ", "")]
    assert len(names) >= 10
    assert "spof_example.json" in names


BAD_FILES = {
    "malformed.json": '{"schema_version": 1, "components": [}',
    "truncated.json": (DATA / "v1_sample_shop.json").read_text()[:200],
    "wrong_type.json": json.dumps({"schema_version": 1, "components": "none", "links": []}),
    "unknown_kind.json": json.dumps({"schema_version": 1, "components": [
        {"id": "u", "kind": "client", "params": {"rps": 1}}, {"id": "x", "kind": "warp_drive"}],
        "links": [{"id": "l", "source": "u", "target": "x"}]}),
    "newer.json": json.dumps({"schema_version": 7, "components": [], "links": []}),
    "dangling.json": json.dumps({"schema_version": 1, "components": [
        {"id": "u", "kind": "client", "params": {"rps": 1}}],
        "links": [{"id": "l", "source": "u", "target": "ghost"}]}),
    "cyclic.json": json.dumps({"schema_version": 1, "components": [
        {"id": "u", "kind": "client", "params": {"rps": 1}}, {"id": "a", "kind": "service"},
        {"id": "b", "kind": "service"}],
        "links": [{"id": "l0", "source": "u", "target": "a"}, {"id": "l1", "source": "a", "target": "b"},
                  {"id": "l2", "source": "b", "target": "a"}]}),
    "empty.json": "",
}
EXPECTED = {"malformed.json": "not valid JSON", "truncated.json": "not valid JSON",
            "wrong_type.json": "components", "unknown_kind.json": "warp_drive",
            "newer.json": "newer", "dangling.json": "ghost", "cyclic.json": "cycle",
            "empty.json": "not valid JSON"}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["validate", "analyze", "simulate", "reliability"])
def test_bad_files_exit_2_with_a_clear_message_and_stay_untouched(tmp_path, name, command):
    path = tmp_path / name
    path.write_text(BAD_FILES[name])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    r = skyline(command, path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert EXPECTED[name] in r.stderr
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_validate_prints_every_problem_one_a_line(tmp_path):
    d = json.loads((DATA / "v1_sample_shop.json").read_text())
    d["components"][1]["params"]["workers"] = 0
    d["components"][2]["params"]["availability"] = 2
    path = tmp_path / "two.json"
    path.write_text(json.dumps(d))
    r = skyline("validate", path)
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2
    assert any("lb" in ln and "workers" in ln for ln in lines)
    assert any("app" in ln and "availability" in ln for ln in lines)


@pytest.mark.parametrize("args", [
    ["analyze"], ["simulate", "x.json", "--replications", "0"], ["simulate", "x.json", "--seed", "abc"],
    ["reliability", "x.json", "--years", "-1"], ["analyze", "x.json", "--bogus"],
])
def test_usage_errors_exit_2_without_traceback(args):
    r = skyline(*args)
    assert r.returncode == 2
    assert r.stderr.strip() and "Traceback" not in r.stderr


def test_missing_file_exits_2():
    r = skyline("validate", "does-not-exist.json")
    assert r.returncode == 2 and "cannot read" in r.stderr
