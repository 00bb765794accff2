"""Editors of one parameter, generated from a pydantic field (its type, limits, description and
the interface metadata it declares: unit, label, text when unset, starting value; see
``simcore.components.base``). An editor shows the value in force (the one set, or the default in grey), checks
what the user types, and reports a finished edit through ``committed(key, value)``; ``None`` means
"not set" (the default applies). It never changes the design itself: the inspector does that,
through the document."""

from __future__ import annotations

import json
import math
import types
import typing
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.wheel_guard import guard_wheel
from simcore.components.base import field_label, field_meta, start_value
from simcore.explain import param_concept

ERROR_STYLE = "color: #b91c1c;"
INT_MAX = 2_147_483_647
FLOAT_MAX = 1e15


def _unwrap_optional(annotation) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


class FieldShape:
    """What an editor needs to know about field ``key`` of the pydantic ``model``."""

    def __init__(self, model: type[BaseModel], key: str):
        self.key = key
        self.info = info = model.model_fields[key]
        self.base, self.optional = _unwrap_optional(info.annotation)
        self.required = info.is_required()
        self.default = None if self.required else info.default
        meta = field_meta(model, key)
        self.unit = str(meta.get("unit", "") or "")
        self.label = field_label(model, key)
        self.unset_text = str(meta.get("unset", "not set"))
        self.start = start_value(model, key)
        self.description = info.description or ""
        self.lower = self.upper = None
        self.lower_open = self.upper_open = False
        for m in info.metadata:
            if isinstance(m, at.Ge):
                self.lower = m.ge
            elif isinstance(m, at.Gt):
                self.lower, self.lower_open = m.gt, True
            elif isinstance(m, at.Le):
                self.upper = m.le
            elif isinstance(m, at.Lt):
                self.upper, self.upper_open = m.lt, True

    @property
    def editor_kind(self) -> str:
        b = self.base
        if typing.get_origin(b) is Literal:
            return "choice"
        if b is bool:
            return "bool"
        if b is int:
            return "int"
        if b is float:
            return "float"
        if isinstance(b, type) and issubclass(b, BaseModel):
            return "model"
        return "text"

    @property
    def choices(self) -> list[str]:
        return [str(c) for c in typing.get_args(self.base)]

    def range_text(self) -> str:
        parts = []
        if self.lower is not None:
            parts.append(f"{'>' if self.lower_open else '≥'} {_num(self.lower)}")
        if self.upper is not None:
            parts.append(f"{'<' if self.upper_open else '≤'} {_num(self.upper)}")
        return ", ".join(parts)

    def tooltip(self) -> str:
        lines = [f"<b>{self.key}</b>"]
        if self.description:
            lines.append(self.description)
        facts = []
        if self.unit:
            facts.append(f"unit: {self.unit}")
        if self.range_text():
            facts.append(f"allowed: {self.range_text()}")
        if self.required:
            facts.append("required")
        elif self.default is not None:
            facts.append(f"default: {_num(self.default)}")
        if facts:
            lines.append("<i>" + "; ".join(facts) + "</i>")
        concept = param_concept(self.key)
        if concept:
            lines.append(f"Concept: “{concept}” (Help → Concepts)")
        return "<br>".join(lines)

    def range_problem(self, v: float) -> str | None:
        """Why ``v`` is outside the field's limits, or None."""
        if self.lower is not None and (v < self.lower or (self.lower_open and v == self.lower)):
            return f"must be {'greater than' if self.lower_open else 'at least'} {_num(self.lower)}"
        if self.upper is not None and (v > self.upper or (self.upper_open and v == self.upper)):
            return f"must be {'less than' if self.upper_open else 'at most'} {_num(self.upper)}"
        return None


def _num(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.12g}"


class NumberBox(QDoubleSpinBox):
    """A spin box for ints and floats that shows numbers the way people write them (0.9995, not
    0.999500), accepts any number while typing (the limits are checked and reported by the
    editor, not silently clamped), and shows ``unset_text`` when an optional value is not set."""

    def __init__(self, shape: FieldShape, parent=None):
        # Qt calls the overrides below from inside the setters: set what they read first.
        self.shape = shape
        self.is_int = shape.editor_kind == "int"
        big = INT_MAX if self.is_int else FLOAT_MAX
        self.sentinel = -big  # "not set" for optional values
        super().__init__(parent)
        self.setDecimals(0 if self.is_int else 10)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setRange(-big, big)
        if shape.optional:
            self.setSpecialValueText(shape.unset_text)
        if shape.unit and shape.unit not in ("",):
            self.setSuffix(f" {shape.unit}")
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(80)

    # text <-> value
    def textFromValue(self, v: float) -> str:
        if self.is_int:
            return str(round(v))
        return _num(float(v))

    def _number_text(self, text: str) -> str:
        t = text.strip()
        if self.suffix() and t.endswith(self.suffix().strip()):
            t = t[: -len(self.suffix().strip())]
        return t.strip().replace(",", "")

    def valueFromText(self, text: str) -> float:
        t = self._number_text(text)
        if self.shape.optional and t in ("", self.specialValueText()):
            return self.sentinel
        try:
            return float(t)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = self._number_text(text)
        if self.shape.optional and (t == "" or t == self.specialValueText()
                                    or self.specialValueText().startswith(t)):
            state = (QValidator.State.Acceptable if t in ("", self.specialValueText())
                     else QValidator.State.Intermediate)
            return state, text, pos
        if t in ("", "-", "+", ".", "-."):
            return QValidator.State.Intermediate, text, pos
        try:
            v = float(t)
        except ValueError:
            if t.lower().endswith(("e", "e-", "e+")):
                return QValidator.State.Intermediate, text, pos
            return QValidator.State.Invalid, text, pos
        if self.is_int and not float(v).is_integer():
            return QValidator.State.Intermediate, text, pos
        if not math.isfinite(v) or abs(v) >= abs(self.sentinel):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        return text

    def stepBy(self, steps: int) -> None:
        """Step within the limits; below the lowest value an optional field becomes unset,
        and stepping up from unset starts at a typical value. One value change per step."""
        s = self.shape
        v = self.value()
        if s.optional and v == self.sentinel:
            if steps > 0:
                self.setValue(float(s.start))
            return
        blocked = self.blockSignals(True)
        try:
            if self.is_int:
                super().setValue(v + steps)
            else:
                super().stepBy(steps)
            nv = self.value()
            super().setValue(v)
        finally:
            self.blockSignals(blocked)
        lo, hi = s.lower, s.upper
        if lo is not None and (nv < lo or (s.lower_open and nv <= lo)):
            if s.optional and steps < 0:
                nv = self.sentinel
            elif s.lower_open:
                nv = v if v > lo else (lo + 1 if self.is_int or s.start <= lo else s.start)
            else:
                nv = lo
        elif hi is not None and (nv > hi or (s.upper_open and nv >= hi)):
            nv = v if (v <= hi and not (s.upper_open and v >= hi)) else hi
        self.setValue(nv)

    def stepEnabled(self):
        return (QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
                | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled)

    # the model's value
    def model_value(self):
        v = self.value()
        if self.shape.optional and v == self.sentinel:
            return None
        return round(v) if self.is_int else float(v)

    def show_value(self, value) -> None:
        self.setValue(self.sentinel if value is None else float(value))


class FieldEditor(QWidget):
    """One row of the form: the editor, a reset button (shown when the value is set) and an
    error line under it (shown while the typed value would be refused)."""

    committed = Signal(str, object)  # key, new value (None = not set)
    reset = Signal(str)

    def __init__(self, shape: FieldShape, check=None, parent=None):
        super().__init__(parent)
        self.shape = shape
        self._check = check  # value -> problem text or None (the model's opinion)
        self._loading = False
        self._is_set = False
        self._shown = None
        self._typed = False  # text typed since the last load or finished edit
        self.setToolTip(shape.tooltip())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        outer.addLayout(row)
        kind = shape.editor_kind
        if kind in ("int", "float"):
            self.editor = NumberBox(shape)
            self.editor.valueChanged.connect(self._number_changed)
            self.editor.lineEdit().textEdited.connect(self._live_check)
            self.editor.editingFinished.connect(self._number_finished)
        elif kind == "choice":
            self.editor = QComboBox()
            self.editor.addItems(shape.choices)
            self.editor.activated.connect(lambda _i: self._try(self.editor.currentText()))
        elif kind == "bool":
            self.editor = QCheckBox()
            self.editor.toggled.connect(lambda on: self._loading or self._try(bool(on)))
        elif kind == "model":  # a group of settings, written as a JSON object
            self.editor = QLineEdit()
            self.editor.setPlaceholderText("not set (a JSON object turns it on)")
            self.editor.editingFinished.connect(self._object_finished)
        else:
            self.editor = QLineEdit()
            self.editor.editingFinished.connect(
                lambda: self._try(self.editor.text().strip() or None))
        self.editor.setToolTip(shape.tooltip())
        if kind in ("int", "float", "choice"):
            guard_wheel(self.editor)
        row.addWidget(self.editor, 1)
        self.reset_button = QToolButton()
        self.reset_button.setText("↺")
        self.reset_button.setAutoRaise(True)
        self.reset_button.setToolTip("Back to the default (remove this setting from the file)")
        self.reset_button.clicked.connect(lambda: self.reset.emit(self.shape.key))
        self.reset_button.setFixedWidth(22)
        row.addWidget(self.reset_button)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        outer.addWidget(self.error)
        self._keep_reset_space()

    def _keep_reset_space(self) -> None:
        sp = self.reset_button.sizePolicy()
        sp.setRetainSizeWhenHidden(True)
        self.reset_button.setSizePolicy(sp)

    # --- showing the model -----------------------------------------------------------------
    def load(self, value, is_set: bool) -> None:
        """Show ``value`` (the one set, or the default when ``is_set`` is False)."""
        self._loading = True
        try:
            self._shown = value
            self._is_set = is_set
            self._typed = False
            e = self.editor
            stray = None  # a value from a hand-written file the editor cannot show
            if isinstance(e, NumberBox):
                try:
                    e.show_value(value)
                except (TypeError, ValueError):
                    e.show_value(None if self.shape.optional else self.shape.default)
                    stray = value
            elif isinstance(e, QComboBox):
                index = e.findText(str(value))
                e.setCurrentIndex(max(0, index))
                stray = value if index < 0 else None
            elif isinstance(e, QCheckBox):
                e.setChecked(bool(value))
            elif self.shape.editor_kind == "model":
                e.setText("" if value is None else json.dumps(value))
                e.setCursorPosition(0)  # the start of a long object, not its end
            else:
                e.setText("" if value is None else str(value))
            f = e.font()
            f.setItalic(not is_set and not self.shape.required)
            e.setFont(f)
            self.reset_button.setVisible(is_set and not self.shape.required)
            if stray is not None:
                self.show_error(f"The file holds {stray!r}, which is not a valid "
                                f"{self.shape.label.lower()}: set a value or ↺.")
        finally:
            self._loading = False

    def show_error(self, text: str | None) -> None:
        if text:
            self.error.setText(text)
            self.error.show()
            self.editor.setStyleSheet("border: 1px solid #dc2626; border-radius: 2px;")
        else:
            self.error.clear()
            self.error.hide()
            self.editor.setStyleSheet("")

    @property
    def error_text(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""

    # --- checking and committing -----------------------------------------------------------
    def problem(self, value) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            p = self.shape.range_problem(value)
            if p:
                return f"{self.shape.label} {p}"
        if value is None and self.shape.required:
            return f"{self.shape.label} is required"
        return self._check(value) if self._check else None

    def _live_check(self, _text: str) -> None:
        self._typed = True
        e = self.editor
        t = e._number_text(e.text())
        if e.shape.optional and t in ("", e.specialValueText()):
            self.show_error(self.problem(None))
            return
        try:
            v = float(t)
        except ValueError:
            self.show_error("not a number" if t else None)
            return
        if e.is_int and not v.is_integer():
            self.show_error(f"{self.shape.label} must be a whole number")
            return
        self.show_error(self.problem(int(v) if e.is_int else v))

    def _number_changed(self, _v: float) -> None:
        if not self._loading:
            self._try(self.editor.model_value())

    def _number_finished(self) -> None:
        # Text Qt could not take (half a number) is reverted by the spin box: say so.
        typed, self._typed = self._typed, False
        if self.error.isVisible() and self.editor.model_value() == self._shown:
            self.error.setText("Not applied: " + self.error.text().removeprefix("Not applied: "))
        elif typed and not self._is_set and self.editor.model_value() == self._shown:
            # The default typed in on purpose: set it (the spin box saw no change to report).
            self._try(self._shown)

    def _object_finished(self) -> None:
        text = self.editor.text().strip()
        if not text:
            self._try(None)
            return
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            self.show_error(f"Not applied: not a JSON object ({exc.msg})")
            self.load(self._shown, self._is_set)
            return
        self._try(value)

    def _try(self, value) -> bool:
        """Commit ``value`` if the model takes it; otherwise show why and restore the shown
        value. Returns whether it was committed."""
        if value == self._shown and (self._is_set or value is None):
            self.show_error(None)
            return False
        problem = self.problem(value)
        if problem:
            self.show_error("Not applied: " + problem)
            self.load(self._shown, self._is_set)
            return False
        self.show_error(None)
        self.committed.emit(self.shape.key, value)
        return True

    def set_text_and_finish(self, text: str) -> None:
        """Type ``text`` into the editor and finish the edit, as a user would (tests, scripts)."""
        e = self.editor
        if isinstance(e, NumberBox):
            e.lineEdit().setText(text)
            self._live_check(text)
            e.interpretText()
            self._number_finished()
        elif isinstance(e, QLineEdit):
            e.setText(text)
            e.editingFinished.emit()
        elif isinstance(e, QComboBox):
            e.setCurrentText(text)
            e.activated.emit(e.currentIndex())
