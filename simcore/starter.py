"""A starter design from an estimate (SPEC §7.10 ``skyline estimate --design``).

The design has the shape of the scaling stage that fits the user count, its client sends the
estimated peak, and its app tier has ``servers_n_plus_1`` servers of the estimate's capacity
(stages 1–3 keep one app server, as the notes do; when one server cannot carry the peak at 70 %
busy, the starter takes stage 4's shape instead and its description says why). The rest of the
tier (load balancer, cache, database) gets typical values, then more workers wherever the
analysis finds it more than half busy at the peak, so the starter carries its peak with room to
spare. Components are laid out left to right in the order a request meets them.
"""

from __future__ import annotations

from itertools import pairwise

from simcore import SCHEMA_VERSION
from simcore.design import Component, Design, Link, Scenario
from simcore.estimate import PEAK_BUSY, Estimate, round_up, stage_name
from simcore.text import number

X_STEP = 220
DATA_TIER_BUSY = 0.5
"""Load balancer, cache and database are given workers until at most this busy at the peak."""
INTERNET_MS = 20.0
"""A typical one-way latency from users to the data centre."""
INSIDE_MS = 0.5
"""A typical one-way latency between machines of one data centre."""


def starter_shape(est: Estimate) -> int:
    """The stage whose shape the starter takes: the estimate's, or 4 when the estimate's stage
    has one app server and one server cannot carry the peak at 70 % busy."""
    return 4 if est.stage <= 3 and est.servers > 1 else est.stage


def starter_design(est: Estimate) -> Design:
    """A valid design of the estimate's stage, sized to carry ``est.peak_rps``."""
    inp = est.inputs
    shape = starter_shape(est)
    app_instances = est.servers_n_plus_1 if shape >= 4 else 1
    comps: list[tuple[str, str, str, dict]] = [
        ("users", "client", "Users", {"rps": est.peak_rps, "read_ratio": inp.read_ratio})]
    if shape >= 4:
        comps.append(("lb", "load_balancer", "Load balancer",
                      {"workers": 1000, "service_time_ms": 0.3, "availability": 0.9995,
                       "cost_per_hour": 0.025}))
    if shape == 1:
        comps.append(("server", "service", "Single server (app + database)",
                      {"workers": inp.server_workers, "service_time_ms": inp.server_ms,
                       "mtbf_hours": 2000, "mttr_hours": 2, "cost_per_hour": 0.2}))
    else:
        app = {"workers": inp.server_workers, "service_time_ms": inp.server_ms,
               "availability": 0.999, "cost_per_hour": 0.1}
        if app_instances > 1:
            app = {"instances": app_instances, **app}
        comps.append(("app", "service", "App servers" if app_instances > 1 else "App server",
                      app))
    if shape >= 3:
        comps.append(("cache", "cache", "Redis",
                      {"workers": 1, "service_time_ms": 0.01, "hit_ratio": 0.8,
                       "availability": 0.999, "cost_per_hour": 0.2}))
    if shape >= 2:
        db = {"workers": 16, "service_time_ms": 5, "mtbf_hours": 2000, "mttr_hours": 2,
              "cost_per_hour": 0.5, "engine": "MySQL"}
        if shape >= 5:
            db |= {"replicas": 2 if shape == 5 else 1, "replication": "async",
                   "replication_lag_ms": 5}
        if shape == 6:
            db["shards"] = 3
        comps.append(("db", "database", _db_name(shape), db))

    components = [Component(id=cid, kind=kind, name=name, x=i * X_STEP, y=0, params=params)
                  for i, (cid, kind, name, params) in enumerate(comps)]
    links = [Link(id=f"l{i}", source=a.id, target=b.id,
                  params={"latency_ms": INTERNET_MS if i == 1 else INSIDE_MS})
             for i, (a, b) in enumerate(pairwise(components), start=1)]
    design = Design(schema_version=SCHEMA_VERSION,
                    name=f"Starter: stage {shape}, {stage_name(shape).lower()}",
                    description=_description(est, shape),
                    components=components, links=links,
                    scenario=Scenario(duration_s=60, warmup_s=5, seed=1, replications=3))
    _size_support_tiers(design)
    return design


def _db_name(shape: int) -> str:
    return {5: "MySQL primary + 2 replicas", 6: "MySQL, 3 shards"}.get(shape, "MySQL")


def _size_support_tiers(design: Design) -> None:
    """Give the load balancer, cache and database enough workers to be at most half busy at
    the peak (their waits then stay small, so the app tier's holding time stays near its own
    time). The app tier keeps the estimate's count."""
    from simcore.analysis import analyze

    for _ in range(3):  # a bigger database shortens the app's holding time: settle in a few
        result = analyze(design, availability=False)
        grown = False
        for c in design.components:
            if c.kind in ("client", "service"):
                continue
            rho = result.components[c.id].utilization or 0.0
            if rho > DATA_TIER_BUSY:
                workers = int(c.params["workers"])
                c.params = {**c.params, "workers": round_up(workers * rho / DATA_TIER_BUSY)}
                grown = True
        if not grown:
            return


def _description(est: Estimate, shape: int) -> str:
    inp = est.inputs
    capacity = est.server_capacity_rps
    text = (f"A starter for {number(inp.users)} daily users × {number(inp.requests_per_user)} "
            f"requests each: the users send the estimated peak of {number(est.peak_rps)} rps "
            f"({inp.read_ratio:.0%} of them reads). One app server of "
            f"{inp.server_workers} workers × {number(inp.server_ms)} ms serves at most "
            f"{number(capacity)} rps; planned at {PEAK_BUSY:.0%} busy, the peak needs "
            f"{est.servers}, plus one spare: {est.servers_n_plus_1}.")
    if shape != est.stage:
        text += (f" The user count fits stage {est.stage} ({stage_name(est.stage).lower()}), "
                 f"which has a single app server; one server cannot carry "
                 f"{number(est.peak_rps)} rps at {PEAK_BUSY:.0%} busy "
                 f"({number(PEAK_BUSY * capacity)} rps at most), so this starter takes stage "
                 f"4's shape: a load balancer in front of {est.servers_n_plus_1} app servers.")
    elif shape <= 3:
        text += " This stage has one app server, as the typical scaling path does."
    return text + " Figures and their formulas: skyline estimate, or the concepts guide."
