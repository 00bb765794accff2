"""How much room the results get: their dock under the canvas (the default), the whole window,
or a window of their own; and View → Reset layout, back to the window as it first opened.

The results dock has no title bar to drag (one used to pull the results out of the window when a
user meant the splitter just above it): the splitter is the only handle there, for its height.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRect
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

SEPARATE_SIZE = (1100, 700)
"""A results window's first size (it is then the user's to change)."""


class ResultsRoom(QObject):
    """The View menu's results actions for ``window`` (its ``results_dock`` and the docks
    and canvas that give way when the results fill the window)."""

    def __init__(self, window: QMainWindow, results: QDockWidget, others: list[QDockWidget]):
        super().__init__(window)
        self.window, self.results, self.others = window, results, others
        self._before_fill = None
        self._default = None
        self.fill_action = QAction("Results &fill the window", self, checkable=True)
        self.fill_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.fill_action.setIconText("Enlarge")
        self.fill_action.setToolTip("The plots take the whole window; again to bring the "
                                    "canvas back (Ctrl+Shift+F)")
        self.fill_action.toggled.connect(self.fill)
        self.separate_action = QAction("Results in a &separate window", self, checkable=True)
        self.separate_action.setIconText("Own window")
        self.separate_action.setToolTip("The plots in a window of their own, beside the canvas "
                                        "(on a second screen, say); again to dock them back")
        self.separate_action.toggled.connect(self.separate)
        self.reset_action = QAction("&Reset layout", self)
        self.reset_action.setToolTip("Every panel back where it was when the window opened")
        self.reset_action.triggered.connect(self.reset)
        results.topLevelChanged.connect(self._floating_changed)

    def actions(self) -> list[QAction]:
        return [self.fill_action, self.separate_action]

    def remember_default(self) -> None:
        """The layout Reset layout returns to (taken once the window has its real size)."""
        self._default = self.window.saveState()

    # --- the modes ---------------------------------------------------------------------------
    def fill(self, on: bool) -> None:
        central = self.window.centralWidget()
        if on and self._before_fill is None:
            self.separate_action.setChecked(False)
            self._before_fill = self.window.saveState()
            central.hide()
            for dock in self.others:
                dock.hide()
            self.results.show()
            self.results.raise_()
        elif not on and self._before_fill is not None:
            central.show()
            self.window.restoreState(self._before_fill)
            self._before_fill = None
        self.fill_action.setChecked(on)

    def separate(self, on: bool) -> None:
        if on:
            self.fill_action.setChecked(False)
        if on == self.results.isFloating():
            return
        self.results.setFloating(on)
        if on:
            frame = self.window.geometry()
            w, h = (min(SEPARATE_SIZE[0], frame.width()), min(SEPARATE_SIZE[1], frame.height()))
            rect = QRect(0, 0, w, h)
            rect.moveCenter(frame.center())
            self.results.setGeometry(rect)
            self.results.show()

    def _floating_changed(self, floating: bool) -> None:
        self.separate_action.setChecked(floating)

    def reset(self) -> None:
        self.fill_action.setChecked(False)
        self.separate_action.setChecked(False)
        self.window.centralWidget().show()
        if self._default is not None:
            self.window.restoreState(self._default)
        self.results.raise_()
