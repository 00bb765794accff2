"""Level of detail of the canvas: zoomed out, components are drawn from cached pictures (a
frame of a large design is a few pixmap copies instead of a Python paint per item); at normal
zoom they are cached per device, so a pan only copies pixels. Exports paint everything afresh."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QGraphicsItem

from designer.canvas.items import ComponentItem


class DetailMixin:
    """For DesignScene: needs ``self._components`` (id → ComponentItem) and ``self._links``."""

    low_detail = False

    def set_low_detail(self, on: bool) -> None:
        """Zoomed out, items are drawn from cached pictures: a frame of a large design is then
        a few pixmap copies instead of a Python paint per item (text is unreadable anyway)."""
        if on == self.low_detail:
            return
        self.low_detail = on
        for item in self._components.values():
            self._apply_detail(item)
        for item in self._links.values():
            item.update()

    @contextlib.contextmanager
    def uncached(self):
        """Paint every item afresh and in full detail (exports: vectors in SVG and PDF, full
        resolution in PNG, whatever the zoom on screen)."""
        low, self.low_detail = self.low_detail, False
        items = list(self._components.values())
        for item in items:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            yield
        finally:
            self.low_detail = low
            for item in items:
                self._apply_detail(item)

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

