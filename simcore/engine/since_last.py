"""Per-second figures from running totals: the change of each total since the last second."""

from __future__ import annotations


class SinceLast:
    """The change of named running totals (counts) since the last ``step`` of each name.
    ``restart()`` when the totals are set back to 0 (at the warm-up's end)."""

    __slots__ = ("_last",)

    def __init__(self):
        self._last: dict = {}

    def restart(self) -> None:
        self._last.clear()

    def step(self, name, total: int) -> int:
        """``total`` less its value at the last step of ``name`` (0 before any)."""
        change = total - self._last.get(name, 0)
        self._last[name] = total
        return change
