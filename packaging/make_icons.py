"""Render resources/icons/skyline.svg to the program's icon files, with Qt.

    python packaging/make_icons.py [OUT [SIZE]]

OUT's suffix picks the format: .png (default: resources/icons/skyline.png, the committed Linux
desktop icon), .ico (Windows executable) or .icns (macOS application bundle); SIZE in pixels,
default 256. Qt writes all three, so the build needs no other image library. Rerun it for the
PNG after editing skyline.svg; the Windows and macOS builds make their .ico/.icns through
packaging/skyline.spec.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
FORMATS = {".png": "PNG", ".ico": "ICO", ".icns": "ICNS"}


def render(source: Path, size: int) -> QImage:
    """``source`` painted on a transparent square of ``size`` pixels."""
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {source} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ICONS / "skyline.png"
    size = int(argv[1]) if len(argv) > 1 else 256
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise SystemExit(f"make_icons: {out.name}: the name must end in one of {sorted(FORMATS)}")
    _app = QGuiApplication.instance() or QGuiApplication([])
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = QImageWriter(str(out), fmt.encode())
    if not writer.write(render(ICONS / "skyline.svg", size)):
        raise SystemExit(f"make_icons: cannot write {out}: {writer.errorString()}")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
