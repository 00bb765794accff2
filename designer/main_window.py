"""The main window: palette (left), canvas with the summary bar above it (centre), inspector
(right), results and problems (bottom), undo history (View menu); menus and toolbar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStyle,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from designer import cache_aside, export, theme
from designer.analysis_runner import AnalysisRunner, ProblemsPanel
from designer.canvas.scene import DesignScene
from designer.canvas.view import DesignView
from designer.document import DesignDocument
from designer.files import FileManager, last_folder, remember_folder
from designer.icons import app_icon
from designer.inspector import InspectorWidget
from designer.palette import PaletteWidget
from designer.results_room import ResultsRoom
from designer.settings_dialog import open_cluster_settings
from designer.simulation.compare_view import open_compare_window
from designer.summary_bar import SummaryBar
from designer.teaching import Teaching
from designer.toolbar_icons import action_icon
from simcore import __version__, lint
from simcore.text import elide

# Stand-ins for the simulation panel's actions until it is built: (attribute, text, icon text,
# shortcut).
SIM_ACTIONS = [("run_action", "Run simulation", "Run", "F5"),
               ("stop_action", "Stop", "Stop", "Shift+F5"),
               ("sweep_action", "Saturation sweep", "Sweep load", None)]
SIM_PANEL_DELAY_MS = 30
TITLE_CHARS = 60
"""The design's name and path in the window title are cut to this many characters."""

READY_HINT = ("Drag a component from the left onto the canvas; drag from the dot on its right "
              "edge to another component to connect them. F fits the diagram.")

SHORTCUTS = [
    ("Add a component", "drag it from the palette, or double-click it there"),
    ("Connect", "drag from a component's handle (right edge) to another component"),
    ("Rename", "double-click a component, link or group"),
    ("Delete", "Delete / Backspace"), ("Undo / redo", "Ctrl+Z / Ctrl+Shift+Z"),
    ("Cut / copy / paste / duplicate", "Ctrl+X / Ctrl+C / Ctrl+V / Ctrl+D"),
    ("Select all", "Ctrl+A"), ("Zoom", "mouse wheel, Ctrl++ / Ctrl+−"), ("Fit the diagram", "F"),
    ("Pan", "middle button drag, or Space + drag"), ("Nudge", "arrow keys"),
    ("Run / stop a simulation", "F5 / Shift+F5"), ("Save", "Ctrl+S"), ("Open", "Ctrl+O"),
]


class MainWindow(QMainWindow):
    def __init__(self, document: DesignDocument | None = None, parent=None):
        super().__init__(parent)
        self.document = document if document is not None else DesignDocument()
        theme.follow_system(QApplication.instance())
        self.setWindowIcon(app_icon())
        self.setDockNestingEnabled(True)
        self.setDocumentMode(True)

        self.scene = DesignScene(self.document)
        self.view = DesignView(self.scene)
        self.summary = SummaryBar()
        centre = QWidget()
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.summary)
        lay.addWidget(self.view, 1)
        self.setCentralWidget(centre)

        self.palette = PaletteWidget()
        self.inspector = InspectorWidget(self.document)
        self.problems = ProblemsPanel()
        self.runner = AnalysisRunner(self.document, self.scene, parent=self)
        self.files = FileManager(self.document, self)
        # The simulation panel (pyqtgraph, numpy) is built just after the window first shows:
        # the canvas paints sooner. Until then its actions are stand-ins (see _build_sim).
        self._sim = None
        self._sim_proxies: dict[str, QAction] = {}
        for name, text, icon_text, key in SIM_ACTIONS:
            a = QAction(text, self)
            a.setIconText(icon_text)
            if key:
                a.setShortcut(QKeySequence(key))
            a.setEnabled(name != "stop_action")
            a.triggered.connect(lambda _=False, n=name: getattr(self.sim, n).trigger())
            self._sim_proxies[name] = a
        self._sim_placeholder = QLabel("Preparing the simulation panel…")
        self._sim_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.undo_view = QUndoView(self.document.undo_stack)
        self.undo_view.setEmptyLabel("<opened>")

        self.palette_dock = self._dock("Components", self.palette, Qt.LeftDockWidgetArea,
                                       "paletteDock")
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.RightDockWidgetArea,
                                         "inspectorDock")
        # Under the canvas, a dragged title bar would float the results: the splitter above
        # them (and View → Results…) gives them room instead.
        self.results_dock = self._dock("Simulation", self._sim_placeholder,
                                       Qt.BottomDockWidgetArea, "resultsDock", movable=False)
        self.problems_dock = self._dock("Problems", self.problems, Qt.BottomDockWidgetArea,
                                        "problemsDock", movable=False)
        self.tabifyDockWidget(self.results_dock, self.problems_dock)
        self.results_dock.raise_()
        self.history_dock = self._dock("History", self.undo_view, Qt.RightDockWidgetArea,
                                       "historyDock")
        self.history_dock.hide()
        self.results_room = ResultsRoom(self, self.results_dock,
                                        [self.palette_dock, self.inspector_dock,
                                         self.problems_dock, self.history_dock])

        self._make_actions()
        self.teaching = Teaching(self)
        self._make_menus()
        self._make_toolbar()
        self._connect()
        self.resize(1400, 900)
        self._docks_sized = False
        self._size_docks()
        self._update_title()
        self.view.fit_on_open()
        self.statusBar().showMessage(READY_HINT, 8000)

    # --- construction ------------------------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area, name: str,
              movable: bool = True) -> QDockWidget:
        """A dock; not ``movable``: dragging its title bar neither moves nor floats it."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable
                         | QDockWidget.DockWidgetFloatable if movable
                         else QDockWidget.DockWidgetClosable)
        if not movable:  # no title bar to grab: the tabs under it name it
            dock.setTitleBarWidget(QWidget())
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str | None = None,
                icon: QStyle.StandardPixmap | None = None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        if icon is not None:
            a.setIcon(self.style().standardIcon(icon))
        a.triggered.connect(slot)
        return a

    def _make_actions(self) -> None:
        S = QStyle.StandardPixmap
        f = self.files
        self.new_action = self._action("&New", f.new, QKeySequence.New, "Start an empty design",
                                       S.SP_FileIcon)
        self.open_action = self._action("&Open…", f.open, QKeySequence.Open, "Open a design file",
                                        S.SP_DialogOpenButton)
        self.save_action = self._action("&Save", f.save, QKeySequence.Save, "Save the design",
                                        S.SP_DialogSaveButton)
        self.save_as_action = self._action("Save &as…", f.save_as, QKeySequence.SaveAs,
                                           "Save the design under a new name")
        self.export_png_action = self._action("Export &PNG…", self.export_png, None,
                                              "Save the diagram as a PNG image")
        self.export_svg_action = self._action("Export S&VG…", self.export_svg, None,
                                              "Save the diagram as an SVG drawing")
        self.export_pdf_action = self._action("Export &report (PDF)…", self.export_report, None,
                                              "A PDF with the diagram, the analysis and the plots")
        self.close_action = self._action("&Close", f.close, QKeySequence.Close,
                                         "Close the design (an empty canvas stays)")
        self.quit_action = self._action("&Quit", self.close, QKeySequence.Quit)
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.undo_action.setIcon(self.style().standardIcon(S.SP_ArrowBack))
        self.undo_action.setIconText("Undo")  # the toolbar stays put; the menu names the edit
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence.Redo, QKeySequence("Ctrl+Y")])
        self.redo_action.setIcon(self.style().standardIcon(S.SP_ArrowForward))
        self.redo_action.setIconText("Redo")
        self.cut_action = self._action("Cu&t", self.cut, QKeySequence.Cut)
        self.copy_action = self._action("&Copy", self.copy, QKeySequence.Copy)
        self.paste_action = self._action("&Paste", self.paste, QKeySequence.Paste)
        self.duplicate_action = self._action("D&uplicate", self.duplicate, "Ctrl+D")
        self.delete_action = self._action("&Delete", self.delete)
        self.delete_action.setShortcuts([QKeySequence(QKeySequence.Delete),
                                         QKeySequence("Backspace")])
        self.select_all_action = self._action("Select &all", self.select_all,
                                              QKeySequence.SelectAll)
        self.zone_action = self._action("Group as &zone", lambda: self.group_selection("zone"),
                                        "Ctrl+G", "Put the selected components in a new zone")
        self.region_action = self._action("Group as re&gion",
                                          lambda: self.group_selection("region"), "Ctrl+Shift+G",
                                          "Put the selected components in a new region")
        for a in (self.cut_action, self.copy_action, self.paste_action, self.duplicate_action,
                  self.delete_action, self.select_all_action, self.zone_action,
                  self.region_action):
            # Keys go to the canvas only: text fields in the inspector keep their own Ctrl+C etc.
            a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.view.addAction(a)
        self.zoom_in_action = self._action("Zoom &in", lambda: self._zoom(1.25), "Ctrl++",
                                           "Zoom in")
        self.zoom_out_action = self._action("Zoom &out", lambda: self._zoom(0.8), "Ctrl+-",
                                            "Zoom out")
        self.fit_action = self._action("&Fit diagram", self.view.fit_all, "F",
                                       "Show the whole diagram")
        self.fit_action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.view.addAction(self.fit_action)
        for a in (self.zoom_in_action, self.zoom_out_action):
            a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.view.addAction(a)
        self._draw_action_icons()
        self.auto_layout_action = self._action(
            "&Auto layout", self.document.auto_layout, "Ctrl+Shift+L",
            "Place every component left to right by depth, zones and regions kept together")
        self.about_action = self._action("&About Skyline", self.about)
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts,
                                             QKeySequence.HelpContents)

    def _draw_action_icons(self) -> None:
        """The drawn icons, in the palette's text colour (again when the palette changes)."""
        sweep = self._sim.sweep_action if self._sim is not None else self._sim_proxies[
            "sweep_action"]
        for a, name in ((self.zoom_in_action, "zoom_in"), (self.zoom_out_action, "zoom_out"),
                        (self.fit_action, "fit"), (sweep, "sweep")):
            a.setIcon(action_icon(name))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "fit_action"):
            self._draw_action_icons()

    def _make_menus(self) -> None:
        """One function per menu: a feature adds its actions to the menu it belongs in."""
        mb = self.menuBar()
        self.file_menu = self._make_file_menu(mb.addMenu("&File"))
        self.edit_menu = self._make_edit_menu(mb.addMenu("&Edit"))
        self.view_menu = self._make_view_menu(mb.addMenu("&View"))
        self.arrange_menu = self._make_arrange_menu(mb.addMenu("&Arrange"))
        self.simulation_menu = self._make_simulation_menu(mb.addMenu("&Simulation"))
        self.settings_menu = self._make_settings_menu(mb.addMenu("Se&ttings"))
        self.help_menu = self._make_help_menu(mb.addMenu("&Help"))

    def _make_file_menu(self, m: QMenu) -> QMenu:
        m.addAction(self.new_action)
        self.examples_menu = m.addMenu("New from &example")
        for title, path in self.files.examples():
            a = self.examples_menu.addAction(title)
            a.setStatusTip(path.name)
            a.triggered.connect(lambda _=False, p=path: self.files.new_from_example(p))
        m.addAction("New from es&timate…", self.teaching.new_from_estimate).setStatusTip(
            "Estimate the load from users and requests, then start a design sized for it")
        m.addAction(self.open_action)
        self.recent_menu = m.addMenu("Open &recent")
        self._fill_recent()
        m.addSeparator()
        m.addAction(self.save_action)
        m.addAction(self.save_as_action)
        m.addSeparator()
        m.addAction(self.export_png_action)
        m.addAction(self.export_svg_action)
        m.addAction(self.export_pdf_action)
        m.addSeparator()
        m.addAction(self.close_action)
        m.addAction(self.quit_action)
        return m

    def _make_edit_menu(self, m: QMenu) -> QMenu:
        m.addAction(self.undo_action)
        m.addAction(self.redo_action)
        m.addSeparator()
        for a in (self.cut_action, self.copy_action, self.paste_action, self.duplicate_action,
                  self.delete_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.select_all_action)
        m.addSeparator()
        m.addAction(self.zone_action)
        m.addAction(self.region_action)
        return m

    def _make_view_menu(self, m: QMenu) -> QMenu:
        m.addAction(self.zoom_in_action)
        m.addAction(self.zoom_out_action)
        m.addAction(self.fit_action)
        m.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.results_dock,
                     self.problems_dock, self.history_dock):
            m.addAction(dock.toggleViewAction())
        self.history_dock.toggleViewAction().setText("Undo &history")
        m.addSeparator()
        for a in self.results_room.actions():
            m.addAction(a)
        m.addAction(self.results_room.reset_action)
        return m

    def _make_arrange_menu(self, m: QMenu) -> QMenu:
        m.addAction(self.auto_layout_action)
        return m

    def _make_simulation_menu(self, m: QMenu) -> QMenu:
        m.addAction(self._sim_proxies["run_action"])
        m.addAction(self._sim_proxies["stop_action"])
        m.addSeparator()
        m.addAction(self._sim_proxies["sweep_action"])
        m.addAction("&Compare designs…", lambda: open_compare_window(self))
        m.addSeparator()
        m.addMenu(self.teaching.scenarios_menu)
        return m

    def _make_settings_menu(self, m: QMenu) -> QMenu:
        m.addAction("Run replications on a &cluster…", lambda: open_cluster_settings(self))
        return m

    def _make_help_menu(self, m: QMenu) -> QMenu:
        m.addAction("&Concepts", self.teaching.show_concepts)
        m.addAction("Scaling &journey", self.teaching.show_journey)
        m.addSeparator()
        m.addAction(self.shortcuts_action)
        m.addAction(self.about_action)
        return m

    def _make_toolbar(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        for a in (self.new_action, self.open_action, self.save_action):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.undo_action)
        tb.addAction(self.redo_action)
        tb.addSeparator()
        tb.addAction(self.zoom_in_action)
        tb.addAction(self.zoom_out_action)
        tb.addAction(self.fit_action)
        tb.addSeparator()
        S = QStyle.StandardPixmap
        self._sim_proxies["run_action"].setIcon(self.style().standardIcon(S.SP_MediaPlay))
        self._sim_proxies["stop_action"].setIcon(self.style().standardIcon(S.SP_MediaStop))
        tb.addAction(self._sim_proxies["run_action"])
        tb.addAction(self._sim_proxies["stop_action"])
        tb.addAction(self._sim_proxies["sweep_action"])
        self.addToolBar(Qt.TopToolBarArea, tb)
        self.toolbar = tb

    def _connect(self) -> None:
        d = self.document
        self.scene.selectionIdsChanged.connect(self._selection_changed)
        self.scene.failRequested.connect(lambda ident: self.sim.fail_now(ident))
        self.scene.statusMessage.connect(lambda t: self.statusBar().showMessage(t, 6000))
        self.palette.kindActivated.connect(self.add_at_centre)
        self.view.renameRequested.connect(self.rename_item)
        self.runner.resultReady.connect(self._analysis_ready)
        self.problems.itemRequested.connect(lambda ident: self.select_ids([ident]))
        self.problems.fixRequested.connect(lambda ident: cache_aside.fix(self.document, ident))
        self.files.modifiedChanged.connect(lambda _m: self._update_title())
        self.files.recentChanged.connect(self._fill_recent)
        self.files.statusMessage.connect(lambda t: self.statusBar().showMessage(t, 5000))
        d.changed.connect(self._update_title)
        d.designReplaced.connect(self._design_replaced)
        d.pathChanged.connect(self._update_title)

    def _size_docks(self) -> None:
        """Give the canvas most of the window: docks at their working sizes."""
        w = self.width()  # a laptop's 1024 px leaves the canvas ~600 px, not ~500
        self.resizeDocks([self.palette_dock, self.inspector_dock],
                         [min(180, max(150, w // 7)), min(320, max(240, w // 4))], Qt.Horizontal)
        # A third of the window: plots ~200 px high in one row, legible at a glance (View →
        # Results fill the window, for reading them closely); the canvas keeps the rest.
        self.resizeDocks([self.results_dock], [max(240, min(340, self.height() * 36 // 100))],
                         Qt.Vertical)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._docks_sized:  # sizes only hold once the window has its real size
            self._docks_sized = True
            self._size_docks()
            self.results_room.remember_default()
            QTimer.singleShot(SIM_PANEL_DELAY_MS, self._build_sim)

    # --- the simulation panel, built once the window shows ------------------------------------
    @property
    def sim(self):
        """The simulation panel (built on first use if the window has not shown yet)."""
        if self._sim is None:
            self._build_sim()
        return self._sim

    def _build_sim(self) -> None:
        if self._sim is not None:
            return
        from designer.simulation.panel import SimulationPanel

        sim = SimulationPanel(self.document, lambda: self.runner.analysis, self)
        self._sim = sim
        sim.statusMessage.connect(lambda t: self.statusBar().showMessage(t, 8000))
        sim.runningChanged.connect(self._running_changed)
        for name, proxy in self._sim_proxies.items():
            real = getattr(sim, name)
            if not proxy.icon().isNull():
                real.setIcon(proxy.icon())
            for widget in list(proxy.associatedObjects()):
                if isinstance(widget, QWidget) and widget is not self:
                    widget.insertAction(proxy, real)
                    widget.removeAction(proxy)
            proxy.setShortcut(QKeySequence())
        sim.add_view_actions(self.results_room.actions())
        self.results_dock.setWidget(sim)
        self._sim_placeholder.deleteLater()
        self._size_docks()
        self.results_room.remember_default()

    def _running_changed(self, running: bool) -> None:
        self.scene.run_active = running and self.sim.mode == "run"

    # --- reactions to the model ---------------------------------------------------------------------
    def _selection_changed(self, ids: list) -> None:
        self.inspector.show_item(ids[0] if len(ids) == 1 else None)

    def _design_replaced(self) -> None:
        self.inspector.show_item(None)
        QTimer.singleShot(0, self.view.fit_on_open)

    def _analysis_ready(self, analysis, problems, error) -> None:
        design = self.document.design
        # warnings of a valid design only: a broken one has its problems to mend first
        warnings = [] if problems else lint.warnings(design)
        self.scene.set_warnings(warnings)
        self.problems.set_problems(problems, warnings,
                                   lambda w: cache_aside.fix_label(design, w.where))
        self.inspector.set_analysis(analysis, problems)
        n = len(problems)
        title = f"Problems ({n})" if n else "Problems"
        if warnings:
            title += f" · {len(warnings)} warning{'s' * (len(warnings) != 1)}"
        self.problems_dock.setWindowTitle(title)
        if problems:
            self.summary.set_problems(problems)
        elif error:
            self.summary.set_unavailable(error)
        elif analysis is not None:
            self.summary.set_analysis(analysis, self._labels())

    def _labels(self) -> dict[str, str]:
        d = self.document.design
        return {c.id: c.label for c in d.components} | {g.id: g.label for g in d.groups}

    def _update_title(self) -> None:
        d = self.document
        name = elide(self.files.display_name(), TITLE_CHARS)  # a long name must not widen the window
        path = elide(str(d.path), TITLE_CHARS) if d.path else "unsaved"
        self.setWindowTitle(f"{name} — {path}[*] — Skyline")
        self.setWindowModified(self.files.is_modified())

    # --- selection and editing ---------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        return list(self.scene.selected_ids())

    def select_ids(self, ids: list[str]) -> None:
        self.scene.select_ids(ids)
        items = [self.scene.item_for(i) for i in ids]
        if items and items[0] is not None:
            self.view.ensureVisible(items[0])
        self._selection_changed(self.selected_ids())
        self.view.setFocus()

    def rename_item(self, ident: str) -> None:
        """Select the item and put the cursor in the inspector's name field (double-click)."""
        self.scene.select_ids([ident])
        self._selection_changed(self.selected_ids())
        edit = self.inspector.name_edit
        if edit is not None and self.inspector.shown_id == ident:
            self.inspector_dock.show()
            edit.setFocus()
            edit.selectAll()

    def add_at_centre(self, kind: str) -> None:
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        cid = self.document.add_component(kind, round(centre.x() - 60), round(centre.y() - 30))
        if cid:
            self.select_ids([cid])

    # The canvas owns copy/paste (designer.clipboard): the menu actions call it.
    def copy(self) -> bool:
        ok = self.scene.copy_selected()
        if not ok:
            self.statusBar().showMessage("Select components to copy first", 3000)
        return ok

    def cut(self) -> None:
        self.scene.cut_selected()

    def paste(self) -> None:
        if not self.scene.paste():
            self.statusBar().showMessage("Nothing to paste: copy components first", 3000)

    def duplicate(self) -> None:
        self.scene.duplicate_selected()

    def delete(self) -> None:
        self.scene.delete_selected()

    def select_all(self) -> None:
        self.scene.select_all()

    def group_selection(self, kind: str) -> None:
        self.scene.group_selected(kind)

    def _zoom(self, factor: float) -> None:
        self.view.scale(factor, factor)

    # --- export ---------------------------------------------------------------------------------------
    def _ask_path(self, title: str, suffix: str, filt: str) -> Path | None:
        base = last_folder() / f"{self.files.display_name()}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, title, str(base), filt)
        if not path:
            return None
        remember_folder(path)
        p = Path(path)
        return p if p.suffix else p.with_suffix(suffix)

    def _export(self, what: str, fn) -> None:
        try:
            out = fn()
        except OSError as exc:
            QMessageBox.critical(self, f"Cannot export {what}", str(exc))
            return
        if out is not None:
            self.statusBar().showMessage(f"Exported {out}", 5000)

    def export_png(self) -> None:
        p = self._ask_path("Export PNG", ".png", "PNG images (*.png)")
        if p:
            self._export("PNG", lambda: export.export_png(self.scene, p))

    def export_svg(self) -> None:
        p = self._ask_path("Export SVG", ".svg", "SVG drawings (*.svg)")
        if p:
            self._export("SVG", lambda: export.export_svg(self.scene, p,
                                                          self.files.display_name()))

    def export_report(self) -> None:
        p = self._ask_path("Export report", ".pdf", "PDF documents (*.pdf)")
        if p:
            self.runner.wait_idle()
            self._export("report", lambda: export.export_report(
                p, self.document.design, self.scene, self.runner.analysis, self.runner.problems,
                self.sim.plots.images(), self.sim.summary_for_report()))

    # --- help -----------------------------------------------------------------------------------------
    def about(self) -> None:
        QMessageBox.about(self, "About Skyline",
                          f"<h3>Skyline {__version__}</h3><p>Draw a software architecture and "
                          "see at once its traffic, latency, availability, single points of "
                          "failure and cost.</p>")

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>"
                       for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    # --- recent files -----------------------------------------------------------------------------------
    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.files.recent_files()
        for p in files:
            a = self.recent_menu.addAction(p.name)
            a.setStatusTip(str(p))
            a.setToolTip(str(p))
            a.triggered.connect(lambda _=False, path=p: self.files.open_path(path))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self.files.clear_recent)
        self.recent_menu.setEnabled(bool(files))

    # --- closing -------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        if self._sim is not None:
            self._sim.shutdown()
        self.files.shutdown()
        event.accept()
