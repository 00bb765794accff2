"""The canvas' context menus and the dialog that schedules a scenario event (chaos from the
canvas). Which events an item offers, their fields and their texts come from the event
declarations in ``simcore/events/``; adding one is an undoable scenario edit."""

from __future__ import annotations

from PySide6.QtGui import QCursor, QTransform
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMenu,
    QSpinBox,
)

from designer import cache_aside
from designer.canvas.items import ComponentItem, GroupItem, LinkItem
from designer.inspector_fields import FieldShape
from simcore.components import KINDS
from simcore.events import EVENTS, EventSpec

SPIN_MAX = 1e7
MIN_WIDTH = 340


class EventDialog(QDialog):
    """When an event starts, how long it lasts (unless instantaneous) and its own fields."""

    def __init__(self, spec: EventSpec, name: str, run_s: float, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.setWindowTitle(f"{spec.label}: {name}")
        form = QFormLayout(self)
        self.setMinimumWidth(MIN_WIDTH)
        intro = QLabel(f"<b>{name}</b>, during the traffic simulation. {spec.description}")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.start = QDoubleSpinBox(suffix=" s", decimals=1, maximum=SPIN_MAX)
        self.start.setValue(min(60.0, run_s / 3))
        self.start.setToolTip("When it starts, from the start of the run (warm-up included).")
        form.addRow("Starts at", self.start)
        self.duration = None
        if not spec.instantaneous:
            self.duration = QDoubleSpinBox(suffix=" s", decimals=1, minimum=0.1,
                                           maximum=SPIN_MAX)
            self.duration.setValue(min(30.0, max(1.0, run_s / 4)))
            self.duration.setToolTip("How long it lasts.")
            form.addRow("Lasts", self.duration)
        self.fields: dict[str, QDoubleSpinBox | QSpinBox] = {}
        for key in spec.params.model_fields:
            shape = FieldShape(spec.params, key)
            lo = shape.lower if shape.lower is not None else 0
            if shape.lower_open:  # "> 0": the least value the box can show above it
                lo += 1 if shape.editor_kind == "int" else 0.001
            hi = shape.upper if shape.upper is not None else SPIN_MAX
            if shape.editor_kind == "int":
                box = QSpinBox()
                box.setRange(int(lo), int(min(hi, 2**31 - 1)))
            else:
                box = QDoubleSpinBox(decimals=2)
                box.setRange(float(lo), float(hi))
            box.setValue(shape.default if shape.default is not None else shape.start)
            if shape.unit:
                box.setSuffix(f" {shape.unit}")
            box.setToolTip(shape.tooltip())
            form.addRow(shape.label, box)
            self.fields[key] = box
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def event_dict(self, target: str) -> dict:
        """The scenario event the dialog describes, in the design file's form."""
        ev = {"type": self.spec.type, "target": target, "at_s": self.start.value()}
        if self.duration is not None:
            ev["duration_s"] = self.duration.value()
        ev.update({key: box.value() for key, box in self.fields.items()})
        return ev


def _ask_event(scene, spec: EventSpec, target: str, name: str) -> None:
    parent = scene.views()[0] if scene.views() else None
    sc = scene.document.design.scenario
    run_s = sc.duration_s if sc is not None else 60.0
    dlg = EventDialog(spec, name, run_s, parent)
    if dlg.exec() == QDialog.DialogCode.Accepted:
        scene.document.add_event(dlg.event_dict(target))


def target_of(item) -> tuple[str, str, str, str | None] | None:
    """(id, name, target class, role) of a canvas item that events can target, else None."""
    if isinstance(item, ComponentItem):
        spec = KINDS.get(item.kind)
        what = "client" if spec is not None and spec.behaviour.is_source else "component"
        return item.cid, item.name, what, spec.role if spec else None
    if isinstance(item, GroupItem):
        return item.gid, item.name, "group", None
    if isinstance(item, LinkItem):
        return item.lid, f"{item.source.name} → {item.target.name}", "link", None
    return None


def events_for(what: str, role: str | None) -> list[EventSpec]:
    """The event types the canvas can create on a target of class ``what``."""
    return [s for s in EVENTS.values() if s.creatable and s.can_target(what, role)]


def _add_event_actions(menu: QMenu, scene, item) -> None:
    target = target_of(item)
    if target is None:
        return
    ident, name, what, role = target
    specs = events_for(what, role)
    for spec in specs:
        menu.addAction(f"Schedule {spec.label.lower()}…",
                       lambda s=spec: _ask_event(scene, s, ident, name))
    if "fail" in (s.type for s in specs):
        now = menu.addAction("Fail now", lambda: scene.failRequested.emit(ident))
        now.setEnabled(scene.run_active)  # it acts on a running simulation only
        now.setStatusTip("Fail it now in the running simulation" if scene.run_active
                         else "Run a simulation first (F5): Fail now acts on a running one")
    if specs:
        menu.addSeparator()


def show_context_menu(scene, event) -> None:
    item = scene.itemAt(event.scenePos(), QTransform())
    if item is not None and not item.isSelected():
        scene.select_ids([scene.id_of(item)])
    context_menu(scene, item).exec(event.screenPos())


def context_menu(scene, item) -> QMenu:
    """The menu for ``item`` (a component, group or link; None: the empty canvas): the events
    it can take, then its edits."""
    menu = QMenu()
    _add_event_actions(menu, scene, item)
    if isinstance(item, (ComponentItem, GroupItem)):
        if isinstance(item, ComponentItem):
            menu.addAction("Duplicate", scene.duplicate_selected)
            menu.addAction("Copy", scene.copy_selected)
            menu.addSeparator()
            menu.addAction("Put selection in a new zone", lambda: scene.group_selected("zone"))
            menu.addAction("Put selection in a new region",
                           lambda: scene.group_selected("region"))
            menu.addSeparator()
        menu.addAction("Delete" if isinstance(item, ComponentItem)
                       else f"Delete {item.kind} (keep its components)", scene.delete_selected)
    elif isinstance(item, LinkItem):
        bypass = cache_aside.bypass_of(scene.document.design, item.lid)
        if bypass is not None:
            menu.addAction(f"Fix: {cache_aside.fix_text(scene.document.design, bypass)}",
                           lambda: cache_aside.fix(scene.document, item.lid))
            menu.addSeparator()
        menu.addAction("Delete link", scene.delete_selected)
    else:
        paste = menu.addAction("Paste", scene.paste)
        from designer import clipboard

        paste.setEnabled(clipboard.get() is not None)
        menu.addAction("Select all", scene.select_all)
    return menu


def ask_store(scene, cache: str, stores: list[tuple[str, str]]) -> str | None:
    """Cache-aside: a menu at the pointer asks which store the cache is in front of."""
    menu = QMenu()
    title = menu.addAction(f"Cache-aside: {cache} in front of which store?")
    title.setEnabled(False)
    menu.addSeparator()
    for sid, name in stores:
        menu.addAction(name).setData(sid)
    menu.addSeparator()
    menu.addAction("Not now")
    chosen = menu.exec(QCursor.pos())
    return chosen.data() if chosen is not None and chosen.data() else None
