"""The main window's teaching aids, kept out of main_window.py: File → New from estimate…,
Help → Concepts and Help → Scaling journey, Simulation → Scenarios, and the "Why?" popups of the
summary bar's and the inspector's figures."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow


class Teaching:
    """Wires the teaching aids into ``window`` (a MainWindow) once its menus exist."""

    def __init__(self, window: QMainWindow):
        from designer.scenarios_menu import ScenariosMenu

        self.window = window
        self.journey_dock: QDockWidget | None = None
        self.popup = None
        self.scenarios_menu = ScenariosMenu(window.document, window)
        self.scenarios_menu.applied.connect(
            lambda text: window.statusBar().showMessage(text, 15000))
        window.summary.whyRequested.connect(self.why_summary)
        window.inspector.whyRequested.connect(self.why_item)

    # --- menus ---------------------------------------------------------------------------------
    def new_from_estimate(self) -> bool:
        from designer.estimate_dialog import EstimateDialog

        dialog = EstimateDialog(self.window)
        if not dialog.exec():
            return False
        design = dialog.design()
        return design is not None and self.window.files.new_from_design(design, "an estimate")

    def show_concepts(self) -> None:
        from designer.concepts_dialog import show_concepts

        show_concepts(self.window)

    def show_journey(self) -> QDockWidget:
        """The scaling journey's side panel (built on first use)."""
        if self.journey_dock is None:
            from designer.journey_panel import JourneyPanel

            w = self.window
            panel = JourneyPanel(w.document)
            panel.openRequested.connect(self._open_example)
            panel.limitFound.connect(lambda cid: w.select_ids([cid]))
            panel.statusMessage.connect(lambda t: w.statusBar().showMessage(t, 12000))
            dock = QDockWidget("Scaling journey", w)
            dock.setObjectName("journeyDock")
            dock.setWidget(panel)
            w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            w.tabifyDockWidget(w.inspector_dock, dock)
            self.journey_dock = dock
        self.journey_dock.show()
        self.journey_dock.raise_()
        return self.journey_dock

    def _open_example(self, name: str) -> None:
        from simcore.paths import examples_dir

        self.window.files.new_from_example(examples_dir() / name)

    # --- "Why?" ------------------------------------------------------------------------------
    def why_summary(self, key: str, tile) -> None:
        from designer.why_popup import show_why

        self.popup = show_why(tile, self.window.document.snapshot(), key)

    def why_item(self, ident: str, key: str, label) -> None:
        from designer.why_popup import show_why

        if ident:
            self.popup = show_why(label, self.window.document.snapshot(), key, ident)
