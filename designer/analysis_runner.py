"""The live instant analysis: re-run after every edit, debounced, off the UI thread when slow.

After ``document.changed`` a single-shot timer waits ~150 ms (so a burst of edits costs one run),
then the design is validated and, when it has no problems, analysed. A design whose last analysis
took longer than ``SYNC_LIMIT_S`` is analysed on a thread-pool thread from a private copy; its
result is applied on the UI thread, and only if no newer edit arrived meanwhile (a generation
number). The problems panel lists the validation problems; clicking one selects the item.
"""

from __future__ import annotations

import atexit
import time
import traceback
import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from simcore.problems import Problem

if TYPE_CHECKING:  # the analysis package loads on first use, after the window shows
    from simcore.analysis.result import AnalysisResult

SYNC_LIMIT_S = 0.04
"""Analyses faster than this run on the UI thread (no hop, no copy); slower ones on a thread."""


def analyse_design(design) -> tuple[AnalysisResult | None, list, str | None]:
    """(the analysis or None, problems, error text or None) for one design. The analysis and
    validation modules load here, on first use: the window shows before they are needed."""
    from simcore.analysis import analyze
    from simcore.validate import validate

    try:
        problems = validate(design)
    except Exception as exc:  # noqa: BLE001 - a validator bug must not take the window down
        return None, [], f"validation failed: {exc}"
    if problems:
        return None, problems, None
    try:
        return analyze(design), [], None
    except Exception as exc:  # noqa: BLE001 - shown in the summary bar, never a crash
        tail = traceback.format_exc(limit=-1).strip().splitlines()[-1]
        return None, [], f"The analysis failed: {exc or tail}"


_POOLS: weakref.WeakSet = weakref.WeakSet()
"""Every runner's thread pool, so that the process can wait for running analyses before it
exits: Python must not be torn down under a thread that is still running Python code."""


@atexit.register
def wait_for_analyses(timeout_ms: int = 30_000) -> None:
    for pool in list(_POOLS):
        try:
            pool.waitForDone(timeout_ms)
        except RuntimeError:  # its C++ side is gone already: nothing runs on it
            pass


class _Relay(QObject):
    done = Signal(int, object, object, object, float)


class _Job(QRunnable):
    def __init__(self, generation: int, design, relay: _Relay):
        super().__init__()
        self.generation, self.design, self.relay = generation, design, relay

    def run(self) -> None:
        t0 = time.perf_counter()
        result, problems, error = analyse_design(self.design)
        self.relay.done.emit(self.generation, result, problems, error, time.perf_counter() - t0)


class AnalysisRunner(QObject):
    """Runs the analysis for a document and hands the result to the views.

    ``resultReady(AnalysisResult or None, problems, error or None)`` is emitted on the UI
    thread after the scene has been given the overlay.
    """

    resultReady = Signal(object, object, object)
    busyChanged = Signal(bool)

    def __init__(self, document, scene=None, delay_ms: int = 150, parent=None):
        super().__init__(parent)
        self.document = document
        self.scene = scene
        self.analysis: AnalysisResult | None = None
        self.problems: list[Problem] = []
        self.error: str | None = None
        self.last_duration_s = 0.0
        self._generation = 0
        self._applied = -1
        self._busy = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        _POOLS.add(self._pool)
        # A child created after the pool: Qt deletes children in order, and the pool's
        # destructor waits for a running job, so the relay outlives every job that emits on it.
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.run_now)
        document.changed.connect(self.schedule)

    def schedule(self) -> None:
        """Run after the debounce delay; a newer call restarts the delay."""
        self._generation += 1
        self._timer.start()

    def is_idle(self) -> bool:
        return not self._timer.isActive() and not self._busy and self._applied == self._generation

    @Slot()
    def run_now(self) -> None:
        self._timer.stop()
        gen = self._generation
        # The analysis gets its own copy: on a thread, the document may change it meanwhile.
        design = self.document.snapshot()
        if self.last_duration_s < SYNC_LIMIT_S:
            t0 = time.perf_counter()
            result, problems, error = analyse_design(design)
            self._on_done(gen, result, problems, error, time.perf_counter() - t0)
            return
        self._set_busy(True)
        self._pool.start(_Job(gen, design, self._relay))

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Process events until the current design is analysed (used by --screenshot, tests)."""
        from PySide6.QtCore import QCoreApplication

        if self._timer.isActive():
            self.run_now()
        deadline = time.monotonic() + timeout_s
        while not self.is_idle() and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            if self._timer.isActive() and not self._busy:
                self.run_now()
            self._pool.waitForDone(20)
        QCoreApplication.processEvents()
        return self.is_idle()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    @Slot(int, object, object, object, float)
    def _on_done(self, gen: int, result, problems, error, seconds: float) -> None:
        self.last_duration_s = seconds
        if gen != self._generation:
            # A newer edit arrived while this ran: drop the stale result, run the newest design.
            if not self._timer.isActive():
                self._set_busy(False)
                self.run_now()
            return
        self._set_busy(False)
        self._applied = gen
        self.analysis, self.problems, self.error = result, list(problems), error
        if self.scene is not None:
            self.scene.set_analysis(result, list(problems))
        self.resultReady.emit(result, list(problems), error)


class ProblemsPanel(QListWidget):
    """Lists the design's validation problems, then its warnings (valid, but likely not what
    was meant; each with a one-click fix). Activating a line asks to select its item."""

    itemRequested = Signal(str)
    fixRequested = Signal(str)  # the id a warning is about

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self.set_problems([])

    def set_problems(self, problems: list, warnings: list = (),
                     fix_text=lambda _w: "Fix") -> None:
        """``fix_text(warning)`` names the fix on the warning's button (None: no button, the
        warning has no one-click fix)."""
        self.clear()
        if not problems and not warnings:
            item = QListWidgetItem("No problems: the design is valid.")
            item.setData(256, None)
            self.addItem(item)
            return
        for p in problems:
            where = getattr(p, "where", None)
            item = QListWidgetItem(f"⚠  {p}")
            item.setData(256, where)  # Qt.UserRole
            item.setToolTip(str(p))
            self.addItem(item)
        for w in warnings:
            self._add_warning(w, fix_text(w))

    def _add_warning(self, warning, fix: str | None) -> None:
        item = QListWidgetItem()
        item.setData(256, warning.where)
        item.setToolTip(f"Warning: {warning.message}")
        self.addItem(item)
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(4, 1, 4, 1)
        text = QLabel(f"<span style='color:#b45309'>△ warning</span> — {warning.message}")
        text.setWordWrap(True)
        lay.addWidget(text, 1)
        if fix is not None:
            button = QPushButton(fix)
            button.setToolTip("Fix it (one undoable edit)")
            button.clicked.connect(lambda: self.fixRequested.emit(warning.where))
            lay.addWidget(button)
        item.setSizeHint(row.sizeHint())
        self.setItemWidget(item, row)

    def warning_count(self) -> int:
        return sum(1 for i in range(self.count()) if self.itemWidget(self.item(i)) is not None)

    def _clicked(self, item: QListWidgetItem) -> None:
        where = item.data(256)
        if where:
            self.itemRequested.emit(where)
