"""A guard against a reference-counting defect of PySide6 6.12.0: a call from Python that
returns nothing (``label.setText(...)``, ``painter.drawLine(...)``) hands back ``None`` without a
reference, and ``Signal.emit()`` does the same with ``True``. Each such call removes one
reference to ``None`` or ``True``; after some 30,000 calls (a few seconds of painting the canvas)
CPython frees ``None`` and aborts with "Fatal Python error: none_dealloc".

``guard_singleton_refcounts()`` detects the defect by making such calls on a throwaway object
and, only if references are lost, gives ``None``, ``True`` and ``False`` a reserve of references
that no session can exhaust (CPython 3.12 and later make them immortal and are left alone)."""

from __future__ import annotations

import ctypes
import platform
import sys

_RESERVE = 1 << 60  # ~10^18 calls: centuries at a million calls a second
_applied = False


def _calls_lose_references() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")
        probe.ping.emit()
    return sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before


def guard_singleton_refcounts() -> bool:
    """Apply the guard if this PySide6 needs it. Returns whether it is applied."""
    global _applied
    if _applied:
        return True
    if platform.python_implementation() != "CPython" or sys.version_info >= (3, 12):
        return False
    if not _calls_lose_references():
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _RESERVE
    _applied = True
    return True
