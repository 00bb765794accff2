"""The readable text report of ``skyline reliability`` (percentages and hours for people; the
JSON keeps fractions and seconds)."""

from __future__ import annotations

from simcore.reliability.study import ReliabilityResult


def _pct(a: float | None) -> str:
    if a is None:
        return "—"
    if a >= 1.0:
        return "100%"
    # enough digits to show the first two that differ from 9
    u = 1.0 - a
    digits = 2
    while digits < 12 and u * 10 ** (digits + 2) < 10:
        digits += 1
    return f"{a * 100:.{digits}f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.2f} h"
    return f"{seconds / 86400:.2f} days"


def _interval(ci: list[float] | None, fmt) -> str:
    return "no interval (one block)" if ci is None else f"95% CI {fmt(ci[0])} – {fmt(ci[1])}"


def _verdict(res: ReliabilityResult) -> str:
    """Where the analysis' figure lies against the simulated interval, plainly."""
    inside = res.agrees_with_analysis
    if inside is None:
        return "no interval to compare with"
    if inside:
        return "inside the simulated 95% interval: they agree"
    u_an, u_sim = res.analysis_unavailability, res.unavailability
    if u_an and u_sim:
        return (f"outside the simulated 95% interval (simulated downtime "
                f"{u_sim / u_an:.2g}× the analysis')")
    return "outside the simulated 95% interval"


def render(res: ReliabilityResult) -> str:
    """The report as text, one item a line."""
    out = [f"Reliability simulation: {res.name or '(unnamed design)'}"]
    out.append(f"  {res.replications} replication(s) × {res.years:g} years "
               f"({res.blocks_finished} of {res.blocks} blocks simulated: "
               f"{res.simulated_years:g} years), seed {res.seed}")
    if res.availability is None:
        out.append("  nothing was simulated")
        out += [f"  note: {n}" for n in res.notes]
        return "\n".join(out) + "\n"
    out.append(f"  availability     {_pct(res.availability):<16} {_interval(res.ci95, _pct)}")
    nines = "—" if res.nines is None else f"{res.nines:.2f}"
    out.append(f"  unavailability   {res.unavailability:<16.3e} "
               f"{_interval(res.u_ci95, lambda x: f'{x:.3e}')}   nines {nines}")
    out.append(f"  outages          {res.outages:,} seen: {res.outages_per_year:.4g} per year, "
               f"mean length {_duration(res.mean_outage_s)}")
    out.append(f"  downtime         {_duration(res.downtime_per_year_s)} per year "
               f"(time with some request failing: {_duration(res.outage_time_per_year_s)} "
               f"per year)")
    if res.analysis_availability is not None:
        out.append(f"  instant analysis {_pct(res.analysis_availability)} "
                   f"({res.analysis_method}): {_verdict(res)}")
        if res.agrees_with_analysis is False:
            out.append("                   A 95% interval misses the true value in about one "
                       "run in twenty, so one miss")
            out.append("                   alone is no fault. If it misses again with another "
                       "--seed and more --years,")
            out.append("                   the analysis and the simulation disagree.")
    if res.components or res.groups:
        out.append("")
        out.append(f"  {'part':<24} {'simulated':>16} {'analysis':>16}")
        for pid, row in list(res.components.items()) + list(res.groups.items()):
            out.append(f"  {pid:<24} {_pct(row['availability']):>16} "
                       f"{_pct(row['analysis_availability']):>16}")
    for n in res.notes:
        out.append(f"  note: {n}")
    return "\n".join(out) + "\n"
