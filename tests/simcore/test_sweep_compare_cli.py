"""``skyline sweep`` and ``skyline compare`` (SPEC §7.10): tables, JSON, common random numbers,
the paired difference, bad input and Ctrl-C."""

import json
import os
import subprocess
import sys

import pytest

from simcore.compare import compare, paired_difference
from simcore.io import load, parse
from simcore.param_path import ParamPathError, parse_values, resolve, with_value
from simcore.problems import DesignError
from simcore.sweep import sweep
from tests.simcore.test_simulate_cli import (
    ROOT,
    _ctrl_c_after,
    _run_on_terminal,
    design_file,
    posix_only,
    skyline,
)


def _dotted_design():
    return parse({
        "schema_version": 1, "name": "dots",
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": 50}},
            {"id": "eu.api", "kind": "service", "params": {"workers": 4, "service_time_ms": 10}},
            {"id": "eu", "kind": "service", "params": {"workers": 2, "service_time_ms": 5}},
        ],
        "links": [{"id": "l1", "source": "users", "target": "eu.api"},
                  {"id": "l2", "source": "eu.api", "target": "eu"}],
        "scenario": {"duration_s": 4, "warmup_s": 1, "replications": 2},
    })


def test_param_splits_at_the_longest_id_and_reaches_links_nested_params_and_the_scenario():
    d = _dotted_design()
    p = resolve(d, "eu.api.workers")
    assert (p.section, p.part_id, p.name, p.sub) == ("components", "eu.api", "workers", None)
    assert resolve(d, "eu.workers").part_id == "eu"
    p = resolve(d, "l1.circuit_breaker.failure_threshold")
    assert (p.section, p.part_id, p.name, p.sub) == ("links", "l1", "circuit_breaker",
                                                     "failure_threshold")
    assert resolve(d, "scenario.duration_s").section == "scenario"
    changed = with_value(d, p, 7)
    assert changed.links[0].params["circuit_breaker"] == {"failure_threshold": 7}
    assert with_value(d, resolve(d, "l1.latency_ms"), 12.5).links[0].params["latency_ms"] == 12.5
    assert with_value(d, resolve(d, "users.rps"), 80).components[0].params["rps"] == 80
    assert d.components[0].params["rps"] == 50  # the original is left alone


@pytest.mark.parametrize("text, says", [
    ("nope.workers", "no id of the design"),
    ("eu.api.nope", "has no parameter 'nope'"),
    ("eu.api.workers.x", "single value"),
    ("l1.circuit_breaker.nope", "has no parameter 'nope'"),
    ("scenario.nope", "has no parameter 'nope'"),
    ("scenario.events", "cannot be swept"),
    ("users.", "no parameter"),
])
def test_bad_param_paths_say_what_is_wrong(text, says):
    with pytest.raises(ParamPathError, match=says):
        resolve(_dotted_design(), text)


def test_values_are_json_and_bare_words_are_strings():
    assert parse_values("1,2.5,null,true") == [1, 2.5, None, True]
    assert parse_values('{"failure_threshold": 3, "open_s": 5},7') == [
        {"failure_threshold": 3, "open_s": 5}, 7]
    assert parse_values("sync,async") == ["sync", "async"]
    with pytest.raises(ParamPathError):
        parse_values("1,,2")


def test_a_value_the_design_cannot_take_names_the_value():
    d = _dotted_design()
    with pytest.raises(DesignError, match=r"eu\.api\.workers = 0"):
        with_value(d, resolve(d, "eu.api.workers"), 0)


def test_sweep_uses_the_same_random_numbers_for_every_value():
    d = _dotted_design()
    # the client's rate is not the swept parameter: with the same seeds the clients send the
    # same requests at every value, so the throughput is identical while the latency moves
    r = sweep(d, resolve(d, "eu.api.service_time_ms"), [5, 10], workers=1)
    j = r.to_json()
    assert [p["value"] for p in j["results"]] == [5, 10]
    a, b = j["results"]
    assert a["throughput_rps"] == b["throughput_rps"]
    assert b["latency_ms"]["mean"] > a["latency_ms"]["mean"]
    # a value run on its own gives the same figures as inside the sweep
    alone = sweep(d, resolve(d, "eu.api.service_time_ms"), [10], workers=1).to_json()
    assert alone["results"][0] == b


def test_sweep_cli_table_and_json(tmp_path):
    f = design_file(tmp_path)
    out = tmp_path / "s.json"
    r = skyline("sweep", f, "--param", "api.workers", "--values", "1,4", "--replications", 3,
                "--json", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert "Sweep of api.workers over 2 values" in r.stdout
    assert r.stderr == ""
    j = json.loads(out.read_text())
    assert j["param"] == "api.workers" and j["values"] == [1, 4] and j["runner"] == "local"
    for row in j["results"]:
        assert set(row) >= {"value", "throughput_rps", "latency_ms", "error_rate",
                            "availability"}
        assert set(row["latency_ms"]) >= {"mean", "p99", "ci95_mean", "ci95_p99"}
        lo, hi = row["throughput_rps"]["ci95"]
        assert lo <= row["throughput_rps"]["mean"] <= hi
    one, four = j["results"]
    assert one["latency_ms"]["mean"] > four["latency_ms"]["mean"]  # 1 worker at ρ = 1
    assert one["saturated"] is True and four["saturated"] is False
    table = r.stdout.splitlines()
    assert any(ln.startswith("1 ") and "saturated" in ln for ln in table)


def test_compare_of_a_design_with_itself_is_exactly_zero(tmp_path):
    f = design_file(tmp_path)
    out = tmp_path / "c.json"
    r = skyline("compare", f, f, "--replications", 3, "--json", out, "--quiet")
    assert r.returncode == 0, r.stderr
    j = json.loads(out.read_text())
    for name, d in j["difference"].items():
        assert d["mean"] == 0.0, name
        assert d["ci95"] == [0.0, 0.0], name
        assert d["dropped_pairs"] == 0
    assert j["a"]["throughput_rps"] == j["b"]["throughput_rps"]
    assert set(j["a"]) >= {"seed", "duration_s", "warmup_s", "replications", "throughput_rps",
                           "latency_ms", "error_rate", "availability", "components",
                           "timeseries"}
    assert "B − A" in r.stdout


def test_a_faster_app_server_has_a_lower_latency_with_an_interval_below_zero(tmp_path):
    slow = load(design_file(tmp_path, service_ms=10.0, name="a.json"))
    fast = load(design_file(tmp_path, service_ms=5.0, name="b.json"))
    c = compare(slow, fast, replications=5, workers=1).to_json()
    d = c["difference"]["latency_mean_ms"]
    # a 5 ms shorter service at ρ = 0.25 and 0.125: about 5.5 ms less (M/M/4 waits included)
    assert d["ci95"][1] < 0 and d["mean"] < -4.0
    assert c["difference"]["latency_p99_ms"]["ci95"][1] < 0
    # the paired interval is narrower than the two designs' own intervals: common random
    # numbers at work
    half = (d["ci95"][1] - d["ci95"][0]) / 2
    a_ci = c["a"]["latency_ms"]["ci95_mean"]
    assert half < (a_ci[1] - a_ci[0]) / 2


def test_compare_takes_a_settings_and_keeps_each_designs_events(tmp_path):
    a = load(design_file(tmp_path, name="a.json", duration_s=3, seed=7))
    b = load(design_file(tmp_path, name="b.json", duration_s=9, seed=2,
                         events=[{"type": "fail", "target": "db", "at_s": 1.5,
                                  "duration_s": 1}]))
    c = compare(a, b, replications=2, workers=1).to_json()
    assert c["a"]["duration_s"] == c["b"]["duration_s"] == 3
    assert c["a"]["seed"] == c["b"]["seed"] == 7
    assert c["b"]["error_rate"] > 0 == c["a"]["error_rate"]  # B's outage stays B's


def test_pairs_without_a_value_are_dropped_and_counted():
    a = [{"throughput_rps": 10, "latency_ms": {"mean": 5, "p99": 9}, "error_rate": 0,
          "availability": 1}] * 3
    b = [{"throughput_rps": 12, "latency_ms": {"mean": None, "p99": 8}, "error_rate": 0,
          "availability": 1}, *a[:2]]
    d = paired_difference(a, b)
    assert d["latency_mean_ms"] == {"mean": 0.0, "ci95": [0.0, 0.0], "pairs": 2,
                                    "dropped_pairs": 1}
    assert d["throughput_rps"]["pairs"] == 3 and d["throughput_rps"]["mean"] == pytest.approx(
        2 / 3)


@pytest.mark.parametrize("args, says", [
    (["--param", "nope.workers", "--values", "1"], "no id of the design"),
    (["--param", "api.nope", "--values", "1"], "has no parameter 'nope'"),
    (["--param", "api.workers", "--values", "0"], "api.workers = 0"),
    (["--param", "api.workers", "--values", "1", "--scheduler", "localhost"],
     "expected tcp://HOST:PORT"),
])
def test_bad_param_values_or_scheduler_exit_2_without_a_traceback(tmp_path, args, says):
    r = skyline("sweep", design_file(tmp_path), *args)
    assert r.returncode == 2, r.stderr
    assert says in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_an_unreachable_scheduler_exits_2_without_a_traceback(tmp_path):
    f = design_file(tmp_path)
    r = skyline("compare", f, f, "--scheduler", "tcp://127.0.0.1:9")
    assert r.returncode == 2, r.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_scheduler_can_come_from_the_environment(tmp_path):
    f = design_file(tmp_path)
    env = dict(os.environ, SKYLINE_SCHEDULER="not-an-address")
    r = subprocess.run([sys.executable, "-m", "simcore.cli", "sweep", str(f), "--param",
                        "api.workers", "--values", "2"], capture_output=True, text=True,
                       env=env, cwd=ROOT, check=False)
    assert r.returncode == 2 and "SKYLINE_SCHEDULER" in r.stderr


@posix_only
def test_ctrl_c_stops_a_sweep_and_reports_the_values_that_finished(tmp_path):
    f = design_file(tmp_path)
    out = tmp_path / "s.json"
    # the first value's replication is short; the second's would run for hours
    p, master = _run_on_terminal(["sweep", f, "--param", "scenario.duration_s", "--values",
                                  "3,10000000", "--replications", 1, "--json", out])
    stdout, err, _seconds = _ctrl_c_after(p, master, b"1/2 replications", timeout=120)
    assert p.returncode == 130, (stdout, err)
    assert "Traceback" not in err and "STOPPED" in stdout
    j = json.loads(out.read_text())
    assert j["stopped"] is True and [r["value"] for r in j["results"]] == [3]
