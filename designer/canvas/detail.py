"""Level of detail of the canvas. Zoomed out, a frame of a large design must not cost a Python
call per item: the scene then draws every link as one path and every component from a small
cached picture in its background, and the items themselves paint nothing (they still take
clicks, hovers and tooltips). An item that looks different from its picture (selected,
hovered, a drop target) paints itself on top. At normal zoom the components are cached per
device, so a pan only copies pixels. Exports paint everything afresh."""

from __future__ import annotations

import contextlib
import math

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.canvas import overlay as ov
from designer.canvas.items import (
    LINK_PEN,
    ZOOMED_OUT_ARROW_PX,
    ComponentItem,
    GroupItem,
    arrow_head,
    zoomed_out_pen,
)

NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
# Pictures are drawn at this scale: the zoom below which the canvas is in low detail, so a
# picture is never enlarged on screen.
PICTURE_SCALE = 0.5
_LINK_COLOURS = (LINK_PEN, ov.PROBLEM_RED, ov.WARNING_AMBER)
# Up to this many pixels (4 bytes each) the components are drawn from one sheet holding all
# their pictures: one pixmap copy a frame instead of one per component. A larger design
# draws the pictures one by one.
SHEET_PIXELS = 8_000_000


def _drawn_by_item(item) -> bool:
    """Whether the item must paint itself even in low detail (its picture would be wrong)."""
    if item.isSelected():
        return True
    if isinstance(item, ComponentItem):
        return item._hover or bool(item._drop_target)
    if isinstance(item, GroupItem):
        return item._highlight
    return False


def _picture(item: ComponentItem, scale: float) -> QPixmap:
    """The component as it looks unselected, at ``scale``; kept until the item changes."""
    cached = item.lod_picture
    if cached is not None and cached[0] == scale:
        return cached[1]
    b = item.boundingRect()
    pm = QPixmap(max(1, math.ceil(b.width() * scale)), max(1, math.ceil(b.height() * scale)))
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                     | QPainter.RenderHint.SmoothPixmapTransform)
    p.scale(scale, scale)
    p.translate(-b.topLeft())
    item.paint(p, QStyleOptionGraphicsItem())
    p.end()
    item.lod_picture = (scale, pm)
    return pm


class DetailMixin:
    """For DesignScene: needs ``self._components`` (id → ComponentItem), ``self._links`` and
    ``self._groups``; its drawBackground calls :meth:`draw_low_detail`."""

    low_detail = False
    _lod_plan = None  # the groups and links draw_low_detail draws; None = to be rebuilt
    _lod_sheet = None  # the components it draws; None = to be rebuilt
    _lod_in_sheet: frozenset = frozenset()  # the components in _lod_sheet

    def set_low_detail(self, on: bool) -> None:
        if on == self.low_detail:
            return
        self.low_detail = on
        for item in self._components.values():
            self._apply_detail(item)
        self._apply_contents()
        self.update()

    def _apply_contents(self) -> None:
        """Items paint nothing in low detail unless they must show a state of their own."""
        self._lod_plan = self._lod_sheet = None
        for items in (self._components, self._links, self._groups):
            for item in items.values():
                item.setFlag(NO_CONTENTS, self.low_detail and not _drawn_by_item(item))

    def clear(self) -> None:
        self._lod_plan = self._lod_sheet = None
        super().clear()

    def lod_changed(self, item, state_only: bool = False) -> None:
        """An item's look, place or state changed: its part of the background is redrawn.
        Called before and after a move so both places are repainted. ``state_only``: only
        its selection, hover or drop-target state changed; it then paints itself over its
        unchanged picture (same place, same size), which may stay in the sheet."""
        if not self.low_detail:
            return
        own = _drawn_by_item(item)
        if not isinstance(item, ComponentItem):
            self._lod_plan = None
        else:
            in_sheet = item in self._lod_in_sheet
            if (in_sheet and not state_only) or (not own and not in_sheet):
                # (a selected box being dragged is in no sheet: the sheet stays as it is)
                self._lod_sheet = None
            if own and item.flags() & NO_CONTENTS:
                # Qt keeps an item's cached picture through edits while it paints nothing:
                # drop it, or a box selected after the analysis shows its old colours
                item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
                self._apply_detail(item)
        item.setFlag(NO_CONTENTS, not own)
        self.update(item.sceneBoundingRect())

    @contextlib.contextmanager
    def building(self):
        """Many items added at once (a design opened): each is told its detail once, at the
        end, not on every step of its construction."""
        low, self.low_detail = self.low_detail, False
        try:
            yield
        finally:
            self.low_detail = low
            if low:
                for item in self._components.values():
                    self._apply_detail(item)
                self._apply_contents()
                self.update()

    @contextlib.contextmanager
    def uncached(self):
        """Paint every item afresh and in full detail (exports: vectors in SVG and PDF, full
        resolution in PNG, whatever the zoom on screen)."""
        low, self.low_detail = self.low_detail, False
        items = list(self._components.values())
        for item in items:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        self._apply_contents()
        try:
            yield
        finally:
            self.low_detail = low
            for item in items:
                self._apply_detail(item)
            self._apply_contents()

    def _apply_detail(self, item) -> None:
        if not isinstance(item, ComponentItem):
            return
        if self.low_detail:
            # A picture the item's own size: a smaller one is drawn at its pixel size, not
            # scaled up, so boxes shrank into their corners and links stopped short of them.
            r = item.boundingRect()
            item.setCacheMode(QGraphicsItem.CacheMode.ItemCoordinateCache,
                              QSize(int(r.width()), int(r.height())))
        else:  # a pan only copies the pictures; a zoom redraws them once
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    # --- the low-detail background -------------------------------------------------------
    def _build_plan(self, zoom: float):
        """Groups, and the links as one path of lines and one of arrowheads per colour (the
        heads keep their size on screen: at ``zoom`` they are drawn this large)."""
        groups = sorted((g for g in self._groups.values() if not _drawn_by_item(g)),
                        key=lambda g: g.zValue())
        lines = tuple(QPainterPath() for _ in _LINK_COLOURS)
        heads = tuple(QPainterPath() for _ in _LINK_COLOURS)
        head = ZOOMED_OUT_ARROW_PX / zoom
        for link in self._links.values():
            if link.isSelected():
                continue
            line = link.line()
            i = _LINK_COLOURS.index(link.colour())
            lines[i].moveTo(line.p1())
            lines[i].lineTo(line.p2())
            if line.length() >= 1:
                heads[i].addPolygon(arrow_head(line, head))
                heads[i].closeSubpath()
        return zoom, groups, lines, heads

    def _build_sheet(self, scale: float):
        """(scale, [(scene rect, pixmap, source rect)]): one sheet, or a picture per item."""
        pictures, members, extent = [], [], QRectF()
        for item in self._components.values():
            if _drawn_by_item(item):
                continue
            pm = _picture(item, scale)
            target = item.boundingRect().translated(item.pos())
            pictures.append((target, pm, QRectF(pm.rect())))
            members.append(item)
            extent = extent.united(target)
        self._lod_in_sheet = frozenset(members)
        w, h = math.ceil(extent.width() * scale), math.ceil(extent.height() * scale)
        if len(pictures) < 2 or w * h > SHEET_PIXELS:
            return scale, pictures
        sheet = QPixmap(w, h)
        sheet.fill(Qt.GlobalColor.transparent)
        p = QPainter(sheet)
        for target, pm, _source in pictures:  # pictures are at the sheet's scale: plain copies
            p.drawPixmap(QPointF((target.x() - extent.x()) * scale,
                                 (target.y() - extent.y()) * scale), pm)
        p.end()
        return scale, [(QRectF(extent.topLeft(), QSizeF(w / scale, h / scale)), sheet,
                        QRectF(sheet.rect()))]

    def draw_low_detail(self, painter: QPainter) -> None:
        """Groups, links and components in stacking order, without a Python call per item."""
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        scale = PICTURE_SCALE * ratio
        zoom = painter.worldTransform().m11() or 1.0
        if self._lod_plan is None or self._lod_plan[0] != zoom:
            self._lod_plan = self._build_plan(zoom)
        if self._lod_sheet is None or self._lod_sheet[0] != scale:
            self._lod_sheet = self._build_sheet(scale)
        _zoom, groups, lines, heads = self._lod_plan
        pictures = self._lod_sheet[1]
        option = QStyleOptionGraphicsItem()
        for g in groups:
            painter.save()
            painter.translate(g.pos())
            g.paint(painter, option)
            painter.restore()
        for line_path, head_path, colour in zip(lines, heads, _LINK_COLOURS):
            if not line_path.isEmpty():
                painter.setPen(zoomed_out_pen(colour))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(line_path)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawPath(head_path)
        for target, pm, source in pictures:
            painter.drawPixmap(target, pm, source)
