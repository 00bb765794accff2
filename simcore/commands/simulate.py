"""``skyline simulate FILE [--duration S] [--seed N] [--replications N] [--json OUT] [--quiet]``:
the traffic simulation of a design (SPEC §3, §4).

The text report goes to stdout, progress to stderr (a bar on a terminal, a line per finished
replication otherwise; nothing with ``--quiet`` or for a run under half a second). ``--json
OUT`` writes the SPEC §4 object atomically (a temporary file renamed over OUT); ``--json -``
prints it on stdout instead of the text report.

Ctrl-C stops the study cleanly: the running replications are ended, the report of the
replications that finished is printed (and written to OUT), and the exit status is 130 — the
shell's convention for "ended by Ctrl-C" — so a script can tell a stopped study from a whole
one. A second Ctrl-C gives up at once. A bad file or unwritable OUT exits 2 before anything
runs; a design error raises DesignError, reported by the command line with status 2.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading

from simcore.engine.progress import ProgressBar
from simcore.engine.report import render
from simcore.engine.study import simulate
from simcore.io import check_output_path, is_stdout, load, write_output
from simcore.text import safe

EXIT_STOPPED = 130
LONG_RUN_REQUESTS = 20_000_000
"""Above this many simulated requests a run takes minutes at least: say so before starting."""
MAX_REQUESTS = 1_000_000_000
"""Above this many simulated requests a run would take hours: refuse it before starting (exit 2)
and say what to shorten."""


def write_json_atomically(path: str, obj: dict) -> None:
    """Write ``obj`` as strict JSON, atomically (a reader never sees half a file); ``-`` is
    standard output."""
    write_output(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


class _StopOnInterrupt:
    """While active, the first Ctrl-C only asks the study to stop (``requested``); a second
    one raises KeyboardInterrupt as usual. Only the main thread can own signal handlers."""

    def __init__(self):
        self.requested = False
        self._old = None

    def __call__(self) -> bool:
        return self.requested

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        # SIGINT ignored from the start (nohup, a background job) stays ignored
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN):
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False


def _check_work(design, args) -> bool:
    """Every request is simulated, so the work grows with rate × duration × replications: warn
    about a long run (unless ``--quiet``); refuse, with a message, one too long to finish
    (False)."""
    from simcore.analysis import analyze
    from simcore.engine.study import study_settings

    d, _w, _s, n = study_settings(design, args.duration, args.seed, args.replications)
    offered = analyze(design, availability=False).offered_rps or 0.0
    total = offered * d * n
    work = (f"about {total:,.0f} requests to simulate ({offered:,.0f} req/s × {d:g} s × {n} "
            f"replication{'s' if n != 1 else ''})")
    if total > MAX_REQUESTS:
        print(f"skyline simulate: {work}, more than the {MAX_REQUESTS:,} a run may simulate; "
              "shorten --duration or use fewer --replications", file=sys.stderr)
        return False
    if total > LONG_RUN_REQUESTS and not args.quiet:
        print(f"skyline simulate: {work}; this can take a long time. Ctrl-C stops and "
              "reports the replications finished so far.", file=sys.stderr)
    return True


def run(args) -> int:
    design = load(args.file)
    if args.json:
        try:  # fail before a long run, not after it, when OUT cannot be written
            check_output_path(args.json)
        except OSError as exc:
            print(f"skyline simulate: --json {safe(args.json)}: {exc.strerror}", file=sys.stderr)
            return 2
    if not _check_work(design, args):
        return 2
    bar = None if args.quiet else ProgressBar(sys.stderr)
    try:
        with _StopOnInterrupt() as stop:
            result = simulate(design, duration_s=args.duration, seed=args.seed,
                              replications=args.replications,
                              progress=bar.replications if bar else None,
                              seconds_progress=bar.seconds if bar else None,
                              should_stop=stop)
    finally:
        if bar is not None:
            bar.close()
    j = result.to_json()
    if result.stopped:
        if result.partial:
            what = (f"no replication of {result.requested} finished; reporting the partial "
                    f"results of the one running")
        else:
            what = f"{j['replications']} of {result.requested} replications finished"
        print(f"skyline simulate: stopped; {what}", file=sys.stderr)
    if not emit("simulate", render(j, source=safe(os.path.basename(args.file))), j, args):
        return 2
    return EXIT_STOPPED if result.stopped else 0


def emit(command: str, text: str, j: dict, args) -> bool:
    """Print the text report (not with ``--json -``: stdout then holds the JSON alone) and
    write ``--json OUT``; False, after saying why on stderr, when the JSON cannot be written."""
    if not (args.json and is_stdout(args.json)):
        sys.stdout.write(text)
        sys.stdout.flush()
    if args.json:
        try:
            write_json_atomically(args.json, j)
        except (OSError, ValueError) as exc:
            print(f"skyline {command}: cannot write {safe(args.json)}: "
                  f"{getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
            return False
    return True
