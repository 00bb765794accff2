"""File → New from estimate…: the back-of-the-envelope estimate (simcore.estimate) as a small
form whose results follow every keystroke; Create opens a starter design of the matching stage
(simcore.starter)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from simcore.estimate import FIGURE_TITLES, Estimate, EstimateInputs, estimate, stage_name
from simcore.starter import starter_shape
from simcore.text import number

UNITS = {"average_rps": "rps", "peak_rps": "rps", "read_rps": "rps", "write_rps": "rps",
         "storage_per_year_gb": "GB", "storage_total_gb": "GB", "bandwidth_in_mbps": "Mbit/s",
         "bandwidth_out_mbps": "Mbit/s", "servers": "", "servers_n_plus_1": "",
         "cache_gb": "GB", "stage": ""}

# (attribute, label, minimum, maximum, decimals, step, tooltip); decimals None: whole number
FIELDS = [
    ("users", "Daily active users", 1, 1e10, 0, 10_000, "People who use the system on a day."),
    ("requests_per_user", "Requests per user a day", 0.01, 1e6, 2, 1,
     "Requests one user makes in a day (page views, API calls)."),
    ("peak_factor", "Peak factor", 1, 1000, 2, 0.5,
     "Peak load / average load; 3 is typical for a daily cycle."),
    ("read_ratio", "Read ratio", 0, 1, 2, 0.05, "Share of requests that only read; 0.9 is typical."),
    ("object_kb", "Object size (KB)", 0.001, 1e7, 3, 1, "Size of what one write stores, in KB."),
    ("retention_years", "Retention (years)", 0, 100, 1, 1, "Years of data kept."),
    ("server_workers", "Server workers", 1, 100_000, None, 10,
     "Requests one server serves at once (threads, connections)."),
    ("server_ms", "Server time per request (ms)", 0.001, 1e6, 3, 1,
     "A request's time on one server; its capacity is workers / time."),
]


class EstimateDialog(QDialog):
    """The estimate form. ``design()`` is the starter design for the current inputs."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New from estimate")
        self.editors: dict[str, QDoubleSpinBox | QSpinBox] = {}
        defaults = EstimateInputs(users=1_000_000, requests_per_user=20)

        inputs = QGroupBox("Your system")
        form = QFormLayout(inputs)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for attr, label, lo, hi, decimals, step, tip in FIELDS:
            if decimals is None:
                box = QSpinBox()
                box.setRange(int(lo), int(hi))
            else:
                box = QDoubleSpinBox()
                box.setDecimals(decimals)
                box.setRange(lo, hi)
            box.setSingleStep(step)
            box.setGroupSeparatorShown(True)
            box.setValue(getattr(defaults, attr))
            box.setToolTip(tip)
            box.valueChanged.connect(self._update)
            form.addRow(label, box)
            self.editors[attr] = box
        hint = QLabel("Formulas and their meaning: Help → Concepts, "
                      "“Back-of-the-envelope estimation”.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #64748b;")
        form.addRow(hint)

        self.results = QLabel()
        self.results.setTextFormat(Qt.TextFormat.RichText)
        self.results.setWordWrap(True)
        self.results.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        holder = QWidget()
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(8, 6, 8, 6)
        hl.addWidget(self.results)
        hl.addStretch(1)
        scroll.setWidget(holder)
        out = QGroupBox("Estimate")
        ol = QVBoxLayout(out)
        ol.setContentsMargins(2, 2, 2, 2)
        ol.addWidget(scroll)

        self.starter_note = QLabel()
        self.starter_note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton("Create starter design",
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(inputs, 0)
        top.addWidget(out, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top, 1)
        lay.addWidget(self.starter_note)
        lay.addWidget(buttons)
        self.resize(940, 560)
        self._update()

    def inputs(self) -> EstimateInputs:
        return EstimateInputs(**{attr: box.value() for attr, box in self.editors.items()})

    def estimate(self) -> Estimate | None:
        inp = self.inputs()
        return None if inp.problems() else estimate(inp)

    def design(self):
        from simcore.starter import starter_design

        est = self.estimate()
        return None if est is None else starter_design(est)

    def _update(self) -> None:
        inp = self.inputs()
        problems = inp.problems()
        self.create_button.setEnabled(not problems)
        if problems:
            self.results.setText("<br>".join(escape(p) for p in problems))
            self.starter_note.setText("")
            return
        est = estimate(inp)
        rows = []
        for name in Estimate.FIGURES:
            value = getattr(est, name)
            shown = (f"{value}: {stage_name(value).lower()}" if name == "stage" else
                     f"{number(value)} {UNITS[name]}".strip())
            # the figure and its value on one line, its formula with the numbers below
            rows.append(f"<tr><td><b>{FIGURE_TITLES[name]}</b></td>"
                        f"<td align='right'><b>{escape(shown)}</b></td></tr>"
                        f"<tr><td colspan='2' style='color:#64748b; padding-bottom:6px'>"
                        f"{escape(est.formulas[name])}</td></tr>")
        self.results.setText("<table width='100%' cellspacing='0' cellpadding='1'>"
                             + "".join(rows) + "</table>")
        shape = starter_shape(est)
        note = (f"Create opens a starter design of stage {shape} "
                f"({stage_name(shape).lower()}): the users send the peak of "
                f"{number(est.peak_rps)} rps")
        if shape >= 4:
            note += f", over {est.servers_n_plus_1} app servers (N + 1)"
        if shape != est.stage:
            note += (f". Stage {est.stage} has one app server, which cannot carry that peak at "
                     "70 % busy, so the starter takes stage 4's shape")
        self.starter_note.setText(note + ".")
