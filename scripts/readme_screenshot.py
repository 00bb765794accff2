"""Render docs/images/designer.png: the seed's stage 4 after a short run with a database outage.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/readme_screenshot.py [OUT.png]
"""

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SKYLINE_NO_AUTOSAVE_PROMPT", "1")


def _pump(until, timeout_s: float) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout_s
    while not until() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def main(out: str) -> int:
    from PySide6.QtCore import QCoreApplication

    from designer.app import _application
    from designer.document import DesignDocument
    from designer.files import read_design
    from designer.main_window import MainWindow
    from simcore.paths import examples_dir

    _application()
    design, _ = read_design(examples_dir() / "stage4_load_balancer.json")
    doc = DesignDocument()
    window = MainWindow(doc)
    window.files._timer.stop()  # not an editing session: no autosave
    doc.replace(design, None)
    window.resize(1400, 900)
    window.show()
    _pump(lambda: window._sim is not None, 10)
    doc.set_scenario(duration_s=60, warmup_s=5, replications=2, seed=1)
    doc.add_event({"type": "fail", "target": "db", "at_s": 25, "duration_s": 15})
    window.runner.wait_idle(30)
    if not window.sim.start_run():
        print(f"the run did not start: {window.sim.last_error}", file=sys.stderr)
        return 1
    _pump(lambda: not window.sim.is_running(), 300)
    _pump(lambda: False, 0.4)  # the last rows and the summary line settle
    window.view.fit_all()
    QCoreApplication.processEvents()
    ok = window.grab().save(out, "PNG")
    window.sim.shutdown()
    window.files.shutdown()
    print(f"written {out}" if ok else f"could not write {out}")
    return 0 if ok else 1


if __name__ == "__main__":  # the simulation's worker processes import this module again
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/images/designer.png"))
