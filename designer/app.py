"""Starting the designer: ``skyline [FILE] [--screenshot OUT.png]``.

``main`` opens FILE (or the default example), offers to restore unsaved work after a crash, and
runs the event loop. With ``screenshot`` it shows the window at 1400×900, lets the instant
analysis paint the canvas, fits the view, saves a PNG of the whole window and returns 0; it never
waits for a person (no dialogs: a bad file is reported on stderr with exit status 2).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import socket
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2
SCREENSHOT_SIZE = (1400, 900)


def _application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Skyline")
    app.setOrganizationName("Skyline")
    app.setOrganizationDomain("skyline.invalid")
    app.setApplicationDisplayName("Skyline")
    # Matches resources/skyline.desktop, so Wayland docks show the window with its own icon.
    app.setDesktopFileName("skyline")
    from designer.icons import app_icon

    app.setWindowIcon(app_icon())
    return app


def _no_display() -> bool:
    """True on Linux when Qt would find no screen: it would abort the process with a message
    about platform plugins that does not say what is missing."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _unreachable_display() -> str | None:
    """On Linux, when Qt would paint on the X display named by ``DISPLAY`` and nothing listens
    there (a stale DISPLAY, an ssh session without X forwarding), that name; else None. Qt
    itself would abort the process with a message about platform plugins. Only a connection is
    tried (no X handshake): a display that refuses us for another reason is left to Qt."""
    if (not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM")
            or os.environ.get("WAYLAND_DISPLAY")):
        return None
    name = os.environ.get("DISPLAY") or ""
    m = re.fullmatch(r"(?P<host>[^:]*):(?P<num>\d+)(?:\.\d+)?", name)
    if m is None:
        return None  # a form we do not know: let Qt judge it
    host, num = m["host"], int(m["num"])
    try:
        if host in ("", "unix"):
            path = f"/tmp/.X11-unix/X{num}"
            for address in ("\0" + path, path):  # the abstract socket, then the file
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.settimeout(2.0)
                    try:
                        sock.connect(address)
                        return None
                    except OSError:
                        continue
            return name
        with socket.create_connection((host, 6000 + num), timeout=2.0):
            return None
    except OSError:
        return name


def _read(path: Path, validate: bool = False):
    """(design, problems) or raises DesignError. Without ``validate``, design problems are left
    to the live analysis, which reports them once the window shows (validating first would
    delay the first paint)."""
    from designer.files import read_design

    return read_design(path, validate=validate)


NO_DISPLAY_HINT = ("set QT_QPA_PLATFORM=offscreen to paint without a screen, e.g. "
                   "QT_QPA_PLATFORM=offscreen skyline FILE --screenshot OUT.png")


def main(path: str | None, screenshot: str | None = None) -> int:
    multiprocessing.freeze_support()
    from simcore.paths import default_example
    from simcore.problems import DesignError

    target = Path(path) if path else default_example()
    design, _problems, error = None, [], None
    try:  # read first: a bad file given to --screenshot fails fast, before any window
        design, _problems = _read(target, validate=bool(screenshot))
    except DesignError as exc:
        error = exc
    if screenshot and error is None and _problems:  # the same verdict as `skyline validate`
        error = DesignError(_problems, str(target))
    if screenshot and error is not None:
        print(f"skyline: {error.text()}", file=sys.stderr)
        return EXIT_USAGE
    if screenshot and _no_display():
        print("skyline: no display to paint the screenshot on (neither DISPLAY nor "
              f"WAYLAND_DISPLAY is set); {NO_DISPLAY_HINT}", file=sys.stderr)
        return EXIT_USAGE

    unreachable = _unreachable_display()
    if unreachable:
        print(f"skyline: cannot reach the X display {unreachable} named by DISPLAY (nothing "
              "answers there: a closed session, or ssh without X forwarding). "
              + (NO_DISPLAY_HINT if screenshot else
                 "Start skyline from a desktop session, or use the command line: skyline "
                 "analyze FILE, skyline simulate FILE."), file=sys.stderr)
        return EXIT_USAGE

    if not screenshot and _no_display():
        print("skyline: no display to open the designer on (neither DISPLAY nor "
              "WAYLAND_DISPLAY is set). Start it from a desktop session, or use the command "
              "line: skyline analyze FILE, skyline simulate FILE, or skyline FILE --screenshot "
              "OUT.png with QT_QPA_PLATFORM=offscreen.", file=sys.stderr)
        return EXIT_USAGE

    app = _application()
    from designer.document import DesignDocument
    from designer.main_window import MainWindow

    if screenshot:
        return _screenshot(app, design, target, Path(screenshot))

    document = DesignDocument()
    window = MainWindow(document)
    if design is not None:
        document.replace(design, target.resolve() if path else None)
        if path:
            window.files.add_recent(target)
    window.show()
    window.view.fit_on_open()
    app.processEvents()  # paint the canvas now; the analysis follows within moments
    if error is not None:
        window.files._refuse(target, error.problems)
    else:
        def first_result(_analysis, problems, _error) -> None:
            window.runner.resultReady.disconnect(first_result)
            if problems:
                window.statusBar().showMessage(
                    f"{target.name} has {len(problems)} problem(s): see the Problems panel",
                    10000)
        window.runner.resultReady.connect(first_result)
    window.files.offer_recovery()
    return app.exec()


def _screenshot(app, design, source: Path, out: Path) -> int:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from designer.document import DesignDocument
    from designer.main_window import MainWindow

    os.environ.setdefault("SKYLINE_NO_AUTOSAVE_PROMPT", "1")
    document = DesignDocument()
    window = MainWindow(document)
    window.files._timer.stop()  # a screenshot is not an editing session
    document.replace(design, source.resolve())
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    for _ in range(5):
        QCoreApplication.processEvents()
    window.sim  # noqa: B018 - the whole window: build the simulation panel now
    window.runner.wait_idle(30.0)
    QCoreApplication.processEvents()
    window.view.fit_all()
    # Let layouts and the canvas settle (two short passes of the event loop).
    loop = QEventLoop()
    QTimer.singleShot(150, loop.quit)
    loop.exec()
    window.view.fit_all()
    QCoreApplication.processEvents()
    image = window.grab()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        ok = image.save(str(out), "PNG")
    except OSError as exc:  # a read-only mount, a file where the folder should be
        print(f"skyline: cannot write the screenshot to {out}: {exc.strerror or exc}",
              file=sys.stderr)
        ok = None
    window.files.shutdown()
    window.hide()
    window.deleteLater()
    QCoreApplication.processEvents()
    if ok is None:
        return EXIT_USAGE
    if not ok:
        print(f"skyline: could not write the screenshot to {out}", file=sys.stderr)
        return EXIT_USAGE
    print(f"screenshot written to {out}", file=sys.stderr)
    return EXIT_OK
