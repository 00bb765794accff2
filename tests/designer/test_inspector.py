"""The inspector: a form generated from the parameter models, whose finished edits are undo
commands and whose refused values never reach the design."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QValidator

from designer.document import DesignDocument
from designer.inspector import InspectorWidget
from designer.inspector_fields import NumberBox
from simcore.components import KINDS
from simcore.design import Design
from simcore.io import load
from simcore.link_params import CircuitBreakerParams, GroupParams, LinkParams

from .conftest import design_json


@pytest.fixture
def inspector(qtbot, doc):
    w = InspectorWidget(doc)
    qtbot.addWidget(w)
    w.resize(340, 800)
    w.show()
    return w


def params(doc: DesignDocument, ident: str) -> dict:
    return dict(doc.find(ident)[1].params)


def test_every_kind_gets_a_field_for_each_parameter_with_its_unit_and_description(qtbot):
    from pathlib import Path

    design: Design = load(Path(__file__).parents[1] / "data" / "v1_every_kind.json")
    doc = DesignDocument(design)
    w = InspectorWidget(doc)
    qtbot.addWidget(w)
    seen = set()
    for comp in design.components:
        w.show_item(comp.id)
        model = KINDS[comp.kind].params
        assert set(w.editors) == set(model.model_fields), comp.kind
        for key, ed in w.editors.items():
            info = model.model_fields[key]
            assert info.description in ed.toolTip()
            unit = (info.json_schema_extra or {}).get("unit")
            if isinstance(ed.editor, NumberBox) and unit:
                assert ed.editor.suffix() == f" {unit}"
        seen.add(comp.kind)
    assert seen == set(KINDS)


def test_a_finished_edit_is_one_undo_command_and_undo_restores_the_design(inspector, doc):
    before = design_json(doc.design)
    inspector.show_item("app")
    n = doc.undo_stack.count()
    inspector.editors["workers"].set_text_and_finish("64")
    assert params(doc, "app")["workers"] == 64
    assert doc.undo_stack.count() == n + 1
    doc.undo_stack.undo()
    assert design_json(doc.design) == before
    assert inspector.editors["workers"].editor.value() == 50  # the form follows the model


def test_consecutive_edits_of_one_field_merge_into_one_step(inspector, doc):
    before = design_json(doc.design)
    inspector.show_item("app")
    n = doc.undo_stack.count()
    for text in ("60", "70", "80"):
        inspector.editors["workers"].set_text_and_finish(text)
    inspector.editors["workers"].editor.stepBy(1)  # the arrows merge too
    assert params(doc, "app")["workers"] == 81
    assert doc.undo_stack.count() == n + 1
    inspector.editors["service_time_ms"].set_text_and_finish("12")
    assert doc.undo_stack.count() == n + 2  # another field: another step
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert design_json(doc.design) == before


@pytest.mark.parametrize(("ident", "key", "text", "says"), [
    ("app", "availability", "1.5", "at most 1"),
    ("app", "availability", "0", "greater than 0"),
    ("app", "workers", "0", "at least 1"),
    ("app", "workers", "2.5", "whole number"),
    ("app", "mtbf_hours", "1000", "availability"),  # app has an availability already
    ("db", "instances", "2", "replicas"),  # a database is one instance
    ("users", "read_ratio", "-0.1", "at least 0"),
    ("l2", "latency_ms", "-1", "at least 0"),
])
def test_invalid_input_is_shown_inline_and_never_applied(inspector, doc, ident, key, text,
                                                         says):
    before = design_json(doc.design)
    n = doc.undo_stack.count()
    inspector.show_item(ident)
    ed = inspector.editors[key]
    ed.set_text_and_finish(text)
    assert design_json(doc.design) == before
    assert doc.undo_stack.count() == n
    assert not ed.error.isHidden()
    assert says in ed.error.text()
    # a valid value afterwards clears the message and is applied
    valid = {"availability": "0.99", "workers": "4", "mtbf_hours": "", "instances": "1",
             "read_ratio": "0.5", "latency_ms": "2"}[key]
    if valid:
        ed.set_text_and_finish(valid)
        assert ed.error.isHidden()


def test_letters_are_not_accepted_by_a_number_field(inspector):
    inspector.show_item("app")
    box = inspector.editors["workers"].editor
    assert box.validate("abc", 0)[0] == QValidator.State.Invalid
    assert box.validate("12", 0)[0] == QValidator.State.Acceptable


def test_an_optional_value_can_be_set_and_returned_to_its_default(inspector, doc):
    inspector.show_item("app")
    ed = inspector.editors["queue_limit"]
    assert ed.editor.text().strip() == "unbounded"
    assert ed.reset_button.isHidden()
    ed.set_text_and_finish("100")
    assert params(doc, "app")["queue_limit"] == 100
    assert not ed.reset_button.isHidden()
    ed.reset_button.click()
    assert "queue_limit" not in params(doc, "app")
    assert ed.editor.text().strip() == "unbounded"


def test_stepping_down_from_zero_unsets_an_optional_value(inspector, doc):
    inspector.show_item("app")
    ed = inspector.editors["queue_limit"]
    ed.set_text_and_finish("0")
    assert params(doc, "app")["queue_limit"] == 0
    ed.editor.stepBy(-1)
    assert "queue_limit" not in params(doc, "app")


def test_choices_and_switches_commit_at_once(inspector, doc):
    inspector.show_item("app")
    ed = inspector.editors["service_distribution"]
    assert [ed.editor.itemText(i) for i in range(ed.editor.count())] == [
        "exponential", "constant", "lognormal"]
    ed.set_text_and_finish("constant")
    assert params(doc, "app")["service_distribution"] == "constant"
    inspector.editors["blocking"].editor.setChecked(False)
    assert params(doc, "app")["blocking"] is False


def test_the_name_field_renames_in_one_step(inspector, doc):
    inspector.show_item("lb")
    inspector.name_edit.setText("Front door")
    inspector.name_edit.editingFinished.emit()
    assert doc.design.component("lb").name == "Front door"
    assert inspector.header.title.text() == "Front door"
    doc.undo_stack.undo()
    assert doc.design.component("lb").name == "Load balancer"
    assert inspector.name_edit.text() == "Load balancer"


def test_link_fields_depend_on_the_source(inspector, doc):
    inspector.show_item("l2")  # load balancer -> app: a splitting source
    assert "weight" in inspector.editors
    assert "probability" not in inspector.editors and "mode" not in inspector.editors
    inspector.show_item("l3")  # app (a service) -> cache
    assert {"probability", "mode"} <= set(inspector.editors)
    assert "weight" not in inspector.editors
    inspector.editors["probability"].set_text_and_finish("0.25")
    assert params(doc, "l3")["probability"] == 0.25
    fields = set(inspector.editors) | {"circuit_breaker"}
    assert fields <= set(LinkParams.model_fields)


def test_a_link_latency_edit_updates_the_arrow_label(qtbot, canvas):
    doc, scene, _view = canvas
    w = InspectorWidget(doc)
    qtbot.addWidget(w)
    w.show_item("l2")
    w.editors["latency_ms"].set_text_and_finish("7")
    assert params(doc, "l2")["latency_ms"] == 7
    assert "7 ms" in scene.link_item("l2").label


def test_circuit_breaker_is_switched_on_and_tuned(inspector, doc):
    inspector.show_item("l3")
    assert not inspector._cb_editors["failure_threshold"].isEnabled()
    inspector._cb_check.setChecked(True)
    assert params(doc, "l3")["circuit_breaker"] == {}
    inspector.editor("failure_threshold").set_text_and_finish("3")
    assert params(doc, "l3")["circuit_breaker"] == {"failure_threshold": 3}
    inspector.editor("window_s").set_text_and_finish("0")  # must be > 0
    assert params(doc, "l3")["circuit_breaker"] == {"failure_threshold": 3}
    assert set(inspector._cb_editors) == set(CircuitBreakerParams.model_fields)
    inspector._cb_check.setChecked(False)
    assert "circuit_breaker" not in params(doc, "l3")


def test_group_fields(inspector, doc):
    gid = doc.add_group("zone", "AZ a", ["app", "db"])
    inspector.show_item(gid)
    assert set(inspector.editors) == set(GroupParams.model_fields)
    inspector.editors["availability"].set_text_and_finish("0.9999")
    assert params(doc, gid) == {"availability": 0.9999}
    inspector.editors["mtbf_hours"].set_text_and_finish("500")  # both forms: refused
    assert params(doc, gid) == {"availability": 0.9999}
    assert not inspector.editors["mtbf_hours"].error.isHidden()


def test_with_nothing_selected_it_edits_the_design_info(inspector, doc):
    inspector.show_item(None)
    inspector.name_edit.setText("My shop")
    inspector.name_edit.editingFinished.emit()
    assert doc.design.name == "My shop"
    inspector.description_edit.setPlainText("A note")
    inspector.description_edit.finished.emit()
    assert doc.design.description == "A note"


def test_a_removed_item_clears_the_form(inspector, doc):
    inspector.show_item("cache")
    doc.remove_items(["cache"])
    assert inspector.shown_id is None


def test_a_hand_written_wrong_value_is_shown_not_crashed_on(qtbot):
    from simcore.io import parse

    from .conftest import load_example

    data = load_example().to_dict()
    app = next(c for c in data["components"] if c["id"] == "app")
    app["params"]["workers"] = "many"
    app["params"]["service_distribution"] = "gaussian"
    doc = DesignDocument(parse(data))  # the file's structure is fine; two values are not
    w = InspectorWidget(doc)
    qtbot.addWidget(w)
    w.show_item("app")
    assert "'many'" in w.editors["workers"].error.text()
    assert "'gaussian'" in w.editors["service_distribution"].error.text()
    w.editors["workers"].set_text_and_finish("12")  # mending it is an ordinary edit
    assert doc.design.component("app").params["workers"] == 12


def test_a_group_of_settings_is_edited_as_a_json_object(inspector, doc):
    inspector.show_item("app")
    field = inspector.editors["autoscale"]
    assert field.editor.text() == "" and "autoscale" in field.editor.toolTip()
    field.set_text_and_finish('{"max_instances": 6}')  # the app has 2 instances set
    assert "either instances or autoscale" in field.error.text()
    inspector.editors["instances"].reset_button.click()
    field.set_text_and_finish('{"min_instances": 2, "max_instances": 6}')
    assert params(doc, "app")["autoscale"] == {"min_instances": 2, "max_instances": 6}
    assert json.loads(field.editor.text()) == {"min_instances": 2, "max_instances": 6}
    before = design_json(doc.design)
    field.set_text_and_finish("{max: 6")
    assert "not a JSON object" in field.error.text()
    field.set_text_and_finish('{"min_instances": 9, "max_instances": 6}')
    assert "min_instances must not exceed max_instances" in field.error.text()
    assert design_json(doc.design) == before


def _wheel(widget, steps: int = -3) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(QPoint(0, 0))) + centre,
                        QPoint(0, 0), QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_an_unfocused_field_scrolls_the_panel_not_the_value(qtbot, doc):
    w = InspectorWidget(doc)
    qtbot.addWidget(w)
    w.resize(340, 260)  # low: the form scrolls
    w.show()
    qtbot.waitExposed(w)
    w.show_item("app")
    spin = w.editors["workers"].editor
    bar = w._scroll.verticalScrollBar()
    assert bar.maximum() > 0
    before, scrolled = spin.value(), bar.value()
    _wheel(spin, -3)  # wheel down, over the field, without clicking it
    assert spin.value() == before
    assert bar.value() > scrolled
    assert params(doc, "app").get("workers", before) == before
    spin.setFocus()  # clicked or tabbed into: the wheel edits it
    qtbot.waitUntil(spin.hasFocus)
    _wheel(spin, 1)
    assert spin.value() != before
