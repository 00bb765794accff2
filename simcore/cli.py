"""The ``skyline`` command line (SPEC §4, a public contract).

Exit status: 0 success, 2 a design or usage error (a message on stderr naming the problem),
1 an internal error. No traceback reaches the user.

The ``skyline`` program itself is ``designer.__main__``: it opens the designer, or hands a
command (analyze, simulate, reliability, validate, examples) to ``main`` here without loading Qt.
This module never imports the designer.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable

from simcore import __version__
from simcore.design_limits import MAX_DURATION_S, MAX_SEED
from simcore.problems import DesignError
from simcore.text import safe

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("analyze", "simulate", "reliability", "validate", "examples", "estimate",
               "sweep", "compare")


class UsageError(Exception):
    """Bad command-line usage: reported on stderr with exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit itself; we want our own status and text
        raise UsageError(f"{self.prog}: {message}")


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= v <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be 0 … {MAX_SEED} (2³¹ − 1), got {v}")
    return v


def _duration(text: str) -> float:
    v = _positive_float(text)
    if v > MAX_DURATION_S:
        raise argparse.ArgumentTypeError(f"at most {MAX_DURATION_S:,.0f} s (a year), got {text}")
    return v


def _output(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("an empty file name; give a file, or - for standard "
                                         "output")
    return text


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="skyline", description="Skyline: draw an architecture, see how it behaves.")
    p.add_argument("--version", action="version", version=f"skyline {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=Parser)

    a = sub.add_parser("analyze", help="instant analysis of a design")
    a.add_argument("file")
    a.add_argument("--json", action="store_true", help="print one JSON object")
    a.add_argument("--explain", action="store_true",
                   help="explain every figure: its formula with this design's numbers")

    s = sub.add_parser("simulate", help="traffic simulation of a design")
    s.add_argument("file")
    s.add_argument("--duration", type=_duration, metavar="SECONDS",
                   help="simulated seconds, warm-up included (default: the scenario's)")
    s.add_argument("--seed", type=_seed, metavar="N")
    s.add_argument("--replications", type=_positive_int, metavar="N")
    s.add_argument("--json", type=_output, metavar="OUT",
                   help="write the results as JSON to OUT (- for standard output)")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")

    r = sub.add_parser("reliability", help="failure/repair simulation over years")
    r.add_argument("file")
    r.add_argument("--years", type=_positive_float, metavar="Y")
    r.add_argument("--replications", type=_positive_int, metavar="N")
    r.add_argument("--seed", type=_seed, metavar="N")
    r.add_argument("--json", type=_output, metavar="OUT",
                   help="write the results as JSON to OUT (- for standard output)")
    r.add_argument("--quiet", action="store_true", help="no progress on stderr")

    v = sub.add_parser("validate", help="exit 0 when valid; otherwise every problem, one a line")
    v.add_argument("file")

    sub.add_parser("examples", help="list the bundled example designs")

    from simcore.commands.estimate import add_arguments as estimate_arguments
    estimate_arguments(sub.add_parser("estimate", help="back-of-the-envelope estimate from "
                                      "users to requests/s, storage, bandwidth and servers"),
                       _positive_float, _positive_int)
    _add_study_parsers(sub)
    return p


def _add_study_parsers(sub) -> None:
    """``sweep`` and ``compare`` (SPEC §7.10): many runs on the same random numbers."""
    w = sub.add_parser("sweep", help="simulate a design at several values of one parameter")
    w.add_argument("file")
    w.add_argument("--param", required=True, metavar="ID.PARAM",
                   help="ID.PARAM[.SUB] of a component, link or group, or scenario.FIELD")
    w.add_argument("--values", required=True, metavar="V1,V2,...",
                   help="the values, separated by commas (each read as JSON)")
    c = sub.add_parser("compare", help="two designs on the same random numbers: B − A")
    c.add_argument("a", metavar="A.json")
    c.add_argument("b", metavar="B.json")
    for s in (w, c):
        s.add_argument("--duration", type=_duration, metavar="SECONDS",
                       help="simulated seconds, warm-up included (default: the scenario's)")
        s.add_argument("--replications", type=_positive_int, metavar="N")
        s.add_argument("--seed", type=_seed, metavar="N")
        s.add_argument("--scheduler", metavar="ADDRESS",
                       help="tcp://HOST:PORT of a Dask scheduler that runs the replications "
                            "(default: $SKYLINE_SCHEDULER, else this machine)")
        s.add_argument("--json", type=_output, metavar="OUT",
                       help="write the results as JSON to OUT (- for standard output)")
        s.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _dispatch(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        raise UsageError("skyline: a command is needed: " + ", ".join(SUBCOMMANDS))
    module = importlib.import_module(f"simcore.commands.{args.command}")
    return module.run(args)


def main(argv: list[str] | None = None) -> int:
    """Run one command (``argv`` without the program name); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return guarded(lambda: _dispatch(argv))


def guarded(run: Callable[[], int]) -> int:
    """``run()``'s exit status, with every failure turned into a message and a status: usage
    and design errors 2, an interruption 130, anything else an internal error 1."""
    try:
        return run()
    except SystemExit as exc:  # argparse's --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except UsageError as exc:
        print(safe(exc), file=sys.stderr)
        return EXIT_USAGE
    except DesignError as exc:
        print(exc.text(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # an unwritable output, a full disk, a read-only mount
        print(f"skyline: {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("skyline: not enough memory for this; try a smaller design or a smaller study "
              "(a shorter --duration, fewer --years or --replications)", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # noqa: BLE001 (internal error: said plainly, details for a report)
        print("skyline: internal error (please report it with the lines below)", file=sys.stderr)
        print(traceback.format_exc(limit=-3), file=sys.stderr)
        return EXIT_INTERNAL


def _os_error(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    return safe(f"{exc.filename}: {what}" if exc.filename else what)


def flush_stdout() -> int | None:
    """Flush stdout now, while a failure can still be reported (stdout on a full disk or
    /dev/full); afterwards point it at /dev/null, so the interpreter's own flush at exit cannot
    print a traceback. None when all went well, else the exit status."""
    try:
        sys.stdout.flush()
        return None
    except BrokenPipeError:
        status = EXIT_OK
    except OSError as exc:
        print(f"skyline: cannot write the output: {_os_error(exc)}", file=sys.stderr)
        status = EXIT_USAGE
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return status


def entry() -> None:
    """The commands alone, as a console script (``python -m simcore.cli`` does the same)."""
    status = main()
    failed = flush_stdout()
    sys.exit(status if failed is None else failed)


if __name__ == "__main__":
    entry()
