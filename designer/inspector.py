"""The inspector: a form for the selected component, link or group, generated from its
parameter model (the kind's Params, LinkParams, GroupParams). Every finished edit goes through the
document as one undo command; a value the model refuses is shown under its field and never
applied. With nothing selected it edits the design's name and description."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from designer.icons import kind_pixmap
from designer.inspector_fields import FieldEditor, FieldShape
from designer.inspector_live import EventsBox, LiveFigures
from simcore.components import KINDS
from simcore.components.base import field_label, field_meta
from simcore.design_limits import MAX_NAME_CHARS
from simcore.graph import link_keys
from simcore.link_params import (
    CircuitBreakerParams,
    GroupParams,
    LinkParams,
)
from simcore.params import params_problems
from simcore.text import elide

if TYPE_CHECKING:  # the analysis package loads on first use, after the window shows
    from simcore.analysis.result import AnalysisResult

def _sections(model, keys) -> list[tuple[str | None, list[str]]]:
    """``keys`` of ``model`` grouped by the ``section`` their fields declare, sections in the
    order their first field is declared; fields without one form the group None."""
    groups: dict[str | None, list[str]] = {}
    for key in model.model_fields:
        if key in keys:
            groups.setdefault(field_meta(model, key).get("section"), []).append(key)
    return list(groups.items())


def _problem_for(model, params: dict, key: str, value, base_problems: set[str]) -> str | None:
    """The first new problem ``params`` would have with ``key`` = ``value`` (None = unset)."""
    new = dict(params)
    if value is None:
        new.pop(key, None)
    else:
        new[key] = value
    found = [p.message for p in params_problems(model, new, "")]
    fresh = [m for m in found if m not in base_problems]
    return fresh[0] if fresh else None


class _TextBox(QPlainTextEdit):
    """A multi-line text field that reports a finished edit when it loses focus."""

    finished = Signal()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.finished.emit()


HEADER_CHARS = 48
"""The inspector's title (the item's name) is cut to this many characters; its tooltip is whole."""


class _Header(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 6)
        self.icon = QLabel()
        self.icon.setFixedSize(36, 36)
        lay.addWidget(self.icon)
        col = QVBoxLayout()
        col.setSpacing(0)
        self.title = QLabel()
        self.title.setWordWrap(True)
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.title.setFont(f)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #64748b;")
        self.subtitle.setWordWrap(True)
        col.addWidget(self.title)
        col.addWidget(self.subtitle)
        lay.addLayout(col, 1)

    def set(self, kind: str | None, title: str, subtitle: str, tip: str = "") -> None:
        if kind:
            self.icon.setPixmap(kind_pixmap(kind, 32))
            self.icon.show()
        else:
            self.icon.hide()
        self.title.setText(elide(title, HEADER_CHARS))  # a long name must not widen the dock
        self.subtitle.setText(subtitle)
        self.setToolTip(tip or (title if len(title) > HEADER_CHARS else ""))


class InspectorWidget(QWidget):
    """Shows and edits one item. ``show_item(id)`` selects what it shows (None: the design).
    A click on a live figure asks why: ``whyRequested(item id, figure key, label)``."""

    whyRequested = Signal(str, str, object)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self._ident: str | None = None
        self._coll: str | None = None
        self.editors: dict[str, FieldEditor] = {}
        self._cb_editors: dict[str, FieldEditor] = {}
        self._cb_check: QCheckBox | None = None
        self.name_edit: QLineEdit | None = None
        self.description_edit: QPlainTextEdit | None = None
        self.live: LiveFigures | None = None
        self.events_box: EventsBox | None = None
        self._events_slot: QVBoxLayout | None = None
        self._analysis: AnalysisResult | None = None
        self._has_problems = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.header = _Header()
        outer.addWidget(self.header)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setMinimumWidth(220)
        outer.addWidget(self._scroll, 1)
        self._body: QWidget | None = None

        d = document
        d.changed.connect(self._on_changed)
        d.designReplaced.connect(lambda: self.show_item(None))
        d.scenarioChanged.connect(self._refresh_events)
        d.pathChanged.connect(self._path_changed)
        self.show_item(None)

    def _path_changed(self) -> None:
        """Saved under a new name: the design's header says so (when it is shown)."""
        if self._ident is None:
            self.show_item(None)

    # --- what is shown -----------------------------------------------------------------------
    @property
    def shown_id(self) -> str | None:
        return self._ident

    def show_item(self, ident: str | None) -> None:
        found = self.document.find(ident) if ident else None
        self._ident = ident if found else None
        self._coll = found[0] if found else None
        self.editors = {}
        self._cb_editors = {}
        self._cb_check = None
        self.name_edit = None
        self.description_edit = None
        self.live = None
        self.events_box = None
        self._events_slot = None
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.setSpacing(8)
        if found is None:
            self._build_design(lay)
        elif found[0] == "components":
            self._build_component(lay, found[1])
        elif found[0] == "links":
            self._build_link(lay, found[1])
        else:
            self._build_group(lay, found[1])
        lay.addStretch(1)
        old = self._scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self._scroll.setWidget(body)
        self._body = body
        self._load_values()
        self._refresh_live()
        self._refresh_events()

    # --- the analysis and the scenario, shown read-only ----------------------------------------
    def set_analysis(self, analysis: AnalysisResult | None,
                     problems: list | None = None) -> None:
        """The latest instant analysis (None while the design has problems)."""
        self._analysis = analysis
        self._has_problems = bool(problems)
        self._refresh_live()

    def _add_live(self, lay: QVBoxLayout, group: bool) -> None:
        self.live = LiveFigures(group)
        self.live.whyRequested.connect(
            lambda key, label: self.whyRequested.emit(self._ident or "", key, label))
        lay.addWidget(self.live)

    def _add_events_slot(self, lay: QVBoxLayout) -> None:
        holder = QWidget()
        self._events_slot = QVBoxLayout(holder)
        self._events_slot.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(holder)

    def _refresh_live(self) -> None:
        if self.live is None or self._ident is None:
            return
        a = self._analysis
        figures = None
        if a is not None:
            figures = (a.groups if self._coll == "groups" else a.components).get(self._ident)
        found = self.document.find(self._ident)
        client = found is not None and getattr(found[1], "kind", "") == "client"
        if a is None:
            note = ("Figures appear once the design's problems are fixed (see Problems)."
                    if self._has_problems else "Analysing…")
        else:
            note = ""
        self.live.show_figures(figures, client, note)

    def _refresh_events(self) -> None:
        if self._events_slot is None or self._ident is None:
            return
        if self.events_box is not None:
            self.events_box.deleteLater()
        self.events_box = EventsBox(self.document, self._ident)
        self._events_slot.addWidget(self.events_box)

    def _form(self, lay: QVBoxLayout, title: str | None) -> QFormLayout:
        box = QGroupBox(title) if title else QWidget()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setContentsMargins(6, 6 if title else 0, 6, 6)
        form.setVerticalSpacing(4)
        lay.addWidget(box)
        return form

    def _add_field(self, form: QFormLayout, model, key: str, store: dict,
                   commit, reset, check) -> FieldEditor:
        shape = FieldShape(model, key)
        ed = FieldEditor(shape, check)
        ed.committed.connect(commit)
        ed.reset.connect(reset)
        label = QLabel(shape.label + ("*" if shape.required else ""))
        label.setToolTip(shape.tooltip())
        label.setBuddy(ed.editor)
        form.addRow(label, ed)
        store[key] = ed
        return ed

    def _name_row(self, form: QFormLayout, obj) -> None:
        self.name_edit = QLineEdit(obj.name or "")
        self.name_edit.setMaxLength(MAX_NAME_CHARS)  # what a file may hold
        self.name_edit.setPlaceholderText(obj.id)
        self.name_edit.setToolTip("The name shown on the canvas (empty: the id)")
        self.name_edit.editingFinished.connect(self._commit_name)
        form.addRow("Name", self.name_edit)
        ident = QLabel(obj.id)
        ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ident.setStyleSheet("color: #64748b;")
        ident.setToolTip("The stable id saved in the file (links and events refer to it)")
        form.addRow("Id", ident)

    def _show_design_header(self) -> None:
        d = self.document.design

        def count(n: int, what: str) -> str:
            return f"{n} {what}{'s' * (n != 1)}"

        self.header.set(None, self.document.display_name(),
                        f"{count(len(d.components), 'component')}, "
                        f"{count(len(d.links), 'link')}, {count(len(d.groups), 'group')}")

    def _build_design(self, lay: QVBoxLayout) -> None:
        d = self.document.design
        self._show_design_header()
        form = self._form(lay, "Design")
        self.name_edit = QLineEdit(d.name or "")
        self.name_edit.setMaxLength(MAX_NAME_CHARS)
        self.name_edit.setPlaceholderText("Untitled")
        self.name_edit.editingFinished.connect(self._commit_name)
        form.addRow("Name", self.name_edit)
        self.description_edit = _TextBox(d.description or "")
        self.description_edit.finished.connect(self._commit_description)
        self.description_edit.setPlaceholderText("What this design is about")
        self.description_edit.setFixedHeight(90)
        form.addRow("Description", self.description_edit)
        hint = QLabel("Select a component, a link or a group to edit its parameters. "
                      "Hover a field for its meaning; ↺ returns a value to its default.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #64748b;")
        lay.addWidget(hint)

    def _build_component(self, lay: QVBoxLayout, comp) -> None:
        spec = KINDS.get(comp.kind)
        if spec is None:
            self.header.set(None, comp.label, f"unknown kind '{comp.kind}'")
            return
        self.header.set(comp.kind, comp.label, spec.label, spec.description)
        form = self._form(lay, None)
        self._name_row(form, comp)
        self._add_live(lay, group=False)
        model = spec.params
        base = {p.message for p in params_problems(model, comp.params, "")}

        def check(key):
            return lambda v: _problem_for(model, self._params(), key, v, base)

        # the kind's own fields (no section) first, under the kind's name
        groups = sorted(_sections(model, set(model.model_fields)), key=lambda g: g[0] is not None)
        for title, keys in groups:
            f = self._form(lay, title or spec.label)
            for key in keys:
                self._add_field(f, model, key, self.editors, self._commit_param,
                                self._reset_param, check(key))
        if spec.shown_only:
            note = QLabel("Shown only, not simulated: " + ", ".join(
                field_label(model, k) for k in spec.shown_only) + ".")
            note.setWordWrap(True)
            note.setStyleSheet("color: #64748b;")
            lay.addWidget(note)
        self._add_events_slot(lay)

    def _build_link(self, lay: QVBoxLayout, link) -> None:
        src = self.document.find(link.source)
        dst = self.document.find(link.target)
        s_label = src[1].label if src else link.source
        t_label = dst[1].label if dst else link.target
        s_kind = src[1].kind if src else ""
        spec = KINDS.get(s_kind)
        self.header.set(None, f"{s_label} → {t_label}", f"link {link.id}")
        base = {p.message for p in params_problems(LinkParams, link.params, "")}

        def check(key):
            return lambda v: _problem_for(LinkParams, self._params(), key, v, base)

        allowed = link_keys(spec) - {"circuit_breaker"}
        allowed |= set(link.params) - {"circuit_breaker"}  # a stray setting stays resettable
        for title, keys in _sections(LinkParams, allowed):
            f = self._form(lay, title)
            for key in keys:
                self._add_field(f, LinkParams, key, self.editors, self._commit_param,
                                self._reset_param, check(key))
        self._build_circuit_breaker(lay)
        self._add_events_slot(lay)
        if spec is not None and not spec.splits and not spec.behaviour.calls_links:
            note = QLabel(f"A {spec.label.lower()} sends every request on; weight applies "
                          "to splitting sources, probability and mode to services.")
            note.setWordWrap(True)
            note.setStyleSheet("color: #64748b;")
            lay.addWidget(note)

    def _build_circuit_breaker(self, lay: QVBoxLayout) -> None:
        box = QGroupBox("Circuit breaker")
        box.setToolTip(LinkParams.model_fields["circuit_breaker"].description or "")
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setContentsMargins(6, 6, 6, 6)
        self._cb_check = QCheckBox("Fail fast after repeated failures")
        self._cb_check.toggled.connect(self._toggle_circuit_breaker)
        form.addRow(self._cb_check)

        def check(key):
            def run(v):
                current = dict(self._params().get("circuit_breaker") or {})
                return _problem_for(CircuitBreakerParams, current, key, v, set())
            return run

        for key in CircuitBreakerParams.model_fields:
            self._add_field(form, CircuitBreakerParams, key, self._cb_editors,
                            self._commit_breaker, self._reset_breaker, check(key))
        lay.addWidget(box)

    def _build_group(self, lay: QVBoxLayout, group) -> None:
        self.header.set(group.kind, group.label,
                        f"{group.kind}: its members fail together (a common cause)")
        form = self._form(lay, None)
        self._name_row(form, group)
        labels = []
        for m in group.members:
            f = self.document.find(m)
            labels.append(f[1].label if f else m)
        members = QLabel(", ".join(labels) if labels else "none yet: drag components into it")
        members.setWordWrap(True)
        form.addRow("Members", members)
        self._add_live(lay, group=True)
        base = {p.message for p in params_problems(GroupParams, group.params, "")}
        f = self._form(lay, "Reliability")
        def check(key):
            return lambda v: _problem_for(GroupParams, self._params(), key, v, base)

        for key in GroupParams.model_fields:
            self._add_field(f, GroupParams, key, self.editors, self._commit_param,
                            self._reset_param, check(key))
        self._add_events_slot(lay)

    # --- values ------------------------------------------------------------------------------
    def _params(self) -> dict:
        found = self.document.find(self._ident) if self._ident else None
        return dict(found[1].params) if found else {}

    def _model(self):
        if self._coll == "components":
            spec = KINDS.get(self.document.find(self._ident)[1].kind)
            return spec.params if spec else None
        return LinkParams if self._coll == "links" else GroupParams

    def _load_values(self) -> None:
        if self._ident is None:
            d = self.document.design
            if self.name_edit is not None and not self.name_edit.hasFocus():
                self.name_edit.setText(d.name or "")
                self.name_edit.setCursorPosition(0)
            box = self.description_edit
            if (box is not None and not box.hasFocus()
                    and box.toPlainText() != (d.description or "")):
                box.setPlainText(d.description or "")
            return
        obj = self.document.find(self._ident)[1]
        if self.name_edit is not None and not self.name_edit.hasFocus():
            self.name_edit.setText(obj.name or "")
            self.name_edit.setCursorPosition(0)
        model = self._model()
        params = obj.params
        for key, ed in self.editors.items():
            if key in params:
                ed.load(params[key], True)
            else:
                ed.load(self._default(model, key), False)
        if self._cb_check is not None:
            cb = params.get("circuit_breaker")
            self._cb_check.blockSignals(True)
            self._cb_check.setChecked(cb is not None)
            self._cb_check.blockSignals(False)
            for key, ed in self._cb_editors.items():
                ed.setEnabled(cb is not None)
                if cb is not None and key in cb:
                    ed.load(cb[key], True)
                else:
                    ed.load(CircuitBreakerParams.model_fields[key].default, False)

    def _default(self, model, key: str):
        info = model.model_fields[key]
        return None if info.is_required() else info.default

    def _on_changed(self) -> None:
        if self._ident is not None and self.document.find(self._ident) is None:
            self.show_item(None)
            return
        if self._ident is None and self._body is not None:
            self._show_design_header()
        elif self._coll in ("components", "groups"):
            obj = self.document.find(self._ident)[1]
            self.header.title.setText(obj.label)
        self._load_values()

    # --- commits (each one undo command through the document) --------------------------------
    def _commit_name(self) -> None:
        if self.name_edit is None:
            return
        text = self.name_edit.text()
        if self._ident is None:
            self.document.set_design_info(name=text)
        else:
            self.document.rename(self._ident, text)

    def _commit_description(self) -> None:
        if self.description_edit is not None:
            self.document.set_design_info(description=self.description_edit.toPlainText())

    def _set(self, key: str, value) -> None:
        if self._coll == "components":
            self.document.set_component_param(self._ident, key, value)
        elif self._coll == "links":
            self.document.set_link_param(self._ident, key, value)
        elif self._coll == "groups":
            self.document.set_group_param(self._ident, key, value)

    def _commit_param(self, key: str, value) -> None:
        self._set(key, value)

    def _reset_param(self, key: str) -> None:
        ed = self.editors.get(key)
        problem = ed.problem(None) if ed is not None else None
        if problem:
            ed.show_error("Not applied: " + problem)
            return
        self._set(key, None)

    def _toggle_circuit_breaker(self, on: bool) -> None:
        self._set("circuit_breaker", {} if on else None)

    def _commit_breaker(self, key: str, value) -> None:
        cb = dict(self._params().get("circuit_breaker") or {})
        if value is None:
            cb.pop(key, None)
        else:
            cb[key] = value
        self._set("circuit_breaker", cb)

    def _reset_breaker(self, key: str) -> None:
        self._commit_breaker(key, None)

    # --- for tests and scripts -----------------------------------------------------------------
    def editor(self, key: str) -> FieldEditor:
        return self.editors.get(key) or self._cb_editors[key]
