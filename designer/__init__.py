"""Skyline's Qt designer: a view of the pydantic Design (may import simcore; nothing imports it)."""
