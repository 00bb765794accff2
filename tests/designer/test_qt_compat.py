"""The guard against PySide6 6.12's lost references to None and True: without it a session
aborts after some 30,000 calls that return nothing ("Fatal Python error: none_dealloc")."""

from __future__ import annotations

import os
import subprocess
import sys

LONG_SESSION = """
from designer.qt_compat import guard_singleton_refcounts
guard_singleton_refcounts()  # as designer.app does before the first window
from PySide6.QtCore import QObject, Signal
class Probe(QObject):
    ping = Signal()
p = Probe()
for _ in range(120_000):  # four times what exhausts an unguarded None
    p.setObjectName("x")
    p.ping.emit()
print("survived")
"""


def test_a_long_session_of_calls_does_not_exhaust_none_or_true():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", LONG_SESSION], check=False, capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "survived" in r.stdout


def test_the_guard_is_applied_only_where_calls_lose_references():
    from designer import qt_compat

    if sys.version_info >= (3, 12):
        assert qt_compat.guard_singleton_refcounts() is False
        return
    needed = qt_compat._calls_lose_references()
    assert qt_compat.guard_singleton_refcounts() is (needed or qt_compat._applied)
    if needed:
        assert sys.getrefcount(None) > 1 << 59
