"""Fixtures of the designer tests: an isolated data directory (settings, recent files, recovery
files), documents on the bundled examples, a shown canvas, and a helper that compares designs
exactly (the file's JSON text)."""

from __future__ import annotations

import json

import pytest

from designer.document import DesignDocument
from designer.files import read_design
from simcore.paths import default_example, examples_dir


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path, monkeypatch):
    data = tmp_path / "skyline-data"
    monkeypatch.setenv("SKYLINE_DATA_DIR", str(data))
    monkeypatch.setenv("SKYLINE_NO_AUTOSAVE_PROMPT", "1")
    return data


@pytest.fixture(autouse=True)
def _no_cache_aside_menu(monkeypatch):
    """Linking a service to a lone cache asks, with a menu, which store it fronts: a test that
    does not answer it says "Not now" instead of waiting for a click."""
    monkeypatch.setattr("designer.canvas.scene.ask_store", lambda *_args: None)


def design_json(design) -> str:
    """The design exactly as it would be saved (order of lists and keys included)."""
    return json.dumps(design.model_dump(mode="json"), sort_keys=False)


def load_example(name: str = "stage4_load_balancer.json"):
    design, problems = read_design(examples_dir() / name if name else default_example())
    assert problems == [], problems
    return design


@pytest.fixture
def doc(qapp):
    return DesignDocument(load_example())


@pytest.fixture
def canvas(qtbot, doc):
    """(document, scene, view) with the view shown at a known size."""
    from designer.canvas.scene import DesignScene
    from designer.canvas.view import DesignView

    scene = DesignScene(doc)
    view = DesignView(scene)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_zoom(1.0)
    return doc, scene, view


@pytest.fixture(scope="module")
def window(qapp):
    """One main window for a test module (building one costs a second or two)."""
    import os
    import tempfile

    from PySide6.QtWidgets import QApplication

    from designer.main_window import MainWindow

    tmp = tempfile.mkdtemp(prefix="skyline-mw-")
    old = os.environ.get("SKYLINE_DATA_DIR")
    os.environ["SKYLINE_DATA_DIR"] = tmp
    w = MainWindow(DesignDocument())
    w.files._timer.stop()
    w.resize(1400, 900)
    w.show()
    yield w
    w.document.replace(DesignDocument().design, None)  # nothing unsaved: no prompt on close
    w.close()
    w.deleteLater()
    QApplication.processEvents()
    if old is None:
        os.environ.pop("SKYLINE_DATA_DIR", None)
    else:
        os.environ["SKYLINE_DATA_DIR"] = old


@pytest.fixture
def win(window):
    window.document.replace(load_example(), None)
    window.runner.wait_idle(10)
    return window
