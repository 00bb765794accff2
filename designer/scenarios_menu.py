"""Simulation → Scenarios: the chaos catalogue (simcore.scenarios_catalog) as a menu. Each entry
fits the open design or says why not; choosing one adds its events to the scenario as one undo
step and says what to watch."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu

from simcore.scenarios_catalog import CATALOGUE, CatalogScenario


class ScenariosMenu(QMenu):
    """Rebuilt each time it opens, for the design open then. ``applied(text)`` reports what was
    added and what to watch (for the status bar)."""

    applied = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__("Sc&enarios", parent)
        self.document = document
        self.setToolTipsVisible(True)
        self.aboutToShow.connect(self.rebuild)

    def rebuild(self) -> None:
        """The scenarios that fit the open design first; the others below, saying why not."""
        self.clear()
        design = self.document.snapshot()
        fit, other = [], []
        for sc in CATALOGUE:
            try:
                events = sc.events(design)
                why_not = None if events else sc.why_not(design)
            except Exception:  # noqa: BLE001 - a half-drawn design must not break the menu
                events, why_not = None, "fix the design's problems first"
            (fit if events else other).append((sc, events, why_not))
        for sc, events, _ in fit:
            action = self.addAction(sc.name)
            action.setToolTip(sc.watch)
            action.setStatusTip(sc.watch)
            action.triggered.connect(lambda _=False, s=sc, e=events: self.apply(s, e))
        if not fit:
            self.addAction("No scenario fits this design").setEnabled(False)
        if other:
            self.addSeparator()
            self.addSection("Not for this design")
            for sc, _, why_not in other:
                action = self.addAction(f"{sc.name}: {why_not}")
                action.setEnabled(False)
                action.setToolTip(sc.watch)
        self.addSeparator()
        hint = self.addAction("A scenario adds ordinary events (Undo removes them); "
                              "press Run to see it.")
        hint.setEnabled(False)

    def apply(self, sc: CatalogScenario, events: list[dict]) -> None:
        """Add ``events`` to the scenario as one undoable step."""
        stack = self.document.undo_stack
        stack.beginMacro(f"Scenario: {sc.name}")
        try:
            for e in events:
                self.document.add_event(e)
        finally:
            stack.endMacro()
        self.applied.emit(f"{sc.name} added to the scenario. {sc.watch} "
                          "Run the simulation (F5) to see it.")
