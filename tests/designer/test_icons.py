"""Icons: one per component kind plus the app, zone and region icons, all in one style that
Qt's SVG renderer draws (SPEC §1: adding a kind is one file in simcore/components plus one icon)."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from simcore.components import KINDS
from simcore.paths import icons_dir, resources_dir

SVG_NS = "{http://www.w3.org/2000/svg}"
PLAIN_ELEMENTS = {"svg", "title", "g", "rect", "circle", "ellipse", "line", "polyline",
                  "polygon", "path"}
EXTRA_ICONS = ["skyline", "zone", "region"]
ALL_ICONS = [spec.icon.removesuffix(".svg") for spec in KINDS.values()] + EXTRA_ICONS


def render(name: str, size: int) -> QImage:
    renderer = QSvgRenderer(str(icons_dir() / f"{name}.svg"))
    assert renderer.isValid(), f"{name}.svg: Qt cannot parse it"
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def pixels(image: QImage) -> list[QColor]:
    return [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())]


def test_every_kind_declares_an_existing_icon():
    assert len(KINDS) >= 13
    missing = [s.kind for s in KINDS.values() if not (icons_dir() / s.icon).is_file()]
    assert missing == []


@pytest.mark.parametrize("name", ALL_ICONS)
def test_icon_renders_a_tile_with_a_white_glyph_at_32px(qapp, name):
    px = pixels(render(name, 32))
    opaque = [c for c in px if c.alpha() == 255]
    # The rounded tile covers most of the square; its corners stay transparent.
    assert 0.75 * len(px) < len(opaque) < len(px), f"{name}: {len(opaque)} opaque pixels of {len(px)}"
    assert px[0].alpha() == 0, f"{name}: the corner should be transparent (rounded tile)"
    white = [c for c in opaque if min(c.red(), c.green(), c.blue()) >= 240]
    tile = [c for c in opaque if min(c.red(), c.green(), c.blue()) < 200]
    # A readable glyph: a real share of white, and still mostly tile colour.
    assert 0.04 * len(px) < len(white) < 0.6 * len(px), f"{name}: {len(white)} white pixels"
    assert len(tile) > 0.3 * len(px), f"{name}: tile colour covers {len(tile)} pixels"


@pytest.mark.parametrize("name", ALL_ICONS)
def test_icon_is_plain_svg_on_the_shared_64_grid(name):
    root = ET.parse(icons_dir() / f"{name}.svg").getroot()
    assert root.tag == SVG_NS + "svg"
    assert root.get("viewBox") == "0 0 64 64"
    tags = {el.tag.removeprefix(SVG_NS) for el in root.iter()}
    assert tags <= PLAIN_ELEMENTS, f"{name}: elements Qt may not render: {tags - PLAIN_ELEMENTS}"
    tile = root.find(SVG_NS + "rect")
    assert (tile.get("x"), tile.get("y"), tile.get("width"), tile.get("rx")) == ("2", "2", "60", "12")


def test_kinds_of_one_category_share_a_tile_colour_and_categories_differ():
    fills: dict[str, set[str]] = {}
    for spec in KINDS.values():
        tile = ET.parse(icons_dir() / spec.icon).getroot().find(SVG_NS + "rect")
        fills.setdefault(spec.category, set()).add(tile.get("fill").upper())
    assert all(len(f) == 1 for f in fills.values()), fills
    colours = [next(iter(f)) for f in fills.values()]
    assert len(set(colours)) == len(colours), fills


def glyph_mask(image: QImage) -> set[tuple[int, int]]:
    return {(x, y) for y in range(image.height()) for x in range(image.width())
            if min(image.pixelColor(x, y).getRgb()[:3]) >= 200}


def test_glyphs_are_distinguishable_at_32px(qapp):
    """Compares the white glyphs alone, so that two kinds of one colour must differ in shape."""
    masks = {name: glyph_mask(render(name, 32)) for name in ALL_ICONS}
    names = sorted(masks)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            differ = len(masks[a] ^ masks[b])
            assert differ > 60, f"{a} and {b} glyphs differ in only {differ} pixels at 32 px"


def test_app_icon_png_is_256px():
    image = QImage(str(icons_dir() / "skyline.png"))
    assert not image.isNull()
    assert (image.width(), image.height()) == (256, 256)
    assert image.pixelColor(0, 0).alpha() == 0 and image.pixelColor(128, 200).alpha() == 255


def test_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(resources_dir() / "skyline.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "Skyline"
    assert d["Exec"] == "skyline %f" and d["Icon"] == "skyline"
    # one main category (desktop-file-validate warns about several): the menu's Development
    categories = d["Categories"].rstrip(";").split(";")
    assert categories[0] == "Development" and len(categories) == len(set(categories))
    assert d["Terminal"] == "false"
