"""The simulation panel: Run / Stop, duration, warm-up, seed and replications, progress, plots.

A run happens in worker PROCESSES (multiprocessing, forkserver or spawn: never fork a process that
runs Qt), one per core at most, so the window never freezes and Stop is immediate (the processes are
terminated). Results come back over a queue that a QTimer drains a few times a second; the UI
thread never waits on it.

The run settings are the design's scenario: editing a spin box is an undoable scenario edit.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.simulation import messages
from designer.simulation.cluster_run import make_run
from designer.simulation.plots import ResultPlots
from designer.simulation.processes import warm_up_workers
from designer.simulation.summary import run_summary, utilisation_means
from designer.summary_bar import FitLabel
from designer.wheel_guard import guard_wheel
from simcore.design_limits import MAX_DURATION_S, MAX_SEED
from simcore.engine.counters import breaker_transitions
from simcore.runner import default_workers
from simcore.sweep import SWEEP_DURATION_S, SWEEP_FACTORS
from simcore.text import finite_or_none
from simcore.validate import validate

POLL_MS = 100
MAX_MESSAGES_PER_POLL = 5000
POLL_BUDGET_S = 0.05
"""At most this long reading messages per poll: the window stays quick whatever the rate."""
REDRAW_S = 0.4
REDRAW_BARS_S = 1.0
"""Least wall-clock seconds between two redraws of the curves, and of the utilisation bars."""
FAIL_NOW_DURATION_S = 30.0
"""How long a 'Fail now' outage lasts (simulated seconds)."""
INSTANT_BAND_S = 1.0
"""Width of the band of an instantaneous event (one simulated second)."""
WARM_UP_AFTER_MS = 1500
"""When the fork server starts after the panel is created (not at once: starting stays fast)."""

READY_TEXT = "Set the run and press Run (F5). Right-click a component to schedule an outage."

_ERROR_STYLE = ("QLabel { background: #fde8e8; color: #8b1a1a; border: 1px solid #f3b4b4;"
                " border-radius: 3px; padding: 3px 6px; }")
_INFO_STYLE = "QLabel { color: palette(window-text); padding: 3px 6px; }"


class SimulationPanel(QWidget):
    """Controls and plots of traffic runs and saturation sweeps for one document."""

    statusMessage = Signal(str)
    runningChanged = Signal(bool)
    finished = Signal(str)  # "done", "stopped" or "error"

    workers: int | None = None
    """Worker processes for a run; None: one per core (at most one per replication)."""
    sweep_factors: tuple[float, ...] = SWEEP_FACTORS
    sweep_duration_s: float = SWEEP_DURATION_S

    def __init__(self, document, analysis_source=None, parent=None):
        super().__init__(parent)
        self.document = document
        self.analysis_source = analysis_source  # callable -> the latest AnalysisResult or None
        self._run = None  # WorkerProcesses or ClusterRun while a run goes on
        self._mode = "run"
        self._started_at = 0.0
        self._progress_total = 1.0
        self._rep_t: dict[int, float] = {}
        self._total_items = 0
        self._fail_pending: set[str] = set()
        self.results: list[dict] = []
        self.live_fail = False  # a "fail now" can reach the running replications
        self.last_outcome: str | None = None
        self.last_error: str | None = None
        self._loading = False

        self._make_actions()
        self._make_controls()
        self.plots = ResultPlots(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(self._bar)
        lay.addWidget(self.message)
        lay.addWidget(self.plots, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        document.designReplaced.connect(self._design_replaced)
        document.scenarioChanged.connect(self._scenario_changed)
        self.load_scenario()
        self._preview_bands()
        self._warm_timer = QTimer(self)  # a child: it dies with the panel
        self._warm_timer.setSingleShot(True)
        self._warm_timer.timeout.connect(warm_up_workers)
        self._warm_timer.start(WARM_UP_AFTER_MS)
        self._say(READY_TEXT)

    # --- construction ---------------------------------------------------------------------------
    def _make_actions(self) -> None:
        self.run_action = QAction("Run simulation", self)
        self.run_action.setIconText("Run")  # on tool buttons; menus show the whole text
        self.run_action.setShortcut(QKeySequence("F5"))
        self.run_action.setToolTip("Simulate traffic through the design (F5)")
        self.run_action.triggered.connect(self.start_run)
        self.stop_action = QAction("Stop", self)
        self.stop_action.setShortcut(QKeySequence("Shift+F5"))
        self.stop_action.setToolTip("Stop the running simulation at once (Shift+F5)")
        self.stop_action.setEnabled(False)
        self.stop_action.triggered.connect(self.stop)
        self.sweep_action = QAction("Saturation sweep", self)
        self.sweep_action.setIconText("Sweep load")
        self.sweep_action.setToolTip("Short runs from 0.1× to 1.2× of the analysis's saturation "
                                     "load: throughput and p99 against offered load")
        self.sweep_action.triggered.connect(self.start_sweep)

    def _make_controls(self) -> None:
        bar = self._bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 2)
        bar.setSpacing(4)
        for action in (self.run_action, self.stop_action, self.sweep_action):
            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
            bar.addWidget(b)
        bar.addSpacing(10)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(1, MAX_DURATION_S)  # what a file may hold: shown, never clamped
        self.duration.setDecimals(0)
        self.duration.setSuffix(" s")
        self.duration.setToolTip("Simulated seconds of one replication, warm-up included")
        self.warmup = QDoubleSpinBox()
        self.warmup.setRange(0, MAX_DURATION_S - 1)
        self.warmup.setDecimals(0)
        self.warmup.setSuffix(" s")
        self.warmup.setToolTip("Simulated seconds at the start that the results leave out "
                               "(the system fills up)")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setToolTip("Random seed: the same seed gives the same run")
        self.replications = QSpinBox()
        self.replications.setRange(1, 1000)
        self.replications.setToolTip("Independent replications: more give tighter 95% "
                                     "confidence intervals")
        self._settings = {"duration_s": self.duration, "warmup_s": self.warmup,
                          "seed": self.seed, "replications": self.replications}
        for w, width in ((self.duration, 95), (self.warmup, 85), (self.seed, 105),
                         (self.replications, 70)):
            w.setMaximumWidth(width)
        for text, (field, w) in zip(("Duration", "Warm-up", "Seed", "Replications"),
                                    self._settings.items()):
            label = QLabel(text)
            label.setBuddy(w)
            bar.addWidget(label)
            bar.addWidget(w)
            bar.addSpacing(3)
            w.setKeyboardTracking(False)
            guard_wheel(w)
            w.editingFinished.connect(lambda f=field: self._commit_setting(f))
        self.overlay = QCheckBox("Overlay last run")
        self.overlay.setToolTip("The next run draws over the last one, which stays on the plots "
                                "as dashed grey curves, to compare")
        bar.addWidget(self.overlay)
        bar.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMinimumWidth(80)  # the bar fits a 1,024 px window
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.setFormat("idle")
        self.progress.setValue(0)  # a fresh bar's value is -1, which shows no text at all
        bar.addWidget(self.progress, 1)
        self.message = FitLabel(keep=100)
        # One line of a fixed height, whatever it says: a panel that grows after a run moves
        # every card on the canvas above it. The whole text is in the tooltip.
        self.message.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.setFrameShape(QFrame.NoFrame)
        self.message.setStyleSheet(_ERROR_STYLE)  # the taller of the two looks
        self.message.setFixedHeight(self.message.sizeHint().height())
        self.message.setStyleSheet(_INFO_STYLE)

    def add_view_actions(self, actions) -> None:
        """Buttons for ``actions`` beside the plots' tabs (the window's view of the results:
        enlarge, own window), where the row has room to spare."""
        corner = QWidget()
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 4, 0)
        row.setSpacing(2)
        for action in actions:
            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
            b.setAutoRaise(True)
            row.addWidget(b)
        self.plots.setCornerWidget(corner, Qt.Corner.TopRightCorner)

    # --- settings: the design's scenario --------------------------------------------------------
    def load_scenario(self) -> None:
        """Show the scenario's settings (signals blocked: showing is not editing)."""
        from simcore.design import Scenario

        sc = self.document.design.scenario or Scenario()
        self._loading = True
        try:
            for field, w in self._settings.items():
                w.blockSignals(True)
                w.setValue(getattr(sc, field))
                w.blockSignals(False)
        finally:
            self._loading = False

    def _commit_setting(self, field: str) -> None:
        """A finished spin box edit becomes one undoable scenario edit."""
        if self._loading or self.is_running():
            return
        from simcore.design import Scenario

        sc = self.document.design.scenario or Scenario()
        value = self._settings[field].value()
        value = int(value) if field in ("seed", "replications") else float(value)
        if getattr(sc, field) == value:
            return
        fields = {field: value}
        note = None
        if field == "duration_s" and sc.warmup_s >= value:
            fields["warmup_s"] = float(int(value / 2))
            note = (f"Warm-up shortened to {fields['warmup_s']:g} s to stay inside the "
                    f"{value:g} s run.")
        elif field == "warmup_s" and value >= sc.duration_s:
            self._settings[field].setValue(sc.warmup_s)
            self._say(f"The warm-up must be shorter than the run ({sc.duration_s:g} s).",
                      error=True)
            return
        try:
            self.document.set_scenario(**fields)
        except ValueError as exc:
            self.load_scenario()
            self._say(f"That run setting is not valid: {exc}", error=True)
            return
        if note:
            self._say(note)

    def commit_pending_settings(self) -> None:
        for field in self._settings:
            self._commit_setting(field)

    def _scenario_changed(self) -> None:
        self.load_scenario()
        if self.is_running() and self._mode == "run":
            self._say("The changed scenario applies from the next run.")
        else:
            self._preview_bands()

    def _design_replaced(self) -> None:
        if self.is_running():
            self.stop()
        self.load_scenario()
        self.results = []
        self.plots.reset(duration_s=self._duration())
        self.plots.reset_sweep(None)
        self._preview_bands()
        self.progress.setValue(0)
        self.progress.setFormat("idle")
        self.last_outcome = self.last_error = None
        self._say(READY_TEXT)  # nothing said about the previous design stays on screen

    def _duration(self) -> float:
        sc = self.document.design.scenario
        return float(sc.duration_s) if sc is not None else float(self.duration.value())

    def _warmup_s(self) -> float:
        sc = self.document.design.scenario
        return float(sc.warmup_s) if sc is not None else float(self.warmup.value())

    # --- state ----------------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._run is not None

    @property
    def mode(self) -> str:
        """What the last (or current) launch was: "run" or "sweep"."""
        return self._mode

    def _set_running(self, running: bool) -> None:
        self.run_action.setEnabled(not running)
        self.sweep_action.setEnabled(not running)
        self.stop_action.setEnabled(running)
        for w in self._settings.values():
            w.setEnabled(not running)
        self.runningChanged.emit(running)

    def _say(self, text: str, error: bool = False, detail: str | None = None) -> None:
        # One line (the panel may be low); the whole text is in the tooltip.
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        self.message.setText(" · ".join(lines))
        self.message.setStyleSheet(_ERROR_STYLE if error else _INFO_STYLE)
        self.message.setToolTip(detail or text)
        self.statusMessage.emit(text.splitlines()[0] if text else "")

    # --- starting -------------------------------------------------------------------------------
    def _precheck(self) -> bool:
        if self.is_running():
            return False
        self.commit_pending_settings()
        problems = validate(self.document.snapshot())
        if problems:
            more = f" (and {len(problems) - 1} more in the Problems panel)" if len(problems) > 1 \
                else ""
            self._fail_before_start(f"Fix the design first: {problems[0]}{more}")
            return False
        return True

    def _fail_before_start(self, text: str) -> None:
        self.last_outcome, self.last_error = "error", text
        self._say(text, error=True)
        self.finished.emit("error")

    def start_run(self) -> bool:
        """Start the scenario's replications; False (with a message) when it cannot start."""
        if not self._precheck():
            return False
        duration, warmup = self._duration(), self._warmup_s()
        reps = int(self.replications.value())
        options = {"mode": "run", "duration_s": duration, "warmup_s": warmup,
                   "seed": int(self.seed.value()), "replications": reps}
        self.plots.reset(overlay_previous=self.overlay.isChecked(), duration_s=duration)
        self.plots.setCurrentIndex(0)
        self._draw_bands(duration, warmup)
        self._progress_total = duration * reps
        if not self._launch("run", options, reps):
            return False
        self._say(f"Running {reps} replication{'s' if reps > 1 else ''} of {duration:g} "
                  f"simulated seconds (warm-up {warmup:g} s)…")
        return True

    def start_sweep(self) -> bool:
        """Start the load sweep from 0.1× to 1.2× of the analysis's saturation rps."""
        if not self._precheck():
            return False
        analysis = self.analysis_source() if self.analysis_source else None
        sat = finite_or_none(analysis.saturation_rps) if analysis is not None else None
        offered = analysis.offered_rps if analysis is not None else None
        if not sat or not offered:
            self._fail_before_start("A saturation sweep needs the instant analysis's "
                                    "saturation point: a design with traffic and a finite "
                                    "capacity (wait for the analysis to finish).")
            return False
        factors = list(self.sweep_factors)
        options = {"mode": "sweep", "saturation_rps": float(sat), "offered_rps": float(offered),
                   "seed": int(self.seed.value()),
                   "sweep_duration_s": min(self.sweep_duration_s, self._duration()),
                   "factors": factors}
        self.plots.reset_sweep(float(sat), overlay_previous=self.overlay.isChecked())
        self.plots.setCurrentWidget(self.plots.sat_plot)
        self._progress_total = options["sweep_duration_s"] * len(factors)
        if not self._launch("sweep", options, len(factors)):
            return False
        self._say(f"Sweeping the offered load from {min(factors):g}× to {max(factors):g}× of "
                  f"the saturation point ({sat:,.0f} rps): {len(factors)} short runs…")
        return True

    def _launch(self, mode: str, options: dict, items: int) -> bool:
        n = max(1, min(self.workers or default_workers(), items))
        run = make_run(self.document.design.to_dict(), options, n)  # local, or on a cluster
        self._mode = mode
        self._total_items = items
        self._rep_t = {}
        self._fail_pending: set[str] = set()
        self._rows_pending = False
        self._last_draw = self._last_bars = 0.0
        self.results = []
        self.live_fail = False
        self.last_outcome, self.last_error = None, None
        self._started_at = time.monotonic()
        self.progress.setValue(0)
        self.progress.setFormat("starting…")
        try:
            run.start()
        except (OSError, RuntimeError, ValueError) as exc:
            self._fail_before_start(f"The simulation could not start a worker process: {exc}")
            self.progress.setFormat("failed")
            return False
        self._run = run
        self._set_running(True)
        self._timer.start()
        return True

    def _draw_bands(self, duration: float, warmup: float) -> None:
        self.plots.clear_bands()
        if warmup > 0:
            self.plots.add_band(0, min(warmup, duration), "warmup", "warm-up")
        sc = self.document.design.scenario
        labels = self._labels()
        for ev in (sc.events if sc is not None else []):
            if ev.at_s < duration:
                length = ev.duration_s if ev.duration_s is not None else INSTANT_BAND_S
                end = min(duration, ev.at_s + length)
                self.plots.add_band(ev.at_s, end, ev.type,
                                    f"{ev.type} {labels.get(ev.target, ev.target)}")

    def _preview_bands(self) -> None:
        """Before any run, the plots already show the scenario's warm-up and events."""
        if self.is_running() or self.plots.rows_seen:
            return
        d = self._duration()
        self.plots.reset(duration_s=d)
        self._draw_bands(d, self._warmup_s())

    # --- receiving ------------------------------------------------------------------------------
    def poll(self) -> None:
        """Read the worker queue without waiting, redraw now and then, notice lost processes."""
        if self._run is None:
            return
        self._drain(POLL_BUDGET_S)
        if self._run is None:  # finished while handling
            return
        now = time.monotonic()
        if self._rows_pending and self._mode == "run" and now - self._last_draw >= REDRAW_S:
            bars = now - self._last_bars >= REDRAW_BARS_S
            self.plots.refresh(self._labels(), bars=bars)
            self._last_draw = now
            self._last_bars = now if bars else self._last_bars
            self._rows_pending = False
        self._update_progress()
        code = self._run.lost_exit_code()
        if code is not False:
            self._finish("error", "The simulation process ended unexpectedly "
                                  f"(exit code {code}); the plots keep what arrived.")

    def _drain(self, budget_s: float | None = None) -> None:
        if self._run is not None:
            self._run.read(self._handle, MAX_MESSAGES_PER_POLL, budget_s)

    def _handle(self, msg) -> bool:
        if isinstance(msg, messages.Rows):
            if msg.rows:
                self._rep_t[msg.item] = msg.rows[-1].t_s
            if self._mode == "run":
                for row in msg.rows:
                    self.plots.add_row(row)
            self._rows_pending = True
            return True
        if isinstance(msg, messages.Started):
            self.live_fail = msg.live_fail
        elif isinstance(msg, messages.RepDone):
            self.results.append(msg.result)
            self._rep_t[msg.rep] = self._duration()
        elif isinstance(msg, messages.SweepPoint):
            self.plots.add_sweep_point(msg.point)
            self._rep_t[msg.point["index"]] = self._progress_total / max(1, self._total_items)
        elif isinstance(msg, messages.Injected):
            ev = msg.event
            if ev["target"] in self._fail_pending:  # one band per click, at its real start
                self._fail_pending.discard(ev["target"])
                name = self._labels().get(ev["target"], ev["target"])
                end = min(self._duration(), ev["at_s"] + ev["duration_s"])
                self.plots.add_band(ev["at_s"], end, "fail", f"fail {name} (now)")
        elif isinstance(msg, messages.Notice):
            self._say(msg.text, error=True)
        elif isinstance(msg, messages.Done):
            self._run.open.discard(msg.share)
            if not self._run.open:
                self._finish("stopped" if msg.stopped else "done", None)
        elif isinstance(msg, messages.Failed):
            self._finish("error", msg.text)
        return False

    def _update_progress(self) -> None:
        if not self.is_running():
            return
        done = sum(self._rep_t.values())
        frac = min(1.0, done / self._progress_total) if self._progress_total > 0 else 0.0
        self.progress.setValue(int(frac * 1000))
        if not self._rep_t:
            self.progress.setFormat("starting the engine…")
            return
        if self._mode == "run":
            n = len(self.results)
            self.progress.setFormat(f"{n} of {self._total_items} replications done — "
                                    f"{frac:.0%}")
        else:
            n = len(self.plots.sweep_points)
            self.progress.setFormat(f"{n} of {self._total_items} load points — {frac:.0%}")

    # --- finishing ------------------------------------------------------------------------------
    def _finish(self, outcome: str, error: str | None) -> None:
        self._timer.stop()
        self._teardown()
        if self._mode == "run":
            self.plots.refresh(self._labels())
            util = utilisation_means(self.results)
            if util:
                self.plots.set_final_utilisation(util, self._labels())
            first = sorted(self.results, key=lambda r: r.get("rep_index", 0))
            self.plots.add_breaker_marks(breaker_transitions(first), self._labels())
        self.last_outcome, self.last_error = outcome, error
        self._set_running(False)
        elapsed = time.monotonic() - self._started_at
        if outcome == "done":
            self.progress.setValue(1000)
            self.progress.setFormat(f"done in {elapsed:.1f} s")
            overlay = " · dashed grey: the previous run" if (
                self._mode == "run" and self.plots.overlay_items
                or self._mode == "sweep" and self.plots.saturation.has_previous) else ""
            self._say(self._summary_text() + overlay)
        elif outcome == "stopped":
            self.progress.setFormat("stopped")
            n = len(self.results) if self._mode == "run" else len(self.plots.sweep_points)
            what = "replication" if self._mode == "run" else "load point"
            self._say(f"Stopped after {n} complete {what}{'' if n == 1 else 's'}; the plots "
                      "keep what arrived.")
        else:
            self.progress.setFormat("failed")
            text = error or "The simulation failed."
            head = text.split("\n\n")[0]
            self._say(head, error=True, detail=text)
        self.finished.emit(outcome)

    def stop(self) -> None:
        """Stop at once: the worker processes are terminated; the plots keep what arrived."""
        if self._run is None:
            return
        # Read what is queued while the workers live (a message cut by the termination could
        # block the reader), then end them.
        self._drain()
        if self._run is None:  # the run ended meanwhile
            return
        self._run.terminate()
        self._finish("stopped", None)

    def _teardown(self) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.close()

    def shutdown(self) -> None:
        """The window closes: end any run."""
        if self.is_running():
            self.stop()

    # --- chaos from the canvas ------------------------------------------------------------------
    def fail_now(self, target: str) -> None:
        """The canvas's 'Fail now': a failure from the current simulated time, if possible."""
        name = self._labels().get(target, target)
        if not self.is_running() or self._mode != "run":
            self._say(f"“Fail now” acts on a running simulation (not a sweep): press Run "
                      f"first, or use “Schedule failure…” to schedule an outage of {name}.")
            return
        if not self.live_fail:
            self._say(f"A run on a cluster gives each replication back only when it ends, so a "
                      f"failure cannot reach it now; schedule an outage of {name} with "
                      "“Schedule failure…” instead.", error=True)
            return
        self._run.send(messages.FailNow(target, FAIL_NOW_DURATION_S))
        self._fail_pending.add(target)  # its band is drawn when a worker confirms the time
        self._say(f"{name} fails now for {FAIL_NOW_DURATION_S:g} simulated seconds (in the "
                  "running replications and in those still to come).")

    # --- helpers --------------------------------------------------------------------------------
    def _labels(self) -> dict[str, str]:
        """Names to show for ids: components, groups, and links as "source → target"."""
        d = self.document.design
        names = {c.id: c.label for c in d.components}
        names.update({g.id: g.label for g in d.groups})
        names.update({lk.id: f"{names.get(lk.source, lk.source)} → "
                             f"{names.get(lk.target, lk.target)}" for lk in d.links})
        return names

    def _summary_text(self) -> str:
        if self._mode == "sweep":
            pts = self.plots.sweep_points
            sat = [p for p in pts if p.get("saturated")]
            text = f"Sweep done: {len(pts)} load points."
            if sat:
                first = min(sat, key=lambda p: p["offered_rps"])
                text += (f" The simulation saturates from {first['offered_rps']:,.0f} rps "
                         f"({first['factor']:.2f}× the analysis's saturation point).")
            return text
        return run_summary(self.results, self._labels())

    def summary_for_report(self) -> str | None:
        """One line about the last run for the PDF report; None before any run."""
        if not self.results and not self.plots.sweep_points:
            return None
        return self._summary_text()
