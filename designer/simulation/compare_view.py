"""The Compare window: two designs (or two saved runs) side by side, with B − A.

Two designs run on the same random numbers (``simcore.compare``: replication i of A and of B
share their seeds), in the background — on this computer's processes, or on the cluster of
Settings → "Run replications on a cluster". The table gives each figure for A and for B with its
95 % interval and the paired difference B − A with its interval, coloured when the interval
excludes 0 (green: B is better, red: B is worse). The plots overlay A and B over simulated time.

Two saved runs (files written by ``skyline simulate --json``) keep no replications to pair: their
difference is that of the means, with an approximate interval (marked "unpaired").
"""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.simulation.style import plain_axes

COLOURS = {"A": "#1f77b4", "B": "#e8730c"}
VERDICT_COLOURS = {"better": "#dff3e3", "worse": "#fde2e2"}
POLL_MS = 150
PLOTS = (("throughput_rps", "Throughput", "requests/s"), ("p99_ms", "Latency p99", "ms"))


class Side:
    """What one side (A or B) compares: a design, or a saved run's JSON object."""

    def __init__(self, label: str, design=None, run: dict | None = None):
        self.label, self.design, self.run = label, design, run


def read_side(path: str) -> Side:
    """A design file or a saved run (``simulate --json``). Raises ValueError saying why not."""
    from simcore.io import loads
    from simcore.problems import DesignError

    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{name}: cannot be read ({exc})") from None
    if isinstance(data, dict) and "throughput_rps" in data and "latency_ms" in data:
        title = data.get("name")
        return Side(f"{title} — saved run {name}" if title else f"saved run {name}", run=data)
    try:
        design = loads(text, source=name)
    except DesignError as exc:
        raise ValueError(exc.text()) from None
    return Side(f"{design.name} — {name}" if design.name else name, design=design)


class CompareWindow(QWidget):
    """Pick A and B, press Compare, read the table and the overlaid plots."""

    def __init__(self, open_design=None, parent=None):
        super().__init__(parent, Qt.Window)
        self.setWindowTitle("Compare designs — Skyline")
        self.resize(1040, 640)
        self._open_design = open_design  # callable -> the window's current design, or None
        self.sides: dict[str, Side | None] = {"A": None, "B": None}
        self.result: dict | None = None
        self._future: Future | None = None
        self._stop = threading.Event()
        self._done = (0, 1)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compare")
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        if open_design is not None:
            self.use_open_design("A")
        self._update_buttons()

    # --- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        pick = QGridLayout()
        pick.setHorizontalSpacing(6)
        self.names: dict[str, QLineEdit] = {}
        for row, key in enumerate(("A", "B")):
            tag = QLabel(f"<b style='color:{COLOURS[key]}'>{key}</b>")
            name = QLineEdit()
            name.setReadOnly(True)
            name.setPlaceholderText("a design or a saved run")
            self.names[key] = name
            here = QPushButton("The open design")
            here.setEnabled(self._open_design is not None)
            here.clicked.connect(lambda _c=False, k=key: self.use_open_design(k))
            choose = QPushButton("File…")
            choose.setToolTip("A design file, or a run saved with skyline simulate --json")
            choose.clicked.connect(lambda _c=False, k=key: self._choose_file(k))
            for col, w in enumerate((tag, name, here, choose)):
                pick.addWidget(w, row, col)
        pick.setColumnStretch(1, 1)

        self.replications = QSpinBox()
        self.replications.setRange(2, 1000)
        self.replications.setValue(5)
        self.replications.setToolTip("Pairs of replications: more give a tighter interval of B − A")
        self.duration = QSpinBox()
        self.duration.setRange(0, 86_400)
        self.duration.setSuffix(" s")
        self.duration.setSpecialValueText("A's")
        self.duration.setToolTip("Simulated seconds of each run; “A's”: A's scenario decides")
        self.compare_button = QPushButton("Compare")
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("idle")
        self.progress.setMaximumWidth(260)
        controls = QHBoxLayout()
        for text, w in (("Replications", self.replications), ("Duration", self.duration)):
            label = QLabel(text)
            label.setBuddy(w)
            controls.addWidget(label)
            controls.addWidget(w)
            controls.addSpacing(8)
        controls.addWidget(self.compare_button)
        controls.addWidget(self.stop_button)
        controls.addStretch(1)
        controls.addWidget(self.progress)

        self.message = QLabel("Pick A and B, then press Compare. Both run on the same random "
                              "numbers, so B − A shows the designs' difference, not luck.")
        self.message.setWordWrap(True)
        self.table = QTableWidget(5, 4)
        self.table.setHorizontalHeaderLabels(["A", "B", "B − A  [95% interval]", ""])
        self.table.setColumnHidden(3, True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        head = self.table.horizontalHeader()
        for col in range(3):
            head.setSectionResizeMode(col, QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.NoSelection)
        self.table.setFixedHeight(self._table_height())

        plots = QHBoxLayout()
        self.plots: dict[str, pg.PlotWidget] = {}
        for key, title, unit in PLOTS:
            w = pg.PlotWidget()
            w.setTitle(title, size="9pt")
            w.setLabel("left", unit)
            w.setLabel("bottom", "simulated time", units=None)
            w.getPlotItem().getAxis("bottom").setLabel("simulated s")
            w.showGrid(x=True, y=True, alpha=0.2)
            legend = w.addLegend(offset=(-10, 10))
            legend.setLabelTextSize("8pt")
            plain_axes(w)
            w.setMinimumHeight(180)
            self.plots[key] = w
            plots.addWidget(w)

        lay = QVBoxLayout(self)
        lay.addLayout(pick)
        lay.addLayout(controls)
        lay.addWidget(self.message)
        lay.addWidget(self.table)
        lay.addLayout(plots, 1)

    def _table_height(self) -> int:
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        return (rows + self.table.horizontalHeader().sizeHint().height()
                + 2 * self.table.frameWidth() + 2)

    # --- choosing -------------------------------------------------------------------------------
    def use_open_design(self, key: str) -> None:
        design = self._open_design() if self._open_design else None
        if design is None:
            return
        self.set_side(key, Side(f"{design.name or 'the open design'} (open)", design=design))

    def _choose_file(self, key: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Choose {key}", "",
                                              "Designs and saved runs (*.json)")
        if path:
            self.choose_path(key, path)

    def choose_path(self, key: str, path: str) -> bool:
        try:
            side = read_side(path)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return False
        self.set_side(key, side)
        return True

    def set_side(self, key: str, side: Side) -> None:
        self.sides[key] = side
        self.names[key].setText(side.label)
        if key == "A" and side.design is not None and side.design.scenario is not None:
            self.replications.setValue(max(2, side.design.scenario.replications))
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.is_running()
        a, b = self.sides["A"], self.sides["B"]
        ready = a is not None and b is not None
        self.compare_button.setEnabled(ready and not running)
        self.stop_button.setEnabled(running)
        runs = ready and a.run is not None and b.run is not None
        self.replications.setEnabled(not runs)
        self.duration.setEnabled(not runs)

    # --- running --------------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._future is not None

    def start(self) -> bool:
        """Compare A and B; False (with a message) when they cannot be compared."""
        a, b = self.sides["A"], self.sides["B"]
        if a is None or b is None or self.is_running():
            return False
        if (a.run is None) != (b.run is None):
            self._say("Compare two designs, or two saved runs: a design and a saved run were "
                      "not made on the same random numbers.", error=True)
            return False
        if a.run is not None:
            from simcore.compare import unpaired_difference

            self.show_result({"a": a.run, "b": b.run,
                              "difference": unpaired_difference(a.run, b.run)}, paired=False)
            return True
        from designer.settings_dialog import cluster_scheduler
        from simcore.compare import compare

        scheduler = cluster_scheduler()
        self._stop.clear()
        self._done = (0, 1)
        reps, duration = self.replications.value(), self.duration.value() or None

        def work():
            return compare(a.design, b.design, replications=reps, duration_s=duration,
                           scheduler=scheduler, progress=self._progress,
                           should_stop=self._stop.is_set).to_json()

        self._future = self._pool.submit(work)
        self._timer.start()
        where = f"on the cluster at {scheduler}" if scheduler else "on this computer"
        self._say(f"Running {reps} pairs of replications {where}…")
        self.progress.setValue(0)
        self.progress.setFormat("starting…")
        self._update_buttons()
        return True

    def _progress(self, done: int, total: int) -> None:  # called from the worker thread
        self._done = (done, total)

    def stop(self) -> None:
        self._stop.set()

    def _poll(self) -> None:
        done, total = self._done
        self.progress.setValue(int(1000 * done / max(total, 1)))
        self.progress.setFormat(f"{done} of {total} runs")
        fut = self._future
        if fut is None or not fut.done():
            return
        self._timer.stop()
        self._future = None
        self._update_buttons()
        try:
            result = fut.result()
        except Exception as exc:  # noqa: BLE001 - shown to the user, the window stays usable
            self.progress.setFormat("failed")
            self._say(f"The comparison failed: {exc}", error=True)
            return
        self.progress.setFormat("stopped" if result.get("stopped") else "done")
        self.show_result(result, paired=True)

    # --- showing --------------------------------------------------------------------------------
    def show_result(self, result: dict, paired: bool) -> None:
        from simcore.study_report import comparison_rows

        self.result = result
        rows = comparison_rows(result["a"], result["b"], result["difference"])
        self.table.setVerticalHeaderLabels([r["label"] for r in rows])
        for i, r in enumerate(rows):
            for col, key in enumerate(("a", "b", "difference")):
                item = QTableWidgetItem(r[key])
                item.setTextAlignment(Qt.AlignCenter)
                if key == "difference" and r["verdict"]:
                    item.setBackground(QColor(VERDICT_COLOURS[r["verdict"]]))
                    item.setToolTip(f"B is {r['verdict']}: the 95% interval of B − A "
                                    "excludes 0")
                self.table.setItem(i, col, item)
        self.table.setHorizontalHeaderLabels(
            ["A", "B", "B − A  [95% interval]" if paired else "B − A  (unpaired, approximate)"])
        self.table.setFixedHeight(self._table_height())
        self._plot(result)
        a = result["a"]
        n = a.get("replications")
        how = (f"{n} pairs of replications of {a.get('duration_s', 0):g} simulated s (seed "
               f"{a.get('seed')}) on the same random numbers" if paired else
               "two saved runs (not paired: the interval is approximate)")
        stopped = " Stopped: only the pairs that finished are shown." if result.get(
            "stopped") else ""
        self._say(f"{how}. Green: B is better, red: B is worse (the interval of B − A "
                  f"excludes 0).{stopped}")

    def _plot(self, result: dict) -> None:
        for key, w in self.plots.items():
            w.clear()
            for side in ("A", "B"):
                ts = (result[side.lower()] or {}).get("timeseries") or {}
                xs, ys = ts.get("t_s") or [], ts.get(key) or []
                points = [(x, y) for x, y in zip(xs, ys) if y is not None]
                if points:
                    w.plot([p[0] for p in points], [p[1] for p in points],
                           pen=pg.mkPen(COLOURS[side], width=2), name=side)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("QLabel { color: #8b1a1a; }" if error else "")

    def closeEvent(self, event) -> None:
        self._stop.set()
        self._timer.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().closeEvent(event)


def open_compare_window(main_window) -> CompareWindow:
    """The Compare window of ``main_window`` (one per main window), A set to its open design."""
    win = getattr(main_window, "_compare_window", None)
    if win is None:
        win = CompareWindow(main_window.document.snapshot, main_window)
        main_window._compare_window = win
    win.show()
    win.raise_()
    win.activateWindow()
    return win
