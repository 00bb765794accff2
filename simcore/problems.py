"""Problems found in a design, each naming the thing it is about."""

from __future__ import annotations

from dataclasses import dataclass

from simcore.text import safe


@dataclass(frozen=True, order=True)
class Problem:
    """One problem. ``where`` is a component, link or group id (or None for the whole file)."""

    where: str | None
    message: str

    def __str__(self) -> str:
        """Control characters and bidi overrides quoted from the file are shown escaped."""
        return safe(f"{self.where}: {self.message}" if self.where else self.message)


class DesignError(Exception):
    """A design that cannot be used, with every problem found. ``str()`` gives one per line."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self.text())

    def text(self) -> str:
        head = f"{safe(self.source)}: " if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}{len(self.problems)} problems:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)
