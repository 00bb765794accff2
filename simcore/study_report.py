"""Text tables of ``skyline sweep`` and ``skyline compare``, drawn from their JSON objects only
(what a user reads is what the JSON says). [Brackets] are 95 % confidence intervals across the
replications; for a difference, the interval of the paired difference B − A."""

from __future__ import annotations

from simcore.compare import simulate_figures
from simcore.engine.report import _avail, _ci, _num, _rate


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return [line(header), line(["─" * w for w in widths]), *map(line, rows)]


def _settings(j: dict) -> str:
    n = j["replications"]
    where = "a Dask cluster" if j.get("runner") == "dask" else "this machine"
    return (f"{n} replication{'s' if n != 1 else ''} × {_num(j['duration_s'])} s simulated "
            f"({_num(j['warmup_s'])} s warm-up discarded), seed {j['seed']}, on {where}; "
            "the same random numbers for every run")


def _signed(x: float | None, fmt=_num) -> str:
    if x is None:
        return "—"
    return ("+" if x > 0 else "") + fmt(x)


def render_sweep(j: dict) -> str:
    import json

    out = [f"Sweep of {j['param']} over {len(j['values'])} values", _settings(j)]
    if j.get("stopped"):
        out.append(f"STOPPED: {len(j['results'])} of {len(j['values'])} values have finished "
                   "replications; their figures cover those replications only.")
    out.append("Means over the replications; [brackets]: 95% confidence interval.")
    out.append("")
    rows = []
    for r in j["results"]:
        lat, tp = r["latency_ms"], r["throughput_rps"]
        rows.append([json.dumps(r["value"]),
                     f"{_num(tp['mean'])}{_ci(tp['ci95'], _num)}",
                     f"{_num(lat['mean'])}{_ci(lat['ci95_mean'], _num)}",
                     f"{_num(lat['p99'])}{_ci(lat['ci95_p99'], _num)}",
                     f"{_rate(r['error_rate']['mean'])}{_ci(r['error_rate']['ci95'], _rate)}",
                     _avail(r["availability"]["mean"]) + _ci(r["availability"]["ci95"], _avail),
                     "saturated" if r.get("saturated") else ""])
    out += _table(["value", "throughput req/s", "latency mean ms", "p99 ms", "error rate",
                   "availability", ""], rows)
    return "\n".join(out) + "\n"


def _points(x: float) -> str:
    """A difference of two rates, in percentage points."""
    return f"{100.0 * x:.3g} pp"


_COMPARED = (("throughput_rps", "Throughput (req/s)", _num, _num),
             ("latency_mean_ms", "Latency mean (ms)", _num, _num),
             ("latency_p99_ms", "Latency p99 (ms)", _num, _num),
             ("error_rate", "Error rate", _rate, _points),
             ("availability", "Availability", _avail, _num))
"""(key, label, format of a figure, format of a difference)."""


_HIGHER_IS_BETTER = {"throughput_rps": True, "latency_mean_ms": False, "latency_p99_ms": False,
                     "error_rate": False, "availability": True}


def comparison_rows(a_json: dict, b_json: dict, difference: dict) -> list[dict]:
    """One row per compared figure: label, A and B (each with its interval), B − A with its
    interval, and ``verdict`` "better" / "worse" for B when the interval of B − A excludes 0
    (None otherwise)."""
    a, b = simulate_figures(a_json), simulate_figures(b_json)
    rows = []
    for key, label, fmt, dfmt in _COMPARED:
        d = difference[key]
        diff = _signed(d["mean"], dfmt)
        verdict = None
        if d["ci95"]:
            lo, hi = d["ci95"]
            diff += f"  [{_signed(lo, dfmt)}, {_signed(hi, dfmt)}]"
            if lo > 0 or hi < 0:
                verdict = "better" if (lo > 0) == _HIGHER_IS_BETTER[key] else "worse"
        if d.get("dropped_pairs"):
            diff += f"  ({d['dropped_pairs']} pair{'s' if d['dropped_pairs'] != 1 else ''} " \
                    "without a value left out)"
        rows.append({"key": key, "label": label, "a": f"{fmt(a[key][0])}{_ci(a[key][1], fmt)}",
                     "b": f"{fmt(b[key][0])}{_ci(b[key][1], fmt)}", "difference": diff,
                     "verdict": verdict})
    return rows


def render_compare(j: dict, name_a: str, name_b: str) -> str:
    pairs = j["a"]["replications"]
    out = [f"Comparison  A: {name_a}   B: {name_b}", _settings(j)]
    if j.get("stopped"):
        out.append(f"STOPPED: the figures cover the {pairs} pair{'s' if pairs != 1 else ''} of "
                   "replications that finished on both sides.")
    out.append("Means over the replications; B − A is the paired difference, [brackets] its "
               "95% interval" + (" (none with one pair)." if pairs < 2 else "."))
    out.append("")
    rows = [[r["label"], r["a"], r["b"], r["difference"]]
            for r in comparison_rows(j["a"], j["b"], j["difference"])]
    out += _table(["", "A", "B", "B − A"], rows)
    return "\n".join(out) + "\n"
