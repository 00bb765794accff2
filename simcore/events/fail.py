"""``fail``: a component wholly down (every instance; a database's every node), or a group with
all its members (a common cause), for ``duration_s``."""

from simcore.events.base import EventSpec, NoParams


def apply(sim, ev):
    # here, not at the top: every design file loads the event types, only a run the engine
    from simcore.engine.failures import set_group

    if ev.target in sim.nodes:
        node = sim.nodes[ev.target]

        def shift(delta: int) -> None:
            for k in range(len(node.inst_down)):
                node.inst_down[k] += delta
            node.refresh()
            sim.state_changed()

        shift(+1)
        return lambda: shift(-1)
    members = [sim.nodes[m] for m in sim.group_members.get(ev.target, [])]
    set_group(sim, members, +1)
    return lambda: set_group(sim, members, -1)


SPEC = EventSpec(
    type="fail",
    label="Failure",
    description="The component (every instance) or the whole group is down.",
    params=NoParams,
    targets=("component", "group"),
    refusals={"client": "a client cannot fail; fail what it calls"},
    apply=apply,
    colour=(220, 38, 38),
    phrase=lambda _p: "fails",
)
