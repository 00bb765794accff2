"""The canvas scene: a view of the document's Design through an id → item map. It rebuilds or
updates items from document signals only, and turns gestures (drag, connect, drop, keys) into
document edits — one edit per gesture."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmapCache, QStatusTipEvent, QTransform
from PySide6.QtWidgets import QApplication, QGraphicsLineItem, QGraphicsScene

from designer import clipboard
from designer.canvas import overlay as ov
from designer.canvas.connect import ConnectMixin
from designer.canvas.detail import DetailMixin
from designer.canvas.items import (
    BOX_H,
    BOX_W,
    GROUP_MARGIN,
    TITLE_H,
    ComponentItem,
    GroupItem,
    LinkItem,
)
from designer.canvas.menus import ask_store
from designer.document import GROUP_KINDS, DesignDocument

if TYPE_CHECKING:  # the analysis package loads on first use, after the window shows
    from simcore.analysis.result import AnalysisResult

GRID = 20.0
_EMPTY_GROUP = (0.0, 0.0, 240.0, 160.0)


class DesignScene(ConnectMixin, DetailMixin, QGraphicsScene):
    selectionIdsChanged = Signal(list)
    failRequested = Signal(str)
    statusMessage = Signal(str)  # a hint or a refusal, for the status bar

    def __init__(self, document: DesignDocument, parent=None):
        super().__init__(parent)
        self.document = document
        self.snap_enabled = True
        self.grid = GRID
        self._components: dict[str, ComponentItem] = {}
        self._links: dict[str, LinkItem] = {}
        self._groups: dict[str, GroupItem] = {}
        self._links_of: dict[str, set[str]] = {}
        self._last_group_rects: dict[str, QRectF] = {}
        self._dirty_groups: set[str] = set()
        self._frozen_rects: dict[str, QRectF] | None = None
        self._dragging_group: GroupItem | None = None
        self._connect_from: ComponentItem | None = None
        self._connect_line: QGraphicsLineItem | None = None
        self._connect_target: ComponentItem | None = None
        self._analysis: AnalysisResult | None = None
        self._problems: list = []
        self.low_detail = False
        self.run_active = False  # a traffic run is going on: "Fail now" can act on it
        # (cache name, [(store id, name)]) -> the chosen store id or None; a menu by default
        self.ask_store = lambda cache, stores: ask_store(self, cache, stores)
        # room for the components' cached pictures (10-60 KB each), or the cache thrashes
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), 96 * 1024))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)

        d = document
        d.designReplaced.connect(self._rebuild)
        d.componentAdded.connect(self._on_component_added)
        d.componentRemoved.connect(self._on_component_removed)
        d.componentChanged.connect(self._on_component_changed)
        d.linkAdded.connect(self._on_link_added)
        d.linkRemoved.connect(self._on_link_removed)
        d.linkChanged.connect(self._on_link_changed)
        d.groupsChanged.connect(self._on_groups_changed)
        d.changed.connect(self._after_change)
        self.selectionChanged.connect(self._on_selection_changed)
        self._rebuild()

    # --- lookups -------------------------------------------------------------------------
    def component_item(self, cid: str) -> ComponentItem | None:
        return self._components.get(cid)

    def link_item(self, lid: str) -> LinkItem | None:
        return self._links.get(lid)

    def group_item(self, gid: str) -> GroupItem | None:
        return self._groups.get(gid)

    def item_for(self, item_id: str):
        return (self._components.get(item_id) or self._links.get(item_id)
                or self._groups.get(item_id))

    @staticmethod
    def id_of(item) -> str | None:
        return getattr(item, "cid", None) or getattr(item, "lid", None) or getattr(item, "gid",
                                                                                   None)

    def has_content(self) -> bool:
        """Whether anything is drawn: a component or a zone/region box."""
        return bool(self._components or self._groups)

    def selected_ids(self) -> list[str]:
        return [i for i in (self.id_of(it) for it in self.selectedItems()) if i]

    def select_ids(self, ids: list[str]) -> None:
        self.blockSignals(True)
        try:
            self.clearSelection()
            for i in ids:
                item = self.item_for(i)
                if item is not None:
                    item.setSelected(True)
        finally:
            self.blockSignals(False)
        self._on_selection_changed()

    def snap_point(self, p: QPointF) -> QPointF:
        if not self.snap_enabled:
            return p
        g = self.grid
        return QPointF(round(p.x() / g) * g, round(p.y() / g) * g)

    # --- building from the document ------------------------------------------------------
    def _rebuild(self) -> None:
        self.blockSignals(True)
        try:
            with self.building():
                self._fill_from_document()
        finally:
            self.blockSignals(False)
        self._analysis, self._problems = None, []
        self._update_scene_rect()
        self.selectionIdsChanged.emit([])

    def _fill_from_document(self) -> None:
        self._cancel_connect()
        self.clear()
        self._components.clear()
        self._links.clear()
        self._groups.clear()
        self._links_of.clear()
        self._last_group_rects.clear()
        design = self.document.design
        for c in design.components:
            self._add_component_item(c)
        for lk in design.links:
            self._add_link_item(lk.id, lk.source, lk.target, lk.params)
        self._sync_groups()

    def _add_component_item(self, c) -> ComponentItem:
        item = ComponentItem(c.id, c.kind, c.label)
        self._apply_detail(item)
        item.setPos(c.x, c.y)  # not snapped: the file's position is the truth
        self.addItem(item)
        self._components[c.id] = item
        self._links_of.setdefault(c.id, set())
        return item

    def _add_link_item(self, lid: str, source: str, target: str, params: dict) -> None:
        s, t = self._components.get(source), self._components.get(target)
        if s is None or t is None:
            return
        item = LinkItem(lid, s, t, params)
        self.addItem(item)
        self._links[lid] = item
        self._links_of.setdefault(source, set()).add(lid)
        self._links_of.setdefault(target, set()).add(lid)

    def _on_component_added(self, cid: str) -> None:
        c = self.document.design.component(cid)
        self._add_component_item(c)

    def _on_component_removed(self, cid: str) -> None:
        for lid in list(self._links_of.pop(cid, ())):
            self._on_link_removed(lid)
        item = self._components.pop(cid, None)
        if item is not None:
            self.removeItem(item)

    def _on_component_changed(self, cid: str) -> None:
        item = self._components.get(cid)
        if item is None:
            return
        c = self.document.design.component(cid)
        item.set_data(c.kind, c.label)
        if item.pos() != QPointF(c.x, c.y):
            snap, self.snap_enabled = self.snap_enabled, False
            item.setPos(c.x, c.y)
            self.snap_enabled = snap
        for lid in self._links_of.get(cid, ()):
            link = self._links[lid]
            link.set_params(link.params)  # names in the tooltip, geometry
        self._dirty_groups.update(g.id for g in self.document.design.groups
                                  if cid in g.members)

    def _on_link_added(self, lid: str) -> None:
        lk = self.document.design.link(lid)
        self._add_link_item(lk.id, lk.source, lk.target, lk.params)

    def _on_link_removed(self, lid: str) -> None:
        item = self._links.pop(lid, None)
        if item is None:
            return
        self._links_of.get(item.source.cid, set()).discard(lid)
        self._links_of.get(item.target.cid, set()).discard(lid)
        self.removeItem(item)

    def _on_link_changed(self, lid: str) -> None:
        item = self._links.get(lid)
        if item is not None:
            item.set_params(self.document.design.link(lid).params)

    def _on_groups_changed(self) -> None:
        self._sync_groups()

    def _after_change(self) -> None:
        if self._dirty_groups:
            self._sync_groups(only=self._dirty_groups)
            self._dirty_groups = set()
        self._update_scene_rect()

    def _sync_groups(self, only: set[str] | None = None) -> None:
        groups = self.document.design.groups
        if only is None:
            wanted = {g.id for g in groups}
            for gid in [g for g in self._groups if g not in wanted]:
                self.removeItem(self._groups.pop(gid))
        for g in groups:
            if only is not None and g.id not in only:
                continue
            item = self._groups.get(g.id)
            if item is None:
                item = GroupItem(g.id, g.kind, g.label)
                self.addItem(item)
                self._groups[g.id] = item
            item.set_data(g.kind, g.label, g.members)
            rect = self._derived_rect(g)
            item.set_rect(rect)
            self._last_group_rects[g.id] = rect

    def _derived_rect(self, g) -> QRectF:
        """Members' bounding box plus a margin (regions' margin is wider so a zone inside one
        stays visibly inside); an empty group keeps its last place."""
        boxes = [self._components[m].scene_box() for m in g.members if m in self._components]
        if not boxes:
            last = self._last_group_rects.get(g.id)
            if last is not None:
                return QRectF(last)
            hint = self.document.group_rect_hint(g.id) or _EMPTY_GROUP
            return QRectF(*hint)
        r = boxes[0]
        for b in boxes[1:]:
            r = r.united(b)
        m = GROUP_MARGIN.get(g.kind, 20.0)
        return r.adjusted(-m, -m - TITLE_H, m, m)

    def _update_scene_rect(self) -> None:
        r = self.itemsBoundingRect()
        if r.isNull():
            r = QRectF(0, 0, 800, 600)
        self.setSceneRect(r.adjusted(-1500, -1500, 1500, 1500))

    def _on_selection_changed(self) -> None:
        self.selectionIdsChanged.emit(self.selected_ids())

    # --- link and group geometry during drags ---------------------------------------------
    def component_item_moved(self, item: ComponentItem) -> None:
        for lid in self._links_of.get(item.cid, ()):
            self._links[lid].update_geometry()

    def group_item_moved(self, group: GroupItem) -> None:
        """Dragging a group's title drags its members with it."""
        if self._dragging_group is not group or group.isSelected() is False:
            return
        delta = group.pos() - self._group_drag_last
        self._group_drag_last = QPointF(group.pos())
        if delta.isNull():
            return
        snap, self.snap_enabled = self.snap_enabled, False
        for m in group.members:
            it = self._components.get(m)
            if it is not None and not it.isSelected():
                it.setPos(it.pos() + delta)
        self.snap_enabled = snap

    # --- mouse gestures -------------------------------------------------------------------
    def _component_at(self, pos: QPointF, exclude=None) -> ComponentItem | None:
        for it in self.items(pos, Qt.ItemSelectionMode.IntersectsItemShape,
                             Qt.SortOrder.DescendingOrder, QTransform()):
            if isinstance(it, ComponentItem) and it is not exclude:
                return it
        return None

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            item = self._component_at(event.scenePos())
            if item is not None and item.over_port(item.mapFromScene(event.scenePos())):
                self._start_connect(item, event.scenePos())
                event.accept()
                return
            self._frozen_rects = {gid: g.scene_rect() for gid, g in self._groups.items()}
            top = self.itemAt(event.scenePos(), QTransform())
            self._dragging_group = top if isinstance(top, GroupItem) else None
            if self._dragging_group is not None:
                self._group_drag_last = QPointF(top.pos())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._connect_from is not None:
            self._update_connect(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)
        if event.buttons() & Qt.MouseButton.LeftButton and self._frozen_rects is not None:
            self._highlight_drop_groups()

    def mouseReleaseEvent(self, event):
        if self._connect_from is not None and event.button() == Qt.MouseButton.LeftButton:
            self._finish_connect(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.commit_moves()

    def _status(self, text: str) -> None:
        """Say it in the status bar: a QStatusTipEvent travels up to the main window."""
        self.statusMessage.emit(text)
        for view in self.views():
            QApplication.sendEvent(view, QStatusTipEvent(text))

    def _moved_groups(self) -> set[str]:
        return {gid for gid, g in self._groups.items() if not g.pos().isNull()}

    def _highlight_drop_groups(self) -> None:
        moving = [it for it in self.selectedItems() if isinstance(it, ComponentItem)]
        if not moving or len(moving) > 50:
            return
        hot = set()
        for it in moving:
            hot |= set(self._groups_containing(it.scene_box().center(), self._frozen_rects))
        for gid, g in self._groups.items():
            g.set_highlight(gid in hot and not g.isSelected())

    def _groups_containing(self, p: QPointF, rects: dict[str, QRectF]) -> list[str]:
        return [gid for gid, r in rects.items() if r.contains(p)]

    def commit_moves(self) -> None:
        """After a drag: one Move command for every component whose item left its place, with
        the zone/region membership its drop implies."""
        frozen = self._frozen_rects or {gid: g.scene_rect() for gid, g in self._groups.items()}
        self._frozen_rects = None
        self._dragging_group = None
        for g in self._groups.values():
            g.set_highlight(False)
        design = self.document.design
        moves = {}
        for c in design.components:
            item = self._components.get(c.id)
            if item is not None and (item.pos().x(), item.pos().y()) != (c.x, c.y):
                moves[c.id] = (item.pos().x(), item.pos().y())
        moved_groups = self._moved_groups()
        if not moves:
            for gid in moved_groups:  # an empty group dragged: presentation only
                self._last_group_rects[gid] = self._groups[gid].scene_rect()
            self._sync_groups()
            return
        members = self._membership_after(moves, frozen, moved_groups)
        self.document.move_components(moves, members)
        self._sync_groups()

    def _membership_after(self, moves, frozen, moved_groups) -> dict[str, list[str]]:
        design = self.document.design
        kinds = {c.id: c.kind for c in design.components}
        by_kind = {k: [g for g in design.groups if g.kind == k] for k in GROUP_KINDS}
        wanted: dict[str, list[str]] = {}
        for cid, (x, y) in moves.items():
            if kinds.get(cid) == "client":
                continue
            centre = QPointF(x + BOX_W / 2, y + BOX_H / 2)
            for kind in GROUP_KINDS:
                groups = by_kind[kind]
                current = next((g for g in groups if cid in g.members), None)
                if current is not None and (current.id in moved_groups
                                            or all(m in moves for m in current.members)):
                    continue
                inside = [g for g in groups if g.id in frozen and frozen[g.id].contains(centre)]
                if current is not None and current in inside:
                    continue
                if inside:
                    target = min(inside, key=lambda g: frozen[g.id].width() * frozen[g.id].height())
                    wanted.setdefault(target.id, list(target.members)).append(cid)
                if current is not None:
                    mem = wanted.setdefault(current.id, list(current.members))
                    if cid in mem:
                        mem.remove(cid)
        return wanted

    # --- drops, keys and clipboard -------------------------------------------------------
    def drop_kind(self, kind: str, pos: QPointF) -> str:
        """A palette drop: a component centred on ``pos`` (snapped), inside the zone/region
        boxes under it, in one undo step."""
        if kind in GROUP_KINDS:
            tl = self.snap_point(pos - QPointF(120, 80))
            return self.document.add_group(kind, "", [], (tl.x(), tl.y(), 240.0, 160.0))
        tl = self.snap_point(pos - QPointF(BOX_W / 2, BOX_H / 2))
        rects = {gid: g.scene_rect() for gid, g in self._groups.items()}
        inside = self._groups_containing(tl + QPointF(BOX_W / 2, BOX_H / 2), rects)
        stack = self.document.undo_stack
        if inside and kind != "client":
            stack.beginMacro(f"Add {kind} into group")
        try:
            cid = self.document.add_component(kind, tl.x(), tl.y())
            if inside and kind != "client":
                chosen = {}
                for gid in inside:
                    g = self.document.design.group(gid)
                    best = chosen.get(g.kind)
                    if best is None or (rects[gid].width() * rects[gid].height() <
                                        rects[best].width() * rects[best].height()):
                        chosen[g.kind] = gid
                for gid in chosen.values():
                    g = self.document.design.group(gid)
                    self.document.set_group_members(gid, list(g.members) + [cid])
        finally:
            if inside and kind != "client":
                stack.endMacro()
        self.select_ids([cid])
        return cid

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.document.remove_items(ids)

    def select_all(self) -> None:
        self.select_ids(list(self._components) + list(self._links))

    def nudge(self, dx: float, dy: float) -> None:
        """Move the selection by (dx, dy): one undo step per key press."""
        design = self.document.design
        sel = set(self.selected_ids())
        for gid in list(sel):
            if gid in self._groups:
                sel |= set(design.group(gid).members)
        moves = {c.id: (c.x + dx, c.y + dy) for c in design.components if c.id in sel}
        if moves:
            self.document.move_components(moves)

    def copy_selected(self) -> bool:
        frag = clipboard.fragment_from(self.document.design, self.selected_ids())
        if not frag["components"]:
            return False
        clipboard.put(frag)
        return True

    def cut_selected(self) -> None:
        if self.copy_selected():
            self.delete_selected()

    def paste(self) -> list[str]:
        frag = clipboard.get()
        if not frag:
            return []
        return self._paste_fragment(frag)

    def _paste_fragment(self, frag: dict) -> list[str]:
        """Paste with fresh names, where the copy covers nothing; select what came in."""
        frag, offset = clipboard.prepared(frag, self.document.design)
        ids = self.document.paste(frag, offset)
        self.select_ids(ids)
        return ids

    def duplicate_selected(self) -> list[str]:
        frag = clipboard.fragment_from(self.document.design, self.selected_ids())
        if not frag["components"]:
            return []
        return self._paste_fragment(frag)

    def group_selected(self, kind: str) -> str | None:
        members = [i for i in self.selected_ids() if i in self._components]
        if not members:
            self._status(f"Select the components to put in a {kind} first.")
            return None
        gid = self.document.add_group(kind, "", members)
        self.select_ids([gid])
        return gid

    def contextMenuEvent(self, event):
        from designer.canvas.menus import show_context_menu

        show_context_menu(self, event)

    # --- the analysis overlay ------------------------------------------------------------
    def set_analysis(self, analysis: AnalysisResult | None, problems: list) -> None:
        """Paint the instant analysis and the validation problems (simcore.problems.Problem)
        on the items; None clears the figures."""
        self._analysis, self._problems = analysis, list(problems or [])
        by_where: dict[str, list[str]] = {}
        for p in self._problems:
            where = getattr(p, "where", None)
            if where:
                by_where.setdefault(where, []).append(getattr(p, "message", str(p)))
        comps = analysis.components if analysis is not None else {}
        groups = analysis.groups if analysis is not None else {}
        spofs = set(analysis.spofs) if analysis is not None else set()
        risks = analysis.capacity_risk_detail if analysis is not None else {}
        bottleneck = analysis.bottleneck if analysis is not None else None
        for cid, item in self._components.items():
            f = comps.get(cid)
            util = f.utilization if f is not None and item.kind != "client" else None
            item.set_overlay(ov.ItemOverlay(
                utilization=util, spof=cid in spofs,
                failure_impact=f.failure_impact if f is not None else None,
                bottleneck=cid == bottleneck, capacity_risk=risks.get(cid),
                problems=by_where.get(cid, []), figures=f))
        for lid, item in self._links.items():
            item.set_problems(by_where.get(lid, []))
        for gid, item in self._groups.items():
            g = groups.get(gid)
            item.set_overlay(gid in spofs, g.failure_impact if g is not None else None,
                             by_where.get(gid, []))

    def set_warnings(self, warnings: list) -> None:
        """Paint the design's warnings (simcore.lint, Problems on links) on their links."""
        by_link: dict[str, list[str]] = {}
        for w in warnings:
            by_link.setdefault(w.where, []).append(w.message)
        for lid, item in self._links.items():
            item.set_warnings(by_link.get(lid, []))

    # --- background ----------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, QColor("#fbfcfe"))
        scale = painter.worldTransform().m11() or 1.0
        g = self.grid
        step = g
        while step * scale < 8:
            step *= 5
        major = step * 5
        for spacing, colour in ((step, "#eef1f6"), (major, "#dde2ea")):
            if spacing * scale < 8:
                continue
            left = int(rect.left() // spacing) * spacing
            top = int(rect.top() // spacing) * spacing
            lines = []
            x = left
            while x < rect.right():
                lines.append(QLineF(x, rect.top(), x, rect.bottom()))
                x += spacing
            y = top
            while y < rect.bottom():
                lines.append(QLineF(rect.left(), y, rect.right(), y))
                y += spacing
            pen = QPen(QColor(colour), 0)
            painter.setPen(pen)
            painter.drawLines(lines)
        if self.low_detail:  # zoomed out, the items' pictures are drawn here in one go
            self.draw_low_detail(painter)
