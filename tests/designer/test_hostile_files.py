"""The designer and hostile files (issue 14): each file either opens or shows the problem dialog
and keeps the current design; a design that cannot be written keeps the window's work and says
why; long names never widen the window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from .conftest import design_json, load_example
from .test_files import Dialogs

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
HOSTILE = sorted(BAD.glob("*.json"))


def _hostile_texts(tmp_path) -> list[Path]:
    """The files of tests/data/bad and a few made here (NaN coordinates, a huge seed)."""
    base = (BAD / "valid_base.json").read_text()
    made = {"nan_y.json": base.replace('"y": 0', '"y": NaN', 1),
            "seed_huge.json": base.replace('"seed": 1', '"seed": 99999999999999999999'),
            "duration_1e300.json": base.replace('"duration_s": 4', '"duration_s": 1e300'),
            "surrogate_id.json": base.replace('"id": "app"', '"id": "\\udc00"', 1)}
    out = []
    for name, text in made.items():
        (tmp_path / name).write_text(text)
        out.append(tmp_path / name)
    return out


def _open_each(win, dialogs, paths) -> None:
    """Open every file: it opens (and the window shows it) or a dialog names the problem and
    the design open before stays as it was."""
    for path in paths:
        win.document.replace(load_example(), None)
        before = design_json(win.document.design)
        shown = len(dialogs.shown)
        opened = win.files.open_path(path)
        win.view.fit_all()
        QApplication.processEvents()
        win.runner.wait_idle(30)
        QApplication.processEvents()
        if opened:
            assert win.document.path == path.resolve()
            assert win.windowTitle().count(" — ") == 2
        else:
            assert len(dialogs.shown) > shown, path.name
            assert design_json(win.document.design) == before, path.name


@pytest.mark.parametrize("answer", [QMessageBox.Open, QMessageBox.Cancel])
def test_each_hostile_file_opens_or_is_refused_keeping_the_design(win, tmp_path, monkeypatch,
                                                                  answer):
    dialogs = Dialogs(monkeypatch, answer=answer)
    monkeypatch.setattr(win.files, "maybe_save", lambda: True)
    _open_each(win, dialogs, HOSTILE + _hostile_texts(tmp_path))


def test_fuzzed_files_open_or_are_refused_keeping_the_design(win, tmp_path, monkeypatch):
    # the cases of the command-line fuzz test, drawn once with a fixed seed
    from hypothesis import HealthCheck, given, settings

    from tests.simcore.test_fuzz_hostile import case_text, fuzz_case

    dialogs = Dialogs(monkeypatch, answer=QMessageBox.Open)
    monkeypatch.setattr(win.files, "maybe_save", lambda: True)
    paths = []

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=fuzz_case)
    def draw(case):
        path = tmp_path / f"fuzzed{len(paths)}.json"
        path.write_bytes(case_text(case).encode("utf-8", "surrogatepass"))
        paths.append(path)

    draw()
    _open_each(win, dialogs, paths)


def test_a_design_that_cannot_be_encoded_keeps_the_window_and_says_why(win, tmp_path,
                                                                       monkeypatch):
    dialogs = Dialogs(monkeypatch)
    win.document.set_design_info(name="pasted \ud800 text")
    edited = design_json(win.document.design)
    assert not win.files.save_to(tmp_path / "d.json")
    kind, title, text = dialogs.shown[-1]
    assert (kind, title) == ("critical", "Cannot save") and "not valid Unicode" in text
    assert design_json(win.document.design) == edited and win.files.is_modified()
    assert not (tmp_path / "d.json").exists() and list(tmp_path.iterdir()) == []
    messages = []
    win.files.statusMessage.connect(messages.append)
    assert win.files.autosave() is None
    assert messages and messages[-1].startswith("Autosave failed")
    win.document.undo_stack.undo()


def test_a_long_name_does_not_widen_the_window(win):
    from simcore.design import empty_design

    win.document.replace(empty_design("N" * 5_000), None)
    win.inspector.show_item(None)
    QApplication.processEvents()
    assert len(win.windowTitle()) < 120
    assert win.width() <= 1400
    assert len(win.inspector.header.title.text()) <= 48
    assert win.inspector.header.toolTip() == "N" * 5_000
    assert win.inspector.minimumSizeHint().width() < 600


def test_saved_designs_follow_the_umask(win, tmp_path, monkeypatch):
    import os
    import stat

    Dialogs(monkeypatch)
    old = os.umask(0o002)
    try:
        assert win.files.save_to(tmp_path / "shared.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "shared.json").stat().st_mode) == 0o664
    assert json.loads((tmp_path / "shared.json").read_text())["schema_version"] >= 1


# --- --screenshot on the edges (exit 2 with a message, never a traceback or Qt's abort) ---------
ROOT = Path(__file__).resolve().parents[2]


def _skyline(*args, env=None) -> subprocess.CompletedProcess:
    env = dict(os.environ if env is None else env, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "designer", *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_screenshot_of_an_invalid_design_exits_2(tmp_path):
    r = _skyline(BAD / "cycle.json", "--screenshot", tmp_path / "x.png",
                 env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert r.returncode == 2 and "cycle" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.png").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is Linux's")
def test_screenshot_without_a_display_says_how_to_paint_offscreen(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = _skyline(BAD / "valid_base.json", "--screenshot", tmp_path / "x.png", env=env)
    assert r.returncode == 2
    assert "no display" in r.stderr and "QT_QPA_PLATFORM=offscreen" in r.stderr


def test_an_unwritable_screenshot_path_exits_2():
    r = _skyline(BAD / "valid_base.json", "--screenshot", "/proc/no/such/dir/x.png",
                 env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert r.returncode == 2 and "cannot write the screenshot" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_largest_seed_and_duration_a_file_may_hold_are_shown_unclamped(win):
    from simcore.design import Scenario
    from simcore.design_limits import MAX_DURATION_S, MAX_SEED

    design = load_example().model_copy(update={"scenario": Scenario(
        seed=MAX_SEED, duration_s=MAX_DURATION_S, warmup_s=30)})
    win.document.replace(design, None)
    win.sim.load_scenario()
    assert win.sim.seed.value() == MAX_SEED
    assert win.sim.duration.value() == MAX_DURATION_S
