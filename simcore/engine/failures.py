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
    if problem is None and what == "component":
        problem = ev.spec.params_problem(t, sim.nodes[t].params)
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
        if node.params.instance_availability >= 1.0:
            continue
        exp = Exponentials(child_generator(rep, node.id, "failures"))
        sexp = Exponentials(child_generator(rep, node.id, "standby failures"))
        if role(node.role).per_node_state:
            _start_cycles(sim, node, exp, sexp, range(len(node.node_down)),
                          range(getattr(node, "shards", 1)))
        else:
            _start_cycles(sim, node, exp, sexp, range(len(node.inst_down)), range(1))
    for gid, (group, gp) in sim.topology.groups.items():
        a = gp.group_availability
        if a >= 1.0:
            continue
        mttr = gp.repair_hours * HOUR_S
        mtbf = a / (1.0 - a) * mttr
        exp = Exponentials(child_generator(rep, gid, "failures"))
        members = [sim.nodes[m] for m in group.members]
        _cycle(sim, exp, mtbf, mttr, lambda d, members=members: set_group(sim, members, d))


def _mtbf_mttr(params) -> tuple[float, float]:
    """(MTBF, MTTR) in seconds: MTTR ``repair_hours``, MTBF = a / (1 − a) · MTTR."""
    a = params.instance_availability
    mttr = params.repair_hours * HOUR_S
    return a / (1.0 - a) * mttr, mttr


def _start_cycles(sim, node, exp, sexp, units: range, standby_shards: range) -> None:
    """Failure processes for ``units`` (database nodes or instances) of ``node`` and, when it
    has standbys, for those of ``standby_shards`` (a standby fails and is repaired like any
    node; the analysis's standby is up with the instance availability too; while down it
    cannot take over)."""
    mtbf, mttr = _mtbf_mttr(node.params)
    per_node = role(node.role).per_node_state
    down = node.node_down if per_node else node.inst_down
    for i in units:
        _cycle(sim, exp, mtbf, mttr, _down_toggle(sim, node, down, i))
    if node.standby:
        for s in standby_shards:
            _cycle(sim, sexp, mtbf, mttr, _standby_toggle(sim, node, s))


def start_shard_failures(sim, node, shard: int) -> None:
    """Random failures for a shard added during the run (``add_shard``), when the run has
    them: its nodes and its standby, on streams of their own (the other nodes' draws stay
    the same, so runs with and without the event keep common random numbers)."""
    if not sim.scenario.random_failures or node.params.instance_availability >= 1.0:
        return
    rep = sim.rep
    exp = Exponentials(child_generator(rep, node.id, f"failures of shard {shard}"))
    sexp = Exponentials(child_generator(rep, node.id, f"standby failures of shard {shard}"))
    base = shard * node.per
    _start_cycles(sim, node, exp, sexp, range(base, base + node.per), range(shard, shard + 1))


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
