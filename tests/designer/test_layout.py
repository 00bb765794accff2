"""Automatic layout: a design without positions opens left to right by depth, groups kept
together, nothing overlapping; Arrange → Auto layout is one undo step."""

from __future__ import annotations

import itertools

from designer.document import DesignDocument
from designer.layout import BOX_H, BOX_W, auto_layout, needs_layout
from simcore.io import parse

from .conftest import design_json, load_example


def _no_places(data: dict) -> dict:
    for c in data["components"]:
        c.pop("x", None)
        c.pop("y", None)
    return data


def eight_parts():
    """Users → DNS → balancer → two apps (zone a, zone b) → cache → db, queue; in a region."""
    comps = [("users", "client"), ("dns", "dns"), ("lb", "load_balancer"),
             ("app1", "service"), ("app2", "service"), ("cache", "cache"),
             ("db", "database"), ("mq", "message_queue")]
    links = [("users", "dns"), ("dns", "lb"), ("lb", "app1"), ("lb", "app2"),
             ("app1", "cache"), ("app2", "cache"), ("cache", "db"), ("app1", "mq")]
    return parse(_no_places({
        "schema_version": 1,
        "components": [{"id": i, "kind": k, "x": 0, "y": 0} for i, k in comps],
        "links": [{"id": f"l{n}", "source": s, "target": t}
                  for n, (s, t) in enumerate(links, 1)],
        "groups": [{"id": "za", "kind": "zone", "members": ["app1", "db"]},
                   {"id": "zb", "kind": "zone", "members": ["app2"]},
                   {"id": "r", "kind": "region", "members": ["app1", "app2", "db", "cache"]}],
    }))


def _rect(design, members, margin):
    xs = [p for c in design.components if c.id in members for p in (c.x, c.x + BOX_W)]
    ys = [p for c in design.components if c.id in members for p in (c.y, c.y + BOX_H)]
    return min(xs) - margin, min(ys) - margin - 22, max(xs) + margin, max(ys) + margin


def _inside(c, rect) -> bool:
    cx, cy = c.x + BOX_W / 2, c.y + BOX_H / 2
    return rect[0] <= cx <= rect[2] and rect[1] <= cy <= rect[3]


def check_layout(design) -> None:
    comps = design.components
    for a, b in itertools.combinations(comps, 2):  # no two boxes overlap
        assert abs(a.x - b.x) >= BOX_W or abs(a.y - b.y) >= BOX_H, (a.id, b.id)
    x = {c.id: c.x for c in comps}
    for lk in design.links:  # left to right by depth
        assert x[lk.target] > x[lk.source], lk
    for g in design.groups:  # a group's box holds its members and nobody else's
        rect = _rect(design, g.members, 20 if g.kind == "zone" else 40)
        strangers = [c.id for c in comps if c.id not in g.members and _inside(c, rect)]
        assert strangers == [], (g.id, strangers)
    for a, b in itertools.combinations([g for g in design.groups if g.kind == "zone"], 2):
        ra, rb = _rect(design, a.members, 20), _rect(design, b.members, 20)
        assert ra[2] <= rb[0] or rb[2] <= ra[0] or ra[3] <= rb[1] or rb[3] <= ra[1], (a, b)


def test_a_design_without_places_opens_laid_out(qapp):
    design = eight_parts()
    assert needs_layout(design)
    doc = DesignDocument()
    doc.replace(design, None)
    assert not doc.is_dirty()  # opening is not an edit
    check_layout(doc.design)
    assert not needs_layout(doc.design)
    assert len({(c.x, c.y) for c in doc.design.components}) == 8


def test_a_placed_design_opens_as_drawn(qapp):
    design = load_example()
    before = design_json(design)
    assert not needs_layout(design)
    doc = DesignDocument()
    doc.replace(design, None)
    assert design_json(doc.design) == before


def test_auto_layout_of_every_example_overlaps_nothing(qapp):
    from simcore.io import load
    from simcore.paths import examples_dir

    for path in sorted(examples_dir().glob("*.json")):
        design = load(path)
        for c in design.components:
            c.x, c.y = auto_layout(design)[c.id]
        check_layout(design)


def test_arrange_auto_layout_is_one_undo_step(qapp):
    doc = DesignDocument(load_example())
    before = design_json(doc.design)
    doc.auto_layout()
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Auto layout"
    check_layout(doc.design)
    doc.undo_stack.undo()
    assert design_json(doc.design) == before
