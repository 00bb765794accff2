"""simcore never imports Qt, pyqtgraph or the designer (SPEC §1), not even dynamically; the
``skyline`` program runs its commands without loading Qt. Checked three ways: every simcore
module imported in a fresh interpreter; the source read for any import of the designer,
including a module name handed to importlib or __import__; and the command paths run in a fresh
interpreter, with the loaded modules listed at the end."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import simcore
from simcore.paths import examples_dir

QT = ("PySide6", "pyqtgraph", "shiboken6")
SIMCORE = Path(simcore.__file__).parent
EXAMPLE = str(examples_dir() / "stage4_load_balancer.json")

IMPORT_ALL = """
import sys, importlib, pkgutil
import simcore
for info in pkgutil.walk_packages(simcore.__path__, 'simcore.'):
    importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})
print(','.join(bad))
""".format(forbidden=QT + ("designer",))


def test_simcore_imports_no_qt_and_no_designer():
    out = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "", f"simcore loaded: {out.stdout.strip()}"


def _names_the_designer(text: str) -> bool:
    return text == "designer" or text.startswith("designer.")


def designer_references(tree: ast.AST) -> list[int]:
    """Lines of ``tree`` that import the designer: import statements, and any string naming it
    as a module outside a docstring (what importlib.import_module, __import__ or
    runpy would be given)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings):
            names = [node.value.strip()]
        else:
            continue
        if any(_names_the_designer(n) for n in names):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_static_and_dynamic_imports():
    for code in ("import designer.app", "from designer import app",
                 "import importlib\nimportlib.import_module('designer.app')",
                 "__import__('designer')", "m = 'designer.main_window'"):
        assert designer_references(ast.parse(code)), code
    assert designer_references(ast.parse('"""Opens the designer."""\nx = "a designer"')) == []


def test_no_simcore_source_names_the_designer_as_a_module():
    found = []
    for path in sorted(SIMCORE.rglob("*.py")):
        for line in designer_references(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(SIMCORE.parent)}:{line}")
    assert found == [], "simcore refers to the designer: " + ", ".join(found)


RUN_AND_LIST = """
import sys
{call}
bad = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})
print("LOADED:" + ",".join(bad))
"""


def _loaded_after(call: str, forbidden: tuple[str, ...]) -> str:
    code = RUN_AND_LIST.format(call=call, forbidden=forbidden)
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                       text=True, timeout=300)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("LOADED:")]
    assert lines, f"the command did not finish: {r.stderr[-2000:]}"
    return lines[-1][len("LOADED:"):]


@pytest.mark.parametrize("args", [
    ["analyze", EXAMPLE], ["analyze", EXAMPLE, "--json"], ["validate", EXAMPLE], ["examples"],
    ["--version"], ["simulate", EXAMPLE, "--duration", "2", "--replications", "1", "--quiet"],
])
def test_simcore_commands_load_no_qt_and_no_designer(args):
    call = (f"from simcore.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass")
    assert _loaded_after(call, QT + ("designer",)) == ""


@pytest.mark.parametrize("args", [["analyze", EXAMPLE], ["validate", EXAMPLE], ["examples"]])
def test_the_skyline_program_runs_commands_without_qt(args):
    call = f"from designer.__main__ import main\nassert main({args!r}) == 0"
    assert _loaded_after(call, QT) == ""
