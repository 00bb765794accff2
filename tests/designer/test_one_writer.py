"""The document is the one writer of the design: what it hands out reads like the Design but
cannot change it; only its methods (each one undo command) do."""

from __future__ import annotations

import pytest

from .conftest import design_json


def test_the_design_reads_like_the_model(doc):
    d = doc.design
    app = d.component("app")
    assert app.kind == "service" and app.label == app.name
    assert [c.id for c in d.components][:2] == [c.id for c in doc.snapshot().components][:2]
    assert d.components == doc.snapshot().components  # equal to the model's lists
    assert d.to_dict() == doc.snapshot().to_dict()


@pytest.mark.parametrize("change", [
    lambda d: setattr(d, "name", "x"),
    lambda d: setattr(d.component("app"), "x", 5.0),
    lambda d: setattr(d.components[0], "name", "x"),
    lambda d: d.components.append(d.components[0]),
    lambda d: d.links.pop(),
    lambda d: delattr(d.component("app"), "name"),
    lambda d: setattr(d.links[0], "target", "db"),
])
def test_no_change_from_outside_reaches_the_design(doc, change):
    before = design_json(doc.snapshot())
    n = doc.undo_stack.count()
    with pytest.raises((AttributeError, TypeError)):
        change(doc.design)
    assert design_json(doc.snapshot()) == before
    assert doc.undo_stack.count() == n


def test_handed_out_dicts_and_found_items_are_copies(doc):
    before = design_json(doc.snapshot())
    doc.design.component("app").params["workers"] = 999
    _coll, app = doc.find("app")
    app.params.clear()
    with pytest.raises(AttributeError):
        app.kind = "database"
    doc.snapshot().components[0].name = "changed copy"  # a snapshot is the caller's own
    assert design_json(doc.snapshot()) == before


def test_a_method_changes_it_as_one_undo_step(doc):
    before = design_json(doc.snapshot())
    doc.set_component_param("app", "workers", 12)
    assert doc.design.component("app").params["workers"] == 12
    doc.undo_stack.undo()
    assert design_json(doc.snapshot()) == before
