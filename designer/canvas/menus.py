"""The canvas' context menus and the "fail for N s" dialog (chaos from the canvas)."""

from __future__ import annotations

from PySide6.QtGui import QCursor, QTransform
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMenu,
)

from designer import cache_aside
from designer.canvas.items import ComponentItem, GroupItem, LinkItem


class FailDialog(QDialog):
    """Start and length of a scheduled outage, in simulated seconds."""

    def __init__(self, name: str, run_s: float, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Fail {name} during the run")
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{name}</b> fails during the traffic simulation."))
        self.start = QDoubleSpinBox(suffix=" s", decimals=1, maximum=1e7)
        self.start.setValue(min(60.0, run_s / 3))
        self.duration = QDoubleSpinBox(suffix=" s", decimals=1, minimum=0.1, maximum=1e7)
        self.duration.setValue(min(30.0, max(1.0, run_s / 4)))
        self.start.setToolTip("When the failure starts, from the start of the run "
                              "(warm-up included).")
        self.duration.setToolTip("How long it stays down.")
        form.addRow("Starts at", self.start)
        form.addRow("Lasts", self.duration)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def _ask_failure(scene, target: str, name: str) -> None:
    parent = scene.views()[0] if scene.views() else None
    sc = scene.document.design.scenario
    run_s = sc.duration_s if sc is not None else 60.0
    dlg = FailDialog(name, run_s, parent)
    if dlg.exec() == QDialog.DialogCode.Accepted:
        scene.schedule_failure(target, dlg.start.value(), dlg.duration.value())


def show_context_menu(scene, event) -> None:
    item = scene.itemAt(event.scenePos(), QTransform())
    if item is not None and not item.isSelected():
        scene.select_ids([scene.id_of(item)])
    context_menu(scene, item).exec(event.screenPos())


def context_menu(scene, item) -> QMenu:
    """The menu for ``item`` (a component, group or link; None: the empty canvas)."""
    menu = QMenu()
    if isinstance(item, (ComponentItem, GroupItem)):
        ident = item.cid if isinstance(item, ComponentItem) else item.gid
        name = item.name
        fail = item.kind != "client"
        if fail:
            menu.addAction("Fail for N s during the run…",
                           lambda: _ask_failure(scene, ident, name))
            now = menu.addAction("Fail now", lambda: scene.failRequested.emit(ident))
            now.setEnabled(scene.run_active)  # it acts on a running simulation only
            now.setStatusTip("Fail it now in the running simulation" if scene.run_active
                             else "Run a simulation first (F5): Fail now acts on a running one")
            menu.addSeparator()
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
