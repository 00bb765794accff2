"""``skyline analyze FILE [--json]`` (SPEC §4): the text report (availability in the notes'
percent / nines / downtime form, the component table, SPOFs, bottleneck, saturation) and the JSON
object (exactly SPEC §4's keys, strict JSON, ``null`` for perfect nines and infinite latencies,
``saturated`` designs)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from simcore.cli import main
from simcore.paths import examples_dir
from tests.simcore.closed_forms import ANALYZE_COMPONENT_KEYS, ANALYZE_TOP_KEYS

ROOT = Path(__file__).resolve().parents[2]


def skyline(*args):
    return subprocess.run([sys.executable, "-m", "simcore.cli", *map(str, args)],
                          check=False, capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def strict_json(text: str):
    def refuse(token):
        raise AssertionError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def write(tmp_path, components, links, groups=(), name="design"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"schema_version": 1, "name": name, "components": components,
                                "links": links, "groups": list(groups)}))
    return path


def analyze_cli(capsys, path, *flags):
    code = main(["analyze", str(path), *flags])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


SATURATED = (
    [{"id": "users", "kind": "client", "params": {"rps": 8000}},
     {"id": "app", "kind": "service", "params": {"workers": 50, "service_time_ms": 10}}],
    [{"id": "l1", "source": "users", "target": "app"}])


# --- the real command ---------------------------------------------------------------------------
def test_text_report_of_the_series_example():
    r = skyline("analyze", examples_dir() / "series_three_nines.json")
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    line = next(ln for ln in lines if ln.startswith("Availability"))
    assert re.fullmatch(r"Availability\s+99\.7003% \(2\.52 nines; exact\)", line), line
    down = next(ln for ln in lines if ln.startswith("Downtime"))
    # U = 0.002997001: 26.25 h a year, 2.19 h a month, 30.2 min a week.
    assert re.fullmatch(r"Downtime\s+1 d 2 h per year, 2 h 11 min per month, "
                        r"30 min 13 s per week", down), down
    assert re.fullmatch(r"SPOFs\s+app, db, web",
                        next(ln for ln in lines if ln.startswith("SPOFs")))
    assert next(ln for ln in lines if ln.startswith("Bottleneck")).split()[1] == "web"
    assert re.match(r"Saturation\s+2,456 req/s \(24\.56 × the offered load\)",
                    next(ln for ln in lines if ln.startswith("Saturation")))
    assert "Mean latency" in r.stdout and "Monthly cost      $511.00" in r.stdout


def test_json_of_the_spof_example_has_exactly_the_spec_keys():
    r = skyline("analyze", examples_dir() / "spof_example.json", "--json")
    assert r.returncode == 0 and r.stderr == ""
    js = strict_json(r.stdout)
    assert set(js) == ANALYZE_TOP_KEYS
    assert set(js["latency_ms"]) == {"mean", "p50", "p95", "p99"}
    lat = js["latency_ms"]
    assert 0 < lat["p50"] < lat["p95"] < lat["p99"]
    for row in js["components"].values():
        assert set(row) == ANALYZE_COMPONENT_KEYS
    assert js["spofs"] == ["db", "lb"]
    assert js["availability_method"] == "exact" and js["availability_ci95"] is None
    # A client's row: its rps, its requests' latency and availability, null for the rest.
    c1 = js["components"]["client1"]
    assert c1["arrival_rps"] == 300.0
    assert c1["utilization"] is None and c1["failure_impact"] is None
    assert c1["monthly_cost"] is None
    assert 0 < c1["availability"] < 1 and c1["latency_ms"] > 0
    # Fractions, not percentages.
    assert 0.99 < js["availability"] < 1 and 0 < js["components"]["db"]["utilization"] < 1


# --- the text report in detail (in process) ------------------------------------------------------
def row_of(text: str, cid: str) -> list[str]:
    for ln in text.splitlines():
        if ln.split()[:1] == [cid]:
            return ln.split()
    raise AssertionError(f"no row for {cid}")


def test_component_rows_carry_every_figure(capsys):
    text = analyze_cli(capsys, examples_dir() / "stage4_load_balancer.json")
    head = next(ln for ln in text.splitlines() if ln.startswith("component"))
    for col in ("kind", "arrival/s", "util", "latency ms", "availability", "impact", "$/month"):
        assert col in head
    db = row_of(text, "db")
    # db: 420 req/s, 420 · 5 ms / 10 = 21.0%, 5.00 ms, 2000/2002 = 99.9001%, a failed database
    # loses 28% of requests (the cache still serves 80% of the reads), 0.5 $/h · 730 h.
    assert db[:8] == ["db", "database", "420", "21.0%", "5.00", "99.9001%", "28.0%", "365.00"]
    assert db[8:] == ["SPOF"]
    app = row_of(text, "app")
    assert app[1:3] == ["service", "1,500"] and "←" in app and "bottleneck" in app
    cache = row_of(text, "cache")
    assert cache[6] == "0" and "SPOF" not in cache  # the cache is no SPOF
    users = row_of(text, "users")
    assert users[1] == "client" and users[3] == "—" and users[-1] == "—"
    assert "db: primary: reads 270/s, writes 150/s" in text


def test_groups_and_rate_limits_are_reported(capsys, tmp_path):
    path = write(tmp_path, [
        {"id": "users", "kind": "client", "params": {"rps": 1000}},
        {"id": "rl", "kind": "rate_limiter", "params": {"limit_rps": 600}},
        {"id": "app", "kind": "service", "params": {"availability": 0.99}}],
        [{"id": "l1", "source": "users", "target": "rl"},
         {"id": "l2", "source": "rl", "target": "app"}],
        [{"id": "az1", "kind": "zone", "members": ["rl", "app"],
          "params": {"availability": 0.999}}])
    text = analyze_cli(capsys, path)
    assert "Rate limit at rl: forwards 600 req/s, rejects 400 req/s" in text
    az = row_of(text, "az1")
    assert az == ["az1", "99.9%", "100%", "SPOF"]
    assert re.search(r"Availability\s+98\.901% \(1\.96 nines; exact\)", text)


def test_perfect_design_prints_100_percent_and_json_null_nines(capsys, tmp_path):
    path = write(tmp_path, [{"id": "users", "kind": "client", "params": {"rps": 10}},
                            {"id": "app", "kind": "service"}],
                 [{"id": "l1", "source": "users", "target": "app"}])
    text = analyze_cli(capsys, path)
    assert re.search(r"Availability\s+100% \(no part can fail; exact\)", text)
    assert re.search(r"Downtime\s+0 s per year, 0 s per month, 0 s per week", text)
    js = strict_json(analyze_cli(capsys, path, "--json"))
    assert js["availability"] == 1.0 and js["nines"] is None
    assert js["downtime_per_year_s"] == 0.0


def test_saturated_design(capsys, tmp_path):
    path = write(tmp_path, *SATURATED)
    text = analyze_cli(capsys, path)
    assert re.search(r"Status\s+SATURATED: app at or above 100% utilization", text)
    assert re.search(r"Mean latency\s+∞", text)
    assert re.search(r"Saturation\s+5,000 req/s \(0\.625 × the offered load\)", text)
    app = row_of(text, "app")
    assert app[3] == "160.0%" and app[4] == "∞"
    js = strict_json(analyze_cli(capsys, path, "--json"))
    assert js["saturated"] is True
    assert js["latency_ms"]["mean"] is None
    assert js["components"]["app"]["latency_ms"] is None
    assert js["components"]["app"]["utilization"] == pytest.approx(1.6)  # raw, above 1
    assert js["saturation_rps"] == pytest.approx(5000, rel=1e-6)
    assert js["bottleneck"] == "app"


def test_no_traffic(capsys, tmp_path):
    path = write(tmp_path, [{"id": "users", "kind": "client", "params": {"rps": 0}},
                            {"id": "app", "kind": "service", "params": {"availability": 0.9}}],
                 [{"id": "l1", "source": "users", "target": "app"}])
    text = analyze_cli(capsys, path)
    assert re.search(r"Saturation\s+— \(no traffic\)", text)
    js = strict_json(analyze_cli(capsys, path, "--json"))
    assert js["saturation_rps"] is None and js["bottleneck"] is None
    assert js["saturated"] is False and js["offered_rps"] == 0.0
    assert js["availability"] == pytest.approx(0.9)  # clients weigh equally with no traffic


def test_json_is_never_rounded(capsys):
    js = strict_json(analyze_cli(capsys, examples_dir() / "stage4_load_balancer.json", "--json"))
    a_db = 2000 / 2002
    k_read = 0.999 * (0.8 + 0.2 * a_db) + 0.001 * a_db
    expect = 0.9995 * (1 - 0.001 ** 2) * (0.9 * k_read + 0.1 * a_db)
    assert js["availability"] == pytest.approx(expect, abs=1e-15)
    assert js["nines"] == pytest.approx(-math.log10(1 - expect), rel=1e-9)
    assert js["downtime_per_week_s"] == pytest.approx((1 - expect) * 7 * 86400, rel=1e-9)
