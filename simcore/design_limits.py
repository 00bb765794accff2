"""Bounds on what a design may hold, so that every verb and the designer can use any design that
loads (docs/decisions.md, "Limits on input", says why each bound is where it is).

The numeric bounds of the design model live on its fields (simcore.design); the ones here need
more than one field (names, ids, the offered rate with its spikes) and are checked both when a
file is loaded and when a design edited in the designer is validated.
"""

from __future__ import annotations

from simcore.text import BIDI_CONTROLS, UNSAFE

MAX_NAME_CHARS = 200
"""A design's, component's or group's name: a long title fits; a megabyte name once crashed the
canvas and its PNG export."""
MAX_ID_CHARS = 200
"""An id is shown on the canvas and in every report."""
MAX_DESCRIPTION_CHARS = 10_000
"""About four pages of notes; a 2 MB description froze the designer's text layout."""
MAX_SEED = 2**31 - 1
"""Seeds are 0 … 2³¹ − 1: the designer's spin box holds a 32-bit signed integer."""
MAX_COORDINATE = 1_000_000.0
"""Canvas coordinates (pixels) stay within ±1e6: Qt paints with 32-bit integers."""
MAX_DURATION_S = 31_536_000.0
"""A traffic run simulates at most a year of time (event times, warm-up, scenario events)."""
MAX_SPIKE_MULTIPLIER = 1000.0
"""A traffic spike multiplies a client's rps by at most this."""
MAX_OFFERED_RPS = 1e9
"""The most requests per second the clients may offer together, spikes included."""


def _text_problem(value: str, what: str, limit: int, one_line: bool) -> str | None:
    if len(value) > limit:
        return f"{what} is {len(value):,} characters long (at most {limit:,})"
    allowed = "\n\t" if not one_line else ""
    bad = next((m.group() for m in UNSAFE.finditer(value) if m.group() not in allowed), None)
    if bad is not None:
        kind = "a text-direction override" if bad in BIDI_CONTROLS else "a control character"
        return f"{what} holds {kind} (U+{ord(bad):04X}), which would garble what is printed"
    return None


def text_problems(design) -> list:
    """Names, ids and the description: length and characters that are not printable text."""
    from simcore.problems import Problem

    problems = []

    def check(where, value, what, limit=MAX_NAME_CHARS, one_line=True):
        if isinstance(value, str):
            msg = _text_problem(value, what, limit, one_line)
            if msg:
                problems.append(Problem(where, msg))

    check(None, design.name, "the design's name")
    check(None, design.description, "the description", MAX_DESCRIPTION_CHARS, one_line=False)
    for part in (*design.components, *design.links, *design.groups):
        check(None, part.id, f"id '{part.id[:40]}'", MAX_ID_CHARS)
        check(part.id[:40], getattr(part, "name", None), "the name")
    return problems


def rate_problems(design, client_rps: dict[str, float]) -> list:
    """The offered rate with every spike applied at once stays under ``MAX_OFFERED_RPS``
    (``client_rps``: each client's rps)."""
    from simcore.problems import Problem

    peak = dict(client_rps)
    if design.scenario is not None:
        for ev in design.scenario.events:
            if ev.type == "spike" and ev.target in peak and ev.multiplier is not None:
                peak[ev.target] = max(peak[ev.target], client_rps[ev.target] * ev.multiplier)
    total = sum(peak.values())
    if total <= MAX_OFFERED_RPS:
        return []
    busiest = max(peak, key=peak.get)
    return [Problem(busiest, f"the clients offer up to {total:.3g} req/s with their spikes (at "
                             f"most {MAX_OFFERED_RPS:.0e}); lower rps or the spike multipliers")]
