"""Designer speed: start to first paint of the default example, opening a generated
1,000-component design, and one pan/zoom frame on it. Prints figures against the targets
(start < 1.5 s, open < 1 s, frame < 16 ms); it asserts nothing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_bench.py [--repeat N]

The start figure is measured in fresh processes (interpreter start included), from the
moment the process is launched to the canvas's first paint, the way a user waits for it. The
baseline printed beside it is a bare PySide6 window in the same conditions: the part of the
start-up that no designer code can remove.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FIRST_PAINT = r"""
import sys, time
from PySide6.QtCore import QObject, QEvent
class _Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("FIRST_PAINT", time.time(), flush=True)
            import os; os._exit(0)
        return False
_filter = _Painted()
"""

DESIGNER_START = FIRST_PAINT + r"""
from designer import app as app_mod
from designer import main_window
_init = main_window.MainWindow.__init__
def _watched(self, *a, **k):
    _init(self, *a, **k)
    self.view.viewport().installEventFilter(_filter)
main_window.MainWindow.__init__ = _watched
sys.exit(app_mod.main(None))
"""

BARE_START = FIRST_PAINT + r"""
from PySide6.QtWidgets import QApplication, QGraphicsView, QGraphicsScene
app = QApplication([])
scene = QGraphicsScene(); view = QGraphicsView(scene); view.resize(1400, 900)
view.viewport().installEventFilter(_filter)
view.show()
app.exec()
"""


def _time_to_first_paint(code: str, data_dir: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               SKYLINE_DATA_DIR=data_dir, SKYLINE_NO_AUTOSAVE_PROMPT="1")
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("FIRST_PAINT"):
            return float(line.split()[1]) - t0
    raise RuntimeError(f"no paint: {out.stderr[-2000:]}")


def generated_design(n: int = 1000) -> dict:
    """A client, a load balancer and n − 2 services, databases and caches in layers of 40 (a
    tree: every layer calls the next), laid out on a grid."""
    comps = [{"id": "users", "kind": "client", "x": 0, "y": 0, "params": {"rps": 500}},
             {"id": "lb", "kind": "load_balancer", "x": 220, "y": 0,
              "params": {"workers": 10000, "service_time_ms": 0.1}}]
    links = [{"id": "l_in", "source": "users", "target": "lb"}]
    layer_prev = ["lb"]
    i = 0
    col = 2
    while len(comps) < n:
        layer = []
        for row in range(40):
            if len(comps) >= n:
                break
            cid = f"s{i}"
            i += 1
            last = len(comps) + 40 >= n
            kind = "database" if last else "service"
            params = {"workers": 64, "service_time_ms": 1.0}
            comps.append({"id": cid, "kind": kind, "x": col * 220, "y": row * 100,
                          "params": params})
            parent = layer_prev[row % len(layer_prev)]
            links.append({"id": f"l{len(links)}", "source": parent, "target": cid,
                          "params": {"latency_ms": 0.5}})
            layer.append(cid)
        layer_prev = layer
        col += 1
    return {"schema_version": 1, "name": f"Generated {n}", "components": comps, "links": links}


def bench_open_and_frame(repeat: int) -> dict:
    os.environ.setdefault("SKYLINE_NO_AUTOSAVE_PROMPT", "1")
    from PySide6.QtCore import QCoreApplication, QPointF
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication([])
    from PySide6.QtWidgets import QMessageBox

    def no_dialog(*args, **kwargs):  # a benchmark must never wait for a person
        raise RuntimeError(f"unexpected dialog: {args[1:3]}")

    for name in ("warning", "question", "critical", "information"):
        setattr(QMessageBox, name, staticmethod(no_dialog))
    from designer.document import DesignDocument
    from designer.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp(prefix="skyline-bench-"))
    path = tmp / "big.json"
    path.write_text(json.dumps(generated_design(1000)))
    window = MainWindow(DesignDocument())
    window.files._timer.stop()
    window.resize(1400, 900)
    window.show()
    QCoreApplication.processEvents()
    window.runner.wait_idle(30)

    opens, analyses = [], []
    for _ in range(repeat):
        window.document.replace(DesignDocument().design, None)
        QCoreApplication.processEvents()
        t0 = time.perf_counter()
        ok = window.files.open_path(path, ask_unsaved=False)
        window.view.viewport().repaint()  # drawn: the user sees the design
        opens.append(time.perf_counter() - t0)
        assert ok
        window.runner.wait_idle(60)
        analyses.append(time.perf_counter() - t0)

    view = window.view
    view.fit_all()
    QCoreApplication.processEvents()
    frames = {"pan": [], "zoom": []}
    for i in range(max(20, repeat * 10)):
        t0 = time.perf_counter()
        bar = view.horizontalScrollBar()
        bar.setValue(bar.value() + (15 if i % 2 == 0 else -15))
        view.viewport().repaint()
        frames["pan"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        view.zoom_by(1.1 if i % 2 == 0 else 1 / 1.1)
        view.viewport().repaint()
        frames["zoom"].append(time.perf_counter() - t0)
    # and at 100 %, where every label is drawn
    view.set_zoom(1.0)
    view.centerOn(QPointF(1200, 1500))
    frames["pan at 100 %"] = []
    for i in range(20):
        t0 = time.perf_counter()
        bar = view.verticalScrollBar()
        bar.setValue(bar.value() + (15 if i % 2 == 0 else -15))
        view.viewport().repaint()
        frames["pan at 100 %"].append(time.perf_counter() - t0)
    window.document.replace(DesignDocument().design, None)
    window.close()
    return {"open": opens, "analysis": analyses, "frames": frames,
            "items": len(window.scene.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--start-only", action="store_true", help="only the start-up figure")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="skyline-bench-data-")
    os.environ["SKYLINE_DATA_DIR"] = data

    bare = [_time_to_first_paint(BARE_START, data) for _ in range(args.repeat)]
    start = [_time_to_first_paint(DESIGNER_START, data) for _ in range(args.repeat)]

    def ms(v: float) -> str:
        return f"{1000 * v:7.1f} ms"

    if args.start_only:
        print(f"start to first paint: {ms(statistics.median(start))} (bare PySide6 window: "
              f"{ms(statistics.median(bare))})")
        return
    r = bench_open_and_frame(args.repeat)

    print("Skyline designer benchmark (median of runs; offscreen Qt)")
    print(f"  start to first paint, default example : {ms(statistics.median(start))}"
          f"   target < 1500 ms   (bare PySide6 window: {ms(statistics.median(bare))},"
          f" ratio {statistics.median(start) / statistics.median(bare):.2f}×)")
    print(f"  open a 1,000-component design         : {ms(statistics.median(r['open']))}"
          f"   target < 1000 ms")
    print(f"    … until its analysis is painted     : {ms(statistics.median(r['analysis']))}")
    for name, values in r["frames"].items():
        print(f"  one {name:<13} frame on it            : {ms(statistics.median(values))}"
              f"   target < 16 ms   (worst {ms(max(values)).strip()})")


if __name__ == "__main__":
    main()
