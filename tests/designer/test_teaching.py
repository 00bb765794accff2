"""The teaching aids in the window: New from estimate, "Why?" popups on the summary bar and the
inspector, the scaling journey, the scenarios menu and the concepts guide."""

from __future__ import annotations

from PySide6.QtCore import Qt

from designer.concepts_dialog import ConceptsDialog
from designer.estimate_dialog import EstimateDialog
from simcore.analysis import analyze
from simcore.estimate import EstimateInputs, estimate
from simcore.explain import CONCEPTS, concept_anchor
from simcore.journey import STEPS
from simcore.validate import validate


def test_estimate_form_follows_its_inputs_and_creates_a_starter(qtbot):
    dialog = EstimateDialog()
    qtbot.addWidget(dialog)
    dialog.editors["users"].setValue(50_000)
    dialog.editors["requests_per_user"].setValue(3000)
    want = estimate(EstimateInputs(users=50_000, requests_per_user=3000))
    assert f"{want.peak_rps:,.0f}" in dialog.results.text()  # 5,208 rps, live
    assert "stage 4" in dialog.starter_note.text()  # one server cannot carry the peak
    design = dialog.design()
    assert validate(design) == [] and not analyze(design).saturated
    dialog.editors["read_ratio"].setValue(1.0)
    assert dialog.create_button.isEnabled()


def test_new_from_estimate_opens_the_starter(win, monkeypatch):
    monkeypatch.setattr(EstimateDialog, "exec", lambda self: 1)
    assert win.teaching.new_from_estimate()
    assert win.document.design.name.startswith("Starter: stage 4")
    assert win.document.path is None


def test_a_summary_figure_explains_itself_on_click(win, qtbot):
    tile = win.summary.tiles["saturation"]
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    popup = win.teaching.popup
    assert popup.isVisible()
    sat = analyze(win.document.design).saturation_rps
    assert popup.explanation.numbers["saturation_rps"] == sat
    assert f"{sat:,.0f}" in popup.text()
    assert "Throughput, utilisation and saturation" in popup.text()
    popup.close()


def test_an_inspector_row_explains_itself_on_click(win, qtbot):
    win.select_ids(["db"])
    label = win.inspector.live.labels["utilization"]
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    popup = win.teaching.popup
    assert popup.explanation.subject == "db"
    assert popup.explanation.numbers["utilization"] == analyze(
        win.document.design).components["db"].utilization
    popup.close()


def test_grow_traffic_saturates_the_open_design_in_one_undo_step(win):
    panel = win.teaching.show_journey().widget()
    before = win.document.design.component("users").params["rps"]
    panel.grow()
    assert win.document.undo_stack.undoText() == "Grow traffic to saturation"
    assert analyze(win.document.design).saturated
    assert "limit to grow" in panel.result.text()
    win.document.undo_stack.undo()
    assert win.document.design.component("users").params["rps"] == before


def test_the_journey_opens_each_stage(win):
    panel = win.teaching.show_journey().widget()
    for row, step in enumerate(STEPS):
        panel.steps.setCurrentRow(row)
        assert step.users_text in panel.detail.text()
        assert "limit to grow" in panel.detail.text() or "first part" in panel.detail.text()
        panel.open_button.click()
        assert win.document.design.name.startswith(f"Stage {step.stage}")


def test_a_scenario_from_the_menu_is_one_undoable_step(win):
    menu = win.teaching.scenarios_menu
    menu.rebuild()
    names = {a.text(): a for a in menu.actions() if a.isEnabled()}
    assert "Flash sale" in names and "Thundering herd after recovery" in names
    assert not any(a.text().startswith("Hot shard") for a in menu.actions() if a.isEnabled())
    names["Thundering herd after recovery"].trigger()
    events = win.document.design.scenario.events
    assert [e.type for e in events] == ["fail", "spike"]
    win.document.undo_stack.undo()
    assert not (win.document.design.scenario and win.document.design.scenario.events)


def test_every_concept_link_opens_its_section(qtbot):
    dialog = ConceptsDialog()
    qtbot.addWidget(dialog)
    for title in CONCEPTS.values():
        assert dialog.show_section(f"docs/concepts.md#{concept_anchor(title)}"), title
        assert dialog.browser.textCursor().block().text() == title


def test_the_summary_bar_says_why_100_percent_and_infinite_nines(qtbot):
    from designer.summary_bar import SummaryBar
    from simcore.design import Component, Design, Link

    design = Design(schema_version=1, components=[
        Component(id="u", kind="client", params={"rps": 10}),
        Component(id="s", kind="service", params={"workers": 4, "service_time_ms": 10})],
        links=[Link(id="l", source="u", target="s")])
    bar = SummaryBar()
    qtbot.addWidget(bar)
    bar.set_analysis(analyze(design))
    assert bar.value_text("nines") == "∞" and bar.value_text("availability") == "100 %"
    for key in ("availability", "nines"):
        assert "never fails" in bar.tiles[key].toolTip()
    assert bar.value_text("spofs") == "1"
    assert "nothing here can fail yet" in bar.tiles["spofs"].toolTip()


def test_parameter_tooltips_name_their_concept():
    from designer.inspector_fields import FieldShape
    from simcore.components import KINDS

    model = KINDS["cache"].params
    tip = FieldShape(model, "hit_ratio").tooltip()
    assert "Caching and hit ratios" in tip
