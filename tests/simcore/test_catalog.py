"""The component catalog: every kind declared once, with the contract's and the seed's defaults."""

import math

import pytest

from simcore.components import KINDS, CommonParams, kinds_by_category
from simcore.design import Component, Design, Group, Link
from simcore.link_params import LinkParams
from simcore.params import component_params
from simcore.paths import icons_dir
from simcore.topology import compile_design

SPEC_KINDS = {"client", "dns", "cdn", "load_balancer", "reverse_proxy", "api_gateway",
              "rate_limiter", "service", "cache", "database", "message_queue", "blob_storage",
              "external_service"}


def p(kind, **params):
    return component_params(Component(id="x", kind=kind, params=params))


def test_every_kind_of_the_spec_is_declared_once():
    assert set(KINDS) == SPEC_KINDS
    listed = [s.kind for _, members in kinds_by_category() for s in members]
    assert sorted(listed) == sorted(SPEC_KINDS)


@pytest.mark.parametrize("kind", sorted(SPEC_KINDS))
def test_every_field_is_described_for_the_inspector(kind):
    spec = KINDS[kind]
    assert spec.label and spec.description and spec.category
    for name, field in spec.params.model_fields.items():
        assert field.description, f"{kind}.{name} has no description"


@pytest.mark.parametrize("kind", sorted(SPEC_KINDS - {"client"}))
def test_contract_defaults_of_every_non_client_kind(kind):
    extra = {"limit_rps": 10} if kind == "rate_limiter" else {}
    params = p(kind, **extra)
    assert isinstance(params, CommonParams)
    assert params.instances == 1
    assert params.instance_availability == 1.0
    assert params.standby == "none"
    assert params.queue_limit is None
    assert params.service_distribution == "exponential"


def test_kind_specific_contract_defaults():
    assert p("service").blocking is True
    assert p("load_balancer").algorithm == "round_robin"
    assert p("reverse_proxy").algorithm == "round_robin"
    assert p("dns").algorithm == "round_robin"
    assert p("cache").hit_ratio == 0.8  # the seed: 80–90% of reads never hit the database
    assert p("cdn").hit_ratio == 0.9
    db = p("database")
    assert (db.replicas, db.shards, db.shard_skew, db.replication, db.replication_lag_ms) == (
        0, 1, 0.0, "async", 0.0)
    assert p("message_queue").capacity is None
    assert p("client", rps=1).read_ratio == 1.0
    assert p("client", rps=1).pattern == "poisson"
    assert p("rate_limiter", limit_rps=5).policy == "token_bucket"
    lp = LinkParams()
    assert (lp.weight, lp.probability, lp.mode, lp.latency_ms) == (1.0, 1.0, "sync", None)


def test_seed_numbers_in_the_defaults():
    # a Redis node handles 100,000+ operations per second
    assert p("cache").capacity_rps == pytest.approx(100_000)
    # blob storage: S3's 11 nines of durability (shown, not simulated)
    assert p("blob_storage").durability == 0.99999999999
    assert "durability" in KINDS["blob_storage"].shown_only
    # throughput = workers / latency: 50 workers at 10 ms → 5,000 requests/second
    assert p("service", workers=50, service_time_ms=10).capacity_rps == pytest.approx(5000)
    # standby take-over: cold minutes, warm seconds to minutes, hot seconds
    assert p("service", standby="cold").effective_failover_s == 600
    assert p("service", standby="warm").effective_failover_s == 60
    assert p("service", standby="hot").effective_failover_s == 5
    assert p("service", standby="hot", failover_s=2).effective_failover_s == 2
    assert p("service").effective_failover_s == 0


def test_mtbf_and_mttr_from_the_seed():
    # the seed: 10,000 h of operation with 5 failures → MTBF 2,000 h; 10 h down / 5 → MTTR 2 h
    mtbf, mttr = 10_000 / 5, 10 / 5
    assert (mtbf, mttr) == (2000, 2)
    params = p("database", mtbf_hours=mtbf, mttr_hours=mttr)
    assert params.instance_availability == pytest.approx(2000 / 2002)
    assert params.repair_hours == 2
    # with only an availability, the repair time defaults to 1 h
    assert p("service", availability=0.999).repair_hours == 1.0


def test_link_latency_defaults_from_zones_and_regions():
    comps = [Component(id="c", kind="client", params={"rps": 1}),
             Component(id="a", kind="service"), Component(id="b", kind="service"),
             Component(id="d", kind="service"), Component(id="e", kind="service")]
    links = [Link(id="l0", source="c", target="a"),
             Link(id="l1", source="a", target="b"),  # zones differ → 1 ms
             Link(id="l2", source="b", target="d"),  # regions differ → 50 ms
             Link(id="l3", source="d", target="e", params={"latency_ms": 7}),  # set → kept
             ]
    groups = [Group(id="z1", kind="zone", members=["a"]), Group(id="z2", kind="zone", members=["b"]),
              Group(id="r1", kind="region", members=["a", "b"]),
              Group(id="r2", kind="region", members=["d", "e"])]
    topo = compile_design(Design(schema_version=1, components=comps, links=links, groups=groups))
    lat = {e.id: e.latency_ms for e in topo.edges.values()}
    assert lat == {"l0": 0.0, "l1": 1.0, "l2": 50.0, "l3": 7.0}


def test_split_shares():
    comps = [Component(id="c", kind="client", params={"rps": 1}),
             Component(id="lb", kind="load_balancer"),
             Component(id="w", kind="load_balancer", params={"algorithm": "weighted"}),
             Component(id="a", kind="service"), Component(id="b", kind="service")]
    links = [Link(id="l0", source="c", target="lb", params={"weight": 1}),
             Link(id="l1", source="c", target="w", params={"weight": 3}),
             Link(id="l2", source="lb", target="a", params={"weight": 3}),
             Link(id="l3", source="lb", target="b"),
             Link(id="l4", source="w", target="a", params={"weight": 3}),
             Link(id="l5", source="w", target="b")]
    topo = compile_design(Design(schema_version=1, components=comps, links=links))
    share = {e.id: e.share for e in topo.edges.values()}
    assert share["l0"] == 0.25 and share["l1"] == 0.75  # a client splits by weight
    assert share["l2"] == share["l3"] == 0.5  # round robin ignores weights
    assert share["l4"] == 0.75 and share["l5"] == 0.25  # weighted balancer


def test_transmission_time():
    from simcore.topology import Edge
    e = Edge("l", "a", "b", LinkParams(bandwidth_mbps=100), 0.0)
    # 200 KB = 1.6 Mbit over 100 Mbit/s → 16 ms
    assert math.isclose(e.transmission_ms(200), 16.0)
    assert Edge("l", "a", "b", LinkParams(), 0.0).transmission_ms(200) == 0.0


def test_icons_are_named_after_the_kinds():
    for spec in KINDS.values():
        assert spec.icon == f"{spec.kind}.svg"
    assert icons_dir().name == "icons"


def test_docs_catalog_is_generated_from_the_code():
    from pathlib import Path

    from simcore.catalog_doc import render
    doc = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"
    assert doc.read_text(encoding="utf-8") == render(), (
        "docs/catalog.md is stale: run python -m simcore.catalog_doc > docs/catalog.md")
