"""The canvas view: zoom (wheel, Ctrl +/−, Ctrl 0), fit (F), pan (middle button, or space +
drag), palette drops, and the editing keys (Delete, Ctrl+C/X/V/D, Ctrl+A, arrow nudges)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter
from PySide6.QtWidgets import QGraphicsView

from designer.canvas.scene import DesignScene

KIND_MIME = "application/x-skyline-kind"
EMPTY_HINT = "Drag a component here, or File → New from example"
HINT_COLOUR = QColor("#64748b")
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0


class DesignView(QGraphicsView):
    zoomChanged = Signal(float)
    renameRequested = Signal(str)  # a double-click on a component, link or group: its id

    def __init__(self, scene: DesignScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        # A panel or bar around the canvas that changes size keeps the top-left corner (and
        # every card) where it is on screen, as in draw.io; centred, every card would move.
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan_from: QPoint | None = None
        self._space = False
        self._refit_on_resize = False
        self.zoomChanged.connect(self._zoom_changed)

    def design_scene(self) -> DesignScene:
        return self.scene()

    # --- zoom and fit --------------------------------------------------------------------
    LOW_DETAIL_BELOW = 0.5

    def _zoom_changed(self, zoom: float) -> None:
        low = zoom < self.LOW_DETAIL_BELOW
        self.design_scene().set_low_detail(low)
        # zoomed out, smooth scaling of the cached pictures costs more than it shows
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not low)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, not low)

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        current = self.zoom()
        if current > 0 and abs(factor - current) > 1e-9:
            self.scale(factor / current, factor / current)
            self.zoomChanged.emit(self.zoom())

    def zoom_by(self, step: float) -> None:
        self._refit_on_resize = False
        self.set_zoom(self.zoom() * step)

    def fit_on_open(self) -> None:
        """Fit the diagram now and again whenever the view changes size (the window and its
        panels settle during the first moments), until the user zooms, pans, clicks or drops:
        an opened diagram then always starts centred and whole."""
        self._refit_on_resize = True
        self.fit_all()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._refit_on_resize:
            self.fit_all()

    def fit_all(self) -> None:
        """Show every item, not larger than 100%."""
        scene = self.design_scene()
        r = scene.itemsBoundingRect()
        if r.isNull():
            r = QRectF(0, 0, 400, 300)
        r = r.adjusted(-40, -40, 40, 40)
        self.fitInView(r, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0)
        self.centerOn(r.center())
        self.zoomChanged.emit(self.zoom())

    def wheelEvent(self, event):
        dy = event.angleDelta().y()
        if dy == 0:
            return super().wheelEvent(event)
        self.zoom_by(1.0015 ** dy)
        event.accept()

    # --- the empty canvas -------------------------------------------------------------------
    def hint(self) -> str | None:
        """What the empty canvas says, or None when it shows a design."""
        scene = self.design_scene()
        return EMPTY_HINT if not scene.has_content() else None

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawForeground(painter, rect)
        text = self.hint()
        if text is None:
            return
        painter.save()
        painter.resetTransform()  # viewport pixels: the hint keeps its size at any zoom
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        painter.setFont(font)
        painter.setPen(HINT_COLOUR)
        painter.drawText(QRectF(self.viewport().rect()), Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    # --- pan -----------------------------------------------------------------------------
    def _panning(self, event) -> bool:
        return (event.button() == Qt.MouseButton.MiddleButton
                or (self._space and event.button() == Qt.MouseButton.LeftButton))

    def mousePressEvent(self, event):
        self._refit_on_resize = False
        if self._panning(event):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event):
        # draw.io edits a label on double-click: here the inspector's name field takes it.
        if event.button() == Qt.MouseButton.LeftButton:
            ident = self.design_scene().id_of(self.itemAt(event.position().toPoint()))
            if ident:
                self.renameRequested.emit(ident)
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event):
        if self._pan_from is not None:
            p = event.position().toPoint()
            d = p - self._pan_from
            self._pan_from = p
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space
                                      else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # --- keys ----------------------------------------------------------------------------
    def keyPressEvent(self, event):
        scene = self.design_scene()
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            scene.delete_selected()
        elif event.matches(QKeySequence.StandardKey.Copy):
            scene.copy_selected()
        elif event.matches(QKeySequence.StandardKey.Cut):
            scene.cut_selected()
        elif event.matches(QKeySequence.StandardKey.Paste):
            scene.paste()
        elif ctrl and key == Qt.Key.Key_D:
            scene.duplicate_selected()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            scene.select_all()
        elif ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif ctrl and key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        elif ctrl and key == Qt.Key.Key_0:
            self._refit_on_resize = False
            self.set_zoom(1.0)
        elif key == Qt.Key.Key_F and not ctrl:
            self.fit_all()
        elif key == Qt.Key.Key_Escape:
            scene.clearSelection()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            # draw.io: an arrow moves by 1 px, Shift+arrow by one grid step
            step = scene.grid if shift else 1.0
            dx = {Qt.Key.Key_Left: -step, Qt.Key.Key_Right: step}.get(key, 0.0)
            dy = {Qt.Key.Key_Up: -step, Qt.Key.Key_Down: step}.get(key, 0.0)
            scene.nudge(dx, dy)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    # --- palette drops -------------------------------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        mime = event.mimeData()
        if not mime.hasFormat(KIND_MIME):
            return super().dropEvent(event)
        kind = bytes(mime.data(KIND_MIME)).decode("utf-8").strip()
        self._refit_on_resize = False
        pos = self.mapToScene(event.position().toPoint())
        try:
            self.design_scene().drop_kind(kind, pos)
        except KeyError:
            self.design_scene()._status(f"Unknown component kind '{kind}'.")
            return
        event.acceptProposedAction()
        self.setFocus()
