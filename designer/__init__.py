"""Skyline's Qt designer: a view of the pydantic Design (may import simcore; nothing imports it)."""

from designer.qt_compat import guard_singleton_refcounts

guard_singleton_refcounts()
