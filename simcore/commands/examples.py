"""``skyline examples``: list the bundled example designs."""

from __future__ import annotations

import json

from simcore.paths import example_files


def run(args) -> int:
    for path in example_files():
        try:
            name = json.loads(path.read_text(encoding="utf-8")).get("name", "")
        except (OSError, ValueError):
            name = "(unreadable)"
        print(f"{path.name:<36} {name}")
        print(f"{'':<36} {path}")
    return 0
