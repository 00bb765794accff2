"""The typed row of one simulated second, and the per-replication time series built from rows.

A row carries the time (``t_s``, the end of the second), one value per run series and one
{component id: value} per component series (``simcore.results.series``). Rows cross process
boundaries (the designer's live plots): plain data, picklable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simcore.results.series import COMPONENT_SERIES, RUN_SERIES, SERIES


@dataclass
class SecondRow:
    t_s: float
    values: dict[str, float | None] = field(default_factory=dict)
    """Run series by key (None: nothing to measure that second, e.g. no request finished)."""
    components: dict[str, dict[str, float]] = field(default_factory=dict)
    """Component series by key: {component id: value}."""

    def __getitem__(self, key: str):
        """The value of series ``key`` (a component series: its {id: value}); ``"t_s"``."""
        if key == "t_s":
            return self.t_s
        if key not in SERIES:
            raise KeyError(key)
        return (self.components if SERIES[key].per_component else self.values).get(key)

    def get(self, key: str, default=None):
        try:
            value = self[key]
        except KeyError:
            return default
        return default if value is None else value


def rows_of(timeseries: dict) -> list[SecondRow]:
    """A replication's ``timeseries`` (as ``SeriesRecorder`` builds it) back as its rows."""
    rows = []
    for i, t in enumerate(timeseries.get("t_s", [])):
        values = {s.key: timeseries[s.key][i] for s in RUN_SERIES
                  if i < len(timeseries.get(s.key, ()))}
        components = {s.key: {cid: v[i] for cid, v in timeseries.get(s.key, {}).items()
                              if i < len(v)} for s in COMPONENT_SERIES}
        rows.append(SecondRow(t, values, components))
    return rows


class SeriesRecorder:
    """Collects one replication's rows into its ``timeseries`` dict: ``t_s`` and each run
    series as lists, each component series as {component id: list} over the components the
    rows measure it for (a queue's backlog: message queues only)."""

    def __init__(self):
        self.data: dict = {"t_s": []}
        for s in RUN_SERIES:
            self.data[s.key] = []
        for s in COMPONENT_SERIES:
            self.data[s.key] = {}

    def add(self, row: SecondRow) -> None:
        d = self.data
        d["t_s"].append(row.t_s)
        for s in RUN_SERIES:
            d[s.key].append(row.values.get(s.key))
        for s in COMPONENT_SERIES:
            per = d[s.key]
            for cid, v in row.components.get(s.key, {}).items():
                per.setdefault(cid, []).append(v)
