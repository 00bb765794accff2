"""Files: New, New from example, Open, Save, Save As, recent files, autosave and crash recovery.

Saving goes through ``simcore.io.save`` (a temporary file renamed over the old one). Opening a
bad file shows a dialog naming the problem and keeps the current design. A file the canvas can
draw but that has design problems (a cycle, a balancer with no target…) is refused by default,
with an "Open anyway" choice so that a half-finished design can be reopened and mended.

Autosave writes the design every 30 s, while it has unsaved changes, to a recovery file in the
data directory (``QStandardPaths.AppDataLocation``, or ``$SKYLINE_DATA_DIR``). Each running window
owns its recovery file through a lock file; at the next start a recovery file whose owner is gone
(a crash) is offered for restoring. A clean close or a save removes it.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from pathlib import Path

import shiboken6
from PySide6.QtCore import QLockFile, QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from simcore import io as design_io
from simcore.components import KINDS
from simcore.design import Design, empty_design
from simcore.paths import example_files
from simcore.problems import DesignError, Problem
from simcore.text import safe

FILE_FILTER = "Skyline designs (*.json);;All files (*)"
MAX_RECENT = 10
AUTOSAVE_MS = 30_000
RECOVERY_FORMAT = "skyline-recovery"


def data_dir() -> Path:
    """Where settings-independent app data (recovery files) live; created on demand."""
    env = os.environ.get("SKYLINE_DATA_DIR")
    base = Path(env) if env else Path(
        QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or Path.home() / ".skyline")
    base.mkdir(parents=True, exist_ok=True)
    return base


def settings() -> QSettings:
    """The app's settings; kept inside ``$SKYLINE_DATA_DIR`` when set (tests stay isolated)."""
    if os.environ.get("SKYLINE_DATA_DIR"):
        return QSettings(str(data_dir() / "settings.ini"), QSettings.IniFormat)
    return QSettings()


def last_folder() -> Path:
    """Where the last design or export was opened or saved (the dialogs start there)."""
    folder = settings().value("lastFolder", "")
    if folder and Path(folder).is_dir():
        return Path(folder)
    return Path.home()


def remember_folder(path: str | os.PathLike) -> None:
    """The folder of a file just opened or written: the next dialog starts there."""
    s = settings()
    s.setValue("lastFolder", str(Path(path).resolve().parent))
    s.sync()


def recovery_dir() -> Path:
    d = data_dir() / "recovery"
    d.mkdir(parents=True, exist_ok=True)
    return d


# --- reading designs ----------------------------------------------------------------------------
def integrity_problems(design: Design) -> list[Problem]:
    """Problems that stop the canvas from drawing the design at all (so it cannot be opened)."""
    problems = []
    counts = Counter([c.id for c in design.components] + [lk.id for lk in design.links]
                     + [g.id for g in design.groups])
    problems += [Problem(i, f"duplicate id (used {n} times)") for i, n in counts.items() if n > 1]
    comps = {c.id for c in design.components}
    for c in design.components:
        if c.kind not in KINDS:
            problems.append(Problem(c.id, f"unknown kind '{c.kind}' (known: "
                                          f"{', '.join(sorted(KINDS))})"))
    for lk in design.links:
        for end in ("source", "target"):
            if getattr(lk, end) not in comps:
                problems.append(Problem(lk.id, f"{end} '{getattr(lk, end)}' is not a component "
                                               "of the design"))
    for g in design.groups:
        for m in g.members:
            if m not in comps:
                problems.append(Problem(g.id, f"member '{m}' is not a component of the design"))
    return problems


def read_design(path: str | os.PathLike, validate: bool = True) -> tuple[Design, list[Problem]]:
    """A design the canvas can show, with its remaining design problems (maybe empty; not
    looked for with ``validate=False``, when the live analysis will report them).

    Raises DesignError for a file that cannot be read, parsed, or drawn.
    """
    design = design_io.load(path, check=False)
    blocking = integrity_problems(design)
    if blocking:
        raise DesignError(blocking, str(path))
    if not validate:
        return design, []
    from simcore.validate import validate

    return design, validate(design)


def _why(exc: Exception) -> str:
    """A save failure in words: the system's reason, or what in the design cannot be written."""
    if isinstance(exc, UnicodeError):
        return ("the design holds text that is not valid Unicode (a lone surrogate); "
                "retype the names or descriptions you pasted")
    if isinstance(exc, OSError):
        return safe(exc.strerror or exc)
    return safe(f"{type(exc).__name__}: {exc}")


def _problem_lines(problems: list, limit: int = 8) -> str:
    lines = [f"• {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more")
    return "\n".join(lines)


class FileManager(QObject):
    """File actions for one document and its window (``parent_widget`` owns the dialogs)."""

    recentChanged = Signal()
    modifiedChanged = Signal(bool)
    statusMessage = Signal(str)

    def __init__(self, document, parent_widget=None, autosave_ms: int = AUTOSAVE_MS):
        super().__init__(parent_widget)
        self.document = document
        self.widget = parent_widget
        self._restored_unsaved = False
        self._autosaved_text: str | None = None
        self.session = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        self._lock = QLockFile(str(recovery_dir() / f"{self.session}.lock"))
        self._lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
        self._lock.tryLock(0)
        self._timer = QTimer(self)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self.autosave)
        self._timer.start()
        document.undo_stack.cleanChanged.connect(self._on_clean_changed)

    # --- state ---------------------------------------------------------------------------------
    def is_modified(self) -> bool:
        return self.document.is_dirty() or self._restored_unsaved

    def _on_clean_changed(self, _clean: bool) -> None:
        # The stack also reports while it is being destroyed with its document: ignore that.
        if shiboken6.isValid(self.document.undo_stack):
            self._emit_modified()

    def _emit_modified(self) -> None:
        self.modifiedChanged.emit(self.is_modified())

    def display_name(self) -> str:
        return self.document.display_name()

    # --- the prompt before losing work -----------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when the current design may be replaced (saved, discarded, or unchanged)."""
        if not self.is_modified():
            return True
        answer = QMessageBox.warning(
            self.widget, "Unsaved changes",
            f"“{self.display_name()}” has changes that are not saved.\n\nSave them first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def _replace(self, design: Design, path: Path | None, restored: bool = False) -> None:
        self.document.replace(design, path)
        self._restored_unsaved = restored
        self._autosaved_text = None
        if not restored:
            self._remove_recovery()
        self._emit_modified()

    # --- new / open --------------------------------------------------------------------------------
    def new(self) -> bool:
        if not self.maybe_save():
            return False
        self._replace(empty_design(), None)
        self.statusMessage.emit("New design")
        return True

    def examples(self) -> list[tuple[str, Path]]:
        """(title, path) of each bundled example, titled by its ``name``."""
        out = []
        for p in example_files():
            try:
                title = json.loads(p.read_text(encoding="utf-8")).get("name") or p.stem
            except (OSError, ValueError, AttributeError):
                title = p.stem
            out.append((str(title), p))
        return out

    def new_from_example(self, path: str | os.PathLike) -> bool:
        """Start an untitled design from a bundled example (a template: saving asks for a name)."""
        try:
            design, _problems = read_design(path)
        except DesignError as exc:
            self._refuse(Path(path), exc.problems)
            return False
        return self.new_from_design(
            design, f"the example “{design.name or Path(path).stem}”")

    def new_from_design(self, design: Design, origin: str) -> bool:
        """Start an untitled design from ``design`` (a template: saving asks for a name);
        ``origin`` says where it came from in the status message."""
        if not self.maybe_save():
            return False
        self._replace(design, None)
        self.statusMessage.emit(f"New design from {origin}")
        return True

    def close(self) -> bool:
        """File → Close: the design goes (after the prompt to save it), an empty one stays."""
        name = self.display_name()
        if not self.maybe_save():
            return False
        self._replace(empty_design(), None)
        self.statusMessage.emit(f"Closed {name}")
        return True

    def open(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self.widget, "Open design", str(last_folder()),
                                              FILE_FILTER)
        return bool(path) and self.open_path(path)

    def open_path(self, path: str | os.PathLike, ask_unsaved: bool = True) -> bool:
        """Open a file; on any problem, say what it is and keep the current design."""
        p = Path(path)
        try:
            design, problems = read_design(p)
        except DesignError as exc:
            self._refuse(p, exc.problems)
            self._forget_recent(p)
            return False
        if problems:
            answer = QMessageBox.question(
                self.widget, "Problems in the design",
                f"“{p.name}” has {len(problems)} problem{'s' if len(problems) > 1 else ''}:"
                f"\n\n{_problem_lines(problems)}\n\nOpen it anyway to fix them?",
                QMessageBox.Open | QMessageBox.Cancel, QMessageBox.Cancel)
            if answer != QMessageBox.Open:
                self.statusMessage.emit(f"Not opened: {p.name} has problems")
                return False
        if ask_unsaved and not self.maybe_save():
            return False
        self._replace(design, p.resolve())
        self.add_recent(p)
        self.statusMessage.emit(f"Opened {p}")
        return True

    def _refuse(self, path: Path, problems: list) -> None:
        QMessageBox.warning(self.widget, "Cannot open the design",
                            f"“{safe(path.name)}” cannot be opened:\n\n{_problem_lines(problems)}\n\n"
                            "The current design is unchanged.")
        self.statusMessage.emit(f"Cannot open {safe(path.name)}: {problems[0] if problems else ''}")

    # --- save ----------------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        current = self.document.path
        if current is not None:
            start = str(current)
        else:
            stem = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in self.display_name())
            start = str(last_folder() / f"{stem.strip() or 'design'}.json")
        path, _ = QFileDialog.getSaveFileName(self.widget, "Save design as", start, FILE_FILTER)
        if not path:
            return False
        p = Path(path)
        if not p.suffix:
            p = p.with_suffix(".json")
        return self.save_to(p)

    def save_to(self, path: Path) -> bool:
        try:
            design_io.save(self.document.design, path)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the design stays open
            QMessageBox.critical(self.widget, "Cannot save",
                                 f"“{safe(path)}” could not be written:\n\n{_why(exc)}\n\n"
                                 "Your design is still open; try another place.")
            return False
        self.document.set_clean(Path(path).resolve())
        self._restored_unsaved = False
        self._remove_recovery()
        self.add_recent(path)
        self._emit_modified()
        self.statusMessage.emit(f"Saved {path}")
        return True

    # --- recent files ----------------------------------------------------------------------------
    def recent_files(self) -> list[Path]:
        raw = settings().value("recentFiles", [])
        if isinstance(raw, str):
            raw = [raw]
        return [Path(p) for p in (raw or [])]

    def add_recent(self, path: str | os.PathLike) -> None:
        remember_folder(path)
        p = str(Path(path).resolve())
        items = [p] + [str(x) for x in self.recent_files() if str(x) != p]
        s = settings()
        s.setValue("recentFiles", items[:MAX_RECENT])
        s.sync()
        self.recentChanged.emit()

    def _forget_recent(self, path: Path) -> None:
        items = [str(x) for x in self.recent_files()]
        p = str(path.resolve())
        if p in items and not path.exists():
            items.remove(p)
            s = settings()
            s.setValue("recentFiles", items)
            s.sync()
            self.recentChanged.emit()

    def clear_recent(self) -> None:
        s = settings()
        s.setValue("recentFiles", [])
        s.sync()
        self.recentChanged.emit()

    # --- autosave and recovery ---------------------------------------------------------------------
    def recovery_path(self) -> Path:
        return recovery_dir() / f"{self.session}.json"

    def autosave(self) -> Path | None:
        """Write the recovery file when there is unsaved work that changed since the last time."""
        if not self.is_modified():
            return None
        try:
            payload = {
                "format": RECOVERY_FORMAT,
                "path": str(self.document.path) if self.document.path else None,
                "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                "design": self.document.design.to_dict(),
            }
            text = json.dumps(payload, indent=1, ensure_ascii=False)
            if text == self._autosaved_text:
                return self.recovery_path()
            design_io.write_text_atomically(self.recovery_path(), text)
            self._autosaved_text = text
        except Exception as exc:  # noqa: BLE001 - autosave must never interrupt the user
            self.statusMessage.emit(f"Autosave failed: {_why(exc)}")
            return None
        return self.recovery_path()

    def _remove_recovery(self) -> None:
        self._autosaved_text = None
        try:
            self.recovery_path().unlink(missing_ok=True)
        except OSError:
            pass

    def orphaned_recoveries(self) -> list[Path]:
        """Recovery files whose window is gone (crashed), newest first."""
        out = []
        for f in recovery_dir().glob("*.json"):
            if f.stem == self.session:
                continue
            lock = QLockFile(str(f.with_suffix(".lock")))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):  # no live owner
                lock.unlock()
                out.append(f)
        return sorted(out, key=lambda f: f.stat().st_mtime, reverse=True)

    def offer_recovery(self) -> bool:
        """Ask to restore the newest orphaned recovery file; True when a design was restored."""
        if os.environ.get("SKYLINE_NO_AUTOSAVE_PROMPT") == "1":
            return False
        for f in self.orphaned_recoveries():
            try:
                payload = json.loads(f.read_text(encoding="utf-8"))
                if payload.get("format") != RECOVERY_FORMAT:
                    raise ValueError("not a recovery file")
                design = design_io.parse(payload["design"])
                if integrity_problems(design):
                    raise ValueError("damaged design")
            except (OSError, ValueError, KeyError, TypeError, AttributeError, DesignError):
                f.unlink(missing_ok=True)
                continue
            origin = payload.get("path")
            name = design.name or (Path(origin).name if origin else "Untitled")
            answer = QMessageBox.question(
                self.widget, "Restore unsaved work?",
                f"Skyline did not close normally. Unsaved work on “{name}” was autosaved at "
                f"{payload.get('saved_at', '?')}.\n\nRestore it?",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
            f.unlink(missing_ok=True)
            if answer == QMessageBox.Yes:
                self._replace(design, Path(origin) if origin else None, restored=True)
                self.autosave()  # keep it safe under this session's name straight away
                self.statusMessage.emit("Restored unsaved work")
                return True
            return False
        return False

    def shutdown(self) -> None:
        """A clean close: the recovery file is no longer needed."""
        self._timer.stop()
        self._remove_recovery()
        self._lock.unlock()
