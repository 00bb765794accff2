"""What ``sweep`` and ``compare`` share: where the runs go (``--scheduler`` or the
``SKYLINE_SCHEDULER`` environment variable, else this machine), progress on stderr, Ctrl-C
that stops and reports what finished (exit 130, as ``simulate``), and the JSON file."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

from simcore.commands.simulate import EXIT_STOPPED, _StopOnInterrupt, emit
from simcore.engine.progress import ProgressBar
from simcore.io import check_output_path
from simcore.text import safe

SCHEDULER_ENV = "SKYLINE_SCHEDULER"
EXIT_USAGE = 2


class StudyUsageError(Exception):
    """A bad option found before anything runs: exit 2 with this text."""


def scheduler_of(args) -> str | None:
    """The Dask scheduler address to use (checked for form only), or None for this machine."""
    from simcore.runner_dask import ClusterError, check_address

    text = args.scheduler if args.scheduler is not None else os.environ.get(SCHEDULER_ENV)
    if not text:
        return None
    try:
        return check_address(text)
    except ClusterError as exc:
        origin = "--scheduler" if args.scheduler is not None else SCHEDULER_ENV
        raise StudyUsageError(f"{origin}: {exc}") from None


def check_output(command: str, path: str | None) -> None:
    """Fail before a long study, not after it, when ``--json OUT`` cannot be written."""
    if path:
        try:
            check_output_path(path)
        except OSError as exc:
            raise StudyUsageError(f"skyline {command}: --json {safe(path)}: {exc.strerror}"
                                  ) from None


REDRAW_S = 0.5
"""How often a terminal's progress bar is redrawn while no replication finishes (its clock
moves on)."""


class _Redraw:
    """Redraws an interactive bar every REDRAW_S in a daemon thread: replications can take
    minutes, and a bar that only moves when one finishes looks hung."""

    def __init__(self, bar: ProgressBar | None):
        self.bar, self.last = bar, None
        self._stop = threading.Event()

    def progress(self, done: int, total: int) -> None:
        self.last = (done, total)
        self.bar.replications(done, total)

    def _loop(self) -> None:
        while not self._stop.wait(REDRAW_S):
            if self.last is not None:
                self.bar.replications(*self.last)

    def __enter__(self):
        if self.bar is not None and self.bar.interactive:
            threading.Thread(target=self._loop, name="study-progress", daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        return False


def run_study(command: str, label: str, study: Callable, args) -> tuple[object | None, int]:
    """``study(progress=..., should_stop=...)`` with a progress bar (unless ``--quiet``) and
    Ctrl-C stopping it. Returns (its result, 0), or (None, 2) after printing why a cluster
    could not be used."""
    from simcore.runner_dask import ClusterError

    bar = None if getattr(args, "quiet", False) else ProgressBar(sys.stderr, label=label)
    try:
        with _StopOnInterrupt() as stop, _Redraw(bar) as redraw:
            result = study(progress=redraw.progress if bar else None, should_stop=stop)
    except ClusterError as exc:
        if bar is not None:
            bar.close()  # before the message, so that it does not clear it
        print(f"skyline {command}: {exc}", file=sys.stderr)
        return None, EXIT_USAGE
    finally:
        if bar is not None:
            bar.close()
    return result, 0


def finish(command: str, text: str, j: dict, args) -> int:
    """Print the table (not with ``--json -``: stdout then holds the JSON alone), write
    ``--json OUT``; 130 when the study was stopped."""
    if j.get("stopped"):
        print(f"skyline {command}: stopped; reporting what finished", file=sys.stderr)
    if not emit(command, text, j, args):
        return EXIT_USAGE
    return EXIT_STOPPED if j.get("stopped") else 0


def run_command(command: str, label: str, args, prepare: Callable, study: Callable,
                render: Callable) -> int:
    """The whole of ``skyline sweep`` or ``compare``: check the options, ``inputs =
    prepare()`` (StudyUsageError: exit 2), ``study(inputs, scheduler, progress=,
    should_stop=)`` with progress and Ctrl-C, then ``render(json, inputs)`` on stdout and the
    JSON file."""
    try:
        scheduler = scheduler_of(args)
        check_output(command, args.json)
        inputs = prepare()
    except StudyUsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE

    def run(progress, should_stop):
        return study(inputs, scheduler, progress=progress, should_stop=should_stop)

    result, status = run_study(command, label, run, args)
    if result is None:
        return status
    j = result.to_json()
    return finish(command, render(j, inputs), j, args)
