"""Entry point of the frozen `skyline` program (PyInstaller bundle).

freeze_support() must run first: a frozen program started as a multiprocessing worker
(simulation replications run in a process pool) would otherwise run the command line again
instead of the worker. It is a no-op outside a frozen Windows build, and harmless elsewhere.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from simcore.cli import entry

    entry()
