"""What the window and the simulation worker processes say to each other: one dataclass per
message (plain data, picklable). Every message from a worker carries ``share``, the index k of
the process's share of the work."""

from __future__ import annotations

from dataclasses import dataclass

from simcore.results.rows import SecondRow


# --- from a worker to the window ------------------------------------------------------------
@dataclass(frozen=True)
class Started:
    """The share's work begins. ``live_fail``: a "fail now" can reach its running
    replications (not on a cluster, which gives a replication back only when it has ended)."""

    share: int
    live_fail: bool = True


@dataclass(frozen=True)
class Rows:
    """Simulated seconds of one replication (or load point) ``item``, in order."""

    share: int
    item: int
    rows: list[SecondRow]


@dataclass(frozen=True)
class RepDone:
    """A replication's result dict, without its time series (they came as rows)."""

    share: int
    rep: int
    result: dict


@dataclass(frozen=True)
class SweepPoint:
    """One load point: index, factor, offered_rps, saturated, throughput_rps, p99_ms,
    error_rate."""

    share: int
    point: dict


@dataclass(frozen=True)
class Injected:
    """A "fail now" reached a replication: the scenario event, ``at_s`` its simulated start."""

    share: int
    event: dict


@dataclass(frozen=True)
class Notice:
    """Something the user should know; the work goes on."""

    share: int
    text: str


@dataclass(frozen=True)
class Done:
    share: int
    stopped: bool


@dataclass(frozen=True)
class Failed:
    """A clear message; the process's work is over."""

    share: int
    text: str


# --- from the window to a worker -----------------------------------------------------------
@dataclass(frozen=True)
class Stop:
    """End the work after the current simulated second."""


@dataclass(frozen=True)
class FailNow:
    """Fail ``target`` from the current simulated time for ``duration_s``."""

    target: str
    duration_s: float
