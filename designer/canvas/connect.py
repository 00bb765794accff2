"""The connect gesture of the canvas: a drag from a component's dot to another component draws
a link (the target shows whether it may), and a service linked to a lone cache is offered to
complete cache-aside in the same undo step."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsLineItem

from designer import cache_aside
from designer.canvas.items import SELECT_BLUE, Z_DRAG, ComponentItem


class ConnectMixin:
    """For DesignScene: needs ``document``, ``_component_at``, ``select_ids``, ``_status``,
    ``ask_store`` and the ``_connect_*`` attributes it sets up."""

    def _start_connect(self, item: ComponentItem, pos: QPointF) -> None:
        self._connect_from = item
        start = item.mapToScene(item.port_centre())
        line = QGraphicsLineItem(QLineF(start, pos))
        pen = QPen(SELECT_BLUE, 1.6, Qt.PenStyle.DashLine)
        line.setPen(pen)
        line.setZValue(Z_DRAG)
        self.addItem(line)
        self._connect_line = line

    def _update_connect(self, pos: QPointF) -> None:
        line = self._connect_line.line()
        self._connect_line.setLine(QLineF(line.p1(), pos))
        target = self._component_at(pos, exclude=self._connect_from)
        if target is not self._connect_target:
            if self._connect_target is not None:
                self._connect_target.set_drop_target(0)
            self._connect_target = target
            if target is not None:
                reason = self.document.link_refusal(self._connect_from.cid, target.cid)
                target.set_drop_target(-1 if reason else 1)
                self._status(reason or f"Release to connect {self._connect_from.name} → "
                                       f"{target.name}")

    def _finish_connect(self, pos: QPointF) -> None:
        source = self._connect_from
        target = self._component_at(pos, exclude=source)
        self._cancel_connect()
        if target is None:
            self._status("Drop the link on a component to connect.")
            return
        design, stack = self.document.design, self.document.undo_stack
        aside = cache_aside.wants_store(design, source.cid, target.cid)
        if aside:  # the link and the completion of cache-aside: one undo step
            stack.beginMacro(f"Connect {source.name} → {target.name}")
        try:
            lid = self.document.add_link(source.cid, target.cid)
            if lid is None:
                self._status(self.document.last_refusal)
                return
            self._status(f"Connected {source.name} → {target.name}.")
            if aside:
                self._complete_cache_aside(target)
        finally:
            if aside:
                stack.endMacro()
        self.select_ids([lid])

    def _complete_cache_aside(self, cache: ComponentItem) -> None:
        """A service now calls a cache with no target: ask which store it fronts."""
        stores = [(c.id, c.label) for c in cache_aside.stores(self.document.design)]
        store = self.ask_store(cache.name, stores)
        if store is not None and cache_aside.complete(self.document, cache.cid, store):
            name = dict(stores)[store]
            self._status(f"Cache-aside: {cache.name} → {name} (misses and writes go on to "
                         f"{name}).")

    def _cancel_connect(self) -> None:
        if self._connect_target is not None:
            self._connect_target.set_drop_target(0)
        if self._connect_line is not None and self._connect_line.scene() is self:
            self.removeItem(self._connect_line)
        self._connect_from = self._connect_line = self._connect_target = None
