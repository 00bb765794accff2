"""``skyline estimate`` (SPEC §7.10): every figure against the hand formula, the stage bounds,
usage errors, and starter designs that validate and carry their estimated peak."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from simcore.analysis import analyze
from simcore.estimate import EstimateInputs, estimate, stage_for_users
from simcore.io import load
from simcore.starter import starter_design, starter_shape
from simcore.validate import validate

ROOT = Path(__file__).resolve().parents[2]

KEYS = {"average_rps", "peak_rps", "read_rps", "write_rps", "storage_per_year_gb",
        "storage_total_gb", "bandwidth_in_mbps", "bandwidth_out_mbps", "servers",
        "servers_n_plus_1", "cache_gb", "stage", "formulas"}


def skyline(*args):
    return subprocess.run([sys.executable, "-m", "simcore.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)


def hand(users, rpu, peak=3.0, rr=0.9, kb=1.0, years=5.0, workers=50, ms=10.0):
    """SPEC §7.10's formulas written out again, independently."""
    avg = users * rpu / 86400
    pk = avg * peak
    writes = avg * (1 - rr)
    per_year = writes * 86400 * 365 * kb / 1e6
    servers = max(1, math.ceil(pk / (0.7 * workers / (ms / 1000)) - 1e-9))
    return {"average_rps": avg, "peak_rps": pk, "read_rps": avg * rr, "write_rps": writes,
            "storage_per_year_gb": per_year, "storage_total_gb": per_year * years,
            "bandwidth_in_mbps": pk * (1 - rr) * kb * 8 / 1000,
            "bandwidth_out_mbps": pk * rr * kb * 8 / 1000,
            "servers": servers, "servers_n_plus_1": servers + 1,
            "cache_gb": 0.2 * avg * rr * 86400 * kb / 1e6}


CASES = [
    {"users": 1_000_000, "rpu": 20},
    {"users": 5_000, "rpu": 10, "peak": 2.5, "rr": 0.5, "kb": 4, "years": 1},
    {"users": 30_000_000, "rpu": 50, "peak": 4, "rr": 0.95, "kb": 0.5, "years": 10,
     "workers": 200, "ms": 25},
    {"users": 120_000, "rpu": 100, "rr": 0.0, "kb": 100, "years": 0},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['users']}x{c['rpu']}")
def test_figures_match_the_hand_formulas(case):
    args = ["estimate", "--users", case["users"], "--requests-per-user", case["rpu"], "--json"]
    for key, opt in (("peak", "--peak-factor"), ("rr", "--read-ratio"), ("kb", "--object-kb"),
                     ("years", "--retention-years"), ("workers", "--server-workers"),
                     ("ms", "--server-ms")):
        if key in case:
            args += [opt, case[key]]
    r = skyline(*args)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert set(got) == KEYS
    want = hand(case["users"], case["rpu"], **{k: v for k, v in case.items()
                                               if k not in ("users", "rpu")})
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
    assert got["stage"] == stage_for_users(case["users"])
    assert set(got["formulas"]) == KEYS - {"formulas"}


def test_the_formula_shows_its_numbers():
    est = estimate(EstimateInputs(users=1_000_000, requests_per_user=20))
    assert "1,000,000 × 20 / 86,400 = 231.5 rps" in est.formulas["average_rps"]
    assert "231.5 × 3 = 694.4 rps" in est.formulas["peak_rps"]
    assert est.formulas["servers"].endswith("= 1")


def test_servers_round_up_with_the_slack():
    # a peak of exactly 3,500 rps is one server at 70 %, not two
    exact = EstimateInputs(users=86_400, requests_per_user=3500 / 3)
    assert estimate(exact).peak_rps == pytest.approx(3500)
    assert estimate(exact).servers == 1
    above = EstimateInputs(users=86_400, requests_per_user=3501 / 3)
    assert estimate(above).servers == 2


@pytest.mark.parametrize("users,stage", [
    (1, 1), (9_999, 1), (10_000, 2), (99_999, 2), (100_000, 3), (499_999, 3), (500_000, 4),
    (1_999_999, 4), (2_000_000, 5), (9_999_999, 5), (10_000_000, 6), (1e9, 6)])
def test_stage_bounds(users, stage):
    assert stage_for_users(users) == stage


@pytest.mark.parametrize("args", [
    ["--users", 10],
    ["--requests-per-user", 10],
    ["--users", 0, "--requests-per-user", 10],
    ["--users", 10, "--requests-per-user", 10, "--read-ratio", 1.5],
    ["--users", 10, "--requests-per-user", 10, "--peak-factor", 0.5],
    ["--users", "many", "--requests-per-user", 10],
])
def test_bad_usage_exits_2_with_a_message(args):
    r = skyline("estimate", *args)
    assert r.returncode == 2
    assert r.stderr.strip() and "Traceback" not in r.stderr


# users in each stage's range, and requests per user that keep one server enough in stages
# 1–3 (the last case needs more than one and so gets stage 4's shape)
STARTERS = [(5_000, 20, 1), (50_000, 20, 2), (300_000, 20, 3), (1_000_000, 20, 4),
            (5_000_000, 20, 5), (30_000_000, 20, 6), (50_000, 3000, 4)]


@pytest.mark.parametrize("users,rpu,shape", STARTERS, ids=lambda v: str(v))
def test_starter_validates_and_carries_its_peak(users, rpu, shape, tmp_path):
    out = tmp_path / "starter.json"
    r = skyline("estimate", "--users", users, "--requests-per-user", rpu, "--design", out)
    assert r.returncode == 0, r.stderr
    design = load(out)
    assert validate(design) == []
    est = estimate(EstimateInputs(users=users, requests_per_user=rpu))
    assert starter_shape(est) == shape
    assert design.name.startswith(f"Starter: stage {shape}")
    client = design.component("users")
    assert client.params["rps"] == pytest.approx(est.peak_rps)
    result = analyze(design)
    assert not result.saturated
    assert result.saturation_rps > est.peak_rps
    app = next(c for c in design.components if c.kind == "service")
    assert app.params.get("instances", 1) == (est.servers_n_plus_1 if shape >= 4 else 1)
    xs = [c.x for c in design.components]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # left to right


def test_the_fallback_says_why():
    est = estimate(EstimateInputs(users=50_000, requests_per_user=3000))
    design = starter_design(est)
    assert est.stage == 2 and starter_shape(est) == 4
    assert "one server cannot carry" in design.description
    assert "stage 4" in design.description
