"""Canvas gestures, driven with real mouse and key events on the view: palette drops, moving,
connecting, rubber-band selection, keys, zoom and pan, groups."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from designer.canvas.items import BOX_H, BOX_W, link_label
from designer.palette import KIND_MIME, PaletteWidget
from simcore.components import KINDS, kinds_by_category

from .conftest import design_json

L = Qt.MouseButton.LeftButton


def vp(view, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def centre_of(scene, cid: str) -> QPointF:
    return scene.component_item(cid).scene_box().center()


def drag(qtbot, view, start: QPoint, end: QPoint, button=L, steps: int = 6, modifier=None):
    mods = modifier or Qt.KeyboardModifier.NoModifier
    w = view.viewport()
    qtbot.mousePress(w, button, mods, start)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        qtbot.mouseMove(w, p)
    qtbot.mouseRelease(w, button, mods, end)


def drop_kind(view, kind: str, at: QPoint) -> None:
    mime = QMimeData()
    mime.setData(KIND_MIME, kind.encode())
    w = view.viewport()
    enter = QDragEnterEvent(QPoint(at), Qt.DropAction.CopyAction, mime, L,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(w, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(at), Qt.DropAction.CopyAction, mime, L,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(w, drop)


# --- palette ------------------------------------------------------------------------------
def test_palette_lists_every_kind_by_category_with_an_icon(qtbot):
    p = PaletteWidget()
    qtbot.addWidget(p)
    assert set(KINDS) <= set(p.kinds())
    assert {"zone", "region"} <= set(p.kinds())
    heads = [p.tree.topLevelItem(i).text(0) for i in range(p.tree.topLevelItemCount())]
    assert heads == [cat for cat, _ in kinds_by_category()] + ["Groups"]
    for kind in p.kinds():
        assert not p.item_for(kind).icon(0).isNull(), kind
    p.filter("data")
    assert set(p.visible_kinds()) >= {"cache", "database", "blob_storage"}
    assert "client" not in p.visible_kinds()
    p.filter("queue")
    assert p.visible_kinds() == ["message_queue"]
    p.filter("")
    assert len(p.visible_kinds()) == len(p.kinds())


def test_palette_mime_names_the_kind(qtbot):
    p = PaletteWidget()
    qtbot.addWidget(p)
    mime = p.tree.mimeData([p.item_for("cache")])
    assert bytes(mime.data(KIND_MIME)).decode() == "cache"


def test_double_click_in_the_palette_asks_for_the_kind(qtbot):
    p = PaletteWidget()
    qtbot.addWidget(p)
    p.resize(260, 700)
    p.show()
    item = p.item_for("database")
    p.tree.scrollToItem(item)
    rect = p.tree.visualItemRect(item)
    with qtbot.waitSignal(p.kindActivated, timeout=1000) as sig:
        qtbot.mouseClick(p.tree.viewport(), L, pos=rect.center())
        qtbot.mouseDClick(p.tree.viewport(), L, pos=rect.center())
    assert sig.args == ["database"]


def test_dropping_a_kind_from_the_palette_creates_a_component_there(canvas):
    doc, scene, view = canvas
    n = len(doc.design.components)
    at = QPoint(300, 450)
    drop_kind(view, "message_queue", at)
    assert len(doc.design.components) == n + 1
    c = doc.design.components[-1]
    assert c.kind == "message_queue"
    where = view.mapToScene(at)
    assert abs(c.x + BOX_W / 2 - where.x()) <= scene.grid
    assert abs(c.y + BOX_H / 2 - where.y()) <= scene.grid
    assert c.x % scene.grid == 0 and c.y % scene.grid == 0  # snapped
    assert scene.selected_ids() == [c.id]
    doc.undo_stack.undo()
    assert len(doc.design.components) == n


def test_a_new_client_or_rate_limiter_gets_its_required_rate(canvas):
    doc, _scene, view = canvas
    for kind in ("client", "rate_limiter"):
        drop_kind(view, kind, QPoint(100, 500))
    assert doc.design.components[-2].params == {"rps": 100.0}
    assert doc.design.components[-1].params == {"limit_rps": 1000.0}


# --- move, connect, select ------------------------------------------------------------------
def test_dragging_a_component_is_one_snapped_undo_step(qtbot, canvas):
    doc, scene, view = canvas
    before = design_json(doc.design)
    n = doc.undo_stack.count()
    x0, y0 = doc.design.component("cache").x, doc.design.component("cache").y
    assert (x0, y0) == (640.0, 60.0)
    start = vp(view, centre_of(scene, "cache"))
    drag(qtbot, view, start, start + QPoint(63, 47), steps=10)  # zoom 1: 63, 47 scene units
    c = doc.design.component("cache")
    assert doc.undo_stack.count() == n + 1
    # (703, 107) on the 20-unit grid: the nearest grid point is (700, 100)
    assert (c.x, c.y) == (700.0, 100.0)
    assert scene.component_item("cache").pos() == QPointF(700.0, 100.0)
    doc.undo_stack.undo()
    assert design_json(doc.design) == before
    assert scene.component_item("cache").pos() == QPointF(
        doc.design.component("cache").x, doc.design.component("cache").y)


def test_dragging_from_the_handle_to_another_component_connects_them(qtbot, canvas):
    doc, scene, view = canvas
    n_links, n = len(doc.design.links), doc.undo_stack.count()
    app = scene.component_item("app")
    start = vp(view, app.mapToScene(app.port_centre()))
    drag(qtbot, view, start, vp(view, centre_of(scene, "db")))
    assert len(doc.design.links) == n_links + 1
    lk = doc.design.links[-1]
    assert (lk.source, lk.target) == ("app", "db")
    assert doc.undo_stack.count() == n + 1
    assert scene.link_item(lk.id) is not None
    # the component itself did not move
    assert (doc.design.component("app").x, doc.design.component("app").y) == (
        app.pos().x(), app.pos().y())


@pytest.mark.parametrize("zoom", [1.0, 0.8])
@pytest.mark.parametrize("dx, dy", [(-1, 0), (-3, 0), (-5, 0), (-8, 0), (0, 0), (4, 0),
                                    (9, 0), (-3, -6), (-3, 6), (2, -8)])
def test_a_press_anywhere_on_the_connect_dot_connects(qtbot, canvas, dx, dy, zoom):
    """The inner half of the dot (inside the box's border) once made a hole in the item's
    shape: a press there started a rubber band or moved the box."""
    doc, scene, view = canvas
    view.set_zoom(zoom)
    view.centerOn(centre_of(scene, "cache"))
    n = len(doc.design.links)
    app = scene.component_item("app")
    start = vp(view, app.mapToScene(app.port_centre()) + QPointF(dx, dy))
    qtbot.mouseMove(view.viewport(), start - QPoint(40, 0))  # hover the card first
    qtbot.mouseMove(view.viewport(), start)
    assert app._hover
    drag(qtbot, view, start, vp(view, centre_of(scene, "db")))
    assert len(doc.design.links) == n + 1
    assert (doc.design.links[-1].source, doc.design.links[-1].target) == ("app", "db")


def test_the_drop_target_is_highlighted_during_a_connecting_drag(qtbot, canvas):
    _doc, scene, view = canvas
    app, db = scene.component_item("app"), scene.component_item("db")
    w = view.viewport()
    start = vp(view, app.mapToScene(app.port_centre()) + QPointF(-3, 0))
    qtbot.mousePress(w, L, Qt.KeyboardModifier.NoModifier, start)
    for p in (start + QPoint(20, 5), vp(view, centre_of(scene, "db"))):
        qtbot.mouseMove(w, p)
    assert db._drop_target == 1
    qtbot.mouseRelease(w, L, Qt.KeyboardModifier.NoModifier, vp(view, centre_of(scene, "db")))
    assert db._drop_target == 0


def test_a_refused_connection_adds_nothing_and_says_why(qtbot, canvas):
    doc, scene, view = canvas
    n_links = len(doc.design.links)
    messages = []
    scene.statusMessage.connect(messages.append)
    cache = scene.component_item("cache")
    drag(qtbot, view, vp(view, cache.mapToScene(cache.port_centre())),
         vp(view, centre_of(scene, "app")))  # app -> cache exists: a cycle
    assert len(doc.design.links) == n_links
    assert any("cycle" in m for m in messages)


def test_rubber_band_selects_what_it_touches(qtbot, canvas):
    doc, scene, view = canvas
    lb, app = scene.component_item("lb").scene_box(), scene.component_item("app").scene_box()
    top_left = vp(view, QPointF(lb.left() - 10, lb.top() - 40))
    bottom_right = vp(view, QPointF(app.right() - 20, app.bottom() + 30))
    drag(qtbot, view, top_left, bottom_right)
    assert {"lb", "app"} <= set(scene.selected_ids())
    assert "db" not in scene.selected_ids()
    assert doc.undo_stack.count() == 0


def test_keys_delete_select_all_copy_paste_duplicate_and_nudge(qtbot, canvas):
    doc, scene, view = canvas
    view.setFocus()
    scene.select_ids(["app"])
    x0, y0 = doc.design.component("app").x, doc.design.component("app").y
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert (doc.design.component("app").x, doc.design.component("app").y) == (x0 + 1,
                                                                           y0 + scene.grid)
    n = len(doc.design.components)
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.design.components) == n + 1
    copy = doc.design.components[-1]
    assert copy.kind == "service" and copy.params == doc.design.component("app").params
    assert copy.id != "app"
    scene.select_ids(["app", "cache", "l3"])
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.design.components) == n + 3
    pasted = set(scene.selected_ids())
    new_links = [lk for lk in doc.design.links if lk.id in pasted]
    assert len(new_links) == 1 and new_links[0].source in pasted
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert set(scene.selected_ids()) >= {c.id for c in doc.design.components}
    scene.select_ids(["db"])
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    ids = {c.id for c in doc.design.components}
    assert "db" not in ids
    assert all(lk.target != "db" for lk in doc.design.links)


def test_wheel_and_keys_zoom_and_f_fits(qtbot, canvas):
    _doc, scene, view = canvas
    view.setFocus()
    z = view.zoom()
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() > z
    z = view.zoom()
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() < z
    z = view.zoom()
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() > z
    view.set_zoom(3.0)
    qtbot.keyClick(view, Qt.Key.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(scene.itemsBoundingRect())


@pytest.mark.parametrize("how", ["middle", "space"])
def test_pan_with_the_middle_button_or_space_drag(qtbot, canvas, how):
    doc, scene, view = canvas
    view.set_zoom(2.0)
    before = view.mapToScene(view.viewport().rect().center())
    start, end = QPoint(400, 300), QPoint(300, 250)
    if how == "middle":
        drag(qtbot, view, start, end, button=Qt.MouseButton.MiddleButton)
    else:
        view.setFocus()
        qtbot.keyPress(view, Qt.Key.Key_Space)
        drag(qtbot, view, start, end)
        qtbot.keyRelease(view, Qt.Key.Key_Space)
    after = view.mapToScene(view.viewport().rect().center())
    assert after.x() > before.x() + 20 and after.y() > before.y() + 10
    assert doc.undo_stack.count() == 0  # nothing moved in the design
    assert scene.selected_ids() == []


# --- groups ------------------------------------------------------------------------------------
def test_dragging_components_into_and_out_of_a_zone(qtbot, canvas):
    doc, scene, view = canvas
    gid = doc.add_group("zone", "AZ a", ["db"])
    assert scene.group_item(gid) is not None
    zone = scene.group_item(gid).scene_rect()
    assert zone.contains(scene.component_item("db").scene_box())
    n = doc.undo_stack.count()
    # cache into the zone, next to the database
    start = vp(view, centre_of(scene, "cache"))
    target = QPointF(zone.center().x(), zone.bottom() - BOX_H / 2 - 5)
    drag(qtbot, view, start, vp(view, target), steps=8)
    assert doc.design.group(gid).members == ["db", "cache"]
    assert doc.undo_stack.count() == n + 1  # the move and the membership: one step
    doc.undo_stack.undo()
    assert doc.design.group(gid).members == ["db"]
    doc.undo_stack.redo()
    # the database out of the zone, far away
    start = vp(view, centre_of(scene, "db"))
    drag(qtbot, view, start, vp(view, QPointF(zone.center().x(), zone.bottom() + 300)),
         steps=8)
    assert doc.design.group(gid).members == ["cache"]


def test_dropping_from_the_palette_inside_a_zone_makes_a_member(canvas):
    doc, scene, view = canvas
    gid = doc.add_group("zone", "AZ a", ["db"])
    zone = scene.group_item(gid).scene_rect()
    n = doc.undo_stack.count()
    drop_kind(view, "cache", vp(view, QPointF(zone.center().x(), zone.bottom() - 35)))
    new = doc.design.components[-1].id
    assert new in doc.design.group(gid).members
    assert doc.undo_stack.count() == n + 1


def test_a_group_is_drawn_around_its_members_and_follows_them(canvas):
    doc, scene, _view = canvas
    gid = doc.add_group("region", "EU", ["app", "db"])
    rect = scene.group_item(gid).scene_rect()
    for m in ("app", "db"):
        assert rect.contains(scene.component_item(m).scene_box())
    doc.move_components({"db": (doc.design.component("db").x + 200,
                                doc.design.component("db").y)})
    assert scene.group_item(gid).scene_rect().contains(scene.component_item("db").scene_box())


# --- link labels ---------------------------------------------------------------------------------
def test_link_labels_show_latency_weight_probability():
    assert link_label({"latency_ms": 0.5}) == "0.5 ms"
    assert link_label({"latency_ms": 2, "weight": 3}) == "2 ms · w 3"
    assert link_label({"probability": 0.3, "mode": "async"}) == "p 0.3 · async"


def test_arrows_show_their_label_and_follow_parameter_edits(canvas):
    doc, scene, _view = canvas
    assert scene.link_item("l2").label == "0.5 ms"
    doc.set_link_param("l2", "weight", 2.0)
    assert scene.link_item("l2").label == "0.5 ms · w 2"


@pytest.mark.parametrize("zoom", [1.0, 0.2])
def test_exports_draw_every_item_afresh_whatever_the_zoom(canvas, tmp_path, zoom):
    """Zoomed out the canvas paints cached pictures; an SVG must still hold vector text."""
    from designer import export

    doc, scene, view = canvas
    view.set_zoom(zoom)
    assert scene.low_detail == (zoom < 0.5)
    svg = export.export_svg(scene, tmp_path / "d.svg", "x").read_text()
    assert svg.count("<text") >= len(doc.design.components)
    assert "App servers" in svg
    assert scene.low_detail == (zoom < 0.5)  # the screen's mode comes back



def _box_pixels(view, item, box=None) -> list:
    """The colours on screen where the component's box is (a margin of 2 px around it)."""
    r = view.mapFromScene(box or item.scene_box()).boundingRect().adjusted(-2, -2, 2, 2)
    img = view.viewport().grab().toImage()
    return [img.pixelColor(x, y) for x in range(r.left(), r.right() + 1)
            for y in range(r.top(), r.bottom() + 1)]


def _blue(pixels) -> int:
    return sum(1 for c in pixels if c.blue() > c.red() + 60 and c.blue() > c.green() + 30)


def _drawn(pixels) -> int:
    background = {"#fbfcfe", "#eef1f6", "#dde2ea"}
    return sum(1 for c in pixels if c.name() not in background)


def test_zoomed_out_the_canvas_shows_selection_moves_and_removals(qtbot, canvas):
    """Zoomed out, components and links are drawn together by the scene: what the user does
    must still show at once (a selection outline, a moved box, a deleted one gone)."""
    doc, scene, view = canvas
    view.set_zoom(0.3)
    assert scene.low_detail
    cid = doc.design.components[0].id
    item = scene.component_item(cid)
    view.centerOn(item)
    QApplication.processEvents()
    area = len(_box_pixels(view, item))
    assert _drawn(_box_pixels(view, item)) > area / 2
    unselected = _blue(_box_pixels(view, item))

    scene.select_ids([cid])
    QApplication.processEvents()
    assert _blue(_box_pixels(view, item)) > unselected + 20  # the selection outline
    scene.clearSelection()
    QApplication.processEvents()
    assert _blue(_box_pixels(view, item)) == unselected

    old_box = item.scene_box()
    item.setPos(item.pos() + QPointF(0, -400))
    QApplication.processEvents()
    assert _drawn(_box_pixels(view, item)) > area / 2  # drawn where it went
    assert _drawn(_box_pixels(view, item, old_box)) < area / 3  # and not where it was
    scene.select_ids([cid])  # the same for a selected box (it paints itself)
    QApplication.processEvents()
    item.setPos(item.pos() + QPointF(0, 400))
    QApplication.processEvents()
    assert _drawn(_box_pixels(view, item)) > area / 2
    assert _drawn(_box_pixels(view, item, item.scene_box().translated(0, -400))) < area / 3
    scene.clearSelection()

    doc.remove_items([cid])
    QApplication.processEvents()
    assert _drawn(_box_pixels(view, item)) < area / 10


def test_a_paste_gets_a_new_name_covers_nothing_and_says_paste_1_item(qtbot, canvas):
    doc, scene, view = canvas
    view.setFocus()
    boxes = {c.id: scene.component_item(c.id).scene_box() for c in doc.design.components}
    scene.select_ids(["app"])
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    for expected in ("App servers 2", "App servers 3"):
        qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        (new,) = scene.selected_ids()
        assert doc.design.component(new).name == expected
        assert doc.undo_stack.undoText() == "Paste 1 item"
        box = scene.component_item(new).scene_box()
        assert not any(box.intersects(b) for b in boxes.values())
        boxes[new] = box
    scene.select_ids(["app"])
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    (dup,) = scene.selected_ids()
    assert doc.design.component(dup).name == "App servers 4"
    assert not any(scene.component_item(dup).scene_box().intersects(b) for b in boxes.values())


def _dark_pixels_in_the_middle(view) -> int:
    image = view.viewport().grab().toImage()
    w, h = image.width(), image.height()
    return sum(1 for x in range(w // 4, 3 * w // 4, 2) for y in range(h // 2 - 12, h // 2 + 12)
               if image.pixelColor(x, y).lightness() < 160)


def test_an_empty_canvas_says_how_to_start(qtbot, canvas):
    from simcore.design import empty_design

    doc, _scene, view = canvas
    assert view.hint() is None
    doc.replace(empty_design(), None)
    view.viewport().repaint()
    assert view.hint() == "Drag a component here, or File → New from example"
    assert _dark_pixels_in_the_middle(view) > 50  # the text is drawn
    doc.add_component("service", 2000, 2000)  # anything at all: the hint goes
    view.viewport().repaint()
    assert view.hint() is None
    assert _dark_pixels_in_the_middle(view) == 0


def test_zoomed_out_links_keep_their_arrowheads(qtbot, canvas):
    """Below 50 % the links are drawn in one go: still with a head and a visible width."""
    _doc, scene, view = canvas
    view.set_zoom(0.3)
    assert scene.low_detail
    view.centerOn(scene.itemsBoundingRect().center())
    image = view.viewport().grab().toImage()
    line = scene.link_item("l2").line()
    unit = line.unitVector()
    # 5 screen pixels back from the tip: a head fills most of a 9 × 9 square, a bare line
    # crosses it with a few pixels
    back = view.mapFromScene(line.p2() - QPointF(unit.dx(), unit.dy()) * (5 / view.zoom()))
    dark = sum(1 for x in range(back.x() - 4, back.x() + 5)
               for y in range(back.y() - 4, back.y() + 5)
               if image.pixelColor(x, y).lightness() < 170)
    assert dark >= 20
