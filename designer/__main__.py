"""The ``skyline`` program: ``skyline [FILE] [--screenshot OUT.png]`` opens the designer;
``skyline COMMAND ...`` (analyze, simulate, reliability, validate, examples) runs a command of
``simcore.cli``. Commands never load Qt: this module imports none, and the designer is
imported only to open it.
"""

from __future__ import annotations

import argparse
import sys

from simcore import __version__
from simcore.cli import EXIT_OK, SUBCOMMANDS, Parser, build_parser, flush_stdout, guarded
from simcore.cli import main as run_command


def _parser() -> argparse.ArgumentParser:
    p = Parser(prog="skyline", description="Open the Skyline designer.",
               epilog="Commands: " + ", ".join(SUBCOMMANDS) + " (skyline COMMAND --help).")
    p.add_argument("file", nargs="?", help="design to open (default: the default example)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="paint the analysis, save a PNG of the whole window and exit")
    p.add_argument("--version", action="version", version=f"skyline {__version__}")
    return p


def _open_designer(argv: list[str]) -> int:
    if argv in (["-h"], ["--help"]):
        _parser().print_help()
        print("\ncommands:")
        build_parser().print_help()
        return EXIT_OK
    args = _parser().parse_args(argv)
    from designer.app import main as designer_main  # Qt is loaded from here on

    return designer_main(args.file, screenshot=args.screenshot)


def main(argv: list[str] | None = None) -> int:
    """The exit status of ``skyline`` with ``argv`` (default: the process's arguments)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        return run_command(argv)
    return guarded(lambda: _open_designer(argv))


def entry() -> None:
    status = main()
    failed = flush_stdout()  # stdout on a full disk: a message, not a traceback at exit
    sys.exit(status if failed is None else failed)


if __name__ == "__main__":
    entry()
