"""What the reliability simulation simulates: one up/down *column* per part that the request
success of SPEC §3 looks at, and the failure processes behind each column.

The success function is the instant analysis' ``SuccessModel`` (one column per non-client
component, one per database node, one per group), so that the function written for the analysis
is the one evaluated over the simulated states. The simulated columns are fewer: a shard's
replicas are one simulated column, "some replica is up" (a read needs one, whichever it is;
a write needs the primary), spread back over the replica columns when the success function is
evaluated. A database of 1,000 shards × 100 replicas is 2,000 simulated columns, not 101,000.
Behind a simulated column:

- n identical active instances, each alternating up / down with exponential times of mean MTBF
  and MTTR (hours); the column's actives are down when all n are;
- optionally one standby (the same MTBF / MTTR), which serves once ``failover_h`` hours have
  passed since the last active instance failed, for as long as it is up and the actives are down;
- a group, or a database replica, is one such instance.

When a part gives only ``availability`` a, its MTTR is 1 h (as the analysis assumes for
standbys) and its MTBF a / (1 − a) h, so that MTBF / (MTBF + MTTR) = a. A part with a = 1 never
fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simcore.analysis.availability_model import (
    SuccessModel,
    build_model,
    unit_unavailability,
)
from simcore.analysis.nines import SECONDS_PER_YEAR
from simcore.topology import Topology

NEGLIGIBLE_EPISODES = 1e-9
"""A column whose actives are all down (uⁿ) so rarely that fewer than this many such episodes
are expected over the whole study is simulated as always up: simulating thousands of instances
that can never all be down at once would only cost time."""
MAX_EVENTS = 300_000_000
"""Most failure and repair events a study may need; more is refused with a message (fewer years)."""
MAX_WORK = 2e11
"""Most (state changes × success-function columns) a study may evaluate, about a few minutes of
one core: a database of 1,000 shards × 100 replicas has 101,000 columns, so it is refused for
4,000 simulated years but fits in about 100."""
HOURS_PER_YEAR = SECONDS_PER_YEAR / 3600.0


class StudyTooBig(ValueError):
    """The study would need more events than ``MAX_EVENTS`` or more work than ``MAX_WORK``."""


@dataclass
class Rates:
    """Exponential failure process of one instance: mean up time ``mtbf_h`` and mean down time
    ``mttr_h``, in hours. ``u`` = MTTR / (MTBF + MTTR), its steady-state unavailability."""

    mtbf_h: float
    mttr_h: float

    @property
    def u(self) -> float:
        return self.mttr_h / (self.mtbf_h + self.mttr_h)

    @property
    def events_per_hour(self) -> float:
        """Failures plus repairs per hour in the steady state."""
        return 2.0 / (self.mtbf_h + self.mttr_h)


def rates_of(params) -> Rates | None:
    """The failure process of one instance (or group) with these parameters; None when it never
    fails (availability 1)."""
    u = unit_unavailability(params)
    if u <= 0.0:
        return None
    mtbf, mttr = getattr(params, "mtbf_hours", None), getattr(params, "mttr_hours", None)
    if mtbf is not None and mttr is not None:
        return Rates(float(mtbf), float(mttr))
    mttr = 1.0
    return Rates(mttr * (1.0 - u) / u, mttr)


@dataclass
class ColumnSpec:
    """One simulated column: up while some of its ``instances`` is (or its standby serves).
    ``targets``: the success-function columns it stands for. ``rates`` None: never fails."""

    name: str
    owner: str  # the component or group id it belongs to
    rates: Rates | None
    instances: int = 1
    standby: bool = False
    failover_h: float = 0.0
    simplified: bool = False  # all actives down is negligible: simulated as always up
    targets: list[int] = field(default_factory=list)

    def events_per_hour(self) -> float:
        if self.rates is None or self.simplified:
            return 0.0
        return self.rates.events_per_hour * (self.instances + (1 if self.standby else 0))


@dataclass
class ReliabilityPlan:
    """Everything one block of simulated time needs (picklable: it travels to worker processes).

    ``component_cols`` maps each non-client component to the simulated columns whose time up is
    its own availability (a database: its shards' primaries); ``group_cols`` each group to its
    column. ``expand[j]`` is the simulated column behind success-function column j."""

    success: SuccessModel
    columns: list[ColumnSpec]
    component_cols: dict[str, list[int]] = field(default_factory=dict)
    group_cols: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def expand(self) -> np.ndarray:
        """Per success-function column, the index of the simulated column that drives it."""
        out = np.empty(len(self.success.columns), dtype=np.int64)
        for i, spec in enumerate(self.columns):
            out[spec.targets] = i
        return out

    def events_per_hour(self) -> float:
        return sum(c.events_per_hour() for c in self.columns)

    @property
    def can_fail(self) -> bool:
        return any(c.rates is not None and not c.simplified for c in self.columns)

    def longest_repair_h(self) -> float:
        """The longest mean repair (or take-over) time of any part that can fail, in hours."""
        out = 0.0
        for c in self.columns:
            if c.rates is not None and not c.simplified:
                out = max(out, c.rates.mttr_h, c.failover_h)
        return out


def build_plan(topo: Topology, client_weights: dict[str, float], total_hours: float
               ) -> ReliabilityPlan:
    """The columns of ``topo``'s success function and their failure processes.

    ``client_weights`` are the clients' admitted rps (as the analysis weighs them);
    ``total_hours`` is the simulated time of the whole study (to spot negligible columns and
    refuse studies that are too big)."""
    model = build_model(topo)
    success = SuccessModel(model, client_weights)
    plan = ReliabilityPlan(success, [])
    add = plan.columns.append
    for x in model.order:
        nm = model.nodes[x]
        if nm.behaviour.is_source:
            continue
        p = topo.nodes[x].params
        rates = rates_of(p)
        standby = p.standby != "none"
        failover_h = p.effective_failover_s / 3600.0 if standby else 0.0
        if nm.db is not None:
            cols = success.db_cols[x]
            plan.component_cols[x] = []
            for k in range(nm.db.shards):
                plan.component_cols[x].append(len(plan.columns))
                add(ColumnSpec(success.columns[cols[k, 0]], x, rates, 1, standby, failover_h,
                               targets=[int(cols[k, 0])]))
                if nm.db.replicas:
                    add(ColumnSpec(f"{x}:{k}:replicas", x, rates, nm.db.replicas,
                                   targets=[int(c) for c in cols[k, 1:]]))
        else:
            plan.component_cols[x] = [len(plan.columns)]
            add(ColumnSpec(x, x, rates, p.instances, standby, failover_h,
                           targets=[success.col[x]]))
    for g, c in success.group_col.items():
        plan.group_cols[g] = len(plan.columns)
        add(ColumnSpec(g, g, rates_of(topo.groups[g][1]), targets=[c]))
    said: set[str] = set()
    for spec in plan.columns:
        note = _maybe_simplify(spec, total_hours)
        if note is not None and note not in said:  # once for all the shards of a database
            said.add(note)
            plan.notes.append(note)
    expected = plan.events_per_hour() * total_hours
    if expected > MAX_EVENTS:
        busiest = max(plan.columns, key=lambda s: s.events_per_hour())
        raise StudyTooBig(
            f"the study would simulate about {expected:.3g} failures and repairs (at most "
            f"{MAX_EVENTS:.0e}); '{busiest.owner}' fails most often: use fewer --years or "
            f"--replications")
    width = len(success.columns)
    if expected * width > MAX_WORK:
        fits = MAX_WORK / (plan.events_per_hour() * width * HOURS_PER_YEAR)
        raise StudyTooBig(
            f"the study would evaluate about {expected:.3g} failures and repairs over "
            f"{width:,} parts (at most {MAX_WORK:.0e} of both together); about {fits:,.0f} "
            f"simulated years fit in all: use fewer --years or --replications")
    return plan


def _maybe_simplify(spec: ColumnSpec, total_hours: float) -> str | None:
    """Mark a column whose actives are all down too rarely to matter; the note saying so."""
    r = spec.rates
    if r is None or spec.instances == 1:
        return None
    n = spec.instances
    log_all_down = n * math.log(r.u)  # log uⁿ, safe for huge n
    # all-down episodes begin at rate uⁿ · n / MTTR per hour (each ends at the first repair)
    log_episodes = log_all_down + math.log(n / r.mttr_h * max(total_hours, 1e-300))
    if log_episodes < math.log(NEGLIGIBLE_EPISODES):
        spec.simplified = True
        what = "replicas of a shard" if spec.name.endswith(":replicas") else "instances"
        return (f"{spec.owner}: all {n} {what} down together is expected "
                f"{math.exp(log_episodes):.1e} times in the whole study; simulated as "
                f"always up")
    return None
