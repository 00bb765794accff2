"""Semantic validation of a design (SPEC §2): every problem, each naming its id.

The pydantic Design only checks the file's shape; this checks what the parts mean together:
kinds and their parameters, dangling and duplicate links, targets that a kind needs, links a kind
may not have, cycles, groups and scenario events.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from simcore.components import KINDS
from simcore.components.base import ParamsBase
from simcore.design import Design
from simcore.design_limits import rate_problems, text_problems
from simcore.link_params import GroupParams, LinkParams
from simcore.params import parse_params
from simcore.problems import Problem


@dataclass
class ParsedParams:
    """The typed parameters validation produced, in file order (None where they are invalid),
    so that compiling a checked design does not validate every parameter a second time."""

    components: list[ParamsBase | None] = field(default_factory=list)
    links: list[LinkParams | None] = field(default_factory=list)
    groups: list[GroupParams | None] = field(default_factory=list)


def _parse(model, raw: dict, where: str, problems: list[Problem]):
    parsed, found = parse_params(model, raw, where)
    problems.extend(found)
    return parsed


def validate(design: Design) -> list[Problem]:
    """All semantic problems of ``design``, in file order; empty when it is valid."""
    return validate_and_parse(design)[0]


def validate_and_parse(design: Design) -> tuple[list[Problem], ParsedParams]:
    """``validate(design)`` and the typed parameters it checked on the way."""
    problems: list[Problem] = []
    add = problems.append
    parsed = ParsedParams()

    counts = Counter([c.id for c in design.components] + [lk.id for lk in design.links]
                     + [g.id for g in design.groups])
    for ident, n in counts.items():
        if n > 1:
            add(Problem(ident, f"duplicate id (used {n} times; components, links and groups "
                               "share one id space)"))

    comps = {}
    for c in design.components:
        comps.setdefault(c.id, c)
        spec = KINDS.get(c.kind)
        if spec is None:
            add(Problem(c.id, f"unknown kind '{c.kind}' (known: {', '.join(sorted(KINDS))})"))
            parsed.components.append(None)
            continue
        parsed.components.append(_parse(spec.params, c.params, c.id, problems))

    problems.extend(text_problems(design))
    client_rps = {c.id: p.rps for c, p in zip(design.components, parsed.components)
                  if c.kind == "client" and p is not None}
    problems.extend(rate_problems(design, client_rps))

    if not any(c.kind == "client" for c in design.components):
        add(Problem(None, "the design has no client: add one to send traffic"))

    pairs: Counter = Counter()
    out_degree: Counter = Counter()
    graph_edges: list[tuple[str, str]] = []
    for lk in design.links:
        src, dst = comps.get(lk.source), comps.get(lk.target)
        if src is None:
            add(Problem(lk.id, f"source '{lk.source}' is not a component of the design"))
        if dst is None:
            add(Problem(lk.id, f"target '{lk.target}' is not a component of the design"))
        lp = _parse(LinkParams, lk.params, lk.id, problems)
        parsed.links.append(lp)
        if src is None or dst is None:
            continue
        pairs[(lk.source, lk.target)] += 1
        out_degree[lk.source] += 1
        graph_edges.append((lk.source, lk.target))
        if lk.source == lk.target:
            add(Problem(lk.id, f"a link from '{lk.source}' to itself"))
        sspec, tspec = KINDS.get(src.kind), KINDS.get(dst.kind)
        if dst.kind == "client":
            add(Problem(lk.id, f"a link into client '{dst.id}': clients only send"))
        if sspec is not None and sspec.terminal:
            add(Problem(lk.id, f"'{src.id}' is a {sspec.label.lower()}, which has no outgoing links"))
        if sspec is not None and not sspec.splits and "weight" in lk.params:
            add(Problem(lk.id, f"'weight' needs a source that splits; '{src.id}' is a "
                               f"{sspec.label.lower()}"))
        if src.kind != "service":
            for key in ("probability", "mode"):
                if key in lk.params:
                    add(Problem(lk.id, f"'{key}' only applies to links from a service"))
        if lp is not None and lp.mode == "async" and tspec is not None and dst.kind != "message_queue":
            add(Problem(lk.id, f"an async link must end at a message queue, not at "
                               f"'{dst.id}' ({tspec.label.lower()})"))
    for (s, t), n in pairs.items():
        if n > 1:
            ids = [lk.id for lk in design.links if lk.source == s and lk.target == t]
            add(Problem(ids[-1], f"{n} links from '{s}' to '{t}' (ids {', '.join(ids)}); keep one"))

    for c in design.components:
        spec = KINDS.get(c.kind)
        if spec is not None and spec.needs_target and out_degree[c.id] == 0:
            add(Problem(c.id, f"a {spec.label.lower()} needs a target: link it to what it sends to"))

    if not _is_acyclic(graph_edges):
        try:
            cycle = nx.find_cycle(nx.DiGraph(graph_edges))
            path = " → ".join([e[0] for e in cycle] + [cycle[0][0]])
        except nx.NetworkXNoCycle:  # pragma: no cover - guarded by _is_acyclic
            path = "?"
        where = cycle[0][0] if cycle else None
        add(Problem(where, f"the links form a cycle ({path}); designs must be acyclic"))

    problems.extend(_group_problems(design, comps, parsed))
    problems.extend(_scenario_problems(design, comps))
    return problems, parsed


def _is_acyclic(edges: list[tuple[str, str]]) -> bool:
    """Whether the directed graph of ``edges`` has no cycle (Kahn's algorithm)."""
    succ: dict[str, list[str]] = {}
    indeg: Counter = Counter()
    for s, t in edges:
        succ.setdefault(s, []).append(t)
        succ.setdefault(t, [])
        indeg[t] += 1
    ready = [v for v in succ if indeg[v] == 0]
    seen = 0
    while ready:
        v = ready.pop()
        seen += 1
        for t in succ[v]:
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    return seen == len(succ)


def _group_problems(design: Design, comps: dict, parsed: ParsedParams) -> list[Problem]:
    problems = []
    group_ids = {g.id for g in design.groups}
    zone_of: dict[str, str] = {}
    region_of: dict[str, str] = {}
    for g in design.groups:
        parsed.groups.append(_parse(GroupParams, g.params, g.id, problems))
        seen = set()
        for m in g.members:
            if m in seen:
                problems.append(Problem(g.id, f"member '{m}' is listed twice"))
            seen.add(m)
            if m in group_ids:
                problems.append(Problem(g.id, f"member '{m}' is a group: groups do not nest"))
                continue
            c = comps.get(m)
            if c is None:
                problems.append(Problem(g.id, f"member '{m}' is not a component of the design"))
                continue
            if c.kind == "client":
                problems.append(Problem(g.id, f"client '{m}' cannot be in a {g.kind}: "
                                              "clients belong to no group"))
            owner = zone_of if g.kind == "zone" else region_of
            if m in owner and owner[m] != g.id:
                problems.append(Problem(g.id, f"'{m}' is already in {g.kind} '{owner[m]}': a "
                                              f"component belongs to at most one {g.kind}"))
            owner.setdefault(m, g.id)
    return problems


def _scenario_problems(design: Design, comps: dict) -> list[Problem]:
    if design.scenario is None:
        return []
    problems = []
    links = {lk.id for lk in design.links}
    groups = {g.id for g in design.groups}
    for i, ev in enumerate(design.scenario.events, start=1):
        where = f"scenario event #{i} ({ev.type})"
        if ev.type == "fail":
            c = comps.get(ev.target)
            if ev.target not in groups and c is None:
                problems.append(Problem(None, f"{where}: target '{ev.target}' is not a "
                                              "component or group"))
            elif c is not None and c.kind == "client":
                problems.append(Problem(None, f"{where}: a client cannot fail; fail what it calls"))
        elif ev.type == "spike":
            c = comps.get(ev.target)
            if c is None or c.kind != "client":
                problems.append(Problem(None, f"{where}: target '{ev.target}' must be a client"))
        elif ev.target not in links:
            problems.append(Problem(None, f"{where}: target '{ev.target}' must be a link"))
    return problems
