"""``skyline reliability``: the text report, the JSON file, usage errors and Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simcore.paths import example_files

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {p.stem: p for p in example_files()}


def skyline(*args):
    return subprocess.run([sys.executable, "-m", "simcore.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


def test_report_and_json(tmp_path):
    out = tmp_path / "rel.json"
    r = skyline("reliability", EXAMPLES["series_three_nines"], "--years", "200",
                "--replications", "2", "--seed", "3", "--json", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    text = r.stdout
    assert "Series: three components at 99.9%" in text
    assert "availability" in text and "95% CI" in text
    assert "outages" in text and "per year" in text
    assert "instant analysis 99.70" in text and "exact" in text
    j = json.loads(out.read_text())
    assert j["seed"] == 3 and j["years"] == 200 and j["replications"] == 2
    assert set(j["availability"]) == {"mean", "ci95"}
    assert 0.9965 < j["availability"]["mean"] < 0.9975
    for key in ("outages_per_year", "mean_outage_s", "downtime_per_year_s"):
        assert isinstance(j[key], float) and j[key] > 0
    assert j["downtime_per_year_s"] == pytest.approx(j["unavailability"]["mean"] * 365 * 86400)
    assert j["stopped"] is False


def test_same_seed_same_json(tmp_path):
    outs = []
    for i in range(2):
        out = tmp_path / f"r{i}.json"
        r = skyline("reliability", EXAMPLES["spof_example"], "--years", "50", "--seed", "8",
                    "--json", out)
        assert r.returncode == 0, r.stderr
        outs.append(json.loads(out.read_text()))
    assert outs[0] == outs[1]


def test_a_perfect_design_reports_no_outages_and_null_nines(tmp_path):
    design = tmp_path / "perfect.json"
    design.write_text(json.dumps({
        "schema_version": 1,
        "components": [{"id": "u", "kind": "client", "params": {"rps": 5}},
                       {"id": "s", "kind": "service"}],
        "links": [{"id": "l", "source": "u", "target": "s"}]}))
    out = tmp_path / "o.json"
    r = skyline("reliability", design, "--years", "10", "--json", out)
    assert r.returncode == 0, r.stderr
    j = json.loads(out.read_text())
    assert j["availability"] == {"mean": 1.0, "ci95": [1.0, 1.0]}
    assert j["nines"] is None and j["mean_outage_s"] is None
    assert j["outages_per_year"] == 0.0 and j["downtime_per_year_s"] == 0.0


@pytest.mark.parametrize("args, expected", [
    (["--years", "0"], "positive"),
    (["--replications", "0"], "at least 1"),
    (["--seed", "x"], "whole number"),
    (["--json", "/nonexistent-dir/out.json"], "does not exist"),
])
def test_usage_errors_exit_2(args, expected):
    r = skyline("reliability", EXAMPLES["spof_example"], *args)
    assert r.returncode == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr


def test_a_study_too_big_exits_2_naming_the_part(tmp_path):
    design = tmp_path / "fast.json"
    design.write_text(json.dumps({
        "schema_version": 1,
        "components": [{"id": "u", "kind": "client", "params": {"rps": 5}},
                       {"id": "flaky", "kind": "service",
                        "params": {"mtbf_hours": 0.0001, "mttr_hours": 0.0001}}],
        "links": [{"id": "l", "source": "u", "target": "flaky"}]}))
    r = skyline("reliability", design, "--years", "100000")
    assert r.returncode == 2
    assert "flaky" in r.stderr and "--years" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("whole_group", [False, True], ids=["pid", "process-group"])
def test_ctrl_c_stops_cleanly_with_a_partial_report(tmp_path, whole_group):
    # a minute of work or more (500 blocks of 2,000 years); interrupted once the first are in
    out = tmp_path / "partial.json"
    p = subprocess.Popen(
        [sys.executable, "-m", "simcore.cli", "reliability", str(EXAMPLES["spof_example"]),
         "--years", "20000", "--replications", "50", "--json", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        first = ""
        while time.monotonic() < deadline:
            first = p.stderr.readline()
            if first.startswith("reliability") or not first:
                break
        assert first.startswith("reliability"), first  # a progress line on stderr
        (os.killpg if whole_group else os.kill)(p.pid, signal.SIGINT)
        stdout, stderr = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 130
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert "interrupted" in stderr
    assert "availability" in stdout and "stopped early" in stdout
    j = json.loads(out.read_text())
    assert j["stopped"] is True
    assert 0 < j["blocks_finished"] < j["blocks"] == 500
    assert 0.99 < j["availability"]["mean"] < 1
