"""Skyline's headless core: the design model, its file format, the instant analysis and the
simulations. Pure Python: nothing here imports Qt or pyqtgraph."""

__version__ = "0.1.0"

SCHEMA_VERSION = 2
