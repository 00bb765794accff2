"""The reliability study (SPEC §3 "Reliability simulation"): years of simulated failures and
repairs, no traffic, and the availability they give, checked against the instant analysis.

    from simcore.reliability import reliability
    res = reliability(design, years=1000, replications=4, seed=1)
    res.availability, res.ci95, res.outages_per_year, res.to_json()

Each replication of ``years`` is simulated as ``blocks`` consecutive blocks of equal length, each
started in the steady state with its own random stream (exact for exponential times, which are
memoryless), so blocks are independent and identically distributed: they run in parallel through
``simcore.runner``, progress is reported per block, and a study stopped early (Ctrl-C,
``should_stop``) keeps every finished block. The 95% confidence interval of U = 1 − A is the
Student-t interval over the blocks; A's is 1 minus it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from simcore.analysis import analyze
from simcore.analysis.autoscale import as_analysed
from simcore.analysis.nines import SECONDS_PER_YEAR, nines
from simcore.design import Design
from simcore.reliability.plan import build_plan
from simcore.reliability.process import BlockResult, simulate_block
from simcore.runner import Task, run_all
from simcore.topology import Topology, compile_design

DEFAULT_YEARS = 1000.0
"""Simulated years per replication of the first round when none is asked for."""
TARGET_OUTAGES = 200
"""Without ``years``: the study goes on, in further rounds of blocks, until this many outages
have been seen (U then within about ±20% at 95% for exponential outage lengths: the relative
standard error is √(2 / outages))."""
YEAR_BUDGET = 100_000.0
"""...or until this many years have been simulated over all replications (a budget in simulated
time, so the result does not depend on the machine's speed)..."""
EVENT_BUDGET = 20_000_000
"""...or until the next round would take the study past this many state changes (about ten
seconds of computing)."""
DEFAULT_REPLICATIONS = 4
MAX_BLOCKS = 10
"""Blocks per replication (one per year for studies shorter than ten years)."""
HOURS_PER_YEAR = SECONDS_PER_YEAR / 3600.0
IN_PROCESS_EVENTS = 3_000_000
"""With ``workers=None``, a study expected to need fewer events runs in this process: starting
worker processes would cost more than it saves."""
FEW_OUTAGES = 10
"""Fewer outages seen than this: the interval is rough, and the report says so."""
_Z_ZERO = -math.log(0.025)
"""Poisson 97.5% upper bound of a count when none was seen: 3.69 events."""

_T975 = [12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
         2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
         2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
         2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272]


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (a table to 30, the
    Cornish–Fisher expansion beyond, error < 1e-4)."""
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959963985
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


@dataclass
class ReliabilityResult:
    """The outcome of a study. Fractions, not percentages; times in seconds unless named.

    ``availability`` A = 1 − ``unavailability`` U, the time average over the simulated states of
    the request success of SPEC §3; ``ci95`` / ``u_ci95`` their 95% intervals (None with one
    block). ``outages`` begun in the simulated time (an outage: a time when some request would
    fail); ``outage_time_per_year_s`` the time per year in such states; ``downtime_per_year_s`` =
    U × a year (request-weighted, as the nines table). ``analysis_*`` the instant analysis of the
    same design. ``components`` / ``groups``: the simulated share of time each was serving next
    to the analysis' value (a component's own availability, groups not counted)."""

    name: str | None
    seed: int
    years: float
    replications: int
    blocks: int
    blocks_finished: int
    stopped: bool
    simulated_years: float
    availability: float | None
    unavailability: float | None
    ci95: list[float] | None
    u_ci95: list[float] | None
    outages: int
    outages_per_year: float | None
    mean_outage_s: float | None
    outage_time_per_year_s: float | None
    downtime_per_year_s: float | None
    analysis_availability: float | None
    analysis_unavailability: float | None
    analysis_method: str | None
    components: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    events: int = 0

    @property
    def nines(self) -> float | None:
        return None if self.unavailability is None else nines(self.unavailability)

    @property
    def agrees_with_analysis(self) -> bool | None:
        """The analysis' U lies inside the simulated 95% interval (None without an interval)."""
        if self.u_ci95 is None or self.analysis_unavailability is None:
            return None
        lo, hi = self.u_ci95
        return lo <= self.analysis_unavailability <= hi

    def to_json(self) -> dict:
        """The ``skyline reliability --json`` object (strict JSON: None for undefined)."""
        return {
            "name": self.name,
            "seed": self.seed,
            "years": self.years,
            "replications": self.replications,
            "blocks": self.blocks,
            "blocks_finished": self.blocks_finished,
            "stopped": self.stopped,
            "simulated_years": self.simulated_years,
            "availability": {"mean": self.availability, "ci95": self.ci95},
            "unavailability": {"mean": self.unavailability, "ci95": self.u_ci95},
            "nines": self.nines,
            "outages_seen": self.outages,
            "outages_per_year": self.outages_per_year,
            "mean_outage_s": self.mean_outage_s,
            "outage_time_per_year_s": self.outage_time_per_year_s,
            "downtime_per_year_s": self.downtime_per_year_s,
            "analysis": {"availability": self.analysis_availability,
                         "unavailability": self.analysis_unavailability,
                         "method": self.analysis_method,
                         "inside_ci95": self.agrees_with_analysis},
            "components": self.components,
            "groups": self.groups,
            "notes": list(self.notes),
        }


def reliability(design: Design | Topology, *, years: float | None = None,
                replications: int | None = None, seed: int | None = None,
                workers: int | None = None,
                progress: Callable[[int, int], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> ReliabilityResult:
    """Simulate ``replications`` × ``years`` of the design's failures and repairs.

    Defaults: 4 replications, the scenario's seed (else 1), and without ``years`` 1000 years
    each, then more, in rounds of blocks, until ``TARGET_OUTAGES`` outages are seen or a budget
    (``YEAR_BUDGET`` simulated years, ``EVENT_BUDGET`` state changes) is spent: designs with
    rare outages get the years they need. ``workers`` as in
    ``simcore.runner.run_all`` (None: every core, except for small studies, which run here);
    ``progress(done, total)`` counts finished blocks. A design error raises DesignError; a study
    too big to simulate raises ``StudyTooBig`` (a ValueError) with a message."""
    topo = design if isinstance(design, Topology) else compile_design(design, check=True)
    d = topo.design
    adaptive = years is None
    years = DEFAULT_YEARS if years is None else float(years)
    if not (years > 0 and math.isfinite(years)):
        raise ValueError(f"years must be a positive number, got {years}")
    replications = DEFAULT_REPLICATIONS if replications is None else int(replications)
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if seed is None:
        seed = d.scenario.seed if d.scenario is not None else 1
    base = analyze(topo)
    topo = as_analysed(topo, base)  # autoscaled services at the analysis' instances
    hours = years * HOURS_PER_YEAR
    plan = build_plan(topo, dict(base.client_weights), hours * replications)
    blocks = int(min(MAX_BLOCKS, max(1, math.floor(years))))
    block_hours = hours / blocks
    entropy = int(seed) % (1 << 64)
    done: list[BlockResult] = []
    per_rep, n_tasks, stopped = 0, 0, False
    more = blocks
    while more > 0 and not stopped:
        # Block b of replication r has its own stream: later rounds continue the numbering.
        tasks = [Task(simulate_block, (plan, block_hours, entropy, r, b))
                 for r in range(replications) for b in range(per_rep, per_rep + more)]
        events = plan.events_per_hour() * block_hours * len(tasks)
        here = workers is None and events < IN_PROCESS_EVENTS
        outcome = run_all(tasks, workers=1 if here else workers,
                          progress=_offset(progress, len(done), n_tasks),
                          should_stop=should_stop)
        done += outcome.finished
        per_rep, n_tasks, stopped = per_rep + more, n_tasks + len(tasks), outcome.stopped
        more = _more_blocks(done, plan, block_hours, replications, per_rep) if adaptive else 0
    res = _summarise(done, plan, topo, base, block_hours)
    res.name, res.seed, res.replications = d.name, int(seed), replications
    res.years = per_rep * block_hours / HOURS_PER_YEAR
    res.blocks, res.blocks_finished, res.stopped = n_tasks, len(done), stopped
    if adaptive and per_rep > blocks and not stopped:
        res.notes.insert(0, _rounds_note(res.outages, res.simulated_years))
    if stopped:
        res.notes.insert(0, f"stopped early: {len(done)} of {n_tasks} blocks finished "
                            f"({res.simulated_years:g} simulated years)")
    return res


def _offset(progress, done_before: int, total_before: int):
    """Progress of a later round, counted on from the rounds before."""
    if progress is None:
        return None
    return lambda done, total: progress(done_before + done, total_before + total)


def _more_blocks(done: list[BlockResult], plan, block_hours: float, replications: int,
                 per_rep: int) -> int:
    """Blocks per replication to add so that about ``TARGET_OUTAGES`` outages are seen, within
    the budgets; 0 when enough were seen or a budget is spent. With none seen yet, the study
    grows fourfold (the rate is unknown)."""
    outages = sum(b.outages for b in done)
    if outages >= TARGET_OUTAGES or not plan.can_fail:
        return 0
    years_so_far = per_rep * replications * block_hours / HOURS_PER_YEAR
    if outages > 0:
        want_years = 1.1 * (TARGET_OUTAGES - outages) * years_so_far / outages
    else:
        want_years = 4.0 * years_so_far
    row_years = replications * block_hours / HOURS_PER_YEAR  # one more block per replication
    row_events = plan.events_per_hour() * replications * block_hours
    by_years = math.floor((YEAR_BUDGET - years_so_far) / row_years + 1e-9)
    by_events = (math.floor((EVENT_BUDGET - row_events * per_rep) / row_events)
                 if row_events > 0 else by_years)
    return max(0, min(math.ceil(want_years / row_years), by_years, by_events))


def _rounds_note(outages: int, years: float) -> str:
    if outages >= TARGET_OUTAGES:
        return (f"simulated {years:,.0f} years in all, until {outages} outages were seen "
                f"(at least {TARGET_OUTAGES}, for an interval of about ±20%)")
    return (f"simulated {years:,.0f} years in all (the budget) and saw {outages} outages, fewer "
            f"than the {TARGET_OUTAGES} aimed at: the interval is wider; --years sets the length")


def _summarise(done: list[BlockResult], plan, topo: Topology, base,
               block_hours: float) -> ReliabilityResult:
    total_h = sum(b.hours for b in done)
    years = total_h / HOURS_PER_YEAR
    res = ReliabilityResult(
        name=None, seed=0, years=0.0, replications=0, blocks=0, blocks_finished=0,
        stopped=False, simulated_years=years, availability=None, unavailability=None,
        ci95=None, u_ci95=None, outages=sum(b.outages for b in done), outages_per_year=None,
        mean_outage_s=None, outage_time_per_year_s=None, downtime_per_year_s=None,
        analysis_availability=base.availability, analysis_unavailability=base.unavailability,
        analysis_method=base.availability_method, notes=list(plan.notes),
        events=sum(b.events for b in done))
    if done:
        us = np.array([b.unavailability for b in done])
        u = float(sum(b.failed_hours for b in done) / total_h)
        res.unavailability, res.availability = u, 1.0 - u
        res.u_ci95 = _u_interval(us, u, plan, total_h, res.outages)
        if res.u_ci95 is not None:
            res.ci95 = [1.0 - res.u_ci95[1], 1.0 - res.u_ci95[0]]
        outage_h = sum(b.outage_hours for b in done)
        res.outages_per_year = res.outages / years
        res.mean_outage_s = outage_h * 3600.0 / res.outages if res.outages else None
        res.outage_time_per_year_s = outage_h * 3600.0 / years
        res.downtime_per_year_s = u * SECONDS_PER_YEAR
        col_up = np.sum([b.column_up_hours for b in done], axis=0) / total_h
        for cid, row in base.components.items():
            cols = plan.component_cols.get(cid)
            if cols is None:
                continue
            res.components[cid] = {"availability": float(np.mean(col_up[cols])),
                                   "analysis_availability": row.availability}
        for gid, col in plan.group_cols.items():
            g = base.groups.get(gid)
            res.groups[gid] = {"availability": float(col_up[col]),
                               "analysis_availability": None if g is None else g.availability}
    if not plan.can_fail:
        res.notes.append("no part of this design can fail: it is always available")
    elif done and res.outages < FEW_OUTAGES:
        res.notes.append(f"only {res.outages} outage(s) seen: the interval is rough; simulate "
                         f"more years or replications")
    return res


def _u_interval(us: np.ndarray, u: float, plan, total_h: float, outages: int
                ) -> list[float] | None:
    """The 95% interval of U: Student-t over the blocks; with no outage seen in a design that
    can fail, [0, an upper bound]: fewer than 3.69 outages in the simulated time (the Poisson
    97.5% bound of a zero count), each as long as the longest mean repair time."""
    if not plan.can_fail:
        return [0.0, 0.0]
    if outages == 0 and u == 0.0:
        return [0.0, min(1.0, _Z_ZERO * plan.longest_repair_h() / total_h)]
    m = len(us)
    if m < 2:
        return None
    half = t975(m - 1) * float(np.std(us, ddof=1)) / math.sqrt(m)
    return [max(0.0, u - half), min(1.0, u + half)]
