"""No user-facing text says "the seed": users never saw the notes Skyline models, and a
workshop participant confuses the phrase with the simulation's random-seed field. Examples,
docs, the README and every string in simcore/ and designer/ are checked; comments and
docstrings (which may cite a source) are not user-facing."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PHRASE = re.compile(r"\bthe seed\b", re.IGNORECASE)
TEXT_SUFFIXES = {".json", ".md", ".txt", ".desktop", ".svg"}


def user_strings(source: str):
    """(line, text) of every string literal that is not a docstring or a bare string
    statement (f-strings' literal parts included)."""
    tree = ast.parse(source)
    bare = {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in bare:
            yield node.lineno, node.value


def offending() -> list[str]:
    found = []
    for folder in ("simcore", "designer"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, text in user_strings(path.read_text(encoding="utf-8")):
                if PHRASE.search(text):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {text[:80]!r}")
    files = [ROOT / "README.md"]
    for folder in ("resources", "docs"):
        files += [p for p in sorted((ROOT / folder).rglob("*")) if p.suffix in TEXT_SUFFIXES]
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if PHRASE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    return found


def test_no_user_facing_text_says_the_seed():
    assert offending() == []


def test_the_check_sees_strings_but_not_docstrings():
    src = '"""Module: the seed\'s table."""\nx = f"from the seed {1}"\n# the seed\n'
    assert [t for _, t in user_strings(src) if PHRASE.search(t)] == ["from the seed "]
