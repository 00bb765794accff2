"""Availability part by part (availability_parts.py): a design of independent parts gives the
same figures as the joint computation over the whole state space, and 1,000 zoned stacks stay
1,000 small exact sums."""

import json

import pytest

from simcore.analysis import analyze, availability
from simcore.io import loads
from simcore.paths import examples_dir


def side_by_side(*names):
    """The bundled examples ``names`` in one design, ids prefixed so they do not clash."""
    comps, links, groups = [], [], []
    for k, name in enumerate(names):
        raw = json.loads((examples_dir() / name).read_text())
        p = f"e{k}_"
        comps += [dict(c, id=p + c["id"]) for c in raw["components"]]
        links += [dict(lk, id=p + lk["id"], source=p + lk["source"], target=p + lk["target"])
                  for lk in raw["links"]]
        groups += [dict(g, id=p + g["id"], members=[p + m for m in g["members"]])
                   for g in raw.get("groups", [])]
    return loads(json.dumps({"schema_version": 1, "components": comps, "links": links,
                             "groups": groups}))


@pytest.mark.parametrize("names", [
    ("spof_example.json", "stage5_read_replicas.json"),
    ("multi_region.json", "queue_load_levelling.json", "active_passive_failover.json"),
])
def test_parts_combine_to_the_joint_figures(names, monkeypatch):
    design = side_by_side(*names)
    split = analyze(design)
    monkeypatch.setattr(availability, "independent_parts", lambda topo: [list(topo.order)])
    joint = analyze(design)
    assert split.availability_method == joint.availability_method == "exact"
    assert split.unavailability == pytest.approx(joint.unavailability, rel=1e-9, abs=1e-15)
    assert split.spofs == joint.spofs
    for cid, row in joint.components.items():
        got = split.components[cid]
        assert got.availability == pytest.approx(row.availability, rel=1e-12), cid
        if row.failure_impact is None:  # a client
            assert got.failure_impact is None
            continue
        assert got.failure_impact == pytest.approx(row.failure_impact, rel=1e-9, abs=1e-15), cid
    for gid, g in joint.groups.items():
        assert split.groups[gid].failure_impact == pytest.approx(g.failure_impact, rel=1e-9)


def ring(with_small_part: bool):
    """A balancer over 40 services, each calling its own database and its neighbour's: a ring
    of shared parts too tangled for the exact sum; with ``with_small_part``, next to it an
    independent client with one service (a quarter of the requests)."""
    comps = [{"id": "u2", "kind": "client", "params": {"rps": 3}},
             {"id": "lb", "kind": "load_balancer", "params": {}}]
    links = [{"id": "l2", "source": "u2", "target": "lb"}]
    if with_small_part:
        comps += [{"id": "u1", "kind": "client", "params": {"rps": 1}},
                  {"id": "a", "kind": "service", "params": {"availability": 0.99}}]
        links.append({"id": "l1", "source": "u1", "target": "a"})
    for k in range(40):
        comps.append({"id": f"s{k}", "kind": "service", "params": {"availability": 0.5}})
        comps.append({"id": f"d{k}", "kind": "database", "params": {"availability": 0.5}})
        links.append({"id": f"m{k}", "source": "lb", "target": f"s{k}"})
        links.append({"id": f"n{k}", "source": f"s{k}", "target": f"d{(k + 1) % 40}"})
        links.append({"id": f"o{k}", "source": f"s{k}", "target": f"d{k}"})
    return loads(json.dumps({"schema_version": 1, "components": comps, "links": links}))


def test_a_monte_carlo_part_makes_the_design_an_estimate_with_an_interval():
    alone = analyze(ring(False))
    both = analyze(ring(True))
    assert alone.availability_method == both.availability_method == "monte_carlo"
    # U = ¾ · U(ring) + ¼ · 0.01, and the interval is the ring's, scaled by ¾.
    assert both.unavailability == pytest.approx(0.75 * alone.unavailability + 0.25 * 0.01,
                                                rel=1e-9)
    lo, hi = both.availability_ci95
    a_lo, a_hi = alone.availability_ci95
    assert hi - lo == pytest.approx(0.75 * (a_hi - a_lo), rel=1e-6)
    assert lo <= both.availability <= hi
    assert both.components["u1"].availability == pytest.approx(0.99, rel=1e-12)
