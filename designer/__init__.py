"""Skyline's Qt designer: a view of the pydantic Design (may import simcore; nothing imports it).

Importing the package loads no Qt: the ``skyline`` program (``designer.__main__``) runs the
command-line commands without it.
"""
