"""``spike``: a client sends ``multiplier`` times its rate for ``duration_s``."""

from pydantic import Field

from simcore.components.base import unit
from simcore.design_limits import MAX_SPIKE_MULTIPLIER
from simcore.events.base import EventParams, EventSpec


class SpikeParams(EventParams):
    multiplier: float = Field(..., gt=0, le=MAX_SPIKE_MULTIPLIER,
                              description="Factor on the client's rate.",
                              json_schema_extra=unit("×", label="Multiplier", start=10.0))


def apply(sim, ev):
    client = sim.client_by_id[ev.target]
    m = float(ev.params.multiplier)
    client.set_multiplier(client.mult * m)
    return lambda: client.set_multiplier(client.mult / m)


SPEC = EventSpec(
    type="spike",
    label="Traffic spike",
    description="The client sends its rate times the multiplier.",
    params=SpikeParams,
    targets=("client",),
    apply=apply,
    colour=(234, 118, 0),
    phrase=lambda p: f"traffic ×{p.multiplier:g}",
)
