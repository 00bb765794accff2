"""Semantic validation of a design (SPEC §2): every problem, each naming its id.

The pydantic Design only checks the file's shape; this checks what the parts mean together:
kinds and their parameters, dangling and duplicate links, targets that a kind needs, links a kind
may not have, cycles, groups and scenario events.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from simcore.components import KINDS
from simcore.components.base import ParamsBase
from simcore.design import Design
from simcore.design_limits import rate_problems, text_problems
from simcore.graph import link_problems, order_or_cycle
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
    order: list[str] | None = None  # the components in topological order (None with a cycle)


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
    client_rps = {c.id: float(getattr(p, "rps", 0.0))
                  for c, p in zip(design.components, parsed.components)
                  if p is not None and _is_source(c)}
    problems.extend(rate_problems(design, client_rps))

    if not any(_is_source(c) for c in design.components):
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
        for message in link_problems(KINDS.get(src.kind), KINDS.get(dst.kind), src.id, dst.id,
                                     lk.params, lp):
            add(Problem(lk.id, message))
    for (s, t), n in pairs.items():
        if n > 1:
            ids = [lk.id for lk in design.links if lk.source == s and lk.target == t]
            add(Problem(ids[-1], f"{n} links from '{s}' to '{t}' (ids {', '.join(ids)}); keep one"))

    for c in design.components:
        spec = KINDS.get(c.kind)
        if spec is not None and spec.needs_target and out_degree[c.id] == 0:
            add(Problem(c.id, f"a {spec.label.lower()} needs a target: link it to what it sends to"))

    parsed.order, cycle = order_or_cycle(list(comps), graph_edges)
    if cycle is not None:
        add(Problem(cycle[0], f"the links form a cycle ({' → '.join(cycle)}); designs must be "
                              "acyclic"))

    problems.extend(_group_problems(design, comps, parsed))
    problems.extend(_scenario_problems(design, comps))
    return problems, parsed


def _is_source(c) -> bool:
    """Whether component ``c`` is of a traffic-source kind (a client); False for unknown kinds."""
    spec = KINDS.get(c.kind)
    return spec is not None and spec.behaviour.is_source


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
            if _is_source(c):
                problems.append(Problem(g.id, f"client '{m}' cannot be in a {g.kind}: "
                                              "clients belong to no group"))
            owner = zone_of if g.kind == "zone" else region_of
            if m in owner and owner[m] != g.id:
                problems.append(Problem(g.id, f"'{m}' is already in {g.kind} '{owner[m]}': a "
                                              f"component belongs to at most one {g.kind}"))
            owner.setdefault(m, g.id)
    return problems


def _scenario_problems(design: Design, comps: dict) -> list[Problem]:
    """Each event's target against what its type declares it may target."""
    if design.scenario is None:
        return []
    problems = []
    links = {lk.id for lk in design.links}
    groups = {g.id for g in design.groups}

    def what(target: str) -> tuple[str | None, str | None]:
        c = comps.get(target)
        if c is not None:
            spec = KINDS.get(c.kind)
            return ("client" if _is_source(c) else "component"), (spec.role if spec else None)
        if target in groups:
            return "group", None
        return ("link" if target in links else None), None

    for i, ev in enumerate(design.scenario.events, start=1):
        problem = ev.spec.target_problem(ev.target, *what(ev.target))
        if problem:
            problems.append(Problem(None, f"scenario event #{i} ({ev.type}): {problem}"))
    return problems
