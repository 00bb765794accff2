"""``skyline reliability FILE [--years Y] [--replications N] [--seed N] [--json OUT] [--quiet]``
(SPEC §4): years of simulated failures and repairs, a text report on stdout, JSON to OUT.

Progress goes to stderr unless ``--quiet`` (only for runs that last more than half a second).
Ctrl-C stops the study: the blocks finished so far are reported (and written to OUT, marked
``"stopped": true``) and the exit status is 130. A bad file raises DesignError (exit 2 from the
command line); a study too big to simulate is a usage error (exit 2).
"""

from __future__ import annotations

import json
import signal
import sys
import time

from simcore.io import check_output_path, is_stdout, load, write_output
from simcore.reliability import StudyTooBig, reliability
from simcore.reliability.report import render
from simcore.text import safe

EXIT_INTERRUPTED = 130
SHOW_AFTER_S = 0.5
BAR = 28


class _Progress:
    """A bar redrawn in place on a terminal; elsewhere a line per tenth of the work."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", None) and stream.isatty())
        self.t0 = time.monotonic()
        self.drawn = False
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.t0
        if elapsed < SHOW_AFTER_S or total <= 0:
            return
        frac = done / total
        left = elapsed * (1 - frac) / frac if frac > 0 else 0.0
        text = f"reliability {frac:4.0%} ({done}/{total} blocks, about {left:.0f} s left)"
        if self.tty:
            fill = round(BAR * frac)
            self.stream.write(f"\r[{'#' * fill}{'.' * (BAR - fill)}] {text}\x1b[K")
            self.drawn = True
        elif int(frac * 10) > self.last_tenth:
            self.last_tenth = int(frac * 10)
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _write_json(path: str, data: dict) -> None:
    """Write atomically: a temporary file beside OUT, renamed over it (``-``: stdout)."""
    write_output(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def run(args) -> int:
    design = load(args.file)
    if args.json is not None:
        try:  # fail before a long study, not after it, when OUT cannot be written
            check_output_path(args.json)
        except OSError as exc:
            print(f"skyline reliability: --json {safe(args.json)}: {exc.strerror}",
                  file=sys.stderr)
            return 2
    bar = None if args.quiet else _Progress(sys.stderr)
    stop = {"asked": False}

    def on_sigint(signum, frame):  # stop after the blocks under way; a second Ctrl-C aborts
        if stop["asked"]:
            raise KeyboardInterrupt
        stop["asked"] = True

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: no handler, run_all still catches Ctrl-C
        previous = None
    try:
        res = reliability(design, years=args.years, replications=args.replications,
                          seed=args.seed, progress=bar, should_stop=lambda: stop["asked"])
    except StudyTooBig as exc:
        print(f"skyline reliability: {exc}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
    stopped = res.stopped
    if not (args.json and is_stdout(args.json)):  # with --json -, stdout holds the JSON alone
        sys.stdout.write(render(res))
        sys.stdout.flush()
    if args.json is not None:
        try:
            _write_json(args.json, res.to_json())
        except (OSError, ValueError) as exc:
            print(f"skyline reliability: cannot write {safe(args.json)}: "
                  f"{getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
            return 2
    if stopped:
        print("skyline reliability: interrupted; the report covers the blocks finished",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0
