"""``skyline analyze --explain`` and simcore.explain: one explanation per figure, and the numbers
each one quotes are the analysis' own."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simcore.analysis import analyze
from simcore.design import Component, Design, Link
from simcore.explain import CONCEPTS, concept_anchor, explain_summary
from simcore.explain_rows import explain_item
from simcore.io import load
from simcore.paths import example_files

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"
CONCEPTS_MD = (ROOT / "docs" / "concepts.md").read_text(encoding="utf-8")

SUMMARY = ["availability", "nines", "downtime", "latency", "cost", "saturation", "bottleneck",
           "spofs"]


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_one_explanation_per_summary_figure_with_the_analysis_numbers(path):
    design = load(path)
    r = analyze(design)
    ex = {e.figure: e for e in explain_summary(design, r)}
    for fig in SUMMARY:
        assert fig in ex, fig
    extra = set(ex) - set(SUMMARY) - {"availability_under_load", "capacity_risks"}
    assert not extra
    n = {f: e.numbers for f, e in ex.items()}
    assert _same(n["availability"]["availability"], r.availability)
    assert _same(n["availability"]["unavailability"], r.unavailability)
    assert _same(n["nines"]["nines"], r.nines)
    assert _same(n["downtime"]["downtime_per_year_s"], r.downtime_s["year"])
    assert _same(n["latency"]["latency_ms"], r.latency_mean_ms)
    assert _same(n["cost"]["monthly_cost"], r.monthly_cost)
    assert _same(n["saturation"]["saturation_rps"], r.saturation_rps)
    assert n["spofs"]["spofs"] == len(r.spofs)
    if r.bottleneck:
        assert _same(n["bottleneck"]["utilization"], r.components[r.bottleneck].utilization)
    for e in ex.values():
        assert e.formula and e.meaning and e.concept
        assert f"## {e.concept}" in CONCEPTS_MD, e.concept  # the link has a section to open


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_row_of_every_item_is_explained_with_its_own_numbers(path):
    design = load(path)
    r = analyze(design)
    for cid, row in r.components.items():
        ex = {e.figure: e for e in explain_item(design, r, cid)}
        wanted = ({"arrival_rps", "latency_ms", "availability"} if row.kind == "client" else
                  {"utilization", "arrival_rps", "latency_ms", "availability",
                   "failure_impact", "monthly_cost"})
        assert set(ex) == wanted, cid
        for fig, e in ex.items():
            assert e.subject == cid
            assert _same(e.numbers[fig], getattr(row, fig)), (cid, fig)
    for gid, g in r.groups.items():
        ex = {e.figure: e for e in explain_item(design, r, gid)}
        assert set(ex) == {"availability", "failure_impact"}
        assert _same(ex["availability"].numbers["availability"], g.availability)
        assert _same(ex["failure_impact"].numbers["failure_impact"], g.failure_impact)


def test_saturation_shows_the_holding_time_behind_the_bottleneck():
    design = load(EXAMPLES / "stage4_load_balancer.json")
    r = analyze(design)
    sat = next(e for e in explain_summary(design, r) if e.figure == "saturation")
    # the app blocks on the cache and the database: its holding time is more than its own 10 ms
    assert "App servers" in sat.formula and "waiting on Redis and MySQL" in sat.formula
    assert sat.numbers["top_rps"] / sat.numbers["share"] == pytest.approx(r.saturation_rps,
                                                                          rel=1e-5)


def test_a_design_that_cannot_fail_says_why_it_shows_100_percent():
    design = Design(schema_version=1, components=[
        Component(id="u", kind="client", params={"rps": 10}),
        Component(id="s", kind="service", params={"workers": 4, "service_time_ms": 10})],
        links=[Link(id="l", source="u", target="s")])
    r = analyze(design)
    ex = {e.figure: e for e in explain_summary(design, r)}
    assert ex["nines"].value == "∞"
    assert "never fails" in ex["availability"].formula
    assert "never fails" in ex["spofs"].meaning  # a SPOF, yet nothing lowers the availability
    assert "never fails" in next(e for e in explain_item(design, r, "s")
                                 if e.figure == "availability").formula


def test_cli_explain_text_and_json():
    path = EXAMPLES / "stage4_load_balancer.json"
    r = subprocess.run([sys.executable, "-m", "simcore.cli", "analyze", str(path), "--explain"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    assert r.returncode == 0, r.stderr
    assert "Why these figures" in r.stdout and "Concept: " in r.stdout
    r = subprocess.run([sys.executable, "-m", "simcore.cli", "analyze", str(path), "--json",
                        "--explain"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    out = json.loads(r.stdout)
    figures = [e["figure"] for e in out["explanations"]["summary"]]
    assert figures[:len(SUMMARY)] == SUMMARY
    assert out["explanations"]["summary"][0]["numbers"]["availability"] == out["availability"]
    assert set(out["explanations"]["items"]) == set(out["components"]) | set(out["groups"])


def test_every_concept_has_a_section():
    for name in CONCEPTS.values():
        assert f"\n## {name}\n" in CONCEPTS_MD
    assert concept_anchor("Little's law") == "littles-law"
    assert concept_anchor("Single points of failure (SPOFs)") == "single-points-of-failure-spofs"


@pytest.mark.parametrize("rps", [0.0, 50_000.0], ids=["no traffic", "saturated"])
def test_no_traffic_and_overload_are_explained_in_strict_json(rps):
    design = load(EXAMPLES / "stage4_load_balancer.json")
    design.component("users").params = {**design.component("users").params, "rps": rps}
    r = analyze(design)
    ex = {e.figure: e for e in explain_summary(design, r)}
    json.dumps([e.to_json() for e in ex.values()], allow_nan=False)  # no inf, no NaN
    if rps:
        assert r.saturated and ex["saturation"].value == "saturated"
        # the app shows ρ = ∞ only because it waits on MySQL, which is over its capacity
        assert "MySQL" in ex["saturation"].formula and "MySQL" in ex["bottleneck"].formula
    else:
        assert ex["saturation"].value == "—" and ex["bottleneck"].value == "—"
