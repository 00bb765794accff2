"""Every role carries a kind's behaviour on its own: a throwaway kind of each role, declared here
and registered only for the test, is analysed and simulated with no other change, and the two
agree on the flow (the rate that reaches each part) and on success (the share of admitted
requests that succeed with one part failed for the whole run, against the analysis' failure
impact of that part).

Tolerances: a simulated count of expected size E within 5 √E + 3 of E (Poisson-like routing and
arrivals); a simulated success share of n admitted requests within 5 √(p (1 − p) / n) + 0.005 of
the analysis' p. The seed is fixed, so the checks are deterministic; the bounds say how far the
simulation may honestly stray.

The last test is the catalog's promise (SPEC §1 rule 6): a new kind in one file, found by the
catalog's discovery, validates, analyses with a non-zero flow behind it, simulates and is listed
in the palette.
"""

from __future__ import annotations

import math
import sys
import textwrap

import pytest
from pydantic import Field

import simcore.components as catalog
from simcore.analysis import analyze
from simcore.components import KINDS, KindSpec, kinds_by_category
from simcore.components.base import CommonParams
from simcore.components.cache import CacheParams
from simcore.components.client import ClientParams
from simcore.components.database import DatabaseParams
from simcore.components.message_queue import MessageQueueParams
from simcore.components.rate_limiter import RateLimiterParams
from simcore.engine.replication import run_replication
from simcore.io import parse
from simcore.roles import ROLES, role
from simcore.validate import validate

DURATION_S = 20.0
RPS = 200.0


class ThinBalancerParams(CommonParams):
    """A balancer kind with no `algorithm` field: the role's defaults apply (round robin)."""

    health_check_interval_s: float = Field(0.0, ge=0)


class WorkerParams(CommonParams):
    blocking: bool = Field(False)


def spec(kind: str, role_name: str, params) -> KindSpec:
    return KindSpec(kind=kind, label=kind.title(), category="Compute",
                    description=f"A throwaway {role_name} kind.", params=params, role=role_name)


@pytest.fixture
def register(monkeypatch):
    """Register kinds for one test; they are gone afterwards."""
    def add(*specs: KindSpec) -> None:
        for s in specs:
            monkeypatch.setitem(KINDS, s.kind, s)
    return add


def comp(cid, kind, **params):
    return {"id": cid, "kind": kind, "params": params}


def link(s, t, **params):
    return {"id": f"{s}-{t}", "source": s, "target": t, "params": params}


SVC = {"workers": 200, "service_time_ms": 1.0}  # never a queue at RPS: flow and success only


# Per role: the kinds to declare, the design (components, links), the part failed in the
# success run, and the components whose simulated rate is checked against the analysis.
CASES = {
    "source": (
        [spec("bot", "source", ClientParams)],
        [comp("u", "bot", rps=RPS), comp("app", "service", **SVC),
         comp("ext", "external_service", availability=1.0)],
        [link("u", "app"), link("app", "ext", probability=0.5)],
        "ext", ["app", "ext"]),
    "balancer": (
        [spec("waf", "balancer", ThinBalancerParams)],
        [comp("u", "client", rps=RPS), comp("w", "waf"), comp("a", "service", **SVC),
         comp("b", "service", **SVC)],
        [link("u", "w"), link("w", "a"), link("w", "b")],
        "a", ["a", "b"]),
    "router": (
        [spec("edge", "router", CommonParams)],
        [comp("u", "client", rps=RPS), comp("e", "edge"), comp("a", "service", **SVC),
         comp("b", "service", **SVC)],
        [link("u", "e"), link("e", "a", weight=3), link("e", "b", weight=1)],
        "b", ["a", "b"]),
    "limiter": (
        [spec("throttle", "limiter", RateLimiterParams)],
        [comp("u", "client", rps=RPS, pattern="constant"),
         comp("t", "throttle", limit_rps=RPS / 4, burst=1), comp("a", "service", **SVC),
         comp("b", "service", **SVC)],
        [link("u", "t"), link("t", "a"), link("t", "b")],
        "b", ["t", "a", "b"]),
    "cache": (
        [spec("memo", "cache", CacheParams)],
        [comp("u", "client", rps=RPS, read_ratio=0.8), comp("app", "service", **SVC),
         comp("m", "memo", hit_ratio=0.75), comp("db", "database", workers=200,
                                                 service_time_ms=1.0)],
        [link("u", "app"), link("app", "m"), link("m", "db")],
        "db", ["m", "db"]),
    "service": (
        [spec("worker", "service", WorkerParams)],
        [comp("u", "client", rps=RPS), comp("w", "worker", **SVC),
         comp("x", "external_service"), comp("y", "blob_storage")],
        [link("u", "w"), link("w", "x", probability=0.4), link("w", "y")],
        "x", ["w", "x", "y"]),
    "database": (
        [spec("store", "database", DatabaseParams)],
        [comp("u", "client", rps=RPS, read_ratio=0.5), comp("app", "service", **SVC),
         comp("s", "store", workers=200, service_time_ms=1.0, shards=2, replicas=1)],
        [link("u", "app"), link("app", "s")],
        "s", ["s"]),
    "queue": (
        [spec("bus", "queue", MessageQueueParams)],
        [comp("u", "client", rps=RPS), comp("app", "service", **SVC), comp("q", "bus"),
         comp("c", "service", **SVC)],
        [link("u", "app"), link("app", "q", mode="async"), link("q", "c")],
        "c", ["q", "c"]),
    "terminal": (
        [spec("api", "terminal", CommonParams)],
        [comp("u", "client", rps=RPS), comp("app", "service", **SVC), comp("x", "api")],
        [link("u", "app"), link("app", "x", probability=0.25)],
        "x", ["x"]),
}


def test_every_role_has_a_case():
    assert set(CASES) == set(ROLES)


def test_an_unknown_role_is_an_error_when_the_kind_is_declared():
    with pytest.raises(ValueError, match=r"component kind 'odd': unknown role 'gizmo'"):
        spec("odd", "gizmo", CommonParams)
    with pytest.raises(ValueError, match="known: balancer, cache"):
        role("gizmo")


def run(d):
    return run_replication(d, seed=11, duration_s=DURATION_S, warmup_s=0.0)


@pytest.mark.parametrize("role_name", sorted(CASES))
def test_analysis_and_simulation_agree_for_a_new_kind_of_each_role(role_name, register):
    specs, comps, links, failed, watched = CASES[role_name]
    register(*specs)
    design = parse({"schema_version": 1, "components": comps, "links": links})
    assert validate(design) == []
    res = analyze(design)

    # Flow: the simulated arrivals at the watched parts against the analysis' rates.
    rep = run(design)
    for cid in watched:
        expected = res.components[cid].arrival_rps * DURATION_S
        assert expected > 0, f"{role_name}: nothing reaches {cid} in the analysis"
        served = rep["components"][cid]["served"]
        assert abs(served - expected) <= 5 * math.sqrt(expected) + 3, (
            f"{role_name}: {cid} served {served}, the analysis says {expected:.0f}")

    # Success: one part failed for the whole run; the admitted requests' success share
    # against 1 − its failure impact.
    failing = parse({"schema_version": 1, "components": comps, "links": links,
                     "scenario": {"events": [{"type": "fail", "target": failed, "at_s": 0,
                                              "duration_s": DURATION_S}]}})
    rep = run(failing)
    p = 1.0 - res.components[failed].failure_impact
    n = rep["succeeded"] + rep["failed"]
    assert n > 0
    tol = 5 * math.sqrt(p * (1 - p) / n) + 0.005
    assert abs(rep["availability"] - p) <= tol, (
        f"{role_name}: with {failed} down the simulation kept {rep['availability']:.4f} of "
        f"requests, the analysis {p:.4f}")


def test_a_new_kind_in_one_file_is_found_analysed_simulated_and_listed(tmp_path, monkeypatch,
                                                                       request):
    # The kind of the issue that started this: a web application firewall, declared exactly
    # like a reverse proxy, in one module of its own.
    (tmp_path / "waf.py").write_text(textwrap.dedent('''
        """Web application firewall: filters requests, then balances like a reverse proxy."""

        from typing import Literal

        from pydantic import Field

        from simcore.components.base import CommonParams, KindSpec


        class WafParams(CommonParams):
            algorithm: Literal["round_robin", "random"] = Field("round_robin")
            health_check_interval_s: float = Field(5.0, ge=0)


        SPEC = KindSpec(kind="waf", label="Firewall", category="Edge",
                        description="Filters requests, then balances over its targets.",
                        params=WafParams, role="balancer")
    '''))
    request.addfinalizer(lambda: sys.modules.pop("simcore.components.waf", None))
    monkeypatch.setattr(catalog, "__path__", [*catalog.__path__, str(tmp_path)])
    found = catalog._discover()
    assert "waf" in found
    monkeypatch.setitem(KINDS, "waf", found["waf"])

    design = parse({"schema_version": 1,
                    "components": [comp("u", "client", rps=100), comp("f", "waf"),
                                   comp("a", "service"), comp("b", "service")],
                    "links": [link("u", "f"), link("f", "a"), link("f", "b")]})
    assert validate(design) == []
    res = analyze(design)
    assert res.components["a"].arrival_rps == pytest.approx(50.0)
    assert res.components["b"].arrival_rps == pytest.approx(50.0)
    assert res.spofs == ["f"]  # one instance, every request passes it
    rep = run(design)
    assert rep["components"]["f"]["served"] > 0
    assert rep["components"]["a"]["served"] + rep["components"]["b"]["served"] \
        == rep["components"]["f"]["served"]
    edge = dict(kinds_by_category())["Edge"]
    assert "waf" in [s.kind for s in edge]


def test_role_flags_follow_the_role_unless_given():
    s = spec("gate", "router", CommonParams)
    assert (s.needs_target, s.splits, s.terminal) == (True, True, False)
    s = spec("vault", "terminal", CommonParams)
    assert (s.needs_target, s.splits, s.terminal) == (False, False, True)

