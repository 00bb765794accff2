"""Render resources/icons/skyline.svg to the committed PNG app icon, with Qt.

    python packaging/make_icons.py [OUT.png [SIZE]]

Defaults: resources/icons/skyline.png, 256 px (the Linux desktop entry's icon; on Windows and
macOS PyInstaller converts this PNG into .ico/.icns itself when Pillow is installed).
Rerun it after editing skyline.svg.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


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
    _app = QGuiApplication.instance() or QGuiApplication([])
    if not render(ICONS / "skyline.svg", size).save(str(out), "PNG"):
        raise SystemExit(f"make_icons: cannot write {out}")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
