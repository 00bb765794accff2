"""Progress of a long run on stderr (``skyline simulate`` without ``--quiet``).

On a terminal: one line redrawn in place (a bar, the simulated seconds done, the replications
finished, the time left), at most ten times a second, and only once the run has lasted half a
second — a quick run prints nothing. When stderr is not a terminal (a log, a pipe) carriage
returns would make a mess, so a plain line is printed per finished replication instead, again
only for runs that last.

Calls may come from a helper thread (the simulated-seconds poller) and from the main thread
(finished replications): a lock keeps the line whole.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time

SHOW_AFTER_S = 0.5
"""A run shorter than this shows no progress at all."""
REDRAW_EVERY_S = 0.1
BAR_WIDTH = 28


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    """``seconds(done_s, total_s)`` for simulated seconds, ``replications(done, total)`` for
    finished replications, ``close()`` at the end (clears the line)."""

    def __init__(self, stream=None, label: str = "simulating", interactive: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        if interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False
        self._done_s = 0.0
        self._total_s = 0.0
        self._reps = (0, 0)
        self._closed = False

    # --- inputs -------------------------------------------------------------------------
    def seconds(self, done_s: float, total_s: float) -> None:
        with self._lock:
            self._done_s, self._total_s = done_s, total_s
            self._maybe_draw()

    def replications(self, done: int, total: int) -> None:
        with self._lock:
            self._reps = (done, total)
            if self.interactive:
                self._maybe_draw(force=True)
            elif time.monotonic() - self._t0 >= SHOW_AFTER_S:
                self._write(f"{self.label}: replication {done}/{total} finished "
                            f"({_clock(time.monotonic() - self._t0)} elapsed)\n")

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.interactive and self._drawn:
                self._write("\r\x1b[2K")

    # --- drawing ------------------------------------------------------------------------
    def _fraction(self) -> float:
        done, total = self._reps
        f = self._done_s / self._total_s if self._total_s > 0 else 0.0
        if total:
            f = max(f, done / total)
        return min(1.0, max(0.0, f))

    def _maybe_draw(self, force: bool = False) -> None:
        if not self.interactive or self._closed:
            return
        now = time.monotonic()
        elapsed = now - self._t0
        if elapsed < SHOW_AFTER_S:
            return
        if not force and now - self._last_draw < REDRAW_EVERY_S:
            return
        self._last_draw = now
        f = self._fraction()
        filled = round(f * BAR_WIDTH)
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        left = _clock(elapsed * (1.0 - f) / f) if f > 0.02 else "?"
        done, total = self._reps
        reps = f"  {done}/{total} replications" if total else ""
        line = (f"{self.label} {bar} {100 * f:5.1f}%{reps}  {_clock(elapsed)} elapsed, "
                f"~{left} left  (Ctrl-C stops)")
        # a line wider than the terminal wraps, and \r would then redraw only its tail
        width = shutil.get_terminal_size((100, 24)).columns - 1
        self._write("\r\x1b[2K" + line[:max(20, width)])
        self._drawn = True

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not end the run
            pass
