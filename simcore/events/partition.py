"""``partition``: a link loses every request crossing it for ``duration_s``; on a database, its
replicas are cut off from their primaries (SPEC §7.5: under strong consistency the reads that
reach them fail, under eventual they are served stale; writes that wait for replicas fail)."""

from simcore.events.base import EventSpec, NoParams


def apply(sim, ev):
    if ev.target in sim.nodes:
        db = sim.nodes[ev.target]
        db.partition(+1)
        sim.state_changed()

        def end_cut() -> None:
            db.partition(-1)
            sim.state_changed()
        return end_cut
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
    description="The link is cut: calls over it fail. On a database, the replicas lose their "
    "primaries: reads fail (strong) or are served stale (eventual).",
    params=NoParams,
    targets=("link", "component"),
    roles=("database",),
    apply=apply,
    colour=(120, 80, 60),
    phrase=lambda _p: "partitioned",
    touches_links=True,
)
