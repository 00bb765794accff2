"""`skyline FILE --screenshot OUT.png`, run as users and packaging checks run it: a separate
process, headless, writing the whole window with the analysis painted; a bad file exits 2 with
a message and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QColor, QImage

from simcore.paths import examples_dir


def skyline(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SKYLINE_DATA_DIR=str(tmp_path / "d"))
    return subprocess.run([sys.executable, "-m", "designer", *args], check=False,
                          capture_output=True, text=True, env=env, timeout=120)


def _rgb(image: QImage) -> np.ndarray:
    """The image as an (h, w, 3) array of 0..255 red, green, blue."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    row = img.bytesPerLine()
    data = np.frombuffer(bytes(img.constBits()), dtype=np.uint8)
    return data.reshape(img.height(), row)[:, : img.width() * 3].reshape(
        img.height(), img.width(), 3).astype(int)


def test_screenshot_writes_the_whole_window_with_the_analysis(tmp_path):
    out = tmp_path / "shot.png"
    r = skyline(str(examples_dir() / "stage4_load_balancer.json"), "--screenshot", str(out),
                tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1400, 900)  # the window, not just the canvas
    # the SPOF outlines (red) and utilisation fills (green) are painted
    px = _rgb(image)
    r, g, b = px[..., 0], px[..., 1], px[..., 2]
    red = int(((r > 200) & (g < 70) & (b < 70)).sum())
    fill = QColor("#e3f6e8")
    green_fill = int(((r == fill.red()) & (g == fill.green()) & (b == fill.blue())).sum())
    assert red > 200 and green_fill > 1000, (red, green_fill)
    # a menu bar: dark text in the top-left corner, the window's chrome rather than the canvas
    assert int((px[:30, :400].sum(axis=2) < 240).sum()) > 20


def test_screenshot_of_a_bad_file_exits_2_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "components": [')
    out = tmp_path / "never.png"
    r = skyline(str(bad), "--screenshot", str(out), tmp_path=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "bad.json" in r.stderr or "line" in r.stderr
    assert not out.exists()
