"""simcore never imports Qt or pyqtgraph (SPEC §1): checked in a fresh interpreter."""

import subprocess
import sys

CODE = """
import sys, importlib, pkgutil
import simcore
for info in pkgutil.walk_packages(simcore.__path__, 'simcore.'):
    importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6', 'designer'))
print(','.join(bad))
"""


def test_simcore_imports_no_qt_and_no_designer():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"simcore loaded: {out.stdout.strip()}"
