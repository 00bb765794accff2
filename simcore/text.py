"""Numbers for people, shared by the text reports of ``analyze``, ``simulate`` and the like, and
the strict-JSON rule for a number (``finite_or_none``)."""

from __future__ import annotations

import math
import re


def finite_or_none(x: float | None) -> float | None:
    """``x`` as a float, or None when it is None, infinite or NaN (strict JSON has neither)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


DASH = "—"
"""What a report shows for an undefined value."""


def number(x: float | None, digits: int = 4) -> str:
    """``—`` for undefined, ``∞`` for infinite, else ``digits`` significant figures (thousands
    separated; scientific only outside 1e-3 … 1e9)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if math.isinf(x):
        return "∞"
    if x != 0 and (abs(x) >= 1e9 or abs(x) < 1e-3):
        return f"{x:.{digits - 1}e}"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:,.{digits}g}"


BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder the text around them on a terminal or in a dialog (Trojan-source)."""


UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]")
"""A control character (C0, DEL, C1), a lone surrogate or a bidi override: printing it raw can
clear a terminal, move the cursor or reverse what the reader sees."""


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object) -> str:
    """``text`` with every ``UNSAFE`` character written as a visible escape (``\\x1b``,
    ``\\u202e``), so that a message quoting a hostile id is shown, not obeyed."""
    return UNSAFE.sub(_escape, str(text))


def elide(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when it was cut (titles and
    tooltips stay readable whatever length a name has)."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
