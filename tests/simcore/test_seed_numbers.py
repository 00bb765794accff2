"""The system-design notes' own numbers, reproduced by the instant analysis: series and parallel
availability, the nines table, MTBF / MTTR, throughput = workers / latency, the SPOF example, and
the queueing closed forms the notes' latency reasoning rests on (M/M/c, a Jackson network with
random splitting checked through Little's law).

Where the notes print a rounded figure (8.76 hours, 99.7%), the test accepts the computed value
when it rounds to the printed one: within half a unit of the last printed digit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from simcore.analysis import analyze
from simcore.analysis.nines import downtime_seconds, nines
from simcore.analysis.report import render
from simcore.io import load, loads
from simcore.paths import examples_dir
from tests.simcore.closed_forms import mmc_wait

DAY, HOUR, MINUTE = 86400.0, 3600.0, 60.0

# The notes' table: availability | downtime per year | per month | per week, as printed.
NINES_TABLE = [
    ("99%", "two", ("3.65", DAY), ("7.3", HOUR), ("1.68", HOUR)),
    ("99.9%", "three", ("8.76", HOUR), ("43.8", MINUTE), ("10.1", MINUTE)),
    ("99.99%", "four", ("52.6", MINUTE), ("4.38", MINUTE), ("1.01", MINUTE)),
    ("99.999%", "five", ("5.26", MINUTE), ("26.3", 1.0), ("6.05", 1.0)),
    ("99.9999%", "six", ("31.5", 1.0), ("2.63", 1.0), ("0.6", 1.0)),
]
WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def rounds_to(value_s: float, printed: str, unit_s: float) -> bool:
    """``value_s`` seconds, in ``unit_s`` units, rounds to the printed figure."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(value_s / unit_s - float(printed)) <= 0.5 * 10 ** -decimals + 1e-12


def one_component(params: dict) -> dict:
    return {"schema_version": 1, "components": [
        {"id": "users", "kind": "client", "params": {"rps": 10}},
        {"id": "server", "kind": "service", "params": params}],
        "links": [{"id": "l1", "source": "users", "target": "server"}]}


def design(d: dict):
    return loads(json.dumps(d))


# --- the nines table ----------------------------------------------------------------------------
@pytest.mark.parametrize("row", NINES_TABLE, ids=lambda r: r[0])
def test_nines_table_row_from_the_module(row):
    pct, word, year, month, week = row
    u = 1.0 - float(pct.rstrip("%")) / 100.0
    down = downtime_seconds(u)
    assert rounds_to(down["year"], *year)
    assert rounds_to(down["month"], *month)
    assert rounds_to(down["week"], *week)
    assert nines(u) == pytest.approx(WORDS[word], abs=1e-9)


@pytest.mark.parametrize("row", NINES_TABLE, ids=lambda r: r[0])
def test_nines_table_row_from_a_one_component_design(row):
    pct, word, year, month, week = row
    a = float(pct.rstrip("%")) / 100.0
    res = analyze(design(one_component({"availability": a})))
    js = res.to_json()
    assert js["availability"] == pytest.approx(a, abs=1e-15)
    assert js["nines"] == pytest.approx(WORDS[word], abs=1e-9)
    assert rounds_to(js["downtime_per_year_s"], *year)
    assert rounds_to(js["downtime_per_month_s"], *month)
    assert rounds_to(js["downtime_per_week_s"], *week)
    # The text report says it the notes' way: the percentage and the nines.
    line = next(ln for ln in render(res).splitlines() if ln.startswith("Availability"))
    assert pct in line and f"{WORDS[word]}.00 nines" in line


def test_periods_are_the_notes_year_month_and_week():
    down = downtime_seconds(1.0)
    assert down == {"year": 365 * DAY, "month": 365 * DAY / 12, "week": 7 * DAY}


def test_364_days_up_is_99_73_percent_below_three_nines():
    # "up for 364 days and down for 1 day in a year: 364 / 365 = 99.73%"
    res = analyze(design(one_component({"mtbf_hours": 364 * 24, "mttr_hours": 24})))
    assert round(100 * res.availability, 2) == 99.73
    assert res.nines < 3
    assert res.downtime_s["year"] == pytest.approx(DAY, rel=1e-12)


# --- series and parallel ----------------------------------------------------------------------------
def test_series_three_nines_is_99_7003_percent():
    res = analyze(load(examples_dir() / "series_three_nines.json"))
    assert res.availability == pytest.approx(0.999 ** 3, abs=1e-15)
    assert f"{100 * res.availability:.4f}" == "99.7003"
    assert f"{100 * res.availability:.1f}" == "99.7"  # the notes' "= 99.7%"
    assert res.unavailability == pytest.approx(1 - 0.999 ** 3, rel=1e-12)
    assert res.nines < 3  # "below three nines"
    assert "99.7003%" in render(res)


def test_parallel_two_servers_is_99_9999_percent():
    res = analyze(load(examples_dir() / "parallel_two_servers.json"))
    # "Failure probability = 0.1% × 0.1% = 0.0001%"
    assert res.unavailability == pytest.approx(0.001 ** 2, rel=1e-9)
    assert res.availability == pytest.approx(0.999999, abs=1e-15)
    assert res.nines == pytest.approx(6.0, abs=1e-6)
    assert "99.9999%" in render(res)
    # The example's balancer is perfect (availability 1 by default), so it does not spoil the
    # six nines; a balancer that fails too is in series with the pair.
    raw = json.loads((examples_dir() / "parallel_two_servers.json").read_text())
    raw["components"][1]["params"]["availability"] = 0.999
    spoiled = analyze(loads(json.dumps(raw)))
    assert spoiled.availability == pytest.approx(0.999 * (1 - 0.001 ** 2), abs=1e-15)
    assert spoiled.nines < 3.01


# --- MTBF and MTTR --------------------------------------------------------------------------------
def test_mtbf_and_mttr_from_the_notes_examples():
    mtbf = 10_000 / 5  # "System ran for 10,000 hours, experienced 5 failures"
    mttr = 10 / 5  # "5 failures, total repair time 10 hours"
    assert (mtbf, mttr) == (2000, 2)
    res = analyze(design(one_component({"mtbf_hours": mtbf, "mttr_hours": mttr})))
    assert res.availability == pytest.approx(2000 / 2002, abs=1e-15)
    assert res.components["server"].availability == pytest.approx(2000 / 2002, abs=1e-15)
    assert res.unavailability == pytest.approx(2 / 2002, rel=1e-12)
    assert res.downtime_s["year"] == pytest.approx(2 / 2002 * 365 * DAY, rel=1e-12)
    # The scaling-stage examples use exactly these figures for their database.
    stage = analyze(load(examples_dir() / "stage2_separate_database.json"))
    assert stage.components["db"].availability == pytest.approx(2000 / 2002, abs=1e-15)


# --- throughput = workers / latency -----------------------------------------------------------------
@pytest.mark.parametrize("workers,expect", [(1, 100.0), (50, 5000.0)])
def test_throughput_is_workers_over_latency(workers, expect):
    # "Throughput = 1 / 0.01 s = 100 requests/second"; "50 / 0.01 s = 5,000 requests/second"
    d = one_component({"workers": workers, "service_time_ms": 10})
    res = analyze(design(d), availability=False)
    assert res.saturation_rps == pytest.approx(expect, rel=1e-6)
    assert res.bottleneck == "server"
    assert res.components["server"].utilization == pytest.approx(10 * 0.01 / workers, rel=1e-12)


# --- the SPOF example ------------------------------------------------------------------------------
def test_spof_example_is_the_load_balancer_and_the_database():
    res = analyze(load(examples_dir() / "spof_example.json"))
    assert res.spofs == ["db", "lb"]
    c = res.components
    # "The cache server is not a true SPOF": when it is down requests go to the database…
    assert c["cache"].failure_impact == 0.0
    # … which then carries every read (the flow of a design with the cache failed is the
    # simulation's business; here the database's load is what the cache lets through).
    assert c["db"].arrival_rps == pytest.approx(540 * 0.2 + 60, rel=1e-12)
    # "The application servers are not SPOFs since you have two of them."
    assert c["app1"].failure_impact == 0.0 and c["app2"].failure_impact == 0.0
    assert c["lb"].failure_impact == 1.0
    # A standby load balancer removes it from the list, as the notes advise.
    raw = json.loads((examples_dir() / "spof_example.json").read_text())
    raw["components"][2]["params"]["standby"] = "hot"
    assert analyze(loads(json.dumps(raw))).spofs == ["db"]


# --- queueing closed forms --------------------------------------------------------------------------
@pytest.mark.parametrize("c,lam,s,wq", [(1, 8.0, 0.1, 0.4), (2, 1.0, 1 / 0.75, 16 / 15),
                                       (3, 2.0, 1.0, 4 / 9)])
def test_one_station_is_the_textbook_mmc(c, lam, s, wq):
    # M/M/1 λ = 8, μ = 10: Wq = 0.4 s; M/M/2 λ = 1, μ = 0.75: Wq = 16/15 s; M/M/3 λ = 2, μ = 1:
    # Wq = 4/9 s. Through a whole design: a client straight into one non-blocking service.
    d = {"schema_version": 1, "components": [
        {"id": "u", "kind": "client", "params": {"rps": lam}},
        {"id": "st", "kind": "service",
         "params": {"workers": c, "service_time_ms": s * 1000, "blocking": False}}],
        "links": [{"id": "l", "source": "u", "target": "st"}]}
    res = analyze(design(d), availability=False)
    assert res.components["st"].wait_ms == pytest.approx(wq * 1000, rel=1e-9)
    assert res.latency_mean_ms == pytest.approx((wq + s) * 1000, rel=1e-9)
    assert res.components["st"].utilization == pytest.approx(lam * s / c, rel=1e-12)


def test_jackson_network_mean_latency_by_littles_law():
    """Two Poisson clients, random splitting by weight, a cache whose hits leave the network,
    probabilistic calls, two request classes: a multi-class Jackson (BCMP) network of M/M/c
    FCFS stations. The traffic equations λ = γ + λ P are solved here with linear algebra, each
    station's mean number in system L_i = λ_i (Wq_i + s_i) comes from Erlang C, and Little's law
    for the whole network gives the mean time per request: (Σ L_i + Σ_links λ_link · 2 ·
    latency) / Σ γ."""
    stations = ["cache", "lb", "s1", "s2", "db", "ext"]
    spec = {"cache": (2, 0.002), "lb": (1, 0.001), "s1": (2, 0.008), "s2": (3, 0.010),
            "db": (4, 0.015), "ext": (10, 0.050)}
    lat = {("web", "cache"): 0.002, ("web", "lb"): 0.003, ("api", "cache"): 0.001,
           ("api", "s2"): 0.004, ("cache", "db"): 0.0005, ("lb", "s1"): 0.001,
           ("lb", "s2"): 0.0015, ("s1", "db"): 0.0007, ("s2", "ext"): 0.010}
    # Routing probabilities per class (rows: from, columns: to).
    idx = {s: i for i, s in enumerate(stations)}
    route = {}
    for cls, miss in (("read", 0.25), ("write", 1.0)):
        P = np.zeros((6, 6))
        P[idx["cache"], idx["db"]] = miss
        P[idx["lb"], idx["s1"]] = P[idx["lb"], idx["s2"]] = 0.5
        P[idx["s1"], idx["db"]] = 0.4
        P[idx["s2"], idx["ext"]] = 1.0
        route[cls] = P
    # External arrivals: web 60 rps, all reads, 3:1 to cache:lb; api 40 rps, half reads, 1:1
    # to cache:s2.
    gamma = {"read": np.zeros(6), "write": np.zeros(6)}
    gamma["read"][idx["cache"]] += 60 * 0.75
    gamma["read"][idx["lb"]] += 60 * 0.25
    for cls in ("read", "write"):
        gamma[cls][idx["cache"]] += 20 * 0.5
        gamma[cls][idx["s2"]] += 20 * 0.5
    lam_cls = {cls: np.linalg.solve(np.eye(6) - route[cls].T, gamma[cls]) for cls in gamma}
    lam = lam_cls["read"] + lam_cls["write"]
    in_system = sum(lam[idx[s]] * (mmc_wait(lam[idx[s]], spec[s][1], spec[s][0])
                                   + spec[s][1]) for s in stations)
    # Link crossings per second: from a client, its split; between stations, λ_class · P.
    crossings = {("web", "cache"): 45.0, ("web", "lb"): 15.0, ("api", "cache"): 20.0,
                 ("api", "s2"): 20.0}
    for (a, b) in lat:
        if a in idx:
            crossings[(a, b)] = sum(lam_cls[c][idx[a]] * route[c][idx[a], idx[b]]
                                    for c in lam_cls)
    on_links = sum(crossings[k] * 2 * lat[k] for k in lat)
    expect_s = (in_system + on_links) / 100.0

    comps = [{"id": "web", "kind": "client", "params": {"rps": 60, "read_ratio": 1.0}},
             {"id": "api", "kind": "client", "params": {"rps": 40, "read_ratio": 0.5}},
             {"id": "cache", "kind": "cache",
              "params": {"workers": 2, "service_time_ms": 2, "hit_ratio": 0.75}},
             {"id": "lb", "kind": "load_balancer", "params": {"workers": 1, "service_time_ms": 1}},
             {"id": "s1", "kind": "service",
              "params": {"workers": 2, "service_time_ms": 8, "blocking": False}},
             {"id": "s2", "kind": "service",
              "params": {"workers": 3, "service_time_ms": 10, "blocking": False}},
             {"id": "db", "kind": "database", "params": {"workers": 4, "service_time_ms": 15}},
             {"id": "ext", "kind": "external_service",
              "params": {"workers": 10, "service_time_ms": 50}}]
    weights = {("web", "cache"): 3, ("web", "lb"): 1, ("api", "cache"): 1, ("api", "s2"): 1}
    links = []
    for (a, b), v in lat.items():
        p = {"latency_ms": v * 1000}
        if (a, b) in weights:
            p["weight"] = weights[(a, b)]
        if (a, b) == ("s1", "db"):
            p["probability"] = 0.4
        links.append({"id": f"{a}-{b}", "source": a, "target": b, "params": p})
    res = analyze(design({"schema_version": 1, "components": comps, "links": links}),
                  availability=False)
    assert res.latency_mean_ms == pytest.approx(expect_s * 1000, rel=1e-9)
    for s in stations:
        assert res.components[s].arrival_rps == pytest.approx(lam[idx[s]], rel=1e-12), s
