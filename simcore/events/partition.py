"""``partition``: a link loses every request crossing it for ``duration_s``."""

from simcore.events.base import EventSpec, NoParams


def apply(sim, ev):
    edge = sim.edges[ev.target]
    edge.partitioned += 1
    sim.state_changed()  # balancers checking at every change stop using the link

    def end() -> None:
        edge.partitioned -= 1
        sim.state_changed()
    return end


SPEC = EventSpec(
    type="partition",
    label="Partition",
    description="The link is cut: calls over it fail.",
    params=NoParams,
    targets=("link",),
    apply=apply,
    colour=(120, 80, 60),
    phrase=lambda _p: "partitioned",
    touches_links=True,
)
