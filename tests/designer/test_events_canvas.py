"""Every scenario event type can be created from the canvas' context menu (its item offers
"Schedule <event>…"), as one undo step: undo restores the design exactly, redo brings the event
back."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QMenu

from designer.canvas import menus
from designer.canvas.scene import DesignScene
from designer.document import DesignDocument
from simcore import io
from simcore.events import EVENTS

from .conftest import design_json

TARGET_OF = {"component": "db", "client": "users", "group": "az", "link": "l2"}


@pytest.fixture
def scene(qapp):
    doc = DesignDocument(io.parse({
        "schema_version": 2,  # a flush event is of version 2
        "components": [
            {"id": "users", "kind": "client", "params": {"rps": 50}},
            {"id": "app", "kind": "service", "x": 200},
            {"id": "db", "kind": "database", "x": 400},
            {"id": "cache", "kind": "cache", "x": 400, "y": 200},
        ],
        "links": [{"id": "l1", "source": "users", "target": "app"},
                  {"id": "l2", "source": "app", "target": "db"},
                  {"id": "l3", "source": "app", "target": "cache"},
                  {"id": "l4", "source": "cache", "target": "db"}],
        "groups": [{"id": "az", "kind": "zone", "members": ["db"]}],
        "scenario": {"duration_s": 60, "warmup_s": 5},
    }))
    return DesignScene(doc)


@pytest.mark.parametrize("etype", list(EVENTS))
def test_each_event_is_created_from_the_menu_as_one_undo_step(scene, monkeypatch, etype):
    spec = EVENTS[etype]
    assert spec.creatable
    doc = scene.document
    target = "cache" if spec.roles == ("cache",) else TARGET_OF[spec.targets[0]]
    monkeypatch.setattr(menus.EventDialog, "exec", lambda _d: QDialog.DialogCode.Accepted)
    menu = QMenu()
    menus._add_event_actions(menu, scene, scene.item_for(target))
    action = {a.text(): a for a in menu.actions()}[f"Schedule {spec.label.lower()}…"]
    before = design_json(doc.design)
    action.trigger()
    after = design_json(doc.design)
    [ev] = doc.design.scenario.events
    assert (ev.type, ev.target) == (etype, target)
    assert ev.params == spec.params.model_validate(ev.model_extra)  # its own fields, valid
    doc.undo_stack.undo()
    assert design_json(doc.design) == before
    doc.undo_stack.redo()
    assert design_json(doc.design) == after


@pytest.mark.parametrize("what", list(TARGET_OF))
def test_an_item_offers_exactly_the_events_that_may_target_it(scene, what):
    menu = QMenu()
    menus._add_event_actions(menu, scene, scene.item_for(TARGET_OF[what]))
    offered = {a.text() for a in menu.actions() if a.text().startswith("Schedule ")}
    role = "database" if what == "component" else None
    assert offered == {f"Schedule {s.label.lower()}…" for s in EVENTS.values()
                       if s.can_target(what, role)}
    assert offered  # every target class has at least one event
