"""Every edit is one undo command; undo restores exactly the previous design (its saved JSON,
order of lists included) and redo re-applies exactly the edit."""

from __future__ import annotations

import random

import pytest

from designer import commands as cmd
from designer.document import DesignDocument

from .conftest import design_json, load_example


def _zone(doc: DesignDocument) -> str:
    return doc.add_group("zone", "AZ", ["app"])


EDITS = {
    "add component": (cmd.AddComponentCommand, lambda d: d.add_component("cache", 40, 300)),
    "add zone box": (cmd.AddGroupCommand, lambda d: d.add_component("zone", 0, 0)),
    "remove component with links": (cmd.RemoveItemsCommand,
                                    lambda d: d.remove_items(["cache"])),
    "remove link": (cmd.RemoveItemsCommand, lambda d: d.remove_items(["l2"])),
    "remove several": (cmd.RemoveItemsCommand, lambda d: d.remove_items(["users", "l4", "db"])),
    "move one": (cmd.MoveCommand, lambda d: d.move_components({"app": (420.0, 60.0)})),
    "move several": (cmd.MoveCommand, lambda d: d.move_components(
        {"app": (10.0, 20.0), "db": (30.0, 40.0)})),
    "connect": (cmd.AddLinkCommand, lambda d: d.add_link("app", "db")),
    "rename": (cmd.RenameCommand, lambda d: d.rename("db", "Primary")),
    "rename to the id": (cmd.RenameCommand, lambda d: d.rename("db", "")),
    "set component param": (cmd.SetParamCommand,
                            lambda d: d.set_component_param("app", "workers", 12)),
    "unset component param": (cmd.SetParamCommand,
                              lambda d: d.set_component_param("app", "availability", None)),
    "set link param": (cmd.SetParamCommand,
                       lambda d: d.set_link_param("l3", "latency_ms", 3.0)),
    "group": (cmd.AddGroupCommand, lambda d: d.add_group("region", "EU", ["app", "db"])),
    "rename design": (cmd.DesignInfoCommand, lambda d: d.set_design_info(name="Other")),
    "describe design": (cmd.DesignInfoCommand,
                        lambda d: d.set_design_info(description="notes")),
    "scenario settings": (cmd.ScenarioCommand,
                          lambda d: d.set_scenario(duration_s=120.0, replications=3)),
    "add scenario event": (cmd.ScenarioCommand, lambda d: d.add_event(
        {"type": "fail", "target": "db", "at_s": 10, "duration_s": 5})),
    "paste": (cmd.PasteCommand, lambda d: d.paste(
        {"components": [c.model_dump() for c in d.design.components[:2]],
         "links": [d.design.links[0].model_dump()], "groups": []}, (20.0, 20.0))),
}

# Edits that need something in place first (done before "before" is taken).
EDITS_AFTER_SETUP = {
    "change group members": (cmd.GroupMembersCommand, _zone,
                             lambda d, g: d.set_group_members(g, ["app", "db"])),
    "set group param": (cmd.SetParamCommand, _zone,
                        lambda d, g: d.set_group_param(g, "availability", 0.999)),
    "remove group": (cmd.RemoveItemsCommand, _zone, lambda d, g: d.remove_items([g])),
    "remove a member of a group": (cmd.RemoveItemsCommand, _zone,
                                   lambda d, g: d.remove_items(["app"])),
    "remove scenario event": (cmd.ScenarioCommand,
                              lambda d: d.add_event({"type": "fail", "target": "db",
                                                     "at_s": 1, "duration_s": 2}),
                              lambda d, _: d.remove_event(0)),
    "delete a failed component drops its event": (
        cmd.RemoveItemsCommand,
        lambda d: d.add_event({"type": "fail", "target": "db", "at_s": 1, "duration_s": 2}),
        lambda d, _: d.remove_items(["db"])),
}


def _check_round_trip(doc: DesignDocument, command_type, edit) -> None:
    before = design_json(doc.design)
    n = doc.undo_stack.count()
    edit()
    after = design_json(doc.design)
    assert after != before, "the edit changed nothing"
    assert doc.undo_stack.count() == n + 1, "an edit is exactly one undo step"
    assert isinstance(doc.undo_stack.command(n), command_type)
    doc.undo_stack.undo()
    assert design_json(doc.design) == before
    doc.undo_stack.redo()
    assert design_json(doc.design) == after
    doc.undo_stack.undo()
    assert design_json(doc.design) == before


@pytest.mark.parametrize("name", sorted(EDITS))
def test_undo_restores_and_redo_reapplies(qapp, name):
    doc = DesignDocument(load_example())
    command_type, edit = EDITS[name]
    _check_round_trip(doc, command_type, lambda: edit(doc))


@pytest.mark.parametrize("name", sorted(EDITS_AFTER_SETUP))
def test_undo_restores_and_redo_reapplies_after_setup(qapp, name):
    doc = DesignDocument(load_example())
    command_type, setup, edit = EDITS_AFTER_SETUP[name]
    made = setup(doc)
    _check_round_trip(doc, command_type, lambda: edit(doc, made))


def test_edits_that_change_nothing_push_nothing(qapp):
    doc = DesignDocument(load_example())
    app = doc.design.component("app")
    doc.move_components({"app": (app.x, app.y)})
    doc.rename("app", app.name)
    doc.set_component_param("app", "workers", app.params["workers"])
    doc.set_design_info(name=doc.design.name)
    assert doc.undo_stack.count() == 0
    assert not doc.is_dirty()


def test_the_design_is_only_written_from_inside_a_command(qapp):
    doc = DesignDocument(load_example())
    with pytest.raises(RuntimeError):
        doc._remove("components", 0)


def test_refused_links_push_nothing_and_say_why(qapp):
    doc = DesignDocument(load_example())
    n = doc.undo_stack.count()
    assert doc.add_link("db", "app") is None  # a database has no outgoing links
    assert "no outgoing links" in doc.last_refusal
    assert doc.add_link("cache", "app") is None  # app -> cache exists: a cycle
    assert "cycle" in doc.last_refusal
    assert doc.add_link("app", "users") is None
    assert "client" in doc.last_refusal
    assert doc.add_link("app", "cache") is None
    assert "already" in doc.last_refusal
    assert doc.undo_stack.count() == n


def test_a_long_random_session_undoes_back_to_the_opened_file(qapp):
    """Many mixed edits, then undo all: exactly the file that was opened; redo all: exactly
    the edited design."""
    rnd = random.Random(7)
    doc = DesignDocument(load_example())
    start = design_json(doc.design)
    for _ in range(60):
        d = doc.design
        comps = [c.id for c in d.components]
        choice = rnd.randrange(7)
        if choice == 0:
            doc.add_component(rnd.choice(["service", "cache", "database"]),
                              rnd.randrange(0, 800), rnd.randrange(0, 600))
        elif choice == 1 and comps:
            c = rnd.choice(comps)
            doc.move_components({c: (float(rnd.randrange(0, 800)), float(rnd.randrange(600)))})
        elif choice == 2 and len(comps) > 1:
            doc.add_link(rnd.choice(comps), rnd.choice(comps))
        elif choice == 3 and len(comps) > 3:
            doc.remove_items([rnd.choice(comps)])
        elif choice == 4 and comps:
            doc.rename(rnd.choice(comps), f"n{rnd.randrange(100)}")
        elif choice == 5:
            services = [c.id for c in d.components if c.kind == "service"]
            if services:
                doc.set_component_param(rnd.choice(services), "workers", rnd.randrange(1, 99))
        elif choice == 6:
            groupable = [c for c in comps if d.component(c).kind != "client"]
            if groupable:
                doc.add_group(rnd.choice(["zone", "region"]), "",
                              rnd.sample(groupable, min(2, len(groupable))))
    end = design_json(doc.design)
    steps = doc.undo_stack.count()
    assert steps > 30
    for _ in range(steps):
        doc.undo_stack.undo()
    assert design_json(doc.design) == start
    for _ in range(steps):
        doc.undo_stack.redo()
    assert design_json(doc.design) == end
