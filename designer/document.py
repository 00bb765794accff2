"""The design being edited: the one writer of the Design.

Views read ``document.design`` (a read-only view: designer.read_only) and listen to the
signals; edits go through the public methods below, each of which pushes one undo command
(designer.commands). The Design is only changed from inside a command's redo()/undo(), through
the private mutators at the end of this file. ``snapshot()`` gives a detached copy to code that
needs a Design of its own (the analysis, a simulation).
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from designer import commands as cmd
from designer import layout
from designer.read_only import ReadOnly, read_only
from simcore.components import KINDS
from simcore.components.base import start_value
from simcore.design import Component, Design, Event, Group, Link, Scenario, empty_design
from simcore.graph import link_refusal, reaches
from simcore.io import design_to_dict

GROUP_KINDS = ("zone", "region")

_COLLECTIONS = ("components", "links", "groups")


def _scenario_dict(scenario: Scenario | None) -> dict | None:
    if scenario is None:
        return None
    return design_to_dict(_shell(scenario))["scenario"]


def _shell(scenario: Scenario) -> Design:
    return Design.model_construct(schema_version=1, name=None, description=None, components=[],
                                  links=[], groups=[], scenario=scenario)


def _id_prefix(ident: str) -> str:
    base = re.sub(r"\d+$", "", ident)
    return base or ident


class DesignDocument(QObject):
    """A Design plus its undo stack, file path and change signals."""

    componentAdded = Signal(str)
    componentRemoved = Signal(str)
    componentChanged = Signal(str)
    linkAdded = Signal(str)
    linkRemoved = Signal(str)
    linkChanged = Signal(str)
    groupsChanged = Signal()
    scenarioChanged = Signal()
    infoChanged = Signal()  # the design's name or description
    designReplaced = Signal()
    changed = Signal()
    pathChanged = Signal()

    def __init__(self, design: Design | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._design = design if design is not None else empty_design()
        self._path: Path | None = None
        self._writing_depth = 0
        self._group_hints: dict[str, tuple[float, float, float, float]] = {}
        self.undo_stack = QUndoStack(self)
        self.last_refusal: str = ""

    # --- state ---------------------------------------------------------------------------
    @property
    def design(self) -> ReadOnly:
        """The design, read-only: attributes read as on a Design, no change is possible."""
        return ReadOnly(self._design)

    def snapshot(self) -> Design:
        """A detached deep copy of the design (changing it changes nothing here)."""
        return self._design.model_copy(deep=True)

    @property
    def path(self) -> Path | None:
        return self._path

    def display_name(self) -> str:
        """What the window calls the design: its name, else its file's name, else Untitled."""
        return self._design.name or (self._path.stem if self._path else "Untitled")

    def is_dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def set_clean(self, path: Path | None) -> None:
        self.undo_stack.setClean()
        if path is not None and Path(path) != self._path:
            self._path = Path(path)
            self.pathChanged.emit()

    def replace(self, design: Design, path: Path | None) -> None:
        """Open or new: a different design, a fresh undo history. A design whose components
        have no places (a pile at 0, 0) is laid out first (part of opening, not an edit)."""
        if layout.needs_layout(design):
            places = layout.auto_layout(design)
            for c in design.components:
                c.x, c.y = places[c.id]
        self.undo_stack.clear()
        self._design = design
        self._group_hints.clear()
        self._path = Path(path) if path is not None else None
        self.undo_stack.setClean()
        self.designReplaced.emit()
        self.pathChanged.emit()
        self.changed.emit()

    def group_rect_hint(self, gid: str) -> tuple[float, float, float, float] | None:
        """Where an empty group is drawn (presentation only, never saved)."""
        return self._group_hints.get(gid)

    def find(self, item_id: str) -> tuple[str, Any] | None:
        """('components' | 'links' | 'groups', the item, read-only) for an id, or None."""
        found = self._find(item_id)
        return None if found is None else (found[0], read_only(found[1]))

    def _find(self, item_id: str) -> tuple[str, Any] | None:
        for coll in _COLLECTIONS:
            for obj in getattr(self._design, coll):
                if obj.id == item_id:
                    return coll, obj
        return None

    # --- edits: components -----------------------------------------------------------------
    def add_component(self, kind: str, x: float, y: float) -> str:
        """Add a component of ``kind`` with its top-left corner at (x, y). ``zone``/``region``
        add an empty group there instead. Returns the new id."""
        if kind in GROUP_KINDS:
            return self.add_group(kind, "", [], (x, y, 240.0, 160.0))
        spec = KINDS[kind]
        cid = self._design.new_id(kind)
        # a required parameter starts at the value its field declares (the file holds what is set)
        params = {k: start_value(spec.params, k)
                  for k, f in spec.params.model_fields.items() if f.is_required()}
        name = self._fresh_name(spec.label)
        comp = Component(id=cid, kind=kind, name=name, x=float(x), y=float(y), params=params)
        self._push(cmd.AddComponentCommand(
            self, f"Add {spec.label.lower()}",
            [cmd.Insert("components", len(self._design.components), comp)]))
        return cid

    def move_components(self, moves: dict[str, tuple[float, float]],
                        group_members: dict[str, list[str]] | None = None) -> None:
        """Move components to new top-left positions; ``group_members`` (optional) changes the
        members of groups in the same undo step (a drop into or out of a zone/region)."""
        ops: list = []
        for c in self._design.components:
            if c.id in moves:
                x, y = (float(v) for v in moves[c.id])
                if (x, y) != (c.x, c.y):
                    ops.append(cmd.SetFields("components", c.id, {"x": c.x, "y": c.y},
                                             {"x": x, "y": y}))
        ops += self._member_ops(group_members or {})
        if ops:
            n = sum(1 for op in ops if op.collection == "components")
            text = "Move " + (self._label_of(next(iter(moves))) if n == 1 else f"{n} items")
            self._push(cmd.MoveCommand(self, text, ops))

    def auto_layout(self) -> None:
        """Arrange → Auto layout: every component placed by depth, as one undo step."""
        self.undo_stack.beginMacro("Auto layout")
        try:
            self.move_components(layout.auto_layout(self._design))
        finally:
            self.undo_stack.endMacro()

    def rename(self, item_id: str, name: str) -> None:
        found = self.find(item_id)
        if found is None or found[0] == "links":
            return
        coll, obj = found
        new = name.strip() or None
        if new != obj.name:
            self._push(cmd.RenameCommand(self, f"Rename {obj.label}",
                                         [cmd.SetFields(coll, item_id, {"name": obj.name},
                                                        {"name": new})]))

    def set_component_param(self, cid: str, key: str, value) -> None:
        self._set_param("components", cid, key, value)

    def set_link_param(self, lid: str, key: str, value) -> None:
        self._set_param("links", lid, key, value)

    def set_group_param(self, gid: str, key: str, value) -> None:
        self._set_param("groups", gid, key, value)

    def _set_param(self, coll: str, ident: str, key: str, value) -> None:
        obj = self.find(ident)
        if obj is None or obj[0] != coll:
            raise KeyError(ident)
        old = dict(obj[1].params)
        new = dict(old)
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
        if new != old:
            self._push(cmd.SetParamCommand(self, f"Set {key} of {self._label_of(ident)}", coll,
                                           ident, key, old, new))

    def remove_items(self, ids: list[str]) -> None:
        """Remove components (with their links, memberships and scenario events), links and
        groups, in one undo step."""
        d = self._design
        wanted = set(ids)
        comps = {c.id for c in d.components if c.id in wanted}
        links = {lk.id for lk in d.links
                 if lk.id in wanted or lk.source in comps or lk.target in comps}
        groups = {g.id for g in d.groups if g.id in wanted}
        gone = comps | links | groups
        if not gone:
            return
        ops: list = []
        if d.scenario is not None and any(e.target in gone for e in d.scenario.events):
            old = _scenario_dict(d.scenario)
            new = dict(old)
            new["events"] = [e for e in old.get("events", []) if e["target"] not in gone]
            ops.append(cmd.SetScenario(old, new))
        for g in d.groups:
            if g.id not in groups and any(m in comps for m in g.members):
                ops.append(cmd.SetFields("groups", g.id, {"members": list(g.members)},
                                         {"members": [m for m in g.members if m not in comps]}))
        for coll, chosen in (("links", links), ("groups", groups), ("components", comps)):
            items = getattr(d, coll)
            for i in range(len(items) - 1, -1, -1):
                if items[i].id in chosen:
                    ops.append(cmd.Remove(coll, i, items[i].model_copy(deep=True)))
        text = "Delete " + (self._label_of(next(iter(gone))) if len(gone) == 1
                            else f"{len(gone)} items")
        self._push(cmd.RemoveItemsCommand(self, text, ops))

    # --- edits: links ----------------------------------------------------------------------
    def link_refusal(self, source: str, target: str) -> str | None:
        """Why a link from ``source`` to ``target`` may not be drawn, or None when it may."""
        d = self._design
        try:
            src, dst = d.component(source), d.component(target)
        except KeyError as exc:
            return f"'{exc.args[0]}' is not a component"
        if source == target:
            return "A component cannot link to itself."
        reason = link_refusal(KINDS.get(src.kind), KINDS.get(dst.kind), src.label, dst.label)
        if reason is not None:
            return reason
        if any(lk.source == source and lk.target == target for lk in d.links):
            return f"{src.label} already links to {dst.label}."
        if reaches(((lk.source, lk.target) for lk in d.links), target, source):
            return (f"{dst.label} already leads to {src.label}: this link would form a cycle "
                    "(designs must be acyclic).")
        return None

    def add_link(self, source: str, target: str) -> str | None:
        """Link two components; None when refused (the reason is in ``last_refusal``)."""
        reason = self.link_refusal(source, target)
        if reason is not None:
            self.last_refusal = reason
            return None
        self.last_refusal = ""
        taken = self._design.all_ids()
        n = len(self._design.links) + 1
        while f"l{n}" in taken:
            n += 1
        lid = f"l{n}"
        link = Link(id=lid, source=source, target=target)
        self._push(cmd.AddLinkCommand(
            self, f"Connect {self._label_of(source)} → {self._label_of(target)}",
            [cmd.Insert("links", len(self._design.links), link)]))
        return lid

    # --- edits: groups ---------------------------------------------------------------------
    def add_group(self, kind: str, name: str, members: list[str],
                  rect: tuple | None = None) -> str:
        """Add a zone or region holding ``members`` (moved out of any other group of the same
        kind). ``rect`` (x, y, w, h) places the box while the group is empty."""
        if kind not in GROUP_KINDS:
            raise ValueError(f"a group is a zone or a region, not '{kind}'")
        gid = self._design.new_id(kind)
        members = [m for m in members if self._is_groupable(m)]
        group = Group(id=gid, kind=kind, name=name.strip() or self._fresh_group_name(kind),
                      members=members)
        ops: list = [cmd.Insert("groups", len(self._design.groups), group)]
        ops += self._member_ops({}, taken={m: gid for m in members}, kind=kind)
        if rect is not None:
            self._group_hints[gid] = tuple(float(v) for v in rect)
        self._push(cmd.AddGroupCommand(self, f"Add {kind} {group.name}", ops))
        return gid

    def set_group_members(self, gid: str, members: list[str]) -> None:
        ops = self._member_ops({gid: members})
        if ops:
            self._push(cmd.GroupMembersCommand(self, f"Change members of {self._label_of(gid)}",
                                               ops))

    def _is_groupable(self, cid: str) -> bool:
        found = self.find(cid)
        return found is not None and found[0] == "components" and found[1].kind != "client"

    def _member_ops(self, wanted: dict[str, list[str]], taken: dict[str, str] | None = None,
                    kind: str | None = None) -> list:
        """Operations giving each group in ``wanted`` exactly those members, and taking each
        component that joins a group out of other groups of the same kind (a component belongs
        to at most one zone and one region). ``taken`` adds joins to a group being created."""
        d = self._design
        groups = {g.id: g for g in d.groups}
        joins: dict[str, dict[str, str]] = {"zone": {}, "region": {}}
        if taken:
            joins[kind].update(taken)
        for gid, members in wanted.items():
            g = groups.get(gid)
            if g is None:
                continue
            for m in members:
                if m not in g.members:
                    joins[g.kind][m] = gid
        ops = []
        for g in d.groups:
            if g.id in wanted:
                new = [m for m in dict.fromkeys(wanted[g.id]) if self._is_groupable(m)]
            else:
                new = list(g.members)
            new = [m for m in new if joins[g.kind].get(m, g.id) == g.id]
            if new != g.members:
                ops.append(cmd.SetFields("groups", g.id, {"members": list(g.members)},
                                         {"members": new}))
        return ops

    # --- edits: clipboard ------------------------------------------------------------------
    def paste(self, fragment: dict, offset: tuple[float, float]) -> list[str]:
        """Insert a copied fragment ({components, links, groups} as file dicts) with fresh ids,
        shifted by ``offset``. Links and group members outside the fragment are dropped."""
        d = self._design
        taken = d.all_ids()
        mapping: dict[str, str] = {}

        def fresh(old: str) -> str:
            prefix = _id_prefix(old)
            new, n = prefix, 2
            while new in taken:
                new, n = f"{prefix}{n}", n + 1
            taken.add(new)
            mapping[old] = new
            return new

        dx, dy = (float(v) for v in offset)
        ops: list = []
        new_ids: list[str] = []
        for raw in fragment.get("components", []):
            if raw.get("kind") not in KINDS:
                continue
            item = dict(raw, id=fresh(raw["id"]), x=float(raw.get("x", 0)) + dx,
                        y=float(raw.get("y", 0)) + dy)
            comp = Component.model_validate(item)
            ops.append(cmd.Insert("components", len(d.components) + len(new_ids), comp))
            new_ids.append(comp.id)
        n_links = len(d.links)
        for raw in fragment.get("links", []):
            if raw.get("source") in mapping and raw.get("target") in mapping:
                link = Link.model_validate(dict(raw, id=fresh(raw["id"]),
                                                source=mapping[raw["source"]],
                                                target=mapping[raw["target"]]))
                ops.append(cmd.Insert("links", n_links, link))
                n_links += 1
                new_ids.append(link.id)
        n_groups = len(d.groups)
        for raw in fragment.get("groups", []):
            members = [mapping[m] for m in raw.get("members", []) if m in mapping]
            if not members:
                continue
            group = Group.model_validate(dict(raw, id=fresh(raw["id"]), members=members))
            ops.append(cmd.Insert("groups", n_groups, group))
            n_groups += 1
            new_ids.append(group.id)
        if ops:
            n = sum(1 for op in ops if op.collection == "components")
            self._push(cmd.PasteCommand(self, f"Paste {n} item{'s' * (n != 1)}", ops))
        return new_ids

    # --- edits: scenario and design info ---------------------------------------------------
    def scenario_with(self, **fields) -> Scenario:
        """The scenario that set_scenario(**fields) would give; raises ValueError if invalid."""
        base = _scenario_dict(self._design.scenario) or {}
        return Scenario.model_validate({**base, **fields})

    def set_scenario(self, **fields) -> None:
        old = _scenario_dict(self._design.scenario)
        new = _scenario_dict(self.scenario_with(**fields))
        if new != old:
            self._push(cmd.ScenarioCommand(self, "Change scenario", [cmd.SetScenario(old, new)]))

    def add_event(self, event: dict) -> None:
        ev = Event.model_validate(event)
        old = _scenario_dict(self._design.scenario)
        new = dict(old or {})
        new["events"] = list(new.get("events", [])) + [ev.model_dump(exclude_none=True)]
        Scenario.model_validate(new)
        self._push(cmd.ScenarioCommand(self, f"Add {ev.type} event on {ev.target}",
                                       [cmd.SetScenario(old, new)]))

    def remove_event(self, index: int) -> None:
        old = _scenario_dict(self._design.scenario)
        if old is None or not 0 <= index < len(old.get("events", [])):
            return
        new = dict(old)
        new["events"] = [e for i, e in enumerate(old["events"]) if i != index]
        self._push(cmd.ScenarioCommand(self, "Remove scenario event",
                                       [cmd.SetScenario(old, new)]))

    def set_design_info(self, name: str | None = None, description: str | None = None) -> None:
        """Change the design's name and/or description (an empty text removes it)."""
        ops = []
        for fld, value in (("name", name), ("description", description)):
            if value is None:
                continue
            new = value.strip() or None
            old = getattr(self._design, fld)
            if new != old:
                ops.append(cmd.SetDesignField(fld, old, new))
        if ops:
            self._push(cmd.DesignInfoCommand(self, "Change design info", ops))

    # --- helpers ---------------------------------------------------------------------------
    def _push(self, command: cmd.EditCommand) -> None:
        self.undo_stack.push(command)

    def _label_of(self, ident: str) -> str:
        found = self.find(ident)
        if found is None:
            return ident
        obj = found[1]
        return getattr(obj, "label", ident)

    def _fresh_name(self, label: str) -> str:
        names = {c.name for c in self._design.components}
        if label not in names:
            return label
        n = 2
        while f"{label} {n}" in names:
            n += 1
        return f"{label} {n}"

    def _fresh_group_name(self, kind: str) -> str:
        names = {g.name for g in self._design.groups}
        n = 1
        while f"{kind.capitalize()} {n}" in names:
            n += 1
        return f"{kind.capitalize()} {n}"

    # --- the private mutators (called only by commands) ------------------------------------
    @contextlib.contextmanager
    def _writing(self):
        self._writing_depth += 1
        try:
            yield
        finally:
            self._writing_depth -= 1
            if self._writing_depth == 0:
                self.changed.emit()

    def _check_writing(self) -> None:
        if self._writing_depth <= 0:
            raise RuntimeError("the design is changed only from inside an undo command")

    def _tell(self, coll: str, what: str, ident: str) -> None:
        """Emit the signal of an item ``what`` ("Added", "Removed", "Changed") in ``coll``;
        any change to a group is ``groupsChanged``."""
        if coll == "groups":
            self.groupsChanged.emit()
        else:
            getattr(self, ("component" if coll == "components" else "link") + what).emit(ident)

    def _insert(self, coll: str, index: int, obj) -> None:
        self._check_writing()
        getattr(self._design, coll).insert(index, obj)
        self._tell(coll, "Added", obj.id)

    def _remove(self, coll: str, index: int) -> None:
        self._check_writing()
        obj = getattr(self._design, coll).pop(index)
        self._tell(coll, "Removed", obj.id)

    def _set_fields(self, coll: str, ident: str, values: dict) -> None:
        self._check_writing()
        found = self._find(ident)
        if found is None:
            raise KeyError(ident)
        obj = found[1]
        for key, value in values.items():
            copy = dict(value) if isinstance(value, dict) else (
                list(value) if isinstance(value, list) else value)
            try:
                setattr(obj, key, copy)
            except ValidationError as exc:  # pragma: no cover - commands hold valid values
                raise ValueError(str(exc)) from None
        self._tell(coll, "Changed", ident)

    def _set_scenario(self, data: dict | None) -> None:
        self._check_writing()
        self._design.scenario = None if data is None else Scenario.model_validate(data)
        self.scenarioChanged.emit()

    def _set_design_field(self, fld: str, value) -> None:
        self._check_writing()
        setattr(self._design, fld, value)
        self.infoChanged.emit()
