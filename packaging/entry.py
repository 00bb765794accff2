"""Entry point of the frozen `skyline` program (PyInstaller bundle).

freeze_support() must run first: a frozen program started as a multiprocessing worker
(simulation replications run in a process pool) would otherwise run the command line again
instead of the worker. With PyInstaller's multiprocessing runtime hook this holds on every
platform and start method (spawn, forkserver, fork); in an unfrozen run it does nothing.
"""

import multiprocessing
import os
import sys


def _coerce_c_locale() -> None:
    """Do what the `python` command does in a C/POSIX locale (PEP 538): switch the character
    type to UTF-8. The bundle's embedded interpreter does not, and Qt would then warn on every
    start from a bare environment (cron, `env -i`, some classroom login scripts)."""
    if sys.platform == "win32" or os.environ.get("LC_ALL"):
        return  # like Python, an explicit LC_ALL (even LC_ALL=C) is obeyed
    ctype = os.environ.get("LC_CTYPE") or os.environ.get("LANG") or "C"
    if ctype in ("C", "POSIX"):
        os.environ["LC_CTYPE"] = "C.UTF-8"


if __name__ == "__main__":
    multiprocessing.freeze_support()
    _coerce_c_locale()
    from designer.__main__ import entry

    entry()
