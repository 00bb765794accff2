"""Spin boxes and lists take the mouse wheel only when they have the keyboard focus.

Scrolling a form with the wheel must scroll the form: a spin box passing under the pointer
would otherwise swallow the wheel and change its value (a worker count falling from 16 to 13
without a click). Unfocused, the wheel goes to the scroll area around the field, if any.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


class _WheelGuard(QObject):
    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(obj, QWidget) or obj.hasFocus():
            return False
        area = obj.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            QApplication.sendEvent(area.viewport(), event)
        return True


_guard: _WheelGuard | None = None


def guard_wheel(widget: QWidget) -> QWidget:
    """Let ``widget`` take the wheel only once clicked or tabbed into; returns it."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard(QApplication.instance())
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_guard)
    return widget
