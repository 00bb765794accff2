"""Help → Scaling journey: a side panel that walks through the six scaling stages
(simcore.journey). Each step shows the users the stage is built for, its load from the
estimator, what breaks when its traffic grows (computed by the analysis on the stage's example)
and what the next stage changes, with one click to open a stage and one to grow the open
design's traffic until it saturates (an undoable edit of the clients' rates)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from simcore.estimate import stage_name
from simcore.journey import REQUESTS_PER_USER, STEPS, Step, describe, grow_traffic
from simcore.text import number

INTRO = ("Six typical stages, from one server to millions of users. Open a stage, grow its "
         "traffic until something breaks, then see what the next stage changes.")


class JourneyPanel(QWidget):
    """The journey. ``openRequested(example file name)`` asks to open a stage;
    ``limitFound(component id)`` reports the part that limits the grown design."""

    openRequested = Signal(str)
    limitFound = Signal(str)
    statusMessage = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self._found: dict[int, str] = {}  # stage -> what growing its example found
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.steps = QListWidget()
        for s in STEPS:
            self.steps.addItem(f"{s.stage}. {stage_name(s.stage)}")
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setFixedHeight(self.steps.sizeHintForRow(0) * len(STEPS)
                                  + 2 * self.steps.frameWidth() + 4)
        self.steps.currentRowChanged.connect(self._show)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(lambda: self._open(self.current()))
        self.grow_button = QPushButton("Grow traffic")
        self.grow_button.setToolTip("Scale every client of the open design until the first "
                                    "part reaches 100 % (one undo step)")
        self.grow_button.clicked.connect(self.grow)
        self.next_button = QPushButton()
        self.next_button.clicked.connect(self._open_next)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setStyleSheet("color: #1f2933; background: #f1f5f9; padding: 6px;")
        self.result.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.grow_button)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(intro)
        lay.addWidget(self.steps)
        lay.addWidget(self.detail)
        lay.addLayout(buttons)
        lay.addWidget(self.result)
        lay.addWidget(self.next_button)
        lay.addStretch(1)
        scroll = QScrollArea()  # a short window scrolls the step instead of cutting it
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.steps.setCurrentRow(0)

    def current(self) -> Step:
        return STEPS[max(0, self.steps.currentRow())]

    def _what_breaks(self, step: Step) -> str:
        """What growing the stage's own example finds (computed once per stage)."""
        if step.stage not in self._found:
            from simcore.io import load
            from simcore.paths import examples_dir

            design = load(examples_dir() / step.example)
            growth = grow_traffic(design)
            self._found[step.stage] = (describe(design, growth) if growth else
                                       "Nothing saturates, even at a million times the load.")
        return self._found[step.stage]

    def _show(self, row: int) -> None:
        step = STEPS[max(0, row)]
        est = step.load()
        users = number(est.inputs.users)
        html = (f"<h3 style='margin:4px 0'>{escape(step.title)}</h3>"
                f"<p><b>Built for</b> {escape(step.users_text)}.</p>"
                f"<p><b>Load</b> at {users} users × {REQUESTS_PER_USER} requests a day "
                f"(File → New from estimate…): average {number(est.average_rps)} rps, peak "
                f"{number(est.peak_rps)} rps.</p>"
                f"<p><b>When its traffic grows</b> (its example): "
                f"{escape(self._what_breaks(step))}</p>"
                f"<p><b>Next</b> {escape(step.next_change)}</p>")
        self.detail.setText(html)
        self.open_button.setText(f"Open stage {step.stage}")
        last = step.stage == len(STEPS)
        self.next_button.setVisible(not last)
        if not last:
            self.next_button.setText(f"Open stage {step.stage + 1} →")
        self.result.hide()

    def _open(self, step: Step) -> None:
        self.openRequested.emit(step.example)

    def _open_next(self) -> None:
        row = self.steps.currentRow()
        if row + 1 < len(STEPS):
            self.steps.setCurrentRow(row + 1)
            self._open(STEPS[row + 1])

    def grow(self) -> None:
        """Scale the open design's clients to just past its saturation point, as one undo
        step, and say what broke."""
        from simcore.validate import validate

        design = self.document.snapshot()
        if validate(design):
            self._say("Fix the design's problems first (see Problems).")
            return
        growth = grow_traffic(design)
        if growth is None:
            self._say("Nothing to grow: the design has no traffic, or nothing saturates.")
            return
        stack = self.document.undo_stack
        stack.beginMacro("Grow traffic to saturation")
        try:
            for c in growth.design.components:
                if c.kind == "client":
                    self.document.set_component_param(c.id, "rps", c.params["rps"])
        finally:
            stack.endMacro()
        self._say(f"The open design ({design.name or 'untitled'}): {describe(design, growth)}")
        self.limitFound.emit(growth.limit)

    def _say(self, text: str) -> None:
        self.result.setText(text)
        self.result.show()
        self.statusMessage.emit(text)
