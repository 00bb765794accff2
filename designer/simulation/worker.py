"""The simulation worker processes (no Qt here: they are spawned fresh and should start fast).

The window starts one process per core (at most one per replication or load point). Each gets
the plain design dict, the options and its share ``(k, n)`` of the work: replications (or load
points) k, k + n, k + 2n, … It runs them with ``run_replication`` one after another and streams
the messages of ``designer.simulation.messages`` back over the shared queue, each tagged with
the share index k: Started, Rows (simulated seconds of one replication, batched: about ten
messages a second), RepDone, SweepPoint, Injected, Notice, Done, and Failed (a clear message;
the process's work is over).

Each process has its own command queue. FailNow(target, duration_s) asks for a failure from
the current simulated time of the running replication; the engine receives it through the
``inject`` callable of ``run_replication``, polled once per simulated second. Replications that
start later in the same process get the accepted failures as scheduled events at the same
simulated times, so that they see the same scenario. Stop() ends the work after the current
simulated second (the window normally terminates the process instead: that is immediate).
"""

from __future__ import annotations

import os
import queue as queue_module
import time
import traceback

from designer.simulation import messages
from simcore.results.rows import SecondRow

ROW_BATCH_S = 0.1
"""Wall-clock seconds between two batches of rows."""
NICE = 5
"""How much lower than the window the workers run, so that the window stays quick."""


class _RowSender:
    """Sends rows in batches: the engine can simulate far faster than real time, and one
    message per simulated second would keep the window busy reading."""

    def __init__(self, out, k: int):
        self.out, self.k, self.interval = out, k, ROW_BATCH_S
        self.item: int | None = None
        self.batch: list[SecondRow] = []
        self.last = time.monotonic()

    def add(self, item: int, row: SecondRow) -> None:
        if self.item is not None and item != self.item:
            self.flush()
        self.item = item
        self.batch.append(row)
        if time.monotonic() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.out.put(messages.Rows(self.k, self.item, self.batch))
            self.batch = []
        self.last = time.monotonic()


def noop() -> None:
    """A process that does nothing (starts the fork server's first child)."""


def with_events(design_dict: dict, events: list[dict]) -> dict:
    """The design with ``events`` added to its scenario."""
    if not events:
        return design_dict
    d = dict(design_dict)
    sc = dict(d.get("scenario") or {})
    sc["events"] = list(sc.get("events", [])) + list(events)
    d["scenario"] = sc
    return d


class _Control:
    """Reads the window's command queue once per simulated second."""

    def __init__(self, ctl, out=None, k=0):
        self.ctl, self.out, self.k = ctl, out, k
        self.parent_pid = os.getppid()
        self.stop = False
        self.now_s = 0.0
        self.pending: list[dict] = []

    def poll(self) -> None:
        while True:
            try:
                msg = self.ctl.get_nowait()
            except (queue_module.Empty, OSError, EOFError, ValueError):
                return
            if isinstance(msg, messages.Stop):
                self.stop = True
            elif isinstance(msg, messages.FailNow):
                self.pending.append({"type": "fail", "target": msg.target, "at_s": self.now_s,
                                     "duration_s": float(msg.duration_s)})

    def should_stop(self) -> bool:
        self.poll()
        if os.getppid() != self.parent_pid:  # the window is gone: nobody reads the results
            self.stop = True
        return self.stop

    def inject(self) -> list[dict]:
        """The failures asked for since the last call; they start now (the engine's time)."""
        self.poll()
        events, self.pending = self.pending, []
        for ev in events:
            ev["at_s"] = max(ev["at_s"], self.now_s)
            if self.out is not None:  # where the window draws the band
                self.out.put(messages.Injected(self.k, dict(ev)))
        return events


def process_main(design_dict: dict, options: dict, out, ctl, share: tuple[int, int]) -> None:
    """Entry point of a worker process: ``run_study`` at a lower priority than the window,
    ending with the window's process should it crash."""
    from simcore.runner import exit_with_parent

    exit_with_parent()
    if hasattr(os, "nice"):
        try:
            os.nice(NICE)
        except OSError:
            pass
    run_study(design_dict, options, out, ctl, share)


def run_study(design_dict: dict, options: dict, out, ctl, share: tuple[int, int] = (0, 1)) -> None:
    """Run this share of the work, streaming messages. Never raises: errors become Failed."""
    from simcore.problems import DesignError

    k = share[0]
    try:
        _run(design_dict, options, out, ctl, share)
    except DesignError as exc:
        out.put(messages.Failed(k, f"The design cannot be simulated:\n{exc.text()}"))
    except Exception as exc:  # noqa: BLE001 - everything must reach the window as a message
        detail = traceback.format_exc(limit=-3)
        out.put(messages.Failed(k, f"The simulation failed: {exc}\n\n{detail}"))


def _run(design_dict: dict, options: dict, out, ctl, share: tuple[int, int]) -> None:
    from simcore import io as design_io
    from simcore.engine.replication import run_replication

    k, n = share
    control = _Control(ctl, out, k)
    design = design_io.parse(design_dict)  # a DesignError becomes Failed in run_study
    out.put(messages.Started(k))
    if options.get("mode") == "sweep":
        _sweep(design_dict, options, out, control, share)
        return
    seed = int(options.get("seed", 1))
    duration = float(options["duration_s"])
    warmup = float(options.get("warmup_s", 0.0))
    carried: list[dict] = []  # failures injected so far: later replications get them too
    sender = _RowSender(out, k)
    for rep in range(k, int(options.get("replications", 1)), n):
        control.now_s = 0.0
        control.poll()
        if control.stop:
            break

        def on_second(row, _rep=rep):
            control.now_s = row.t_s
            sender.add(_rep, row)

        result = run_replication(design, seed=seed, rep_index=rep, duration_s=duration,
                                 warmup_s=warmup, on_second=on_second,
                                 should_stop=control.should_stop, inject=control.inject)
        sender.flush()
        if control.stop or result["stopped"]:
            break
        accepted = _take_injected(result, out, k)
        if accepted:
            carried.extend(accepted)
            design = design_io.parse(with_events(design_dict, carried))
        out.put(messages.RepDone(k, rep, _plain(result)))
    out.put(messages.Done(k, control.stop))


def _take_injected(result, out, k) -> list[dict]:
    """The failures the engine accepted during a replication, as scheduled events; the refused
    ones are told to the window."""
    accepted = []
    for rec in result["injected"]:
        if rec["problem"]:
            out.put(messages.Notice(k, f"A failure could not be injected: {rec['problem']}"))
        else:
            accepted.append({**rec["event"], "at_s": float(rec["at_s"])})
    return accepted


def _sweep(design_dict, options, out, control, share) -> None:
    """This share of the load sweep (``simcore.sweep.load_point`` per load point), streaming
    each point's rows while it runs and its figures when it ends."""
    from simcore.sweep import SWEEP_DURATION_S, SWEEP_FACTORS, SWEEP_WARMUP_S, load_point

    k, n = share
    sat = float(options["saturation_rps"])
    offered = float(options["offered_rps"])
    duration = float(options.get("sweep_duration_s", SWEEP_DURATION_S))
    warmup = float(options.get("sweep_warmup_s", SWEEP_WARMUP_S))
    factors = list(options.get("factors") or SWEEP_FACTORS)
    sender = _RowSender(out, k)
    for i in range(k, len(factors), n):
        point = load_point(design_dict, factors[i], sat, offered,
                           seed=int(options.get("seed", 1)), duration_s=duration,
                           warmup_s=warmup, on_second=lambda row, _i=i: sender.add(_i, row),
                           should_stop=control.should_stop)
        sender.flush()
        if control.stop:
            break
        out.put(messages.SweepPoint(k, {"index": i, **point}))
    out.put(messages.Done(k, control.stop))


def _plain(result) -> dict:
    """Results cross the process boundary: plain data, without the per-second series (the
    window already has them as rows, and they are the bulk of the result)."""
    return {key: value for key, value in result.items() if key != "timeseries"}
