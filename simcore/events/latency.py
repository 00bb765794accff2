"""``latency``: a link's one-way latency grows by ``extra_ms`` for ``duration_s``."""

from pydantic import Field

from simcore.components.base import unit
from simcore.events.base import EventParams, EventSpec

MAX_EXTRA_LATENCY_MS = 3_600_000.0
"""A latency event adds at most an hour, as a link's own latency_ms."""


class LatencyParams(EventParams):
    extra_ms: float = Field(..., ge=0, le=MAX_EXTRA_LATENCY_MS,
                            description="Added one-way latency.",
                            json_schema_extra=unit("ms", label="Extra latency", start=200.0))


def apply(sim, ev):
    edge = sim.edges[ev.target]
    extra = float(ev.params.extra_ms) / 1000.0
    edge.extra_s += extra

    def end() -> None:
        edge.extra_s -= extra
    return end


SPEC = EventSpec(
    type="latency",
    label="Extra latency",
    description="The link's one-way latency grows by the extra milliseconds.",
    params=LatencyParams,
    targets=("link",),
    apply=apply,
    colour=(124, 58, 237),
    phrase=lambda p: f"+{p.extra_ms:g} ms latency",
    touches_links=True,
)
