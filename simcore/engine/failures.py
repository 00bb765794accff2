"""Up/down changes during a traffic run: the scenario's events (each applied as its type
declares in ``simcore/events/``, at ``at_s``), random MTBF/MTTR failures when
``random_failures`` is on, and the balancers' periodic health checks.

A standby takes over ``failover_s`` after a component's instances (a shard's primary) are
all down, unless the outage is its group's. Random failures draw, per instance / database
node / group, exponential times to failure (mean MTBF) and to repair (mean MTTR); with only
``availability`` given, MTTR is 1 h and MTBF = a / (1 − a) · MTTR — so in a run of minutes
they are rare. A standby fails and is repaired the same way (it cannot take over while it is
down).
"""

from __future__ import annotations

from simcore.engine.streams import Exponentials, child_generator
from simcore.roles import role

HOUR_S = 3600.0


def schedule_events(sim, scenario_events) -> None:
    for ev in scenario_events:
        sim.after(ev.at_s, _starter(sim, ev))


def inject_events(sim, raw_events) -> list[dict]:
    """Events added during a run (the designer's "fail now"): each a dict in the design file's
    event form. One whose ``at_s`` is missing or already past starts now and lasts its whole
    ``duration_s``; a later one waits for its ``at_s``. Returns one record per event:
    {"event", "at_s" (when it starts), "problem" (None, or why it was refused)}; a refused
    event changes nothing (a live run must not die of one bad click)."""
    from pydantic import ValidationError

    from simcore.design import Event

    now = sim.env.now
    records = []
    for raw in raw_events or []:
        rec = {"event": dict(raw) if isinstance(raw, dict) else raw, "at_s": None,
               "problem": None}
        records.append(rec)
        try:
            data = dict(raw)
            if data.get("at_s") is None or data["at_s"] < now:
                data["at_s"] = now
            ev = Event.model_validate(data)
        except (TypeError, ValueError, ValidationError) as exc:
            rec["problem"] = f"not a scenario event: {exc}"
            continue
        problem = _target_problem(sim, ev)
        if problem:
            rec["problem"] = problem
            continue
        rec["at_s"] = ev.at_s
        sim.after(max(0.0, ev.at_s - now), _starter(sim, ev))
    return records


def _target_problem(sim, ev) -> str | None:
    t = ev.target
    if t in sim.client_by_id:
        what, role = "client", None
    elif t in sim.nodes:
        what, role = "component", sim.nodes[t].role
    elif t in sim.group_members:
        what, role = "group", None
    else:
        what, role = ("link" if t in sim.edges else None), None
    problem = ev.spec.target_problem(t, what, role)
    return f"{ev.type} event: {problem}" if problem else None


def _starter(sim, ev):
    """Start ``ev`` as its type declares; a lasting event ends ``duration_s`` later."""
    def start(_e):
        end = ev.spec.apply(sim, ev)
        if end is not None:
            sim.after(ev.duration_s, lambda _e2: end())
    return start


def set_group(sim, members, delta: int) -> None:
    for node in members:
        node.group_down += delta
        node.refresh()
    sim.state_changed()


def start_random_failures(sim, rep) -> None:
    """One alternating up/down process per instance, database node and group that can fail."""
    for node in sim.nodes.values():
        p = node.params
        a = p.instance_availability
        if a >= 1.0:
            continue
        mttr = p.repair_hours * HOUR_S
        mtbf = a / (1.0 - a) * mttr
        exp = Exponentials(child_generator(rep, node.id, "failures"))
        if role(node.role).per_node_state:
            for i in range(len(node.node_down)):
                _cycle(sim, exp, mtbf, mttr, _down_toggle(sim, node, node.node_down, i))
        else:
            for k in range(len(node.inst_down)):
                _cycle(sim, exp, mtbf, mttr, _down_toggle(sim, node, node.inst_down, k))
        if node.standby:
            # a standby fails and is repaired like any node (the analysis's standby is up
            # with the instance availability too); while down it cannot take over
            sexp = Exponentials(child_generator(rep, node.id, "standby failures"))
            for s in range(getattr(node, "shards", 1)):
                _cycle(sim, sexp, mtbf, mttr, _standby_toggle(sim, node, s))
    for gid, (group, gp) in sim.topology.groups.items():
        a = gp.group_availability
        if a >= 1.0:
            continue
        mttr = gp.repair_hours * HOUR_S
        mtbf = a / (1.0 - a) * mttr
        exp = Exponentials(child_generator(rep, gid, "failures"))
        members = [sim.nodes[m] for m in group.members]
        _cycle(sim, exp, mtbf, mttr, lambda d, members=members: set_group(sim, members, d))


def _down_toggle(sim, node, down: list[int], i: int):
    """Count one more (or one less) reason for ``down[i]`` (an instance's or a database
    node's), then let the node and the health checks see it."""
    def toggle(delta):
        down[i] += delta
        node.refresh()
        sim.state_changed()
    return toggle


def _standby_toggle(sim, node, s):
    per_node = role(node.role).per_node_state

    def toggle(delta):
        if per_node:
            node.shard_standby_down[s] += delta
        else:
            node.standby_down += delta
        node.refresh()
        sim.state_changed()
    return toggle


def _cycle(sim, exp, mtbf_s, mttr_s, toggle) -> None:
    def fail(_e):
        toggle(+1)
        sim.random_failures += 1
        sim.after(exp.next() * mttr_s, repair)

    def repair(_e):
        toggle(-1)
        sim.after(exp.next() * mtbf_s, fail)

    sim.after(exp.next() * mtbf_s, fail)


def serving(sim) -> dict[str, tuple[bool, bool]]:
    """What a health check sees now: for every component, whether it can serve a read and a
    write (P(x, r) > 0 in §3's terms for the current up/down state), computed from the
    leaves up, by each component's role. A partitioned link counts as a target that cannot be
    reached."""
    ok: dict[str, tuple[bool, bool]] = {}
    for cid in reversed(sim.topology.order):
        n = sim.nodes.get(cid)
        if n is not None:  # clients are not served
            rule = role(n.role)
            ok[cid] = (rule.serves(n, 0, ok), rule.serves(n, 1, ok))
    return ok


def start_health_checks(sim) -> None:
    for node in sim.balancers:
        if node.interval > 0:
            _periodic(sim, node)


def _periodic(sim, node) -> None:
    def check(_e):
        node.health_check()
        sim.after(node.interval, check)
    sim.after(node.interval, check)
