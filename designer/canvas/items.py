"""The canvas items: components, links and zone/region boxes. Items are views of the Design:
they hold a copy of what they draw and are updated by the scene from document signals."""

from __future__ import annotations

import math
from html import escape

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyle

from designer.canvas import overlay as ov
from designer.icons import kind_pixmap
from simcore.components import KINDS
from simcore.text import elide

TIP_CHARS = 80
"""Names and ids in tooltips are cut to this many characters (the box itself elides to fit)."""

CONNECT_HINT = "Drag from this dot to another component to connect them"
BOX_W = 160.0
BOX_H = 60.0
PORT_R = 6.0
PORT_HIT = 11.0
"""Radius of the round area around the dot where a press starts a connection (scene px)."""
ICON = 32

Z_GROUP = 0
Z_LINK = 1
Z_COMPONENT = 2
Z_DRAG = 3

SELECT_BLUE = QColor("#2563eb")
BORDER = QColor("#94a3b8")
TEXT = QColor("#0f172a")
MUTED = QColor("#64748b")
LINK_PEN = QColor("#475569")

_fonts: dict[str, QFont] = {}


def font(role: str) -> QFont:
    """Shared fonts (made once, after the application exists)."""
    f = _fonts.get(role)
    if f is None:
        f = QFont()
        if role == "name":
            f.setPointSizeF(9.0)
            f.setBold(True)
        elif role == "kind":
            f.setPointSizeF(8)
        elif role == "tag":
            f.setPointSizeF(7)
            f.setBold(True)
        elif role == "link":
            f.setPointSizeF(7.5)
        elif role == "title":
            f.setPointSizeF(8.5)
            f.setBold(True)
        _fonts[role] = f
    return f


# itemChange runs a few dozen times per item while a design opens: names looked up once
_POSITION_CHANGE = QGraphicsItem.GraphicsItemChange.ItemPositionChange
_POSITION_CHANGED = QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged
_SELECTED_CHANGED = QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged
_SCENE_CHANGE = QGraphicsItem.GraphicsItemChange.ItemSceneChange
# selected, added or removed: the zoomed-out background is redrawn
_LOD_CHANGES = frozenset((_SELECTED_CHANGED, _SCENE_CHANGE,
                          QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged))


def _lod_changed(item, state_only: bool = False) -> None:
    """Tell the scene an item's look, place or state changed (its zoomed-out picture);
    ``state_only``: only its selection, hover or drop-target state."""
    scene = item.scene()
    if scene is not None and getattr(scene, "low_detail", False):
        scene.lod_changed(item, state_only)


def _lod_item_change(item, change) -> None:
    _lod_changed(item, change == _SELECTED_CHANGED)
    if change == _SCENE_CHANGE:
        # an item leaving a zoomed-out scene paints itself again wherever it goes next
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, False)


def _movable_item_change(item, change, value, moved):
    """What a box and a group do on an item change: snap a new position to the grid, tell the
    scene it moved (``moved(scene)`` is the scene's handler), keep the zoomed-out picture up to
    date. Returns the snapped position, or None when Qt's own handling should follow."""
    scene = item.scene()
    if change == _POSITION_CHANGE and scene is not None:
        _lod_changed(item)  # the place it leaves
        return scene.snap_point(value)
    if change == _POSITION_CHANGED and scene:
        _lod_changed(item)
        moved(scene)(item)
    elif change in _LOD_CHANGES:
        _lod_item_change(item, change)
    return None


def _badge(painter: QPainter, centre: QPointF, colour: QColor, radius: float = 8) -> None:
    """A round "!" badge: a problem (red) or a warning (amber)."""
    painter.setPen(QPen(Qt.GlobalColor.white, 1.5))
    painter.setBrush(colour)
    painter.drawEllipse(centre, radius, radius)
    painter.setFont(font("tag"))
    painter.drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
                     Qt.AlignmentFlag.AlignCenter, "!")


def _tag(painter: QPainter, at: QPointF, text: str, colour: QColor) -> None:
    """A small filled label whose bottom-left corner is ``at``."""
    fm = QFontMetricsF(font("tag"))
    w, h = fm.horizontalAdvance(text) + 8, fm.height() + 2
    r = QRectF(at.x(), at.y() - h, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(r, 3, 3)
    painter.setPen(Qt.GlobalColor.white)
    painter.setFont(font("tag"))
    painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)


class ComponentItem(QGraphicsItem):
    """A component: icon, name and kind; with the analysis, a utilisation colour and bar, a red
    outline for a SPOF, a bottleneck tag and a problem badge. Its position is the component's
    top-left corner (x, y); a port at the right edge starts a connection."""

    def __init__(self, cid: str, kind: str, name: str):
        super().__init__()
        self.cid = cid
        self.kind = kind
        self.name = name
        self.overlay = ov.ItemOverlay()
        self.lod_picture = None  # (scale, QPixmap) drawn by the scene when zoomed out
        self._brush = QBrush(ov.FILL_NONE)
        self._hover = False
        self._drop_target = 0  # 1 = a link may end here, -1 = refused
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(Z_COMPONENT)
        self._update_tooltip()

    # --- data ------------------------------------------------------------------------------
    def set_data(self, kind: str, name: str) -> None:
        if (kind, name) != (self.kind, self.name):
            self.kind, self.name = kind, name
            self._update_tooltip()
            self.lod_picture = None
            _lod_changed(self)
            self.update()

    def set_overlay(self, overlay: ov.ItemOverlay) -> None:
        self.overlay = overlay
        self._brush = QBrush(ov.fill_colour(overlay.utilization))
        self._update_tooltip()
        self.lod_picture = None
        _lod_changed(self)
        self.update()

    def brush(self) -> QBrush:
        """The box's fill (its utilisation colour when the analysis ran)."""
        return self._brush

    def set_drop_target(self, state: int) -> None:
        if state != self._drop_target:
            self._drop_target = state
            _lod_changed(self, state_only=True)
            self.update()

    def _update_tooltip(self) -> None:
        spec = KINDS.get(self.kind)
        label = spec.label if spec else self.kind
        title = (f"<b>{escape(elide(self.name, TIP_CHARS))}</b> — {escape(label)} "
                 f"<i>({escape(elide(self.cid, TIP_CHARS))})</i>")
        lines = [title]
        lines += [escape(s) for s in ov.tooltip_lines(self.overlay)]
        if self.kind != "client" and spec is not None and not spec.terminal:
            lines.append("<span style='color:#64748b'>Drag from the dot on the right edge "
                         "to connect.</span>")
        self.setToolTip("<br>".join(lines))

    # --- geometry --------------------------------------------------------------------------
    def box(self) -> QRectF:
        return QRectF(0, 0, BOX_W, BOX_H)

    def port_centre(self) -> QPointF:
        return QPointF(BOX_W, BOX_H / 2)

    def has_port(self) -> bool:
        spec = KINDS.get(self.kind)
        return spec is None or not spec.terminal

    def over_port(self, local: QPointF) -> bool:
        if not self.has_port():
            return False
        d = local - self.port_centre()
        return math.hypot(d.x(), d.y()) <= PORT_HIT

    def scene_box(self) -> QRectF:
        return self.box().translated(self.pos())

    _BOUNDS = QRectF(-6, -18, BOX_W + PORT_HIT + 12, BOX_H + 24)

    def boundingRect(self) -> QRectF:
        return self._BOUNDS

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.box(), 8, 8)
        if self.has_port():
            # Winding fill: with the default odd-even rule the half of the dot inside the box
            # was a hole, and a press there started a rubber band instead of a connection.
            path.setFillRule(Qt.FillRule.WindingFill)
            path.addEllipse(self.port_centre(), PORT_HIT, PORT_HIT)
        return path

    def itemChange(self, change, value):
        snapped = _movable_item_change(self, change, value, lambda scene: scene.component_item_moved)
        return snapped if snapped is not None else super().itemChange(change, value)

    # --- hover -----------------------------------------------------------------------------
    def hoverEnterEvent(self, event):
        self._hover = True
        _lod_changed(self, state_only=True)
        self.update()
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event):
        on_port = self.over_port(event.pos())
        self.setCursor(Qt.CursorShape.CrossCursor if on_port else Qt.CursorShape.ArrowCursor)
        if on_port != getattr(self, "_hint_on_port", None):
            # Say once per change what a drag from here does: connecting is not obvious.
            self._hint_on_port = on_port
            scene = self.scene()
            if scene is not None:
                scene._status(CONNECT_HINT if on_port else self._move_hint())
        super().hoverMoveEvent(event)

    def _move_hint(self) -> str:
        parts = ["Drag to move"]
        if self.has_port():
            parts.append("drag from the dot on the right edge to connect")
        if self.kind != "client":
            parts.append("right-click to fail it during a run")
        return "; ".join(parts)

    def hoverLeaveEvent(self, event):
        self._hover = False
        self._hint_on_port = None
        self.unsetCursor()
        _lod_changed(self, state_only=True)
        self.update()
        super().hoverLeaveEvent(event)

    # --- painting --------------------------------------------------------------------------
    def paint(self, painter: QPainter, option, widget=None) -> None:
        o = self.overlay
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = self.box()
        if selected:
            pen = QPen(SELECT_BLUE, 2.2)
        elif self._drop_target:
            pen = QPen(ov.BAR_GREEN if self._drop_target > 0 else ov.BAR_RED, 2.5)
        elif o.spof:
            pen = QPen(ov.SPOF_RED, 2.5)
        elif o.capacity_risk:
            pen = QPen(ov.CAPACITY_AMBER, 2.5, Qt.PenStyle.DashLine)
        else:
            pen = QPen(BORDER, 1.0)
        painter.setPen(pen)
        painter.setBrush(self._brush)
        painter.drawRoundedRect(box, 8, 8)
        if o.spof and selected:  # keep the SPOF visible on a selected item
            painter.setPen(QPen(ov.SPOF_RED, 1.2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(3, 3, -3, -3), 6, 6)

        painter.drawPixmap(QRectF(10, (BOX_H - ICON) / 2 - 2, ICON, ICON),
                           kind_pixmap(self.kind, ICON), QRectF(0, 0, ICON, ICON))
        text_x = 10 + ICON + 8
        text_w = BOX_W - text_x - 8
        painter.setPen(TEXT)
        painter.setFont(font("name"))
        fm = QFontMetricsF(font("name"))
        painter.drawText(QRectF(text_x, 9, text_w, fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(self.name, Qt.TextElideMode.ElideRight, text_w))
        spec = KINDS.get(self.kind)
        kind_text = spec.label if spec else self.kind
        painter.setFont(font("kind"))
        fk = QFontMetricsF(font("kind"))
        line = QRectF(text_x, 9 + fm.height(), text_w, fk.height())
        kind_w = text_w
        if o.utilization is not None:  # the figure keeps its place; the kind gives way
            pct = f"{100 * o.utilization:.0f}%"
            painter.setPen(ov.bar_colour(o.utilization).darker(130))
            painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             pct)
            kind_w = text_w - fk.horizontalAdvance(pct) - 6
        painter.setPen(MUTED)
        painter.drawText(QRectF(line.x(), line.y(), kind_w, line.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fk.elidedText(kind_text, Qt.TextElideMode.ElideRight, kind_w))
        if o.utilization is not None:
            bar = QRectF(text_x, BOX_H - 12, text_w, 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e2e8f0"))
            painter.drawRoundedRect(bar, 2, 2)
            painter.setBrush(ov.bar_colour(o.utilization))
            filled = QRectF(bar.x(), bar.y(), bar.width() * max(0.0, min(1.0, o.utilization)),
                            bar.height())
            painter.drawRoundedRect(filled, 2, 2)
        if o.bottleneck:
            _tag(painter, QPointF(0, -2), "BOTTLENECK", ov.BOTTLENECK)
        badge = ("SPOF", ov.SPOF_RED) if o.spof else (
            ("N+1 RISK", ov.CAPACITY_AMBER) if o.capacity_risk else None)
        if badge:
            fm_t = QFontMetricsF(font("tag"))
            _tag(painter, QPointF(BOX_W - fm_t.horizontalAdvance(badge[0]) - 8 -
                                  (14 if o.problems else 0), -2), badge[0], badge[1])
        if o.problems:
            _badge(painter, QPointF(BOX_W - 2, 2), ov.PROBLEM_RED)
        if self.has_port() and (self._hover or selected):
            c = self.port_centre()
            painter.setPen(QPen(Qt.GlobalColor.white, 1.5))
            painter.setBrush(SELECT_BLUE)
            painter.drawEllipse(c, PORT_R, PORT_R)


def _clip_to_box(centre: QPointF, towards: QPointF, box: QRectF) -> QPointF:
    """Where the segment centre → towards leaves ``box`` (centre is the box's centre)."""
    dx, dy = towards.x() - centre.x(), towards.y() - centre.y()
    if dx == 0 and dy == 0:
        return centre
    hw, hh = box.width() / 2, box.height() / 2
    tx = hw / abs(dx) if dx else math.inf
    ty = hh / abs(dy) if dy else math.inf
    t = min(tx, ty)
    return QPointF(centre.x() + dx * t, centre.y() + dy * t)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def link_label(params: dict) -> str:
    """The short text on a link: what the user set of latency, weight, probability, mode."""
    parts = []
    # a file opened to be fixed may hold anything there: only numbers are drawn
    if _is_number(params.get("latency_ms")):
        parts.append(f"{params['latency_ms']:g} ms")
    if _is_number(params.get("weight")):
        parts.append(f"w {params['weight']:g}")
    if _is_number(params.get("probability")):
        parts.append(f"p {params['probability']:g}")
    if params.get("mode") == "async":
        parts.append("async")
    if params.get("circuit_breaker") is not None:
        parts.append("CB")
    return " · ".join(parts)


ZOOMED_OUT_LINK_PX = 1.5
"""Least width of a link on screen, however far the canvas is zoomed out."""
ZOOMED_OUT_ARROW_PX = 7.0
"""Length of an arrowhead on screen when zoomed out (it would shrink to nothing)."""


def zoomed_out_pen(colour: QColor) -> QPen:
    """A link's pen at low zoom: a fixed width in screen pixels (cosmetic), not a hairline."""
    pen = QPen(colour, ZOOMED_OUT_LINK_PX)
    pen.setCosmetic(True)
    return pen


def arrow_head(line: QLineF, length: float) -> QPolygonF:
    """The filled triangle at the end of ``line``, ``length`` long (scene units)."""
    unit = QPointF(line.dx() / line.length(), line.dy() / line.length())
    normal = QPointF(-unit.y(), unit.x())
    tip = line.p2()
    base = tip - unit * length
    return QPolygonF([tip, base + normal * length * 0.45, base - normal * length * 0.45])


class LinkItem(QGraphicsItem):
    """An arrow from one component's box to another's, with a small label of its settings."""

    ARROW = 10.0

    def __init__(self, lid: str, source: ComponentItem, target: ComponentItem, params: dict):
        super().__init__()
        self.lid = lid
        self.source = source
        self.target = target
        self.params = dict(params)
        self.label = ""
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self._line = QLineF()
        self._label_rect = QRectF()
        self._path = QPainterPath()
        self._bounds = QRectF()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(Z_LINK)
        self.set_params(params)

    def set_params(self, params: dict) -> None:
        self.params = dict(params)
        self.label = link_label(self.params)
        self._update_tooltip()
        self.update_geometry()

    def set_problems(self, problems: list[str]) -> None:
        self._set_notes("problems", problems)

    def set_warnings(self, warnings: list[str]) -> None:
        self._set_notes("warnings", warnings)

    def _set_notes(self, which: str, texts: list[str]) -> None:
        if texts != getattr(self, which):
            setattr(self, which, texts)
            self._update_tooltip()
            _lod_changed(self)
            self.update()

    def colour(self) -> QColor:
        """Red with a problem, amber with a warning, else the plain link colour."""
        if self.problems:
            return ov.PROBLEM_RED
        return ov.WARNING_AMBER if self.warnings else LINK_PEN

    def _update_tooltip(self) -> None:
        text = (f"<b>{escape(elide(self.source.name, TIP_CHARS))} → "
                f"{escape(elide(self.target.name, TIP_CHARS))}</b> "
                f"<i>({escape(elide(self.lid, TIP_CHARS))})</i>")
        if self.label:
            text += f"<br>{escape(self.label)}"
        for p in self.problems:
            text += f"<br>Problem: {escape(p)}"
        for w in self.warnings:
            text += f"<br>Warning: {escape(w)} (right-click for the fix)"
        self.setToolTip(text)

    def line(self) -> QLineF:
        """From where the arrow leaves its source's box to where it enters its target's."""
        return QLineF(self._line)

    def itemChange(self, change, value):
        if change in _LOD_CHANGES:
            _lod_item_change(self, change)
        return super().itemChange(change, value)

    def update_geometry(self) -> None:
        _lod_changed(self)  # the place it leaves
        self.prepareGeometryChange()
        sb, tb = self.source.scene_box(), self.target.scene_box()
        a = _clip_to_box(sb.center(), tb.center(), sb)
        b = _clip_to_box(tb.center(), sb.center(), tb)
        self._line = QLineF(a, b)
        path = QPainterPath(a)
        path.lineTo(b)
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        self._path = stroker.createStroke(path)
        if self.label:
            fm = QFontMetricsF(font("link"))
            w, h = fm.horizontalAdvance(self.label) + 8, fm.height() + 2
            mid = self._line.pointAt(0.5)
            self._label_rect = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)
            self._path.addRect(self._label_rect)
        else:
            self._label_rect = QRectF()
        pad = 2 * self.ARROW
        self._bounds = self._path.boundingRect().adjusted(-pad, -pad, pad, pad)
        _lod_changed(self)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        scene = self.scene()
        if scene is not None and scene.low_detail:  # zoomed out: a thin line, no label
            colour = SELECT_BLUE if self.isSelected() else self.colour()
            scale = painter.worldTransform().m11() or 1.0
            painter.setPen(zoomed_out_pen(colour))
            painter.setBrush(colour)
            painter.drawLine(self._line)
            if self._line.length() >= 1:
                # (within the item's bounds, which leave room for a head twice the usual)
                painter.drawPolygon(arrow_head(
                    self._line, min(ZOOMED_OUT_ARROW_PX / scale, 2 * self.ARROW)))
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour = SELECT_BLUE if selected else self.colour()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(colour, 2.2 if selected else 1.4)
        if self.params.get("mode") == "async":
            pen.setStyle(Qt.PenStyle.DashLine)
        line = self._line
        if line.length() < 1:
            return
        # stop the shaft at the arrow's base so the tip stays sharp
        unit = QPointF(line.dx() / line.length(), line.dy() / line.length())
        shaft_end = line.p2() - unit * self.ARROW * 0.8
        painter.setPen(pen)
        painter.drawLine(QLineF(line.p1(), shaft_end))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(arrow_head(line, self.ARROW))
        if self.label:
            painter.setPen(QPen(colour.lighter(150) if not selected else colour, 0.8))
            painter.setBrush(QColor("#ffffff"))
            painter.drawRoundedRect(self._label_rect, 3, 3)
            painter.setPen(colour if selected or self.problems or self.warnings else MUTED)
            painter.setFont(font("link"))
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)
        if self.warnings:  # an amber "!" a little before the arrowhead
            _badge(painter, line.pointAt(max(0.0, 1 - 28 / line.length())), ov.WARNING_AMBER)


GROUP_COLOURS = {"zone": QColor("#2563eb"), "region": QColor("#7c3aed")}
GROUP_MARGIN = {"zone": 20.0, "region": 40.0}
TITLE_H = 22.0


class GroupItem(QGraphicsItem):
    """A zone or region: a dashed rounded box around its members with a title bar. Only the
    title bar and the border take clicks, so a rubber band can start inside the box. Dragging
    the title moves the members."""

    def __init__(self, gid: str, kind: str, name: str):
        super().__init__()
        self.gid = gid
        self.kind = kind
        self.name = name
        self.members: list[str] = []
        self.problems: list[str] = []
        self.failure_impact: float | None = None
        self.spof = False
        self._rect = QRectF(0, 0, 240, 160)
        self._highlight = False
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(Z_GROUP if kind == "zone" else Z_GROUP - 0.5)
        self._update_tooltip()

    def set_data(self, kind: str, name: str, members: list[str]) -> None:
        self.kind, self.name, self.members = kind, name, list(members)
        self.setZValue(Z_GROUP if kind == "zone" else Z_GROUP - 0.5)
        self._update_tooltip()
        _lod_changed(self)
        self.update()

    def set_overlay(self, spof: bool, impact: float | None, problems: list[str]) -> None:
        self.spof, self.failure_impact, self.problems = spof, impact, problems
        self._update_tooltip()
        _lod_changed(self)
        self.update()

    def _update_tooltip(self) -> None:
        title = (f"<b>{escape(elide(self.name, TIP_CHARS))}</b> — {self.kind} "
                 f"<i>({escape(elide(self.gid, TIP_CHARS))})</i>")
        lines = [title, f"{len(self.members)} member(s). Its members fail together with it."]
        if self.spof:
            impact = ("" if self.failure_impact is None
                      else f": {100 * self.failure_impact:.1f}% of requests fail")
            lines.append(f"Single point of failure{impact}.")
        lines += [f"Problem: {escape(p)}" for p in self.problems]
        lines.append("<span style='color:#64748b'>Drag the title to move the "
                     f"{self.kind}; drop components in or out of it.</span>")
        self.setToolTip("<br>".join(lines))

    def set_rect(self, rect: QRectF) -> None:
        if rect != self._rect or self.pos() != QPointF(0, 0):
            _lod_changed(self)  # the place it leaves
            self.prepareGeometryChange()
            self._rect = QRectF(rect)
            self.setPos(0, 0)
            _lod_changed(self)

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def scene_rect(self) -> QRectF:
        return self._rect.translated(self.pos())

    def set_highlight(self, on: bool) -> None:
        if on != self._highlight:
            self._highlight = on
            _lod_changed(self)
            self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-3, -3, 3, 3)

    def shape(self) -> QPainterPath:
        outer = QPainterPath()
        outer.addRect(self._rect.adjusted(-3, -3, 3, 3))
        inner = QPainterPath()
        inner.addRect(self._rect.adjusted(5, TITLE_H, -5, -5))
        return outer.subtracted(inner)

    def itemChange(self, change, value):
        snapped = _movable_item_change(self, change, value, lambda scene: scene.group_item_moved)
        return snapped if snapped is not None else super().itemChange(change, value)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour = QColor(GROUP_COLOURS.get(self.kind, QColor("#334155")))
        edge = ov.SPOF_RED if self.spof else colour
        fill = QColor(colour)
        fill.setAlpha(34 if self._highlight else 12)
        pen = QPen(SELECT_BLUE if selected else edge, 2.2 if (selected or self.spof) else 1.3,
                   Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, 12, 12)
        title = f"{self.kind.upper()} · {self.name}"
        painter.setFont(font("title"))
        painter.setPen(edge)
        fm = QFontMetricsF(font("title"))
        r = QRectF(self._rect.x() + 12, self._rect.y() + 3, self._rect.width() - 24, TITLE_H - 4)
        painter.drawText(r, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(title, Qt.TextElideMode.ElideRight, r.width()))
        if self.problems:
            _badge(painter, QPointF(self._rect.right() - 12, self._rect.top() + TITLE_H / 2),
                   ov.PROBLEM_RED, radius=7)
