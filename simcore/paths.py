"""Where bundled resources (icons, example designs) live: next to the source tree when run from
a checkout or an editable install, under ``sys._MEIPASS`` in a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def concepts_file() -> Path:
    """The concepts guide (docs/concepts.md), which the designer's Help shows."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "docs" / "concepts.md"
    return Path(__file__).resolve().parent.parent / "docs" / "concepts.md"


def examples_dir() -> Path:
    return resources_dir() / "examples"


def icons_dir() -> Path:
    return resources_dir() / "icons"


DEFAULT_EXAMPLE = "stage4_load_balancer.json"


def example_files() -> list[Path]:
    return sorted(examples_dir().glob("*.json"))


def default_example() -> Path:
    return examples_dir() / DEFAULT_EXAMPLE
