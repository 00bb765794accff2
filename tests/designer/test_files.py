"""Files: save and open round trip, bad files refused with a message that names the problem
(the open design is kept), the prompt before unsaved work is lost, atomic saves, recent files,
autosave and crash recovery. Dialogs are replaced so that no modal window blocks."""

from __future__ import annotations

import json
import os

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from designer import files as files_mod
from designer.document import DesignDocument
from designer.files import FileManager, read_design
from simcore import io as design_io
from simcore.paths import examples_dir

from .conftest import design_json, load_example

STAGE4 = examples_dir() / "stage4_load_balancer.json"


class Dialogs:
    """Stands in for QMessageBox: records what would be shown and answers as told."""

    def __init__(self, monkeypatch, answer=QMessageBox.Cancel):
        self.shown: list[tuple[str, str, str]] = []
        self.answer = answer
        for kind in ("warning", "question", "critical", "information"):
            monkeypatch.setattr(QMessageBox, kind, self._make(kind))

    def _make(self, kind):
        def show(parent, title, text, *args, **kwargs):
            self.shown.append((kind, title, text))
            return self.answer
        return staticmethod(show)

    @property
    def last_text(self) -> str:
        return self.shown[-1][2] if self.shown else ""


@pytest.fixture
def manager(qtbot, doc):
    parent = QWidget()
    qtbot.addWidget(parent)
    fm = FileManager(doc, parent)
    yield fm
    fm.shutdown()


def test_save_then_open_gives_back_the_same_design(manager, doc, tmp_path, monkeypatch):
    Dialogs(monkeypatch)
    doc.set_component_param("app", "workers", 33)
    doc.rename("db", "Primary DB")
    doc.add_group("zone", "AZ a", ["app", "db"])
    edited = design_json(doc.design)
    path = tmp_path / "mine.json"
    assert manager.save_to(path)
    assert not manager.is_modified()
    assert doc.path == path.resolve()
    other = DesignDocument()
    fm2 = FileManager(other, None)
    try:
        assert fm2.open_path(path)
        assert design_json(other.design) == edited
    finally:
        fm2.shutdown()
    # the file holds what the user set, no defaults filled in
    saved = json.loads(path.read_text())
    app = next(c for c in saved["components"] if c["id"] == "app")
    assert "service_distribution" not in app["params"]


BAD_FILES = {
    "malformed": ('{"schema_version": 1, "components": [}', "line 1"),
    "truncated": (STAGE4.read_text()[: len(STAGE4.read_text()) // 2], "line"),
    "wrong type": ('{"schema_version": 1, "components": "lots", "links": []}', "components"),
    "not an object": ("[1, 2, 3]", "JSON object"),
    "unknown kind": (STAGE4.read_text().replace('"kind": "cache"', '"kind": "teleporter"'),
                     "teleporter"),
    "newer version": (STAGE4.read_text().replace('"schema_version": 1', '"schema_version": 99'),
                      "99"),
    "dangling link": (STAGE4.read_text().replace('"target": "db"', '"target": "nowhere"'),
                      "nowhere"),
    "cyclic": (None, "cycle"),
    "binary": (b"\xff\xfe\x00garbage", "UTF-8"),
}


def _cyclic_text() -> str:
    data = json.loads(STAGE4.read_text())
    data["links"].append({"id": "back", "source": "cache", "target": "app"})
    return json.dumps(data)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_naming_the_problem_and_the_design_is_kept(
        manager, doc, tmp_path, monkeypatch, name):
    dialogs = Dialogs(monkeypatch, answer=QMessageBox.Cancel)
    doc.rename("app", "Edited before")
    before, path_before, undo_before = design_json(doc.design), doc.path, doc.undo_stack.count()
    content, says = BAD_FILES[name]
    if content is None:
        content = _cyclic_text()
    bad = tmp_path / f"{name.replace(' ', '_')}.json"
    (bad.write_bytes if isinstance(content, bytes) else bad.write_text)(content)
    assert manager.open_path(bad) is False
    assert design_json(doc.design) == before
    assert doc.path == path_before
    assert doc.undo_stack.count() == undo_before  # the undo history survives too
    assert manager.is_modified()
    assert dialogs.shown, "the user is told"
    assert bad.name in dialogs.last_text
    assert says in dialogs.last_text, dialogs.last_text


def test_a_missing_file_is_reported(manager, doc, tmp_path, monkeypatch):
    dialogs = Dialogs(monkeypatch)
    before = design_json(doc.design)
    assert not manager.open_path(tmp_path / "gone.json")
    assert design_json(doc.design) == before
    assert "cannot read" in dialogs.last_text


def test_a_design_with_problems_can_still_be_opened_on_request(manager, doc, tmp_path,
                                                               monkeypatch):
    dialogs = Dialogs(monkeypatch, answer=QMessageBox.Open)
    bad = tmp_path / "cyclic.json"
    bad.write_text(_cyclic_text())
    assert manager.open_path(bad, ask_unsaved=False)
    assert "cycle" in dialogs.last_text
    assert any(lk.id == "back" for lk in doc.design.links)


@pytest.mark.parametrize(("answer", "replaced"), [(QMessageBox.Cancel, False),
                                                  (QMessageBox.Discard, True)])
def test_unsaved_work_prompts_before_it_is_replaced(manager, doc, monkeypatch, answer, replaced):
    dialogs = Dialogs(monkeypatch, answer=answer)
    doc.rename("app", "Changed")
    before = design_json(doc.design)
    assert manager.new() is replaced
    assert dialogs.shown and dialogs.shown[-1][1] == "Unsaved changes"
    assert (design_json(doc.design) != before) is replaced


def test_no_prompt_when_nothing_changed(manager, doc, monkeypatch):
    dialogs = Dialogs(monkeypatch)
    assert manager.new()
    assert dialogs.shown == []
    assert doc.design.components == []


def test_new_from_example_is_an_untitled_copy(manager, doc, monkeypatch):
    Dialogs(monkeypatch)
    titles = dict(manager.examples())
    assert len(titles) >= 10
    path = examples_dir() / "spof_example.json"
    assert manager.new_from_example(path)
    assert doc.path is None
    assert design_json(doc.design) == design_json(read_design(path)[0])


def test_saving_is_atomic_a_failed_write_keeps_the_old_file(manager, doc, tmp_path,
                                                            monkeypatch):
    dialogs = Dialogs(monkeypatch)
    path = tmp_path / "keep.json"
    assert manager.save_to(path)
    old = path.read_text()
    doc.rename("app", "Something new")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    assert manager.save_to(path) is False
    assert path.read_text() == old
    assert "No space left" in dialogs.last_text
    assert manager.is_modified()
    assert not [p for p in tmp_path.iterdir() if p.name != "keep.json"
                and p.name != "skyline-data"], "no temporary file left behind"


def test_recent_files_are_remembered_newest_first(manager, doc, tmp_path, monkeypatch):
    Dialogs(monkeypatch)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    manager.save_to(a)
    manager.save_to(b)
    assert manager.recent_files()[:2] == [b.resolve(), a.resolve()]
    fresh = FileManager(DesignDocument(), None)  # another window sees the same list
    try:
        assert fresh.recent_files()[:2] == [b.resolve(), a.resolve()]
    finally:
        fresh.shutdown()
    manager.clear_recent()
    assert manager.recent_files() == []


def test_autosave_writes_a_recovery_file_that_a_later_start_restores(qtbot, monkeypatch):
    doc = DesignDocument(load_example())
    fm = FileManager(doc, None)
    assert fm.autosave() is None  # nothing unsaved: nothing written
    doc.rename("app", "Unsaved name")
    doc.set_component_param("app", "workers", 7)
    written = fm.autosave()
    assert written is not None and written.exists()
    edited = design_json(doc.design)
    # a crash: the window is gone without shutdown (its lock is released by the OS)
    fm._timer.stop()
    fm._lock.unlock()
    monkeypatch.setenv("SKYLINE_NO_AUTOSAVE_PROMPT", "0")
    dialogs = Dialogs(monkeypatch, answer=QMessageBox.Yes)
    doc2 = DesignDocument()
    fm2 = FileManager(doc2, None)
    try:
        assert fm2.offer_recovery()
        assert "Restore" in dialogs.shown[-1][1]
        assert design_json(doc2.design) == edited
        assert fm2.is_modified()  # restored work is still unsaved
        assert not written.exists()
    finally:
        fm2.shutdown()


def test_a_running_window_recovery_file_is_not_offered(monkeypatch):
    doc = DesignDocument(load_example())
    fm = FileManager(doc, None)
    doc.rename("app", "x")
    fm.autosave()
    monkeypatch.setenv("SKYLINE_NO_AUTOSAVE_PROMPT", "0")
    dialogs = Dialogs(monkeypatch, answer=QMessageBox.Yes)
    other = FileManager(DesignDocument(), None)
    try:
        assert other.offer_recovery() is False
        assert dialogs.shown == []
    finally:
        other.shutdown()
        fm.shutdown()


def test_a_clean_close_removes_the_recovery_file(monkeypatch):
    doc = DesignDocument(load_example())
    fm = FileManager(doc, None)
    doc.rename("app", "x")
    written = fm.autosave()
    fm.shutdown()
    assert not written.exists()


def test_autosave_runs_on_a_timer(qtbot):
    doc = DesignDocument(load_example())
    fm = FileManager(doc, None, autosave_ms=50)
    try:
        doc.rename("app", "timer")
        qtbot.waitUntil(lambda: fm.recovery_path().exists(), timeout=3000)
        payload = json.loads(fm.recovery_path().read_text())
        assert payload["format"] == files_mod.RECOVERY_FORMAT
        assert design_io.parse(payload["design"]).component("app").name == "timer"
    finally:
        fm.shutdown()
    assert files_mod.AUTOSAVE_MS == 30_000
